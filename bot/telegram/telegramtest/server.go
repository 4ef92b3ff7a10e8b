// Package telegramtest is a fake Telegram Bot API server for tests: it
// serves getUpdates from the updates a test pushes, records what the bot
// sends, and produces the failures the real API does (429 with
// retry_after, 500, 403, slow answers, redelivered updates) and, when
// asked, enforces Telegram's rate limits and counts their violations.
//
// It speaks the wire format go-telegram-bot-api uses (form-encoded POST to
// /bot<token>/<method>), so the real client library drives it:
//
//	srv := telegramtest.New(t)
//	api, _ := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token, srv.Endpoint())
package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Token is the only token the server accepts.
const Token = "123456:TEST-token-secret"

// BotUser is the bot's own account, as getMe returns it.
var BotUser = tgbotapi.User{ID: 1000, IsBot: true, FirstName: "Shop", UserName: "shop_test_bot"}

// MaxText is Telegram's limit on a message's text, in UTF-16 code units.
const MaxText = 4096

// Sent is one message the bot sent (sendMessage).
type Sent struct {
	ChatID    int64
	MessageID int
	Text      string
	ParseMode string
	ReplyTo   int // reply_to_message_id, 0: none
	// AllowWithoutReply is allow_sending_without_reply.
	AllowWithoutReply bool
	Inline            [][]tgbotapi.InlineKeyboardButton // inline keyboard, if any
	Keyboard          [][]tgbotapi.KeyboardButton       // reply keyboard, if any
	RemoveKeyboard    bool                              // reply_markup remove_keyboard
	Photo             []byte                            // sendPhoto: the image; Text is its caption
	At                time.Time                         // when the server accepted it
}

// Answer is one answerCallbackQuery call.
type Answer struct {
	ID   string
	Text string
}

// Commands is one setMyCommands or deleteMyCommands call.
type Commands struct {
	Method   string // "setMyCommands" or "deleteMyCommands"
	Commands []tgbotapi.BotCommand
	Scope    *tgbotapi.BotCommandScope
}

// Webhook is the last setWebhook call ("" URL after deleteWebhook).
type Webhook struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string
}

// Fault is a failure injected into the next calls of a method.
type Fault struct {
	Method     string        // "sendMessage", "getUpdates"…; "" for any
	Times      int           // how many calls it affects; 0: 1
	Code       int           // HTTP and error_code (429, 500, 403…); 0: no error, only Delay
	RetryAfter int           // seconds, for 429
	Delay      time.Duration // wait before answering (a slow server)
	Message    string        // description; "" for a default per code
}

type queued struct {
	u   tgbotapi.Update
	dup bool // a redelivery: served once whatever the offset
}

// Server is a fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL.
	URL string
	// Token is the token to give the client.
	Token string

	srv *httptest.Server

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	queue       []queued
	all         []tgbotapi.Update // every update pushed, for Redeliver
	nextUpdate  int
	nextMessage int
	known       map[int64]map[int]bool // messages that exist, per chat
	blocked     map[int64]bool
	sent        []Sent
	answers     []Answer
	commands    []Commands
	webhook     Webhook
	faults      []Fault
	calls       map[string]int
	perChat     time.Duration
	perSecond   int
	lastByChat  map[int64]time.Time
	accepted    []time.Time
	violations  int
	banEvery    int           // every nth send is refused with a 429…
	banFor      time.Duration // …of this retry_after
	banCount    int
	banUntil    time.Time
	bans, early int
	closed      bool
}

// New starts a server that is closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		Token: Token, changed: make(chan struct{}), nextUpdate: 500, nextMessage: 1,
		known: map[int64]map[int]bool{}, blocked: map[int64]bool{}, calls: map[string]int{},
		lastByChat: map[int64]time.Time{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	return s
}

// Close stops the server; pending long polls return.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.notify()
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Endpoint is the API endpoint in go-telegram-bot-api's format.
func (s *Server) Endpoint() string { return s.URL + "/bot%s/%s" }

