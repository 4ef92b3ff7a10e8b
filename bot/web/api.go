package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
)

// maxBody is the largest request body the visitor API reads.
const maxBody = 16 << 10

// api is the visitors' JSON and event-stream API under /api/.
func (s *Server) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/session", s.handleSession)
	mux.HandleFunc("POST /api/messages", s.handleMessage)
	mux.HandleFunc("GET /api/events", s.handleEvents)
	mux.HandleFunc("POST /api/stream", s.handleStreamTicket)
	mux.HandleFunc("OPTIONS /api/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "not_found", "No such API.", 0)
	})
	return s.recoverJSON(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin, ok := s.originAllowed(r)
		if !ok {
			fail(w, http.StatusForbidden, "origin_not_allowed", "This site may not use this chat.", 0)
			return
		}
		if origin != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
			h.Set("Access-Control-Max-Age", "600")
		}
		mux.ServeHTTP(w, r)
	}))
}

// limited writes a 429 and tells the metrics.
func (s *Server) limited(w http.ResponseWriter, scope string, wait time.Duration) {
	if s.cfg.OnLimited != nil {
		s.cfg.OnLimited(scope)
	}
	fail(w, http.StatusTooManyRequests, "rate_limited", "Too many messages. Please wait a moment.", wait)
}

type sessionRequest struct {
	Token string `json:"token"`
}

type sessionResponse struct {
	Token   string `json:"token"`
	Visitor string `json:"visitor"`
	Shop    string `json:"shop"`
	Lang    string `json:"lang"`
}

// handleSession returns the visitor's token: the one sent, if this server
// signed it, or a new visitor's.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if !s.decode(w, r, &req) {
		return
	}
	now := s.now()
	if id, issued, err := s.sign.visitor(req.Token, now, s.limits.VisitorLifetime); err == nil {
		// A returning visitor keeps the conversation; the token is renewed
		// once a day, so it lapses only after a lifetime of silence.
		token := req.Token
		if now.Sub(issued) > 24*time.Hour {
			token = s.sign.visitorToken(id, now)
		}
		writeJSON(w, http.StatusOK, sessionResponse{Token: token, Visitor: id, Shop: s.cfg.ShopName, Lang: s.cfg.Lang})
		return
	}
	if ok, wait := s.sessions.allow(s.clientNet(r), now); !ok {
		s.limited(w, "session", wait)
		return
	}
	id, token := s.sign.newVisitor(now)
	writeJSON(w, http.StatusOK, sessionResponse{Token: token, Visitor: id, Shop: s.cfg.ShopName, Lang: s.cfg.Lang})
}

// decode reads a small JSON body, answering the error itself.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	err := json.NewDecoder(r.Body).Decode(v)
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooBig):
		fail(w, http.StatusRequestEntityTooLarge, "too_large", "That message is too long.", 0)
	default:
		fail(w, http.StatusBadRequest, "bad_request", "The request could not be read.", 0)
	}
	return false
}

// visitor reads the visitor from the Authorization header (Bearer) or,
// for event streams that cannot send headers, the "t" query parameter.
func (s *Server) visitor(w http.ResponseWriter, r *http.Request) (string, bool) {
	token := r.URL.Query().Get("t")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	id, _, err := s.sign.visitor(token, s.now(), s.limits.VisitorLifetime)
	if err != nil {
		fail(w, http.StatusUnauthorized, "bad_token", "Your chat session is not valid. Reload the page to start a new one.", 0)
		return "", false
	}
	return id, true
}

// streamTicketLife is how long a stream ticket may be used to open a
// stream (the stream itself then lasts Limits.StreamMax).
const streamTicketLife = time.Minute

// handleStreamTicket gives the visitor (by the Authorization header) a
// stream ticket: the event stream's URL carries it, never the token.
func (s *Server) handleStreamTicket(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.visitor(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"ticket": s.sign.streamTicket(visitor, s.now().Add(streamTicketLife))})
}

