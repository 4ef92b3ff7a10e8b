// Package kakao is the KakaoTalk channel: the skill a Kakao i Open Builder
// bot calls with each customer message (POST /hooks/kakao/<secret>), the
// skill callback for answers slower than the platform's 5-second deadline,
// and the Event API that pushes the owner's later answers.
//
// Kakao reads the answer from the skill's HTTP response, so the replies
// the engine stores in the outbox are taken from it into that response
// (bot.Outbox.Take). The owner's answers written later wait in the outbox
// for the customer's next message and come at the top of its answer; with
// the Event API on they are pushed at once instead (paid per message).
//
// Kakao signs nothing: the secret in the skill URL is the only proof a
// request came from Kakao's platform.
package kakao

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
)

// Channel is the channel name in messages and the outbox.
const Channel = "kakao"

// MaxBody bounds a skill request; a larger one is refused (413).
const MaxBody = 64 << 10

// Handler handles one message: a *bot.Engine, or a wrapper that counts.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Config is what an Adapter needs. DB, Engine, Outbox and Secret are
// required; EventAPI needs BotID and APIKey.
type Config struct {
	DB     *sqlx.DB
	Engine Handler
	Outbox *bot.Outbox
	// Secret is the last path element of the skill URL
	// (KAKAO_SKILL_SECRET): a request without it is answered 404.
	Secret string
	// Callback: the bot is approved for skill callbacks, so an answer not
	// ready within Budget goes to the request's callbackUrl.
	Callback bool
	// EventAPI pushes the owner's answers with the Event API, to the event
	// block EventName of bot BotID, authorised by APIKey (the REST API key,
	// KAKAO_REST_API_KEY).
	EventAPI  bool
	BotID     string
	APIKey    string
	APIURL    string // the Event API's base URL; empty: DefaultAPIURL
	EventName string // empty: DefaultEventName
	// Budget is how long a skill request waits for the engine before it
	// answers without it (Kakao gives up at 5 s); zero: DefaultBudget.
	Budget time.Duration
	// RetryWindow: the same utterance from the same user within it is a
	// retry, answered with the first request's answer; zero: 10 s.
	RetryWindow time.Duration
	Client      *http.Client // Event API and callbacks; nil: a client with timeouts
	Now         func() time.Time
	Log         *slog.Logger
	// OnAnswer is told how each skill request was answered ("sync",
	// "retry", "callback", "late", "error") and how long it took: metrics.
	OnAnswer func(how string, d time.Duration)
	// OnTaken is told of each reply delivered in a skill response or a
	// callback (the Event API's go through Outlets): metrics.
	OnTaken func(bot.Reply)
}

// Defaults.
const (
	DefaultAPIURL    = "https://bot-api.kakao.com"
	DefaultEventName = "shopbot_owner_reply"
	DefaultBudget    = 3500 * time.Millisecond
)

// Adapter is the Kakao channel.
type Adapter struct {
	cfg  Config
	reqs requests
	now  func() time.Time
	log  *slog.Logger
	http *http.Client
	send bot.SendFunc // the Event API sender
}

