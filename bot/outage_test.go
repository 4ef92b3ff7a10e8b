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
