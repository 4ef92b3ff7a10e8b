// Package slacktest is a fake of the Slack Web API for tests: an httptest
// server that the real slack-go client talks to (slack.OptionAPIURL(URL)).
// It keeps the channel's messages as chat.postMessage and chat.update left
// them, records every call, and can answer the next calls of a method with
// an error or a 429 with Retry-After.
package slacktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BotUserID and BotID are the fake bot's identity, as auth.test tells it.
const (
	BotUserID = "UBOT"
	BotID     = "BBOT"
)

// Message is a message as the fake channel holds it.
type Message struct {
	Channel   string
	TS        string          // the message's id
	ThreadTS  string          // the thread it was posted in, "" at top level
	User      string          // the recipient of an ephemeral message
	Text      string          // the fallback text
	Blocks    json.RawMessage // the Block Kit blocks, as sent
	Ephemeral bool
	Broadcast bool // reply_broadcast: also shown in the channel
	Updates   int  // how many times chat.update changed it
	Response  bool // posted to a slash command's response_url
}

// File is an uploaded file.
type File struct {
	ID, Name, Channel, ThreadTS string
	Data                        []byte
}

// Call is one Web API call.
type Call struct {
	Method string
	Form   url.Values
}

// Server is the fake Web API.
type Server struct {
	// URL is the API base URL with the trailing slash slack-go wants.
	URL string
	// Token is the bot token the fake accepts; others get invalid_auth.
	Token string

	srv *httptest.Server

	mu       sync.Mutex
	seq      int
	messages []*Message
	files    []*File
	calls    []Call
	failures map[string][]failure
	uploads  map[string]*File // pending uploads by file id
	// responses are the response_urls handed out: channel and user, and
	// how often each may still be used (Slack: 5 times in 30 minutes).
	responses map[string]*responseURL
}

type responseURL struct {
	channel, user string
	left          int
}

type failure struct {
	err        string // Slack error name, or "" for a 429
	retryAfter int    // seconds, for a 429
}

