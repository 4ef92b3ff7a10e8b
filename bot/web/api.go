package web

import (
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
	if id, err := s.sign.visitor(req.Token); err == nil {
		writeJSON(w, http.StatusOK, sessionResponse{Token: req.Token, Visitor: id, Shop: s.cfg.ShopName, Lang: s.cfg.Lang})
		return
	}
	if ok, wait := s.sessions.allow(s.clientIP(r), s.now()); !ok {
		s.limited(w, "session", wait)
		return
	}
	id, token := s.sign.newVisitor()
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
	id, err := s.sign.visitor(token)
	if err != nil {
		fail(w, http.StatusUnauthorized, "bad_token", "Your chat session is not valid. Reload the page to start a new one.", 0)
		return "", false
	}
	return id, true
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
	if ok, wait := s.msgIP.allow(s.clientIP(r), now); !ok {
		s.limited(w, "ip", wait)
		return
	}
	ctx := r.Context()
	seq, fresh, err := appendEvent(ctx, s.cfg.DB, visitor, 0, Event{From: "me", Text: req.Text, ClientID: req.ID}, now)
	if err != nil {
		s.log.Error("web: store visitor message", "chat", visitor, "err", err)
		fail(w, http.StatusServiceUnavailable, "unavailable", "The chat is unavailable right now. Please try again.", 0)
		return
	}
	if fresh {
		s.visitors.wake(visitor)
	}
	m := bot.Message{Channel: Channel, ID: visitor + ":" + req.ID, Chat: visitor, User: visitor, Name: strings.TrimSpace(req.Name),
		Text: req.Text, Lang: req.Lang, Choice: req.Choice, Time: now}
	if _, err := s.cfg.Engine.Handle(ctx, m); err != nil && !errors.Is(err, bot.ErrDuplicate) {
		s.log.Error("web: handle", "chat", visitor, "err", err)
		fail(w, http.StatusServiceUnavailable, "unavailable", "The chat is unavailable right now. Please try again.", 0)
		return
	}
	writeJSON(w, http.StatusAccepted, messageResponse{Seq: seq})
}

// handleEvents is a visitor's server-sent event stream: the conversation
// after the event id the client names (Last-Event-ID, or the "after"
// parameter; none: the recent conversation), then each new message as it
// arrives. Event ids are the log's sequence numbers, so a reconnect
// resumes exactly where the last stream stopped.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	visitor, ok := s.visitor(w, r)
	if !ok {
		return
	}
	ip := s.clientIP(r)
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
	first := true
	for {
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
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
	}
}