// notify wakes every waiter; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Push queues u for getUpdates and returns its update_id. A zero UpdateID
// gets the next one; a message without an id or date gets them.
func (s *Server) Push(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UpdateID == 0 {
		s.nextUpdate++
		u.UpdateID = s.nextUpdate
	}
	if m := u.Message; m != nil {
		if m.MessageID == 0 {
			m.MessageID = s.newMessageID(m.Chat.ID)
		}
		if m.Date == 0 {
			m.Date = int(time.Now().Unix())
		}
	}
	s.queue = append(s.queue, queued{u: u})
	s.all = append(s.all, u)
	s.notify()
	return u.UpdateID
}

// Redeliver serves the update with id again on the next getUpdates, even if
// it was confirmed: Telegram's at-least-once delivery.
func (s *Server) Redeliver(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.all {
		if q.UpdateID == id {
			s.queue = append(s.queue, queued{u: q, dup: true})
			s.notify()
			return true
		}
	}
	return false
}

// Update returns the pushed update with id, to push a variant of it.
func (s *Server) Update(id int) (tgbotapi.Update, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.all {
		if u.UpdateID == id {
			if u.Message != nil {
				m := *u.Message
				u.Message = &m
			}
			return u, true
		}
	}
	return tgbotapi.Update{}, false
}

func (s *Server) newMessageID(chat int64) int {
	s.nextMessage++
	if s.known[chat] == nil {
		s.known[chat] = map[int]bool{}
	}
	s.known[chat][s.nextMessage] = true
	return s.nextMessage
}

// Private is the private chat of user u.
func Private(u tgbotapi.User) *tgbotapi.Chat {
	return &tgbotapi.Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, UserName: u.UserName}
}

// Text pushes a text message from user u in its private chat.
func (s *Server) Text(u tgbotapi.User, text string) int {
	return s.Push(tgbotapi.Update{Message: &tgbotapi.Message{From: &u, Chat: Private(u), Text: text}})
}

// Reply pushes a text message from u that replies to message replyTo of
// u's private chat.
func (s *Server) Reply(u tgbotapi.User, replyTo int, text string) int {
	orig := &tgbotapi.Message{MessageID: replyTo, From: &BotUser, Chat: Private(u)}
	return s.Push(tgbotapi.Update{Message: &tgbotapi.Message{From: &u, Chat: Private(u), Text: text, ReplyToMessage: orig}})
}

// Contact pushes a shared contact from u: contactUser is the user the
// contact belongs to (u.ID for "share my phone number", another id for a
// forwarded card, 0 for a contact typed by hand).
func (s *Server) Contact(u tgbotapi.User, contactUser int64, phone string) int {
	c := &tgbotapi.Contact{PhoneNumber: phone, FirstName: u.FirstName, UserID: contactUser}
	return s.Push(tgbotapi.Update{Message: &tgbotapi.Message{From: &u, Chat: Private(u), Contact: c}})
}

// Tap pushes a callback query: u tapped the inline button with data under
// message m (which the bot sent). The query's id is returned.
func (s *Server) Tap(u tgbotapi.User, m Sent, data string) string {
	s.mu.Lock()
	s.nextMessage++
	id := fmt.Sprintf("cbq%d", s.nextMessage)
	s.mu.Unlock()
	msg := &tgbotapi.Message{MessageID: m.MessageID, From: &BotUser, Chat: &tgbotapi.Chat{ID: m.ChatID, Type: "private"},
		Text: m.Text, Date: int(m.At.Unix())}
	if m.Inline != nil {
		msg.ReplyMarkup = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: m.Inline}
	}
	s.Push(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: id, From: &u, Message: msg, Data: data}})
	return id
}

// Block makes chat refuse messages with 403, as when a user blocks the bot.
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = true
}

// Inject adds a fault for the next calls of f.Method.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// Limit enforces Telegram's flood limits on sendMessage: at least perChat
// between two messages to one chat, at most perSecond messages in any
// second. A message over a limit is refused with 429 (retry_after 1) and
// counted as a violation. Zero values disable a limit.
func (s *Server) Limit(perChat time.Duration, perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perChat, s.perSecond = perChat, perSecond
}

