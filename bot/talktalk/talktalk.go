// Package talktalk is the Naver TalkTalk channel: the chatbot API webhook
// Naver posts the customer's events to (POST /hooks/talktalk/<secret>),
// answered in the webhook's response when the answer is ready in time and
// through the send API otherwise, and the hand-over of a conversation to
// the owner in TalkTalk's Partner Center.
//
// With Handover "shopbot" (the default) the owner answers through shopbot
// (Slack, Telegram, the web inbox) and the answer goes out by the send
// API, as on Telegram. With "partner", a conversation that needs a person
// is passed to the Partner Center (passThread): the owner answers in
// Naver's own app, the customer's messages arrive marked standby and the
// bot stays silent (they are still added to the ticket), the owner's
// words come back as echo events and are recorded on the ticket, and the
// owner's "상담 완료" passes the thread back.
package talktalk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/tickets"
)

// Channel is the channel name in messages and the outbox.
const Channel = "talktalk"

// MaxBody bounds a webhook request; a larger one is refused (413).
const MaxBody = 64 << 10

// Hand-over modes.
const (
	HandoverShopbot = "shopbot" // the owner answers through shopbot; the send API delivers
	HandoverPartner = "partner" // the owner answers in TalkTalk's Partner Center
)

// DefaultAPIURL is the send API's base URL.
const DefaultAPIURL = "https://gw.talk.naver.com"

// Handler handles one message: a *bot.Engine, or a wrapper that counts.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Config is what an Adapter needs. DB, Engine, Outbox, Secret and Token
// are required.
type Config struct {
	DB     *sqlx.DB
	Engine Handler
	Outbox *bot.Outbox
	SLA    tickets.SLA
	Secret string // the webhook path's secret (TALKTALK_WEBHOOK_SECRET)
	Token  string // the send API's partner token (TALKTALK_TOKEN)
	APIURL string // the send API's base URL; empty: DefaultAPIURL
	// Handover is HandoverShopbot (empty) or HandoverPartner.
	Handover string
	// Budget is how long the webhook waits for the answer before it
	// leaves it to the send API; zero: 2.5 s (Naver waits about 5 s).
	Budget time.Duration
	// PerSecond bounds the send API calls (zero: 10 a second).
	PerSecond int
	Client    *http.Client
	Now       func() time.Time
	Log       *slog.Logger
	// OnTaken is told of each reply delivered in a webhook's response
	// (the send API's go through Outlets): metrics.
	OnTaken func(bot.Reply)
}

// Adapter is the TalkTalk channel.
type Adapter struct {
	cfg  Config
	now  func() time.Time
	log  *slog.Logger
	http *http.Client
	send bot.SendFunc

	mu   sync.Mutex
	next time.Time // the send API's next free slot
}

// New returns the adapter for cfg, or an error naming what is missing.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.DB == nil || cfg.Engine == nil || cfg.Outbox == nil:
		return nil, errors.New("talktalk: new: DB, Engine and Outbox are required")
	case cfg.Secret == "":
		return nil, errors.New("talktalk: new: the webhook secret (TALKTALK_WEBHOOK_SECRET) is required")
	case cfg.Token == "":
		return nil, errors.New("talktalk: new: the send API token (TALKTALK_TOKEN) is required")
	}
	switch cfg.Handover {
	case "":
		cfg.Handover = HandoverShopbot
	case HandoverShopbot, HandoverPartner:
	default:
		return nil, fmt.Errorf("talktalk: new: handover %q: want shopbot or partner", cfg.Handover)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Budget <= 0 {
		cfg.Budget = 2500 * time.Millisecond
	}
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = 10
	}
	if cfg.SLA == nil {
		cfg.SLA = tickets.DefaultSLA
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
	if cfg.OnTaken == nil {
		cfg.OnTaken = func(bot.Reply) {}
	}
	a := &Adapter{cfg: cfg, now: cfg.Now, log: cfg.Log, http: cfg.Client}
	a.send = a.sendReply
	return a, nil
}

