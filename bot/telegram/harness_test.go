package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// People in the tests. Private chat ids equal user ids.
var (
	minji = tgbotapi.User{ID: 501, FirstName: "Minji", LanguageCode: "ko"}
	junho = tgbotapi.User{ID: 502, FirstName: "Junho", LanguageCode: "ko"}
	emily = tgbotapi.User{ID: 503, FirstName: "Emily", LastName: "Stone", LanguageCode: "en"}
	owner = tgbotapi.User{ID: 900, FirstName: "Owner", LanguageCode: "ko"}
)

// specials are MarkdownV2's reserved characters (and a backslash): they
// must reach the customer exactly as written.
const specials = `_*[]()~>#+-=|{}.! \ ` + "`"

// testFAQ is the example FAQ plus entries for clarify buttons, markup
// characters and a long answer.
func testFAQ(t testing.TB) *faq.File {
	t.Helper()
	var long strings.Builder
	for i := range 150 {
		fmt.Fprintf(&long, "      %03d. The complete care guide, line by line, with every detail.\n", i)
	}
	extra := `
  - id: gift-box
    questions:
      - gift box price
    answer: A gift box is 2,000 won.
  - id: gift-card
    questions:
      - gift card price
    answer: Gift cards come in 10,000 won steps.
  - id: markup
    questions:
      - which characters are special
    answer: 'Specials: ` + strings.ReplaceAll(specials, "'", "''") + ` stay as typed.'
  - id: care-guide
    questions:
      - full care guide please
    answer: |
` + long.String()
	f, err := faq.Parse("test.yaml", append(faq.Example(), []byte(extra)...))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// harness is the real engine on a demo shop, the fake Bot API and the
// adapter between them.
type harness struct {
	t   testing.TB
	db  *sqlx.DB
	srv *telegramtest.Server
	eng *bot.Engine
	ob  *bot.Outbox
	a   *telegram.Adapter

	cancel context.CancelFunc
	done   chan error
}

type options struct {
	webhookURL, secret string
	tune               func(a *telegram.Adapter)
	outbox             func(ob *bot.Outbox) // after the harness's settings (build only)
}

func newHarness(t testing.TB, db *sqlx.DB, srv *telegramtest.Server, opt options) *harness {
	t.Helper()
	ctx := context.Background()
	if _, err := shop.SeedDemo(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	if srv == nil {
		srv = telegramtest.New(t)
	}
	h := &harness{t: t, db: db, srv: srv}
	h.build(opt)
	return h
}

// build makes a fresh engine, outbox and adapter, as a restarted process
// would.
func (h *harness) build(opt options) {
	h.t.Helper()
	ctx := context.Background()
	h.ob = bot.NewOutbox(h.db, nil, testLog(h.t))
	h.ob.Poll = 20 * time.Millisecond
	h.ob.MaxBackoff = 100 * time.Millisecond
	h.ob.Lease = 5 * time.Second
	if opt.outbox != nil {
		opt.outbox(h.ob)
	}
	eng, err := bot.New(ctx, bot.Config{
		DB: h.db, FAQ: testFAQ(h.t), Outbox: h.ob,
		Shop:   faq.Shop{Name: "하루상점", Hours: "평일 10-18시", Contact: "02-123-4567"},
		Owners: []bot.Address{{Channel: telegram.Channel, Chat: fmt.Sprint(owner.ID)}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.eng = eng
	h.connect(opt)
}

// on returns a harness for test t with the same database, engine and
// outbox and a new adapter on srv: a case of its own without building the
// engine again.
func (h *harness) on(t testing.TB, srv *telegramtest.Server, opt options) *harness {
	t.Helper()
	c := &harness{t: t, db: h.db, srv: srv, eng: h.eng, ob: h.ob}
	c.connect(opt)
	return c
}

// connect makes a fresh adapter to h.srv for h's engine and outbox.
func (h *harness) connect(opt options) {
	h.t.Helper()
	ctx := context.Background()
	a, err := telegram.New(ctx, telegram.Config{
		Token: h.srv.Token, Endpoint: h.srv.Endpoint(), Owners: []int64{owner.ID}, Lang: "ko",
		Log: testLog(h.t), Engine: h.eng, Outbox: h.ob, WebhookURL: opt.webhookURL, WebhookSecret: opt.secret,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	a.PollTimeout = time.Second
	a.RequestTimeout = 5 * time.Second
	a.ChatInterval = 20 * time.Millisecond
	a.SendInterval = time.Millisecond
	a.Backoff = 10 * time.Millisecond
	a.MaxBackoff = 100 * time.Millisecond
	a.Drain = 100 * time.Millisecond
	if opt.tune != nil {
		opt.tune(a)
	}
	h.a = a
}

// start runs the adapter until stop or the end of the test.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- outlet.Serve(ctx, h.ob, h.a.Run, h.a.Outlets()...) }()
	h.t.Cleanup(h.stop)
}

// stop ends the adapter and waits for Run to return.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil && !errors.Is(err, context.Canceled) {
		h.t.Errorf("Run: %v", err)
	}
	h.cancel = nil
}

// next sends text as u and returns the next message u receives.
func (h *harness) next(u tgbotapi.User, push func()) telegramtest.Sent {
	h.t.Helper()
	n := len(h.srv.SentTo(u.ID))
	push()
	return h.srv.WaitSent(h.t, u.ID, n+1)[n]
}

func (h *harness) say(u tgbotapi.User, text string) telegramtest.Sent {
	h.t.Helper()
	return h.next(u, func() { h.srv.Text(u, text) })
}

// settle waits until every update is confirmed and the outbox is empty:
// after that nothing more can be sent.
func (h *harness) settle() {
	h.t.Helper()
	h.srv.Wait(h.t, "an empty outbox", func() bool {
		d, err := h.ob.Depth(context.Background())
		return err == nil && d[telegram.Channel] == 0
	})
}

// testLog is a logger of warnings into t's log, shown when t fails: what
// the outbox and the adapter retried explains a message that arrived
// twice or not at all.
func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// run runs f on SQLite and PostgreSQL with the adapter started, the two
// side by side (as both); it must be the last thing its caller does.
func run(t *testing.T, f func(t *testing.T, h *harness)) {
	both(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil, options{})
		h.start()
		f(t, h)
	})
}

// both runs f on a fresh SQLite and a fresh PostgreSQL database side by
// side: each half has its own database, fake Bot API and adapter, and
// mostly waits (on the fake, on the outbox's polls), so the two overlap.
// It must be the last thing its caller does: the halves run after the
// caller's function returns.
func both(t *testing.T, f func(t *testing.T, db *sqlx.DB)) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			f(t, dbtest.Open(t, engine, shop.Schema, tickets.Schema, bot.Schema))
		})
	}
}

func contains(t testing.TB, m telegramtest.Sent, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(m.Text, w) {
			t.Errorf("message %q does not contain %q", m.Text, w)
		}
	}
}