// Ban refuses every nth message sent with a 429 whose retry_after is secs,
// as Telegram answers a flooding bot, and from then until retry_after has
// passed counts every message that arrives as early (and refuses it too).
func (s *Server) Ban(every, secs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.banEvery, s.banFor = every, time.Duration(secs)*time.Second
}

// Bans is how many 429s Ban gave; Early how many messages arrived during
// one's retry_after.
func (s *Server) Bans() (bans, early int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bans, s.early
}

// Violations is how many messages broke the limits set with Limit.
func (s *Server) Violations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations
}

// Sent returns the messages sent so far, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentTo returns the messages sent to chat so far, in order.
func (s *Server) SentTo(chat int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.ChatID == chat {
			out = append(out, m)
		}
	}
	return out
}

// Answers returns the answerCallbackQuery calls so far.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// Commands returns the setMyCommands and deleteMyCommands calls so far.
func (s *Server) Commands() []Commands {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Commands(nil), s.commands...)
}

// Webhook returns the webhook as set by the bot.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Calls counts the calls of method (including refused ones).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Pending counts the updates not yet confirmed by the bot.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// WaitTimeout bounds Wait: a deadline for a broken test, not a timing
// assertion.
var WaitTimeout = 20 * time.Second

// Wait blocks until ok returns true, re-checking after every change to the
// server. The test fails, naming what, if that takes longer than
// WaitTimeout.
func (s *Server) Wait(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(WaitTimeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if ok() {
			return
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond): // conditions outside the server (the database)
		case <-deadline.C:
			t.Fatalf("telegramtest: timed out waiting for %s", what)
		}
	}
}

