package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// TestOutboxOutageSendsOnce cuts PostgreSQL right after a successful send,
// before its outcome is recorded, and keeps it away for many leases while
// two senders run: the message is sent once, recorded when the database
// is back, and the rest follow in order. (Before, the unrecorded message
// went out again when its lease ran out.)
func TestOutboxOutageSendsOnce(t *testing.T) {
	db, proxy := dbtest.OpenProxied(t, shop.Schema, tickets.Schema, bot.Schema)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ob := bot.NewOutbox(db, nil, nil)
	ob.Poll, ob.Lease, ob.RecordRetry = 10*time.Millisecond, 50*time.Millisecond, 100*time.Millisecond
	for i := range 3 {
		if _, err := ob.Enqueue(ctx, bot.Reply{Channel: "test", Chat: "a", Kind: bot.KindFAQ, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var got []string
	cut := make(chan struct{})
	send := func(_ context.Context, r bot.Reply) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Text)
		if len(got) == 1 {
			proxy.Cut() // sent; the database goes before it hears so
			close(cut)
		}
		return "p" + r.Text, nil
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { ob.Run(ctx, "test", send) })
	}
	<-cut
	time.Sleep(20 * ob.Lease) // an outage of many leases; not a timing assertion
	proxy.Restore()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := ob.Depth(ctx)
		if err == nil && d["test"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not empty: %v %v", d, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != "[0 1 2]" {
		t.Errorf("sent %v, want [0 1 2]: each once, in order", got)
	}
	var sent int
	if err := db.Get(&sent, `SELECT COUNT(*) FROM outbox WHERE channel = 'test' AND status = 'sent' AND platform_id <> ''`); err != nil || sent != 3 {
		t.Errorf("%d recorded as sent with their platform ids (%v), want 3", sent, err)
	}
}

// TestOutboxShutdownRecordsSend: the database goes away right after a
// successful send and the process shuts down before it returns. The
// outcome is still recorded once the database is back within a lease, so
// the next process does not send the message again. (Before, shutdown
// gave up after one try and the restarted process answered twice.)
func TestOutboxShutdownRecordsSend(t *testing.T) {
	db, proxy := dbtest.OpenProxied(t, shop.Schema, tickets.Schema, bot.Schema)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ob := bot.NewOutbox(db, nil, nil)
	ob.Poll, ob.Lease, ob.RecordRetry = 10*time.Millisecond, 10*time.Second, 20*time.Millisecond
	r, err := ob.Enqueue(ctx, bot.Reply{Channel: "test", Chat: "a", Kind: bot.KindFAQ, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	sends := 0
	back := make(chan struct{})
	send := func(context.Context, bot.Reply) (string, error) {
		sends++
		proxy.Cut() // sent; the database goes before it hears so…
		cancel()    // …and the process is told to stop
		go func() {
			time.Sleep(100 * time.Millisecond) // back well within the lease; not a timing assertion
			proxy.Restore()
			close(back)
		}()
		return "p1", nil
	}
	ob.Run(ctx, "test", send) // returns once the outcome is settled
	<-back
	var status, pid string
	for attempt := 0; ; attempt++ { // the pool may still hold connections the cut broke
		err := db.QueryRowx(db.Rebind(`SELECT status, platform_id FROM outbox WHERE id = ?`), r.ID).Scan(&status, &pid)
		if err == nil {
			break
		}
		if attempt == 20 {
			t.Fatal(err)
		}
	}
	if sends != 1 || status != "sent" || pid != "p1" {
		t.Errorf("%d sends, status %q, platform id %q; want 1, sent, p1", sends, status, pid)
	}
}