// NewServer starts a fake accepting token; it is closed when the test ends.
func NewServer(tb testing.TB, token string) *Server {
	s := &Server{Token: token, failures: map[string][]failure{}, uploads: map[string]*File{}, responses: map[string]*responseURL{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	tb.Cleanup(s.srv.Close)
	return s
}

// ResponseURL is a slash command's response_url for a command typed by
// user in channel, good for uses posts (Slack: 5).
func (s *Server) ResponseURL(channel, user string, uses int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := strconv.Itoa(s.seq)
	s.responses[id] = &responseURL{channel: channel, user: user, left: uses}
	return s.URL + "commands/T1/" + id + "/hook"
}

// respond takes a post to a response_url: an ephemeral message to the
// command's user in the command's channel (whether or not the bot is a
// member: that is the point of it), or 404 when the URL is used up.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, id string) {
	var body struct {
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
		ResponseType string          `json:"response_type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: "response_url"})
	ru := s.responses[id]
	if ru == nil || ru.left <= 0 {
		http.Error(w, "used_url", http.StatusNotFound)
		return
	}
	ru.left--
	m := &Message{Channel: ru.channel, TS: s.nextTS(), User: ru.user, Text: body.Text, Blocks: body.Blocks,
		Ephemeral: body.ResponseType != "in_channel", Response: true}
	s.messages = append(s.messages, m)
	w.Write([]byte("ok"))
}

// FailNext makes the next call of method answer {"ok":false,"error":errName}.
func (s *Server) FailNext(method, errName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{err: errName})
}

// RateLimitNext makes the next call of method answer 429 with Retry-After.
func (s *Server) RateLimitNext(method string, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], failure{retryAfter: retryAfter})
}

// Messages returns copies of the messages in channel ("" for all), in the
// order they were posted.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns the message ts in channel, if there is one.
func (s *Server) Message(channel, ts string) (Message, bool) {
	for _, m := range s.Messages(channel) {
		if m.TS == ts {
			return m, true
		}
	}
	return Message{}, false
}

// Files returns the uploaded files that were shared.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, f := range s.files {
		out = append(out, *f)
	}
	return out
}

// Calls returns the calls of method ("" for all), in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) nextTS() string {
	s.seq++
	return fmt.Sprintf("1700000000.%06d", s.seq)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(method, "commands/T1/"); ok {
		s.respond(w, r, strings.TrimSuffix(rest, "/hook"))
		return
	}
	if strings.HasPrefix(method, "upload/") {
		s.upload(w, r, strings.TrimPrefix(method, "upload/"))
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	token := r.Form.Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: method, Form: r.Form})
	if fs := s.failures[method]; len(fs) > 0 {
		f := fs[0]
		s.failures[method] = fs[1:]
		if f.err == "" {
			w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		reply(w, map[string]any{"ok": false, "error": f.err})
		return
	}
	if s.Token != "" && token != s.Token {
		reply(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f := r.Form
	switch method {
	case "auth.test":
		reply(w, map[string]any{"ok": true, "url": "https://shop.slack.com/", "team": "Shop", "user": "shopbot",
			"team_id": "T1", "user_id": BotUserID, "bot_id": BotID})
	case "chat.postMessage":
		m := &Message{Channel: f.Get("channel"), TS: s.nextTS(), ThreadTS: f.Get("thread_ts"), Text: f.Get("text"),
			Blocks: raw(f.Get("blocks")), Broadcast: f.Get("reply_broadcast") == "true"}
		if m.Text == "" && len(m.Blocks) == 0 {
			reply(w, map[string]any{"ok": false, "error": "no_text"})
			return
		}
		if m.ThreadTS != "" && s.find(m.Channel, m.ThreadTS) == nil {
			reply(w, map[string]any{"ok": false, "error": "thread_not_found"})
			return
		}
		s.messages = append(s.messages, m)
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS})
	case "chat.postEphemeral":
		m := &Message{Channel: f.Get("channel"), TS: s.nextTS(), ThreadTS: f.Get("thread_ts"), User: f.Get("user"),
			Text: f.Get("text"), Blocks: raw(f.Get("blocks")), Ephemeral: true}
		s.messages = append(s.messages, m)
		reply(w, map[string]any{"ok": true, "message_ts": m.TS})
	case "chat.update":
		m := s.find(f.Get("channel"), f.Get("ts"))
		if m == nil {
			reply(w, map[string]any{"ok": false, "error": "message_not_found"})
			return
		}
		m.Text, m.Blocks = f.Get("text"), raw(f.Get("blocks"))
		m.Updates++
		reply(w, map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text})
	case "views.open", "views.publish", "views.update", "views.push":
		reply(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	case "files.getUploadURLExternal":
		s.seq++
		id := fmt.Sprintf("F%d", s.seq)
		s.uploads[id] = &File{ID: id, Name: f.Get("filename")}
		reply(w, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var list []struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(f.Get("files")), &list)
		var done []map[string]string
		for _, it := range list {
			up := s.uploads[it.ID]
			if up == nil {
				reply(w, map[string]any{"ok": false, "error": "file_not_found"})
				return
			}
			up.Channel, up.ThreadTS = f.Get("channel_id"), f.Get("thread_ts")
			s.files = append(s.files, up)
			delete(s.uploads, it.ID)
			done = append(done, map[string]string{"id": up.ID, "title": up.Name})
		}
		reply(w, map[string]any{"ok": true, "files": done})
	default:
		reply(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// upload takes a file's bytes at the URL files.getUploadURLExternal gave.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, id string) {
	var data []byte
	if f, _, err := r.FormFile("file"); err == nil {
		data, _ = io.ReadAll(f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{Method: "upload"})
	up := s.uploads[id]
	if up == nil {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	up.Data = data
	w.Write([]byte("OK"))
}

func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts && !m.Ephemeral {
			return m
		}
	}
	return nil
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// Sign sets the X-Slack-Signature and X-Slack-Request-Timestamp headers
// Slack would send with body, signed with secret at time at.
func Sign(h http.Header, secret string, at time.Time, body []byte) {
	ts := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", ts)
	mac.Write(body)
	h.Set("X-Slack-Request-Timestamp", ts)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}
