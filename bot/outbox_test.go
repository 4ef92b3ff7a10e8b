package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
)

func newOutbox(t *testing.T, db *sqlx.DB) (*bot.Outbox, *bottest.Clock) {
	c := bottest.NewClock(testNow)
	ob := bot.NewOutbox(db, c.Now, nil)
	return ob, c
}

func enqueueN(t *testing.T, ob *bot.Outbox, chat string, n int) {
	t.Helper()
	for i := range n {
		if _, err := ob.Enqueue(context.Background(), bot.Reply{Channel: "test", Chat: chat, Kind: bot.KindFAQ, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOutboxRetriesInOrder(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		wait  time.Duration // how long until the failed message is due again
		first string        // sent by the first pass
		want  string        // sent in all
	}{
		// Chat a waits behind its failed first message; b is not held up.
		{"transient error backs off", errors.New("503"), 2 * time.Second, "[b0]", "[b0 a0 a1 a2]"},
		{"429 honours retry_after", &bot.RetryAfter{After: 30 * time.Second, Err: errors.New("429")}, 31 * time.Second, "[b0]", "[b0 a0 a1 a2]"},
		// A message that can never be sent does not hold up its chat.
		{"permanent failure is recorded, not retried", fmt.Errorf("403: %w", bot.ErrPermanent), time.Hour, "[a1 a2 b0]", "[a1 a2 b0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
				ctx := context.Background()
				ob, c := newOutbox(t, db)
				enqueueN(t, ob, "a", 3)
				enqueueN(t, ob, "b", 1)
				var got []string
				fail := true
				send := func(_ context.Context, r bot.Reply) (string, error) {
					if r.Chat == "a" && r.Text == "0" && fail {
						fail = false
						return "", tt.err
					}
					got = append(got, r.Chat+r.Text)
					return "p" + r.Text, nil
				}
				if _, err := ob.Deliver(ctx, "test", "", send); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != tt.first {
					t.Fatalf("first pass sent %v, want %v", got, tt.first)
				}
				firstN := len(got)
				if _, err := ob.Deliver(ctx, "test", "", send); err != nil {
					t.Fatal(err)
				}
				if len(got) != firstN {
					t.Fatalf("sent %v before the retry was due", got)
				}
				c.Advance(tt.wait)
				if _, err := ob.Deliver(ctx, "test", "", send); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != tt.want {
					t.Errorf("sent %v, want %v", got, tt.want)
				}
				depth, err := ob.Depth(ctx)
				if err != nil || depth["test"] != 0 {
					t.Errorf("depth = %v, %v; want nothing pending", depth, err)
				}
			}, bot.Schema)
		})
	}
}

func TestOutboxConcurrentSendersNeverDouble(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ob, _ := newOutbox(t, db)
		ob.Lease = time.Hour
		const n = 60
		for i := range n {
			enqueueN(t, ob, fmt.Sprint("chat", i%7), 1)
		}
		var sent sync.Map
		var doubles atomic.Int32
		send := func(_ context.Context, r bot.Reply) (string, error) {
			if _, dup := sent.LoadOrStore(r.ID, true); dup {
				doubles.Add(1)
			}
			return "", nil
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 10 {
					if _, err := ob.Deliver(context.Background(), "test", "", send); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		count := 0
		sent.Range(func(_, _ any) bool { count++; return true })
		if count != n || doubles.Load() != 0 {
			t.Errorf("sent %d distinct, %d doubles; want %d and 0", count, doubles.Load(), n)
		}
	}, bot.Schema)
}

func TestOutboxThreadsAndForwards(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		ob, _ := newOutbox(t, db)
		src, err := ob.Enqueue(ctx, bot.Reply{Channel: "notify", Kind: bot.KindAlert, Ticket: 9, Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // a forwarder that crashed and ran again
			if err := ob.Forward(ctx, src.ID, bot.Reply{Channel: "tg", Chat: "owner", Kind: bot.KindAlert, Ticket: 9, Text: "new"}); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		if _, err := ob.Deliver(ctx, "tg", "owner", func(context.Context, bot.Reply) (string, error) { n++; return "m77", nil }); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("forwarded copy sent %d times, want 1", n)
		}
		if id, err := ob.Thread(ctx, "tg", "owner", 9); err != nil || id != "m77" {
			t.Errorf("Thread = %q, %v; want m77", id, err)
		}
		if tk, err := ob.TicketOf(ctx, "tg", "owner", "m77"); err != nil || tk != 9 {
			t.Errorf("TicketOf = %d, %v; want 9", tk, err)
		}
		if tk, err := ob.TicketOf(ctx, "tg", "owner", "nope"); err != nil || tk != 0 {
			t.Errorf("TicketOf(unknown) = %d, %v; want 0", tk, err)
		}
	}, bot.Schema)
}

// TestOutboxParksUnreadable: a row this binary cannot decode is recorded
// as failed with the reason, once, and does not hold up its chat.
func TestOutboxParksUnreadable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		ob, _ := newOutbox(t, db)
		enqueueN(t, ob, "a", 2)
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET payload = ? WHERE id = (SELECT MIN(id) FROM outbox)`), "{not json"); err != nil {
			t.Fatal(err)
		}
		got, err := ob.Pending(ctx, "test", "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Text != "1" {
			t.Fatalf("pending %+v, want the readable message alone", got)
		}
		var status, lastErr string
		if err := db.QueryRowxContext(ctx, `SELECT status, last_error FROM outbox WHERE id = (SELECT MIN(id) FROM outbox)`).Scan(&status, &lastErr); err != nil {
			t.Fatal(err)
		}
		if status != "failed" || !strings.Contains(lastErr, "outbox: message") {
			t.Errorf("unreadable row: status %q, last error %q; want failed with the reason", status, lastErr)
		}
	}, bot.Schema)
}