// WaitSent waits until at least n messages went to chat and returns them.
func (s *Server) WaitSent(t testing.TB, chat int64, n int) []Sent {
	t.Helper()
	s.Wait(t, fmt.Sprintf("%d messages to chat %d", n, chat), func() bool { return len(s.SentTo(chat)) >= n })
	return s.SentTo(chat)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		reply(w, http.StatusNotFound, apiError(404, "Not Found", 0))
		return
	}
	if token != s.Token {
		reply(w, http.StatusUnauthorized, apiError(401, "Unauthorized", 0))
		return
	}
	if err := r.ParseForm(); err != nil {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: "+err.Error(), 0))
		return
	}
	s.mu.Lock()
	s.calls[method]++
	var fault *Fault
	for i := range s.faults {
		if f := &s.faults[i]; f.Method == "" || f.Method == method {
			c := *f
			fault = &c
			if f.Times--; f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			break
		}
	}
	s.mu.Unlock()
	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if fault.Code != 0 {
			msg := fault.Message
			if msg == "" {
				msg = defaultMessage(fault.Code)
			}
			reply(w, fault.Code, apiError(fault.Code, msg, fault.RetryAfter))
			return
		}
	}
	switch method {
	case "getMe":
		reply(w, http.StatusOK, result(BotUser))
	case "getUpdates":
		s.getUpdates(w, r)
	case "sendMessage":
		s.sendMessage(w, r)
	case "sendPhoto":
		s.sendPhoto(w, r)
	case "answerCallbackQuery":
		s.mu.Lock()
		s.answers = append(s.answers, Answer{ID: r.Form.Get("callback_query_id"), Text: r.Form.Get("text")})
		s.notify()
		s.mu.Unlock()
		reply(w, http.StatusOK, result(true))
	case "setMyCommands", "deleteMyCommands":
		c := Commands{Method: method}
		if v := r.Form.Get("commands"); v != "" {
			if err := json.Unmarshal([]byte(v), &c.Commands); err != nil {
				reply(w, http.StatusBadRequest, apiError(400, "Bad Request: can't parse commands JSON object", 0))
				return
			}
		}
		if v := r.Form.Get("scope"); v != "" && v != "null" {
			c.Scope = new(tgbotapi.BotCommandScope)
			if err := json.Unmarshal([]byte(v), c.Scope); err != nil {
				reply(w, http.StatusBadRequest, apiError(400, "Bad Request: can't parse scope JSON object", 0))
				return
			}
		}
		s.mu.Lock()
		s.commands = append(s.commands, c)
		s.notify()
		s.mu.Unlock()
		reply(w, http.StatusOK, result(true))
	case "setWebhook", "deleteWebhook":
		wh := Webhook{URL: r.Form.Get("url"), SecretToken: r.Form.Get("secret_token")}
		if v := r.Form.Get("allowed_updates"); v != "" {
			json.Unmarshal([]byte(v), &wh.AllowedUpdates)
		}
		if method == "deleteWebhook" {
			wh = Webhook{}
		}
		s.mu.Lock()
		s.webhook = wh
		s.notify()
		s.mu.Unlock()
		reply(w, http.StatusOK, result(true))
	default:
		reply(w, http.StatusNotFound, apiError(404, "Not Found: method not found", 0))
	}
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.Form.Get("offset"))
	limit, _ := strconv.Atoi(r.Form.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(r.Form.Get("timeout"))
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.webhook.URL != "" {
			s.mu.Unlock()
			reply(w, http.StatusConflict, apiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0))
			return
		}
		// Confirm: updates below offset are gone for good.
		kept := s.queue[:0]
		for _, q := range s.queue {
			if q.dup || offset == 0 || q.u.UpdateID >= offset {
				kept = append(kept, q)
			}
		}
		s.queue = kept
		var out []tgbotapi.Update
		var rest []queued
		for _, q := range s.queue {
			if len(out) < limit {
				out = append(out, q.u)
				if q.dup {
					continue // served once
				}
			}
			rest = append(rest, q)
		}
		s.queue = rest
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if len(out) > 0 || closed {
			reply(w, http.StatusOK, result(out))
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			reply(w, http.StatusOK, result([]tgbotapi.Update{}))
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	chat, err := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	if err != nil {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: chat not found", 0))
		return
	}
	m := Sent{ChatID: chat, Text: r.Form.Get("text"), ParseMode: r.Form.Get("parse_mode"),
		AllowWithoutReply: r.Form.Get("allow_sending_without_reply") == "true"}
	m.ReplyTo, _ = strconv.Atoi(r.Form.Get("reply_to_message_id"))
	if v := r.Form.Get("reply_markup"); v != "" {
		var mk struct {
			Inline   [][]tgbotapi.InlineKeyboardButton `json:"inline_keyboard"`
			Keyboard [][]tgbotapi.KeyboardButton       `json:"keyboard"`
			Remove   bool                              `json:"remove_keyboard"`
		}
		if err := json.Unmarshal([]byte(v), &mk); err != nil {
			reply(w, http.StatusBadRequest, apiError(400, "Bad Request: can't parse reply keyboard markup JSON object", 0))
			return
		}
		for _, row := range mk.Inline {
			for _, b := range row {
				if b.CallbackData != nil && len(*b.CallbackData) > 64 {
					reply(w, http.StatusBadRequest, apiError(400, "Bad Request: BUTTON_DATA_INVALID", 0))
					return
				}
			}
		}
		m.Inline, m.Keyboard, m.RemoveKeyboard = mk.Inline, mk.Keyboard, mk.Remove
	}
	switch n := len(utf16.Encode([]rune(m.Text))); {
	case strings.TrimSpace(m.Text) == "":
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: message text is empty", 0))
		return
	case n > MaxText:
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: message is too long", 0))
		return
	}
	if m.ParseMode == "MarkdownV2" {
		if err := checkMarkdownV2(m.Text); err != nil {
			reply(w, http.StatusBadRequest, apiError(400, "Bad Request: can't parse entities: "+err.Error(), 0))
			return
		}
	}
	s.accept(w, chat, m)
}

// sendPhoto takes an uploaded photo (multipart field "photo") with an
// optional caption; only PNG and JPEG are accepted, as images.
func (s *Server) sendPhoto(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: there is no photo in the request", 0))
		return
	}
	chat, err := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
	if err != nil {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: chat not found", 0))
		return
	}
	f, _, err := r.FormFile("photo")
	if err != nil {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: there is no photo in the request", 0))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil || !(bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) || bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff})) {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: IMAGE_PROCESS_FAILED", 0))
		return
	}
	m := Sent{ChatID: chat, Text: r.FormValue("caption"), Photo: data}
	m.ReplyTo, _ = strconv.Atoi(r.FormValue("reply_to_message_id"))
	m.AllowWithoutReply = r.FormValue("allow_sending_without_reply") == "true"
	s.accept(w, chat, m)
}