// New returns the adapter for cfg, or an error naming what is missing.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.DB == nil || cfg.Engine == nil || cfg.Outbox == nil:
		return nil, errors.New("kakao: new: DB, Engine and Outbox are required")
	case cfg.Secret == "":
		return nil, errors.New("kakao: new: the skill secret (KAKAO_SKILL_SECRET) is required")
	case cfg.EventAPI && cfg.APIKey == "":
		return nil, errors.New("kakao: new: kakao.event_api needs KAKAO_REST_API_KEY")
	case cfg.EventAPI && cfg.BotID == "":
		return nil, errors.New("kakao: new: kakao.event_api needs kakao.bot_id")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.EventName == "" {
		cfg.EventName = DefaultEventName
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.RetryWindow <= 0 {
		cfg.RetryWindow = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.OnAnswer == nil {
		cfg.OnAnswer = func(string, time.Duration) {}
	}
	if cfg.OnTaken == nil {
		cfg.OnTaken = func(bot.Reply) {}
	}
	a := &Adapter{cfg: cfg, reqs: requests{cfg.DB}, now: cfg.Now, log: cfg.Log, http: cfg.Client}
	a.send = a.sendEvent
	return a, nil
}

// Notice is how the owner's later answers reach this channel's customers.
func (a *Adapter) Notice() Notice {
	if a.cfg.EventAPI {
		return NoticeEvent
	}
	return NoticeHeld
}

// Skill is the handler for POST /hooks/kakao/{secret}.
func (a *Adapter) Skill() http.Handler {
	return http.HandlerFunc(a.serveSkill)
}

func (a *Adapter) serveSkill(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, ok := bot.ReadHook(w, r, a.cfg.Secret, MaxBody)
	if !ok {
		return
	}
	var req SkillRequest
	if err := json.Unmarshal(body, &req); err != nil || req.UserRequest.User.ID == "" {
		http.Error(w, "not a skill request", http.StatusBadRequest)
		return
	}
	how, resp := a.answer(r.Context(), &req, start)
	a.cfg.OnAnswer(how, time.Since(start))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(resp)
}

// platformDeadline is how long Kakao waits for a skill; answers are
// written before it, with a margin for the network.
const platformDeadline = 4500 * time.Millisecond

// handled is the outcome of recording and handling one request.
type handled struct {
	id      string
	fresh   bool
	stored  []byte // a retry's answer, already given to the first copy
	answers int    // replies to this chat the engine made
	err     error
}

// answer handles one skill request that arrived at start and returns the
// response body and how it was answered. Recording the request and the
// engine's work together get the budget; what does not fit stays in the
// outbox.
func (a *Adapter) answer(ctx context.Context, req *SkillRequest, start time.Time) (how string, body []byte) {
	user := req.UserRequest.User.ID
	text := req.UserRequest.Utterance
	choice := choiceOf(req.Action.ClientExtra)
	lang := bot.TextLanguage(text)
	d := digest(text, choice)
	m := bot.Message{Channel: Channel, Chat: user, User: user, Text: text, Choice: choice,
		Lang: req.UserRequest.Lang, Time: a.now()}
	// The work is not cut short when Kakao hangs up: the answer is kept
	// for a retry or the next message either way.
	done := make(chan handled, 1)
	go func() { done <- a.handle(context.WithoutCancel(ctx), m, d) }()
	timer := time.NewTimer(time.Until(start.Add(a.cfg.Budget)))
	defer timer.Stop()
	select {
	case h := <-done:
		return a.respond(ctx, h, user, d, lang, start)
	case <-timer.C:
	case <-ctx.Done():
	}
	// Too slow for the platform's deadline.
	if cb := req.UserRequest.CallbackURL; a.cfg.Callback && cb != "" {
		go a.callback(context.WithoutCancel(ctx), cb, done, user, d)
		return "callback", mustJSON(SkillResponse{Version: "2.0", UseCallback: true, Data: map[string]string{"text": waitText[lang]}})
	}
	// The answer stays in the outbox: it heads the next reply (a retry of
	// these words takes it), or the Event API pushes it.
	return "late", mustJSON(textResponse(busyText[lang]))
}

// handle records the request and hands its message to the engine.
func (a *Adapter) handle(ctx context.Context, m bot.Message, d string) handled {
	id, fresh, stored, err := a.reqs.claim(ctx, m.User, d, a.now(), a.cfg.RetryWindow)
	if err != nil {
		return handled{err: err}
	}
	h := handled{id: id, fresh: fresh}
	if !fresh && stored != "" {
		h.stored = []byte(stored)
		return h
	}
	if !fresh {
		// The first copy is still being answered, or its process died
		// before it answered: wait a little for its answer, then handle the
		// message under the same id (the journal drops it if the first
		// stored it) and take whatever answer is pending.
		if body := a.awaitStored(ctx, m.User, d, id, time.Now().Add(a.cfg.Budget/3)); body != nil {
			h.stored = body
			return h
		}
	}
	m.ID = id
	rs, err := a.cfg.Engine.Handle(ctx, m)
	if errors.Is(err, bot.ErrDuplicate) {
		err = nil
	}
	h.answers, h.err = len(rs), err
	return h
}

// respond builds the response of a request handled in time.
func (a *Adapter) respond(ctx context.Context, h handled, user, d, lang string, start time.Time) (string, []byte) {
	switch {
	case h.err != nil:
		a.log.Error("kakao: message not handled", "user", user, "err", h.err)
		return "error", mustJSON(textResponse(sorryText[lang]))
	case h.stored != nil:
		return "retry", h.stored
	}
	how := "sync"
	if !h.fresh {
		how = "retry"
	}
	ctx, cancel := context.WithDeadline(ctx, start.Add(platformDeadline))
	defer cancel()
	body, err := a.collect(ctx, user, d, h.id)
	if err != nil {
		a.log.Warn("kakao: answer not taken from the outbox in time; it waits for the next message", "user", user, "err", err)
		return "late", mustJSON(textResponse(busyText[lang]))
	}
	if body == nil && !h.fresh {
		// Another copy (the first) took the answer: show its answer.
		if body := a.awaitStored(ctx, user, d, h.id, start.Add(a.cfg.Budget)); body != nil {
			return "retry", body
		}
	}
	if body == nil {
		// Nothing to say (a person has the conversation), or the answer
		// waits behind a reply a dead process claimed (due again after
		// outbox.lease). Kakao shows an error for a response without a
		// bubble.
		note := passedText[lang]
		if h.answers > 0 {
			note = busyText[lang]
		}
		body = mustJSON(textResponse(note))
		if err := a.reqs.answered(context.WithoutCancel(ctx), user, d, h.id, body); err != nil {
			a.log.Warn("kakao: response not stored", "user", user, "err", err)
		}
	}
	return how, body
}

// collect takes the chat's pending replies from the outbox into one
// response, stored for retries; nil when there were none.
func (a *Adapter) collect(ctx context.Context, user, d, id string) ([]byte, error) {
	var body []byte
	_, err := a.cfg.Outbox.Take(ctx, Channel, user, nil, 0, func(ctx context.Context, _ string, batch []bot.Reply) error {
		b := mustJSON(render(batch, a.Notice()))
		if err := a.reqs.answered(ctx, user, d, id, b); err != nil {
			return err
		}
		body = b
		for _, r := range batch {
			a.cfg.OnTaken(r)
		}
		return nil
	})
	return body, err
}

// awaitStored waits until until for the stored answer of request id; nil
// if none came.
func (a *Adapter) awaitStored(ctx context.Context, user, d, id string, until time.Time) []byte {
	for time.Now().Before(until) {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(50 * time.Millisecond):
		}
		stored, err := a.reqs.response(ctx, user, d, id)
		if err != nil {
			a.log.Warn("kakao: stored response", "user", user, "err", err)
		}
		if stored != "" {
			return []byte(stored)
		}
	}
	return nil
}

