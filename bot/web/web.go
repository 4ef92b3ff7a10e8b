// Package web is the website channel: the embeddable chat widget
// (GET /widget.js) and its JSON and event-stream API for anonymous
// visitors, the owner inbox at /owner, and the demo shop page.
//
// A visitor is an anonymous id in a token signed with the server's secret;
// the widget keeps it in the page's local storage and resumes the
// conversation after a reload. Replies reach the widget over server-sent
// events: the "web" outbox channel's sender stores each reply in the
// visitor's message log and wakes the visitor's open streams, which send
// what is new since the event id they last sent. A reconnecting widget
// names its last event id (Last-Event-ID) and gets every later message
// once.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/tickets"
)

// Channel is the visitors' channel name in messages and the outbox.
const Channel = "web"

// OwnerChannel is the owner inbox's channel: its commands' answers and the
// live ticket alerts go to the outbox under this name.
const OwnerChannel = "web-owner"

// OwnerChat is the owner inbox's chat on OwnerChannel.
const OwnerChat = "owner"

// Handler handles one message: a *bot.Engine, or a wrapper that counts.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Summarizer writes the owner's summary of a day (notify.Summarizer).
type Summarizer interface {
	Summary(ctx context.Context, day time.Time, lang string) (string, error)
}

// Tickets is what the inbox reads of the tickets (*tickets.Store does
// it): the list, the newest message of each, one ticket and its messages.
type Tickets interface {
	List(ctx context.Context, f tickets.Filter) ([]tickets.Ticket, error)
	Latest(ctx context.Context, ids []int64) (map[int64]tickets.Message, error)
	Get(ctx context.Context, id int64) (*tickets.Ticket, error)
	Messages(ctx context.Context, id int64) ([]tickets.Message, error)
}

// Config is what a Server needs. DB, Engine and Tickets are required.
type Config struct {
	DB     *sqlx.DB
	Engine Handler
	// Secret signs visitor tokens, owner sessions and form tokens. Empty:
	// the secret stored in the database (generated on first use).
	Secret []byte
	// AllowedOrigins are the shop sites that may embed the widget
	// ("https://shop.example"); the server's own pages always may. "*"
	// allows any site.
	AllowedOrigins []string
	// TrustProxy takes the client address from X-Forwarded-For (set it only
	// behind a proxy that sets that header).
	TrustProxy bool
	ShopName   string
	Lang       string         // the widget's language when the visitor's is unknown: ko, en or zh
	OwnerLang  string         // the inbox's language (notify.language): ko, en or zh; empty: Lang
	Location   *time.Location // the shop's time zone, for the inbox
	Tickets    Tickets        // the inbox's tickets
	Summary    Summarizer     // the inbox's summary of today; nil: none
	// Demo serves the demo shop page at "/" (products from the shop's
	// store); otherwise "/" shows how to embed the widget.
	Demo   bool
	Limits Limits
	// OnLimited is called for every request refused by a rate limit, with
	// its scope ("visitor", "ip", "session", "stream", "login"): metrics.
	OnLimited func(scope string)
	Now       func() time.Time
	Log       *slog.Logger
}

// Server serves the widget, the visitors' API and the owner inbox.
type Server struct {
	cfg     Config
	sign    signer
	limits  Limits
	origins map[string]bool
	anyOrig bool
	now     func() time.Time
	log     *slog.Logger

	visitors *hub
	owner    *hub
	alerts   alerts

	msgVisitor, msgIP, sessions, logins *limiter
	streamsVisitor, streamsIP           *counter

	widget     []byte // widget.js with its CSS inlined
	widgetETag string
}

