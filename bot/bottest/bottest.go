// Package bottest is what every package's tests need around the engine: a
// settable clock, and a harness that puts the real engine and outbox on a
// demo shop in a test database (SQLite and PostgreSQL through dbtest) with
// ways to talk to it as a customer or the owner and to read what it queued.
// Adapters' tests wrap the harness with their platform's fake.
package bottest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// Seoul is the demo shop's time zone.
var Seoul = func() *time.Location {
	l, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return l
}()

// Now is a fixed Monday afternoon in Seoul: the harness clock's start.
var Now = time.Date(2026, 11, 23, 14, 0, 0, 0, Seoul)

// Clock is a settable time source, safe for concurrent use (senders read
// it while the test moves it).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Owner is where the harness engine sends the owner's ticket events.
var Owner = bot.Address{Channel: "alerts", Chat: "owner"}

// Harness is the real engine and outbox on a demo shop, with the clock
// they read.
type Harness struct {
	T      testing.TB
	DB     *sqlx.DB
	Engine *bot.Engine
	Outbox *bot.Outbox
	Clock  *Clock
	// Poll, when not zero, is the outbox's Poll (Build sets it).
	Poll time.Duration
	seq  int
}

// Option adjusts the engine's configuration before it is built.
type Option func(*bot.Config)

// OwnerLang sets the language the engine speaks to the owner.
func OwnerLang(lang string) Option { return func(c *bot.Config) { c.OwnerLang = lang } }

// New seeds the demo shop (as of Now) in db and builds the engine and its
// outbox on a Clock standing at Now: the example FAQ, the shop 하루상점 in
// Seoul, owner events to Owner. Options change the configuration; one
// that sets Now to nil makes the engine and the outbox read the real time.
func New(t testing.TB, db *sqlx.DB, opts ...Option) *Harness {
	t.Helper()
	if err := seedDemo(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	h := &Harness{T: t, DB: db}
	h.Build(opts...)
	return h
}

// Build makes a fresh engine and outbox on the harness database, as a
// restarted process would (the clock carries on).
func (h *Harness) Build(opts ...Option) {
	h.T.Helper()
	if h.Clock == nil {
		h.Clock = NewClock(Now)
	}
	cfg := bot.Config{
		DB: h.DB, FAQ: faq.ExampleFile(),
		Shop:     faq.Shop{Name: "하루상점", Hours: "평일 10-18시", Contact: "02-123-4567"},
		Owners:   []bot.Address{Owner},
		Location: Seoul, Now: h.Clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.Outbox = bot.NewOutbox(h.DB, cfg.Now, cfg.Log)
	if h.Poll != 0 {
		cfg.Outbox.Poll = h.Poll
	}
	eng, err := bot.New(context.Background(), cfg)
	if err != nil {
		h.T.Fatal(err)
	}
	h.Engine, h.Outbox = eng, cfg.Outbox
}

// Run runs f with a fresh harness on SQLite and on PostgreSQL, the two
// side by side (each has its own database and clock; the SQLite databases
// are copies of one seeded database). Run must be the last thing its
// caller does: the two run after the caller's function returns.
func Run(t *testing.T, f func(t *testing.T, h *Harness), opts ...Option) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := dbtest.Seeded(t, engine, "bottest demo shop", seedDemo, shop.Schema, tickets.Schema, bot.Schema)
			h := &Harness{T: t, DB: db}
			h.Build(opts...)
			f(t, h)
		})
	}
}

func seedDemo(ctx context.Context, db *sqlx.DB) error {
	_, err := shop.SeedDemo(ctx, db, Now)
	return err
}

// Say sends text as customer chat on the console channel and returns the
// replies.
func (h *Harness) Say(chat, text string) []bot.Reply {
	h.T.Helper()
	return h.Send(bot.Message{Channel: "console", Chat: chat, User: chat, Text: text})
}

// Owner sends text as the owner on the console channel and returns the
// one reply (more or none fails the test).
func (h *Harness) Owner(text string) bot.Reply {
	h.T.Helper()
	rs := h.Send(bot.Message{Channel: "console", Chat: "owner", User: "owner", Owner: true, Text: text})
	if len(rs) != 1 {
		h.T.Fatalf("owner %q: %d replies, want 1: %+v", text, len(rs), rs)
	}
	return rs[0]
}

// Send hands m to the engine a second after the previous message, with a
// fresh platform id, and returns the replies.
func (h *Harness) Send(m bot.Message) []bot.Reply {
	h.T.Helper()
	h.seq++
	m.ID = fmt.Sprint(h.seq)
	h.Clock.Advance(time.Second)
	rs, err := h.Engine.Handle(context.Background(), m)
	if err != nil {
		h.T.Fatalf("Handle(%.40q): %v", m.Text, err)
	}
	return rs
}

// Pending takes what the outbox holds for a, as a sender would.
func (h *Harness) Pending(a bot.Address) []bot.Reply {
	h.T.Helper()
	var got []bot.Reply
	_, err := h.Outbox.Deliver(context.Background(), a.Channel, a.Chat, func(_ context.Context, r bot.Reply) (string, error) {
		got = append(got, r)
		return "", nil
	})
	if err != nil {
		h.T.Fatal(err)
	}
	return got
}

// One asserts a single reply of kind whose text contains every want, and
// returns it.
func One(t testing.TB, rs []bot.Reply, kind bot.Kind, want ...string) bot.Reply {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("got %d replies, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.Kind != kind {
		t.Fatalf("kind = %q, want %q (text %q)", r.Kind, kind, r.Text)
	}
	for _, w := range want {
		if !strings.Contains(r.Text, w) {
			t.Errorf("reply %q does not contain %q", r.Text, w)
		}
	}
	return r
}
