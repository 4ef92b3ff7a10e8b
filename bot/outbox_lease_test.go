package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestOutboxLeaseRenewedWhileSending: a send that outlasts the lease keeps
// its claim, so a second sender (another goroutine, process or instance)
// does not send the message again; a dead sender's claim (no renewals)
// lets the message go after one lease.
func TestOutboxLeaseRenewedWhileSending(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		clk := bottest.NewClock(testNow)
		ob := bot.NewOutbox(db, clk.Now, nil)
		ob.Lease = 150 * time.Millisecond
		r, err := ob.Enqueue(ctx, bot.Reply{Channel: "test", Chat: "c1", Kind: bot.KindFAQ, Text: "slow"})
		if err != nil {
			t.Fatal(err)
		}
		nextAt := func() time.Time {
			var at time.Time
			if err := db.GetContext(ctx, &at, db.Rebind(`SELECT next_at FROM outbox WHERE id = ?`), r.ID); err != nil {
				t.Fatal(err)
			}
			return at.UTC()
		}
		sending, release := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			_, err := ob.Deliver(ctx, "test", "", func(context.Context, bot.Reply) (string, error) {
				close(sending)
				<-release
				return "p1", nil
			})
			first <- err
		}()
		<-sending
		// The send outlasts its lease by the clock…
		clk.Advance(10 * ob.Lease)
		// …and the claim follows it.
		for deadline := time.Now().Add(10 * time.Second); !nextAt().After(clk.Now()); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the claim was not renewed while the send ran")
			}
		}
		n, err := ob.Deliver(ctx, "test", "", func(context.Context, bot.Reply) (string, error) {
			t.Error("a second sender sent the message while the first was still sending it")
			return "p2", nil
		})
		if err != nil || n != 0 {
			t.Errorf("second sender: %d sent, %v", n, err)
		}
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if depth, _ := ob.Depth(ctx); depth["test"] != 0 {
			t.Errorf("depth %v after the send, want nothing pending", depth)
		}

		// A sender that dies mid-send renews nothing: after one lease the
		// message is another sender's.
		r2, err := ob.Enqueue(ctx, bot.Reply{Channel: "test", Chat: "c2", Kind: bot.KindFAQ, Text: "orphan"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET next_at = ? WHERE id = ?`), clk.Now().UTC().Add(ob.Lease), r2.ID); err != nil {
			t.Fatal(err)
		}
		clk.Advance(ob.Lease + time.Millisecond)
		var got []int64
		if _, err := ob.Deliver(ctx, "test", "", func(_ context.Context, r bot.Reply) (string, error) {
			got = append(got, r.ID)
			return "p3", nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != r2.ID {
			t.Errorf("after the lease, sent %v, want [%d]", got, r2.ID)
		}
	}, bot.Schema)
}