// New returns a server for cfg. It fails if the secret cannot be read or
// created, or an allowed origin is not a URL.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DB == nil || cfg.Engine == nil || cfg.Tickets == nil {
		return nil, errors.New("web: new: DB, Engine and Tickets are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.ShopName == "" {
		cfg.ShopName = "shop"
	}
	switch cfg.Lang {
	case "ko", "en", "zh":
	default:
		cfg.Lang = "ko"
	}
	switch cfg.OwnerLang {
	case "ko", "en", "zh":
	default:
		cfg.OwnerLang = cfg.Lang
	}
	if len(cfg.Secret) == 0 {
		s, err := Secret(ctx, cfg.DB, cfg.Now())
		if err != nil {
			return nil, err
		}
		cfg.Secret = s
	}
	s := &Server{cfg: cfg, sign: signer{cfg.Secret}, limits: cfg.Limits.withDefaults(), now: cfg.Now, log: cfg.Log,
		visitors: newHub(), owner: newHub(), origins: map[string]bool{}}
	for _, o := range cfg.AllowedOrigins {
		if o == "*" {
			s.anyOrig = true
			continue
		}
		n, ok := normalOrigin(o)
		if !ok {
			return nil, fmt.Errorf("web: allowed origin %q: want scheme://host[:port], e.g. https://shop.example", o)
		}
		s.origins[n] = true
	}
	l := s.limits
	s.msgVisitor = newLimiter(l.VisitorBurst, l.VisitorEvery)
	s.msgIP = newLimiter(l.IPBurst, l.IPEvery)
	s.sessions = newLimiter(l.SessionBurst, l.SessionEvery)
	s.logins = newLimiter(l.OwnerLoginBurst, l.OwnerLoginEvery)
	s.streamsVisitor = newCounter(l.StreamsPerVisit)
	s.streamsIP = newCounter(l.StreamsPerIP)
	if err := s.buildWidget(); err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the server's handlers to mux: /widget.js, /api/…,
// /owner…, and "/" (the demo shop, or the embedding help).
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /widget.js", s.serveWidget)
	mux.Handle("/api/", s.api())
	mux.HandleFunc("GET /{$}", s.serveHome)
	s.registerOwner(mux)
}

// Streams is the number of open visitor event streams.
func (s *Server) Streams() int { return s.visitors.open() }

// Send is the "web" outbox channel's sender: it stores r in its visitor's
// message log (once, however often it is called for the same reply) and
// wakes the visitor's streams. A visitor who is away reads it on return.
func (s *Server) Send(ctx context.Context, r bot.Reply) (string, error) {
	seq, fresh, err := s.storeReply(ctx, s.cfg.DB, r)
	if err != nil {
		return "", err
	}
	if fresh {
		s.visitors.wake(r.Chat)
	}
	return strconv.FormatInt(seq, 10), nil
}

// SendTx is Send inside the outbox's transaction (bot.Outbox.RunBatch):
// the reply lands in the visitor's log with the outbox's record of it, in
// one commit per round. Delivered wakes the streams after the commit.
func (s *Server) SendTx(ctx context.Context, tx *sqlx.Tx, r bot.Reply) (string, error) {
	seq, _, err := s.storeReply(ctx, tx, r)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(seq, 10), nil
}

// Delivered wakes the streams of the visitors of replies sent by SendTx.
func (s *Server) Delivered(replies []bot.Reply) {
	for _, r := range replies {
		s.visitors.wake(r.Chat)
	}
}

// storeReply appends r to its visitor's message log, once per outbox id.
func (s *Server) storeReply(ctx context.Context, q sqlx.ExtContext, r bot.Reply) (seq int64, fresh bool, err error) {
	if r.Chat == "" {
		return 0, false, fmt.Errorf("web: send: %w: no visitor", bot.ErrPermanent)
	}
	from := "bot"
	if r.Kind == bot.KindOwner {
		from = "owner"
	}
	// The visitor sees the ticket's reference, never its sequential id.
	e := Event{From: from, Kind: string(r.Kind), Text: withoutChoiceLines(r.Text, r.Choices), Ask: r.Ask, Ref: r.Ref}
	for _, c := range r.Choices {
		e.Choices = append(e.Choices, choiceJSON(c))
	}
	return appendEvent(ctx, q, r.Chat, r.ID, e, s.now())
}

