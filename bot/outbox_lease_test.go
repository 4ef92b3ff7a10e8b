package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestOutboxLeaseRenewedWhileSending: a send that outlasts the lease keeps
// its claim, so a second sender (another goroutine, process or instance)
// does not send the message again; a dead sender's claim (no renewals)
// lets the message go after one lease. The renewals' ticker runs in a
// synctest bubble: its time passes only when every goroutine of the
// bubble waits, so a renewal's database write has always finished when
// the test looks (the database is opened outside the bubble; its I/O only
// holds fake time back while it runs).
func TestOutboxLeaseRenewedWhileSending(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		synctest.Test(t, func(t *testing.T) {
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
			// …and the claim follows it: within a lease of the renewals'
			// time, the claim ends after the clock.
			time.Sleep(ob.Lease)
			synctest.Wait()
			if !nextAt().After(clk.Now()) {
				t.Fatalf("the claim (until %v) was not renewed past %v while the send ran", nextAt(), clk.Now())
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
		})
	}, bot.Schema)
}

// TestOutboxClaimFenced drives the claim renewals by hand (no timing): a
// live sender's claim is renewed and not taken by another process's
// sender, nor by another sender of its own process even after the lease
// has run out by the clock; once it really lapses (no renewal for a whole
// lease) and another process takes it, the first sender's next renewal
// finds its token replaced, its send is cancelled and it records nothing
// over the new holder's outcome.
func TestOutboxClaimFenced(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		clk := bottest.NewClock(testNow)
		a := bot.NewOutbox(db, clk.Now, nil)
		ticks := make(chan time.Time)
		bot.SetRenewTicks(a, ticks)
		b := bot.NewOutbox(db, clk.Now, nil) // another process on the same database
		bot.SetRenewTicks(b, make(chan time.Time))
		r, err := a.Enqueue(ctx, bot.Reply{Channel: "test", Chat: "c1", Kind: bot.KindFAQ, Text: "slow"})
		if err != nil {
			t.Fatal(err)
		}
		// renew has the first sender renew once, and waits until the row
		// shows it (the clock stands still meanwhile).
		renew := func() {
			ticks <- clk.Now()
			want := clk.Now().Add(a.Lease).UTC()
			for {
				var at time.Time
				if err := db.GetContext(ctx, &at, db.Rebind(`SELECT next_at FROM outbox WHERE id = ?`), r.ID); err != nil {
					t.Fatal(err)
				}
				if at.Equal(want) {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
		var mu sync.Mutex
		var sends []string
		sending := make(chan struct{})
		aDone := make(chan error, 1)
		go func() {
			_, err := a.Deliver(ctx, "test", "", func(sctx context.Context, _ bot.Reply) (string, error) {
				close(sending)
				<-sctx.Done() // a send that outlasts everything, until cancelled
				return "", sctx.Err()
			})
			aDone <- err
		}()
		<-sending
		other := func(o *bot.Outbox, who string) int {
			n, err := o.Deliver(ctx, "test", "", func(context.Context, bot.Reply) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				sends = append(sends, who)
				return "p-" + who, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Renewed at two thirds of the lease, the claim outlives the first
		// lease: the other process finds nothing due.
		clk.Advance(a.Lease * 2 / 3)
		renew()
		clk.Advance(a.Lease * 2 / 3)
		if n := other(b, "b"); n != 0 {
			t.Fatalf("another process sent a message whose sender was alive and renewing")
		}
		// Past the lease by the clock with no renewal: still this process's.
		clk.Advance(2 * a.Lease)
		if n := other(a, "a2"); n != 0 {
			t.Fatalf("a second sender of the same process took a message its first sender holds")
		}
		// The other process takes the lapsed claim and sends.
		if n := other(b, "b"); n != 1 {
			t.Fatalf("the lapsed claim was not taken over: %d sent", n)
		}
		// The first sender's next renewal finds the claim gone: its send is
		// cancelled and it records nothing.
		ticks <- clk.Now()
		if err := <-aDone; err != nil {
			t.Fatalf("first sender: %v", err)
		}
		var row struct {
			Status   string `db:"status"`
			Platform string `db:"platform_id"`
			Attempts int    `db:"attempts"`
		}
		if err := db.GetContext(ctx, &row, db.Rebind(`SELECT status, platform_id, attempts FROM outbox WHERE id = ?`), r.ID); err != nil {
			t.Fatal(err)
		}
		if row.Status != "sent" || row.Platform != "p-b" || row.Attempts != 1 {
			t.Errorf("row = %+v, want sent once by the new holder (p-b)", row)
		}
		if fmt.Sprint(sends) != "[b]" {
			t.Errorf("sends = %v, want [b]", sends)
		}
	}, bot.Schema)
}
