package outlet_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/outlet"
)

// recorder is a platform: what each chat received, in order.
type recorder struct {
	mu   sync.Mutex
	got  map[string][]string
	gate chan struct{} // non-nil: a send waits for it (a slow platform)
	in   chan struct{} // told when a send begins
}

func (r *recorder) send(ctx context.Context, rep bot.Reply) (string, error) {
	if r.in != nil {
		r.in <- struct{}{}
	}
	if r.gate != nil {
		<-r.gate // the request goes on after shutdown began
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string][]string{}
	}
	r.got[rep.Chat] = append(r.got[rep.Chat], rep.Text)
	return "p" + rep.Text, nil
}

func (r *recorder) texts(chat string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[chat])
}

func newOutbox(db *sqlx.DB) *bot.Outbox {
	ob := bot.NewOutbox(db, nil, nil)
	ob.Poll = 10 * time.Millisecond
	ob.MaxBackoff = 50 * time.Millisecond
	return ob
}

func enqueue(t *testing.T, ob *bot.Outbox, chat string, kind bot.Kind, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if _, err := ob.Enqueue(context.Background(), bot.Reply{Channel: "test", Chat: chat, Kind: kind, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitEmpty waits until the outbox holds nothing for the channel.
func waitEmpty(t *testing.T, ob *bot.Outbox) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		d, err := ob.Depth(context.Background())
		if err == nil && d["test"] == 0 {
			return
		}
	}
	t.Fatal("the outbox did not empty")
}

// TestServe: every outlet kind sends what it should, in order per chat,
// once; receive's end stops the loops and is what Serve returns.
func TestServe(t *testing.T) {
	errReceived := errors.New("platform closed the connection")
	tests := []struct {
		name   string
		outlet func(r *recorder) outlet.Outlet
		want   map[string][]string // chat → texts sent
		left   int                 // replies the outlet leaves in the outbox
	}{
		{"one reply a call, several runners", func(r *recorder) outlet.Outlet {
			return outlet.Outlet{Channel: "test", Send: r.send, Runners: 3}
		}, map[string][]string{"a": {"a0", "a1", "a2"}, "b": {"b0", "b1", "b2"}, "owner": {"o0"}}, 0},
		{"only what is due", func(r *recorder) outlet.Outlet {
			return outlet.Outlet{Channel: "test", Send: r.send, Due: func(rep bot.Reply) bool { return rep.Kind == bot.KindOwner }}
		}, map[string][]string{"owner": {"o0"}}, 6},
		{"one conversation", func(r *recorder) outlet.Outlet {
			return outlet.Outlet{Channel: "test", Chat: "b", Send: r.send, Poll: 10 * time.Millisecond}
		}, map[string][]string{"b": {"b0", "b1", "b2"}}, 4},
		{"a round in one transaction", func(r *recorder) outlet.Outlet {
			return outlet.Outlet{Channel: "test", SendTx: func(ctx context.Context, _ *sqlx.Tx, rep bot.Reply) (string, error) {
				return r.send(ctx, rep)
			}}
		}, map[string][]string{"a": {"a0", "a1", "a2"}, "b": {"b0", "b1", "b2"}, "owner": {"o0"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
				ob := newOutbox(db)
				enqueue(t, ob, "a", bot.KindFAQ, "a0", "a1", "a2")
				enqueue(t, ob, "b", bot.KindFAQ, "b0", "b1", "b2")
				enqueue(t, ob, "owner", bot.KindOwner, "o0")
				r := &recorder{}
				stop := make(chan struct{})
				done := make(chan error, 1)
				go func() {
					done <- outlet.Serve(context.Background(), ob, func(ctx context.Context) error {
						select {
						case <-stop:
							return errReceived
						case <-ctx.Done():
							return ctx.Err()
						}
					}, tt.outlet(r))
				}()
				for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
					n := 0
					for _, chat := range []string{"a", "b", "owner"} {
						n += len(r.texts(chat))
					}
					want := 0
					for _, texts := range tt.want {
						want += len(texts)
					}
					if d, err := ob.Depth(context.Background()); n >= want && err == nil && d["test"] <= tt.left {
						break // sent and recorded
					}
					if time.Now().After(deadline) {
						t.Fatalf("sent %d of %d", n, want)
					}
				}
				close(stop)
				if err := <-done; !errors.Is(err, errReceived) {
					t.Errorf("Serve = %v, want receive's error", err)
				}
				for _, chat := range []string{"a", "b", "owner"} {
					if got := r.texts(chat); fmt.Sprint(got) != fmt.Sprint(tt.want[chat]) {
						t.Errorf("chat %s got %q, want %q", chat, got, tt.want[chat])
					}
				}
				d, err := ob.Depth(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if d["test"] != tt.left {
					t.Errorf("%d replies left in the outbox, want %d", d["test"], tt.left)
				}
			}, bot.Schema)
		})
	}
}

// TestServeDrain: a send in flight when ctx ends finishes and is
// recorded: a restarted sender does not send it again. Sends after the
// end stay in the outbox for the next one.
func TestServeDrain(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ob := newOutbox(db)
		enqueue(t, ob, "a", bot.KindFAQ, "a0", "a1")
		r := &recorder{gate: make(chan struct{}), in: make(chan struct{}, 8)}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- outlet.Serve(ctx, ob, nil, outlet.Outlet{Channel: "test", Send: r.send, Drain: 50 * time.Millisecond})
		}()
		<-r.in // a0 is on its way
		cancel()
		close(r.gate)
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Serve = %v, want context.Canceled", err)
		}
		if got := r.texts("a"); fmt.Sprint(got) != "[a0]" {
			t.Fatalf("before the restart: %q, want [a0]", got)
		}
		// The next process.
		r2 := &recorder{}
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		go outlet.Serve(ctx2, ob, nil, outlet.Outlet{Channel: "test", Send: r2.send})
		waitEmpty(t, ob)
		if got := r2.texts("a"); fmt.Sprint(got) != "[a1]" {
			t.Errorf("after the restart: %q, want [a1] (a0 once, before)", got)
		}
	}, bot.Schema)
}