// streamVisitor is the visitor of an event stream request: by its stream
// ticket (?s=), else as any API call (a widget of an earlier version sent
// its token as ?t=).
func (s *Server) streamVisitor(w http.ResponseWriter, r *http.Request) (string, bool) {
	if ticket := r.URL.Query().Get("s"); ticket != "" {
		id, err := s.sign.stream(ticket, s.now())
		if err != nil {
			fail(w, http.StatusUnauthorized, "bad_token", "Your chat session is not valid. Reload the page to start a new one.", 0)
			return "", false
		}
		return id, true
	}
	return s.visitor(w, r)
}

type messageRequest struct {
	ID     string `json:"id"`     // the widget's id for this message: a retry reuses it
	Text   string `json:"text"`   // what the visitor wrote, or the label of a tapped choice
	Choice string `json:"choice"` // a tapped clarify choice: the FAQ entry id
	Lang   string `json:"lang"`   // the browser's language
	Name   string `json:"name"`   // optional display name
}

type messageResponse struct {
	Seq int64 `json:"seq"` // the event id of the visitor's own message (0 for a repeat)
}

// handleMessage takes a visitor's message: it is stored in the visitor's
// log (so other tabs and a reload show it), then handed to the engine.
// Replies arrive on the event stream. A retried message (same id) is
// handled once.
func (s *Server) handleMessage(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.visitor(w, r)
	if !ok {
		return
	}
	var req messageRequest
	if !s.decode(w, r, &req) {
		return
	}
	req.Text = strings.TrimSpace(strings.ToValidUTF8(req.Text, "\uFFFD"))
	switch {
	case req.ID == "" || len(req.ID) > 64 || strings.ContainsAny(req.ID, " \t\r\n"):
		fail(w, http.StatusBadRequest, "bad_request", "The message needs an id.", 0)
		return
	case req.Text == "" && req.Choice == "":
		fail(w, http.StatusBadRequest, "empty", "Please type a message.", 0)
		return
	case utf8.RuneCountInString(req.Text) > s.limits.MaxText:
		fail(w, http.StatusRequestEntityTooLarge, "too_long", fmt.Sprintf("Please keep messages under %d characters.", s.limits.MaxText), 0)
		return
	case len(req.Choice) > 100 || len(req.Lang) > 35 || utf8.RuneCountInString(req.Name) > 80:
		fail(w, http.StatusBadRequest, "bad_request", "The request could not be read.", 0)
		return
	}
	now := s.now()
	if ok, wait := s.msgVisitor.allow(visitor, now); !ok {
		s.limited(w, "visitor", wait)
		return
	}
	if ok, wait := s.msgIP.allow(s.clientNet(r), now); !ok {
		s.limited(w, "ip", wait)
		return
	}
	// A database that does not answer (restarting, out of reach) gets the
	// visitor a polite 503 within StoreWait, not a hanging request: the
	// widget keeps the text and sends it again with the same id. The work
	// goes on a little longer without the visitor (a driver may take its
	// own time to give up); if it succeeds after all, the repeat is a
	// duplicate and handled once.
	// A visitor who gave no name is "웹 방문자 #K7Q2" to the owner, in
	// every channel that shows the ticket (alerts, commands, the inbox).
	name := cmp.Or(strings.TrimSpace(req.Name), s.anonymous(visitor))
	m := bot.Message{Channel: Channel, ID: visitor + ":" + req.ID, Chat: visitor, User: visitor, Name: name,
		Text: req.Text, Lang: req.Lang, Choice: req.Choice, Time: now, Network: s.clientNet(r)}
	done := make(chan int64, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 3*s.limits.StoreWait)
		defer cancel()
		seq, err := s.take(ctx, m, req.ID)
		if err != nil {
			s.log.Error("web: message not taken", "chat", visitor, "err", err)
			seq = -1
		}
		done <- seq
	}()
	t := time.NewTimer(s.limits.StoreWait)
	defer t.Stop()
	select {
	case seq := <-done:
		if seq < 0 {
			s.unavailable(w, req.Lang)
			return
		}
		writeJSON(w, http.StatusAccepted, messageResponse{Seq: seq})
	case <-t.C:
		s.log.Warn("web: database too slow; visitor asked to try again", "chat", visitor, "after", s.limits.StoreWait)
		s.unavailable(w, req.Lang)
	}
}