// accept records m, sent to chat, unless the chat blocked the bot, it
// replies to an unknown message or it breaks the rate limits.
func (s *Server) accept(w http.ResponseWriter, chat int64, m Sent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked[chat] {
		reply(w, http.StatusForbidden, apiError(403, "Forbidden: bot was blocked by the user", 0))
		return
	}
	if m.ReplyTo != 0 && !s.known[chat][m.ReplyTo] && !m.AllowWithoutReply {
		reply(w, http.StatusBadRequest, apiError(400, "Bad Request: message to be replied not found", 0))
		return
	}
	now := time.Now()
	if s.banEvery > 0 {
		if now.Before(s.banUntil) {
			s.early++
			reply(w, http.StatusTooManyRequests, apiError(429, "Too Many Requests: retry after", int(s.banUntil.Sub(now)/time.Second)+1))
			return
		}
		if s.banCount++; s.banCount%s.banEvery == 0 {
			s.bans++
			s.banUntil = now.Add(s.banFor)
			reply(w, http.StatusTooManyRequests, apiError(429, "Too Many Requests: retry after", int(s.banFor/time.Second)))
			return
		}
	}
	if s.overLimit(chat, now) {
		s.violations++
		reply(w, http.StatusTooManyRequests, apiError(429, "Too Many Requests: retry after 1", 1))
		return
	}
	s.lastByChat[chat] = now
	s.accepted = append(s.accepted, now)
	m.MessageID = s.newMessageID(chat)
	m.At = now
	s.sent = append(s.sent, m)
	s.notify()
	reply(w, http.StatusOK, result(tgbotapi.Message{MessageID: m.MessageID, From: &BotUser,
		Chat: &tgbotapi.Chat{ID: chat, Type: "private"}, Date: int(now.Unix()), Text: m.Text}))
}

// overLimit checks a message to chat at now against the limits; s.mu is
// held.
func (s *Server) overLimit(chat int64, now time.Time) bool {
	if s.perChat > 0 {
		if last, ok := s.lastByChat[chat]; ok && now.Sub(last) < s.perChat {
			return true
		}
	}
	if s.perSecond > 0 {
		n := 0
		for i := len(s.accepted) - 1; i >= 0 && now.Sub(s.accepted[i]) < time.Second; i-- {
			n++
		}
		if n >= s.perSecond {
			return true
		}
	}
	return false
}

// checkMarkdownV2 refuses a special character that is not escaped, as
// Telegram does.
func checkMarkdownV2(text string) error {
	escaped := false
	for i, r := range text {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case strings.ContainsRune("_*[]()~`>#+-=|{}.!", r):
			return fmt.Errorf("character '%c' is reserved and must be escaped with the preceding '\\' (byte offset %d)", r, i)
		}
	}
	return nil
}

func defaultMessage(code int) string {
	switch code {
	case 429:
		return "Too Many Requests: retry later"
	case 403:
		return "Forbidden: bot was blocked by the user"
	case 400:
		return "Bad Request: chat not found"
	case 401:
		return "Unauthorized"
	}
	return "Internal Server Error"
}

type response struct {
	OK          bool                         `json:"ok"`
	Result      any                          `json:"result,omitempty"`
	ErrorCode   int                          `json:"error_code,omitempty"`
	Description string                       `json:"description,omitempty"`
	Parameters  *tgbotapi.ResponseParameters `json:"parameters,omitempty"`
}

func result(v any) response { return response{OK: true, Result: v} }

func apiError(code int, msg string, retryAfter int) response {
	r := response{ErrorCode: code, Description: msg}
	if retryAfter > 0 {
		r.Parameters = &tgbotapi.ResponseParameters{RetryAfter: retryAfter}
	}
	return r
}

func reply(w http.ResponseWriter, status int, v response) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