// Webhook is the handler for POST /hooks/talktalk/{secret}.
func (a *Adapter) Webhook() http.Handler { return http.HandlerFunc(a.serveWebhook) }

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	body, ok := bot.ReadHook(w, r, a.cfg.Secret, MaxBody)
	if !ok {
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.Event == "" || ev.User == "" {
		http.Error(w, "not a TalkTalk event", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	switch ev.Event {
	case "send":
		if ev.TextContent == nil {
			w.WriteHeader(http.StatusOK) // an image or another content: nothing to answer
			return
		}
		reply, err := a.message(ctx, ev)
		if err != nil {
			// Not stored: a 5xx tells Naver it failed (it logs it); the
			// customer sees no answer and writes again.
			a.log.Error("talktalk: message not stored", "user", ev.User, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if reply == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		json.NewEncoder(w).Encode(reply)
	case "echo":
		if err := a.echo(ctx, ev); err != nil {
			a.log.Error("talktalk: owner's message not recorded", "user", ev.User, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	case "handover":
		if ev.Options != nil && ev.Options.Control == "passThread" {
			if err := a.handBack(ctx, ev.User); err != nil {
				a.log.Error("talktalk: hand-back not recorded", "user", ev.User, "err", err)
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	default: // open, leave, friend: nothing to say
		w.WriteHeader(http.StatusOK)
	}
}

// message hands a customer's message to the engine and returns the answer
// for the webhook's response, or nil when it is left to the send API (or
// there is nothing to say).
func (a *Adapter) message(ctx context.Context, ev Event) (*Event, error) {
	m := bot.Message{Channel: Channel, ID: newID(), Chat: ev.User, User: ev.User, Text: ev.TextContent.Text,
		Choice: choiceOf(ev.TextContent.Code), Time: a.now(), Standby: ev.Standby}
	done := make(chan error, 1)
	go func() {
		_, err := a.cfg.Engine.Handle(context.WithoutCancel(ctx), m)
		done <- err
	}()
	timer := time.NewTimer(a.cfg.Budget)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return nil, err
		}
	case <-timer.C:
		// Stored or not, the answer goes by the send API once ready.
		return nil, nil
	case <-ctx.Done():
		return nil, nil
	}
	var reply *Event
	var pass bool
	_, err := a.cfg.Outbox.Take(ctx, Channel, ev.User, nil, 0, func(ctx context.Context, _ string, batch []bot.Reply) error {
		e := render(batch, a.cfg.Handover)
		reply, pass = &e, a.cfg.Handover == HandoverPartner && needsPartner(batch)
		for _, r := range batch {
			a.cfg.OnTaken(r)
		}
		return nil
	})
	if err != nil {
		// Stored; the send API delivers it.
		a.log.Warn("talktalk: answer left to the send API", "user", ev.User, "err", err)
		return nil, nil
	}
	if pass {
		go a.passThread(context.WithoutCancel(ctx), ev.User)
	}
	return reply, nil
}

// echo records the owner's words written in the Partner Center on the
// customer's open ticket (they reached the customer already).
func (a *Adapter) echo(ctx context.Context, ev Event) error {
	if ev.Options == nil || ev.Options.SourceID != PartnerID || ev.TextContent == nil || strings.TrimSpace(ev.TextContent.Text) == "" {
		return nil // the bot's own messages echoed, or no text
	}
	st := tickets.NewStore(a.cfg.DB, a.cfg.SLA)
	t, err := st.Current(ctx, Channel, ev.User)
	if errors.Is(err, tickets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("talktalk: echo: %w", err)
	}
	by := "partner"
	if ev.Options.ManagerNickname != "" {
		by = ev.Options.ManagerNickname
	}
	if _, err := st.Reply(ctx, t.ID, by, ev.TextContent.Text, a.now()); err != nil && !errors.Is(err, tickets.ErrResolved) {
		return fmt.Errorf("talktalk: echo: %w", err)
	}
	return nil
}

// handBack is the Partner Center's "상담 완료": the conversation is the
// bot's again, so its open ticket is resolved (the owner finished it
// there) and the bot answers the next message.
func (a *Adapter) handBack(ctx context.Context, user string) error {
	st := tickets.NewStore(a.cfg.DB, a.cfg.SLA)
	t, err := st.Current(ctx, Channel, user)
	if errors.Is(err, tickets.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("talktalk: hand-back: %w", err)
	}
	if _, err := st.Close(ctx, t.ID, "partner", a.now()); err != nil && !errors.Is(err, tickets.ErrResolved) {
		return fmt.Errorf("talktalk: hand-back: %w", err)
	}
	a.log.Info("talktalk: the Partner Center passed the conversation back; ticket resolved", "user", user, "ticket", t.ID)
	return nil
}

// passThread hands the conversation to the Partner Center.
func (a *Adapter) passThread(ctx context.Context, user string) {
	ev := Event{Event: "handover", User: user, Options: &Options{Control: "passThread", TargetID: PartnerID}}
	for attempt := 1; attempt <= 5; attempt++ {
		err := a.call(ctx, ev)
		if err == nil {
			a.log.Info("talktalk: conversation passed to the Partner Center", "user", user)
			return
		}
		a.log.Warn("talktalk: passThread failed", "user", user, "attempt", attempt, "err", err)
		if errors.Is(err, bot.ErrPermanent) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
}

// HoldFor is how long a reply waits for a webhook response to carry it
// before the send API sends it.
const HoldFor = 3 * time.Second

// Run receives until ctx ends: the events arrive on Webhook's handler, so
// Run only waits.
func (a *Adapter) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Outlets is how the adapter sends what no webhook response carried (the
// owner's answers, late answers, shipping notices; outlet.Serve runs
// them): through the send API, one message per call, within the rate
// limit.
func (a *Adapter) Outlets() []outlet.Outlet {
	return []outlet.Outlet{{Channel: Channel, Send: a.send, Due: a.sendable, Log: a.log}}
}

func (a *Adapter) sendable(r bot.Reply) bool {
	return r.Kind == bot.KindOwner || a.now().Sub(r.Created) >= HoldFor
}

// sendReply sends one reply by the send API.
func (a *Adapter) sendReply(ctx context.Context, r bot.Reply) (string, error) {
	ev := render([]bot.Reply{r}, a.cfg.Handover)
	ev.User = r.Chat
	// A pushed message notifies the customer's phone when they left the chat.
	ev.Options = &Options{Notification: true}
	if err := a.call(ctx, ev); err != nil {
		return "", err
	}
	if a.cfg.Handover == HandoverPartner && needsPartner([]bot.Reply{r}) {
		a.passThread(ctx, r.Chat)
	}
	return "", nil
}

// call posts ev to the send API within the rate limit.
func (a *Adapter) call(ctx context.Context, ev Event) error {
	if err := a.pace(ctx); err != nil {
		return err
	}
	body, _ := json.Marshal(ev)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.APIURL+"/chatbot/v1/event", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("talktalk: %w: %v", bot.ErrPermanent, err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("Authorization", a.cfg.Token)
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("talktalk: send: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		d, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &bot.RetryAfter{After: max(time.Duration(d)*time.Second, time.Second), Err: errors.New("talktalk: 429")}
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("talktalk: send: http %d", resp.StatusCode)
	}
	var res struct {
		Success       bool   `json:"success"`
		ResultCode    string `json:"resultCode"`
		ResultMessage string `json:"resultMessage"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("talktalk: send: answer %q: %w", bot.Clip(string(raw), 200), err)
	}
	switch {
	case res.Success:
		return nil
	case res.ResultCode == "01":
		// A wrong or expired token: kept and retried until it is fixed.
		a.log.Error("talktalk: the send API refused the token (TALKTALK_TOKEN); messages wait")
		return fmt.Errorf("talktalk: send: authorization refused (01)")
	case res.ResultCode == "02":
		return fmt.Errorf("talktalk: send: %w: %s (02)", bot.ErrPermanent, bot.Clip(res.ResultMessage, 200))
	}
	return fmt.Errorf("talktalk: send: %s: %s", res.ResultCode, bot.Clip(res.ResultMessage, 200))
}

// pace waits for the send API's next free slot.
func (a *Adapter) pace(ctx context.Context) error {
	a.mu.Lock()
	now := time.Now()
	at := a.next
	if at.Before(now) {
		at = now
	}
	a.next = at.Add(time.Second / time.Duration(a.cfg.PerSecond))
	a.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// newID names an inbound message: TalkTalk gives events no id, so each
// webhook call is one message.
func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