// withoutChoiceLines drops from text the numbered lines ("2. label")
// that repeat its choices: text channels need them, the widget shows the
// choices as buttons. Lines that say more than the label (a product's
// stock and price) stay.
func withoutChoiceLines(text string, choices []bot.Choice) string {
	if len(choices) == 0 {
		return text
	}
	drop := make(map[string]bool, len(choices))
	for i, c := range choices {
		drop[fmt.Sprintf("%d. %s", i+1, c.Label)] = true
	}
	lines := strings.Split(text, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !drop[strings.TrimSpace(l)] {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// SendOwner is the OwnerChannel outbox sender: ticket alerts are shown
// live in the open inboxes (the inbox reads tickets from the database, so
// an alert nobody saw is not lost); command answers were already shown
// by the request that ran the command.
func (s *Server) SendOwner(ctx context.Context, r bot.Reply) (string, error) {
	if r.Kind == bot.KindAlert {
		s.alerts.add(Alert{Ticket: r.Ticket, Priority: r.Priority, Event: r.Event, Text: r.Text})
		s.owner.wake(OwnerChat)
	}
	return "", nil
}

// apiError is the JSON body of every error the widget receives.
type apiError struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		RetryAfter int    `json:"retry_after,omitempty"`
	} `json:"error"`
}

// fail writes a JSON error. Nothing internal reaches the client: the code
// is one of a few fixed strings and the message is fixed text.
func fail(w http.ResponseWriter, status int, code, message string, retry time.Duration) {
	var e apiError
	e.Error.Code, e.Error.Message = code, message
	if retry > 0 {
		secs := int((retry + time.Second - 1) / time.Second)
		e.Error.RetryAfter = secs
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// recoverJSON turns a panic in a handler into a plain 500 error: the
// widget never sees a stack trace; the log does.
func (s *Server) recoverJSON(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				fail(w, http.StatusInternalServerError, "internal", "Something went wrong. Please try again.", 0)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// clientIP is the address rate limits count against.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// streamEnd is when an event stream opened now ends (Limits.StreamMax).
// Network deadlines are on the real clock.
func (s *Server) streamEnd() time.Time { return time.Now().Add(s.limits.StreamMax) }

// streamWrite prepares the next write of an event stream: streams are
// exempt from the server's write timeout, but each write (events or a
// heartbeat) must go through within StreamWriteWait, and the stream ends
// at end. false: end it now.
func (s *Server) streamWrite(rc *http.ResponseController, end time.Time) bool {
	now := time.Now()
	if !now.Before(end) {
		return false
	}
	// A ResponseWriter without deadlines (a test recorder) streams on.
	rc.SetWriteDeadline(now.Add(s.limits.StreamWriteWait))
	return true
}

// clientNet is the client's network (an IPv4 /24, an IPv6 /64): what
// per-address limits count against, so a host with many addresses counts
// once.
func (s *Server) clientNet(r *http.Request) string { return bot.NetworkOf(s.clientIP(r)) }

// isHTTPS reports whether the client reached us over HTTPS (directly or
// through a proxy that says so): owner cookies are then Secure.
func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func normalOrigin(o string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// sameOrigin reports whether origin is this server itself.
func sameOrigin(r *http.Request, origin string) bool {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

// originAllowed says whether a request's Origin may use the visitor API.
// No Origin header (a same-origin GET, a non-browser client) is allowed:
// the signed token is what protects a conversation; origins keep other
// sites' pages from embedding the chat.
func (s *Server) originAllowed(r *http.Request) (origin string, ok bool) {
	origin = r.Header.Get("Origin")
	if origin == "" || sameOrigin(r, origin) {
		return origin, true
	}
	if s.anyOrig {
		return origin, true
	}
	n, valid := normalOrigin(origin)
	return origin, valid && s.origins[n]
}