// take stores a visitor's message m (the widget's id clientID) in the
// visitor's log and hands it to the engine. It returns the message's event
// id (0 for a repeat).
func (s *Server) take(ctx context.Context, m bot.Message, clientID string) (int64, error) {
	seq, fresh, err := appendEvent(ctx, s.cfg.DB, m.Chat, 0, Event{From: "me", Text: m.Text, ClientID: clientID}, m.Time)
	if err != nil {
		return 0, fmt.Errorf("web: store visitor message: %w", err)
	}
	if fresh {
		s.visitors.wake(m.Chat)
	}
	if _, err := s.cfg.Engine.Handle(ctx, m); err != nil && !errors.Is(err, bot.ErrDuplicate) {
		return 0, fmt.Errorf("web: handle: %w", err)
	}
	return seq, nil
}

// retryUnavailable is when the widget should send a refused message again.
const retryUnavailable = 5 * time.Second

// unavailableText asks the visitor, in their language, to send again.
var unavailableText = map[string]string{
	"ko": "지금은 메시지를 받을 수 없어요. 쓰신 내용은 그대로 있으니 잠시 후 다시 보내 주세요.",
	"en": "We can't take messages for a moment. Your text is kept: please try again in a moment.",
	"zh": "暂时无法接收消息。您写的内容已保留，请稍后再试。",
}

// unavailable answers 503 when the message could not be stored: a short,
// localized "please try again in a moment" with a Retry-After.
func (s *Server) unavailable(w http.ResponseWriter, lang string) {
	l := strings.ToLower(lang)
	if len(l) > 2 {
		l = l[:2]
	}
	text, ok := unavailableText[l]
	if !ok {
		text = unavailableText[s.cfg.Lang]
	}
	fail(w, http.StatusServiceUnavailable, "unavailable", text, retryUnavailable)
}

// handleEvents is a visitor's server-sent event stream: the conversation
// after the event id the client names (Last-Event-ID, or the "after"
// parameter; none: the recent conversation), then each new message as it
// arrives. Event ids are the log's sequence numbers, so a reconnect
// resumes exactly where the last stream stopped.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.streamVisitor(w, r)
	if !ok {
		return
	}
	ip := s.clientNet(r)
	if !s.streamsVisitor.acquire(visitor) {
		s.limited(w, "stream", time.Second)
		return
	}
	defer s.streamsVisitor.release(visitor)
	if !s.streamsIP.acquire(ip) {
		s.limited(w, "stream", time.Second)
		return
	}
	defer s.streamsIP.release(ip)

	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > after {
		after = id
	}
	wake := s.visitors.subscribe(visitor)
	defer s.visitors.unsubscribe(visitor, wake)

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	ctx := r.Context()
	beat := time.NewTicker(s.limits.HeartbeatEvery)
	defer beat.Stop()
	end := s.streamEnd()
	first := true
	for {
		if !s.streamWrite(rc, end) {
			return // past its lifetime: the browser reconnects with its last id
		}
		// Subscribed before reading: a message stored meanwhile wakes us.
		limit := s.limits.MaxStreamHistory
		evs, err := events(ctx, s.cfg.DB, visitor, after, limit)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("web: stream read", "chat", visitor, "err", err)
			}
			return // the client reconnects with its last id
		}
		for _, e := range evs {
			b, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", e.Seq, b)
			after = e.Seq
		}
		if first && len(evs) == 0 {
			fmt.Fprint(w, ": ready\n\n")
		}
		first = false
		if err := rc.Flush(); err != nil {
			return
		}
		if len(evs) == limit && after > 0 {
			continue // more waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-beat.C:
			// Keep proxies from closing an idle stream, and pick up
			// messages another instance stored.
			if !s.streamWrite(rc, end) {
				return
			}
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
	}
}