// callback waits for the engine and posts the answer to the one-shot
// callback URL (valid for a minute). A refused or failed post leaves the
// replies in the outbox for the next message.
func (a *Adapter) callback(ctx context.Context, url string, done <-chan handled, user, d string) {
	ctx, cancel := context.WithTimeout(ctx, 55*time.Second)
	defer cancel()
	var h handled
	select {
	case h = <-done:
	case <-ctx.Done():
		a.log.Warn("kakao: answer not ready within the callback's minute; it waits for the next message", "user", user)
		return
	}
	if h.err != nil {
		a.log.Error("kakao: message not handled", "user", user, "err", h.err)
		return
	}
	if h.stored != nil {
		if err := a.post(ctx, url, "", h.stored); err != nil {
			a.log.Warn("kakao: callback failed", "user", user, "err", err)
		}
		return
	}
	_, err := a.cfg.Outbox.Take(ctx, Channel, user, nil, 0, func(ctx context.Context, _ string, batch []bot.Reply) error {
		body := mustJSON(render(batch, a.Notice()))
		if err := a.post(ctx, url, "", body); err != nil {
			// The URL is single-use and short-lived: the replies stay for
			// the next message rather than retrying it.
			return err
		}
		for _, r := range batch {
			a.cfg.OnTaken(r)
		}
		return a.reqs.answered(ctx, user, d, h.id, body)
	})
	if err != nil {
		a.log.Warn("kakao: callback failed; the answer waits for the next message", "user", user, "err", err)
	}
}

// post sends body to url, with auth as the Authorization header if set.
func (a *Adapter) post(ctx context.Context, url, auth string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %v", bot.ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("kakao: post: %w", errors.Unwrap(err)) // the URL may carry a token: not logged
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 != 2 {
		return &statusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(msg)), RetryAfter: resp.Header.Get("Retry-After")}
	}
	return checkTask(msg)
}
