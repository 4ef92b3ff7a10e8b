package bottest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// Live seeds the demo shop as of the real time in db and builds the
// engine and outbox on the real time, the outbox polling every 50 ms: the
// harness of an adapter whose sender loops (Run) deliver on their own
// while the test talks to its platform's fake. The harness Clock is not
// read by the engine then.
func Live(t testing.TB, db *sqlx.DB, opts ...Option) *Harness {
	t.Helper()
	now := time.Now()
	if _, err := shop.SeedDemo(context.Background(), db, now); err != nil {
		t.Fatal(err)
	}
	h := &Harness{T: t, DB: db, Clock: NewClock(now), Poll: 50 * time.Millisecond}
	h.Build(append([]Option{realTime}, opts...)...)
	return h
}

func realTime(c *bot.Config) { c.Now = nil }

// Owners sends the owner's ticket events to as instead of Owner.
func Owners(as ...bot.Address) Option { return func(c *bot.Config) { c.Owners = as } }

// NoFlood raises the flood limits out of the way of tests that send many
// messages from one customer.
func NoFlood(c *bot.Config) { c.Limits = bot.Limits{PerMinute: 1000, PerHour: 10000} }

// refRE is the ticket reference customers are shown (#FJB5SU).
var refRE = regexp.MustCompile(`#([0-9A-Z]{6})`)

// TicketRef reads the first ticket reference out of what a customer was
// shown (the owner's commands take it as well as the number).
func TicketRef(t testing.TB, shown ...string) string {
	t.Helper()
	for _, s := range shown {
		if m := refRE.FindStringSubmatch(s); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no ticket reference in %q", shown)
	return ""
}

// OpenTickets counts the open and pending tickets.
func (h *Harness) OpenTickets() int {
	h.T.Helper()
	n, err := tickets.NewStore(h.DB, nil).Count(context.Background(), tickets.Filter{})
	if err != nil {
		h.T.Fatal(err)
	}
	return n
}

// Count runs a COUNT query (with ? marks) of the test's own package's
// tables.
func Count(t testing.TB, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, db.Rebind(query), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// WaitFor polls cond until it holds, failing the test after 15 s. What
// runs on its own (a sender loop, a callback) is waited for, not slept
// for.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Handler is how an adapter calls the engine.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Slow delays the first message by d before handing it to next: an
// answer that misses a platform's deadline.
func Slow(next Handler, d time.Duration) Handler { return &slow{next: next, d: d} }

type slow struct {
	next Handler
	d    time.Duration
	once sync.Once
}

func (s *slow) Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error) {
	s.once.Do(func() { time.Sleep(s.d) })
	return s.next.Handle(ctx, m)
}

// Dying loses the first message as a process killed before its
// transaction committed would: nothing is stored, an error is returned.
func Dying(next Handler) Handler { return &dying{next: next} }

type dying struct {
	next Handler
	once sync.Once
}

func (d *dying) Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error) {
	died := false
	d.once.Do(func() { died = true })
	if died {
		return nil, errors.New("killed before commit")
	}
	return d.next.Handle(ctx, m)
}

// ClarifyQuery finds a question the example FAQ answers with choices whose
// second choice is a plain answer (no order lookup), so tests of the
// choices do not depend on one phrasing while the matcher is tuned.
func ClarifyQuery(t testing.TB, eng *bot.Engine) string {
	t.Helper()
	f := faq.ExampleFile()
	candidates := []string{"배송", "환불", "교환", "반품", "취소", "결제", "배송비", "교환 반품", "포장", "사이즈"}
	for _, e := range f.Entries {
		candidates = append(candidates, e.Keywords...)
	}
	for _, a := range f.Entries {
		for _, b := range f.Entries {
			if len(a.Keywords) > 0 && len(b.Keywords) > 0 && a.ID < b.ID {
				candidates = append(candidates, a.Keywords[0]+" "+b.Keywords[0])
			}
		}
	}
	for _, q := range candidates {
		r := eng.Matcher().Match(q)
		if _, ticket := tickets.Classify(q); !ticket && r.Decision == faq.Clarify && r.Choices[1].Action == faq.ActionNone {
			return q
		}
	}
	t.Skip("no question in the example FAQ gets choices now; the clarify steps need one")
	return ""
}

// Call is one webhook call a test expects refused: Body posted to Path
// answers Want.
type Call struct {
	Name, Path string
	Body       []byte
	Want       int
}

// Refused posts each call to base (a test server's URL) and checks its
// status; afterwards no ticket is open and the outbox holds nothing.
func (h *Harness) Refused(base string, calls []Call) {
	h.T.Helper()
	for _, c := range calls {
		res, err := http.Post(base+c.Path, "application/json", bytes.NewReader(c.Body))
		if err != nil {
			h.T.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.Want {
			h.T.Errorf("%s: %d, want %d", c.Name, res.StatusCode, c.Want)
		}
	}
	if n := h.OpenTickets(); n != 0 {
		h.T.Fatalf("%d tickets from refused calls", n)
	}
	if depth, err := h.Outbox.Depth(context.Background()); err != nil || len(depth) != 0 {
		h.T.Fatalf("outbox %v (%v) after refused calls", depth, err)
	}
}
