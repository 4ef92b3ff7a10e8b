package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestDeliverBatch: a round of replies is sent in one transaction: all of
// it lands or none; a permanent failure parks one reply; replies are
// sent once each however many senders race.
func TestDeliverBatch(t *testing.T) {
	tests := []struct {
		name    string
		failOn  string // chat+text of the reply whose send fails the first time
		err     error
		first   string // what the first round sent
		pending int    // replies still pending after it
	}{
		{"every reply in one round", "", nil, "[a0 a1 a2 b0]", 0},
		{"a transient error rolls the round back", "a2", errors.New("database gone"), "[]", 4},
		{"a permanent failure parks that reply only", "a1", fmt.Errorf("no visitor: %w", bot.ErrPermanent), "[a0 a2 b0]", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
				ctx := context.Background()
				ob, _ := newOutbox(t, db)
				enqueueN(t, ob, "a", 3)
				enqueueN(t, ob, "b", 1)
				var wrote []string
				fail := tt.failOn != ""
				send := func(ctx context.Context, tx *sqlx.Tx, r bot.Reply) (string, error) {
					// The send runs inside the round's transaction.
					var n int
					if err := tx.GetContext(ctx, &n, "SELECT 1"); err != nil {
						return "", err
					}
					if fail && r.Chat+r.Text == tt.failOn {
						fail = false
						return "", tt.err
					}
					wrote = append(wrote, r.Chat+r.Text)
					return "p" + r.Chat + r.Text, nil
				}
				sent, err := ob.DeliverBatch(ctx, "test", send)
				if tt.err != nil && !errors.Is(tt.err, bot.ErrPermanent) {
					if err == nil {
						t.Fatal("DeliverBatch: no error from a failed round")
					}
					sent = nil
				} else if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range sent {
					got = append(got, r.Chat+r.Text)
				}
				if fmt.Sprint(got) != tt.first {
					t.Errorf("first round sent %v, want %s", got, tt.first)
				}
				left, err := ob.Pending(ctx, "test", "", 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(left) != tt.pending {
					t.Errorf("%d replies pending after the first round, want %d", len(left), tt.pending)
				}
				// The next round sends what is left; nothing goes twice.
				again, err := ob.DeliverBatch(ctx, "test", send)
				if err != nil {
					t.Fatal(err)
				}
				if len(again) != tt.pending {
					t.Errorf("second round sent %d, want %d", len(again), tt.pending)
				}
				// Each sent reply has its platform id; a parked one is failed.
				var failed int
				if err := db.GetContext(ctx, &failed, `SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); err != nil {
					t.Fatal(err)
				}
				if want := 4 - len(sent) - len(again); failed != want {
					t.Errorf("%d replies failed, want %d", failed, want)
				}
				var pids []string
				if err := db.SelectContext(ctx, &pids, `SELECT platform_id FROM outbox WHERE status = 'sent' ORDER BY id`); err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, w := range wrote[len(wrote)-len(sent)-len(again):] {
					want = append(want, "p"+w)
				}
				slices.Sort(pids)
				slices.Sort(want)
				if !slices.Equal(pids, want) {
					t.Errorf("platform ids recorded %v, want %v", pids, want)
				}
			}, bot.Schema)
		})
	}
}

// TestDeliverBatchRace: four senders deliver the same 60 replies at once;
// each is written exactly once.
func TestDeliverBatchRace(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		ob, _ := newOutbox(t, db)
		for _, chat := range []string{"a", "b", "c"} {
			enqueueN(t, ob, chat, 20)
		}
		var mu sync.Mutex
		var wrote []string
		send := func(_ context.Context, _ *sqlx.Tx, r bot.Reply) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			wrote = append(wrote, fmt.Sprint(r.ID))
			return "", nil
		}
		var committed [][]bot.Reply
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 10 {
					sent, err := ob.DeliverBatch(ctx, "test", send)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					committed = append(committed, sent)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		var ids []int64
		for _, c := range committed {
			for _, r := range c {
				ids = append(ids, r.ID)
			}
		}
		slices.Sort(ids)
		if len(ids) != 60 || len(slices.Compact(slices.Clone(ids))) != 60 {
			t.Errorf("%d replies committed as sent (%d distinct), want 60 once each", len(ids), len(slices.Compact(ids)))
		}
	}, bot.Schema)
}
