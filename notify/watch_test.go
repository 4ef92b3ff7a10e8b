package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// SLA warnings and misses, and a stuck channel, are each posted once,
// however often the watchers tick and however many run.
func TestWatcher(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		start := time.Date(2026, 11, 23, 10, 0, 0, 0, seoul)
		c := bottest.NewClock(start)
		if _, _, err := tickets.NewStore(db, nil).Open(ctx, tickets.Ticket{Channel: "web", Chat: "a", Priority: tickets.Urgent, Category: tickets.Cancellation}, "cancel 1043", start); err != nil {
			t.Fatal(err)
		}
		// A low ticket (off-topic, an insult) never pages, even overdue.
		sla := tickets.SLA{tickets.Low: time.Hour}
		if _, _, err := tickets.NewStore(db, sla).Open(ctx, tickets.Ticket{Channel: "web", Chat: "b", Priority: tickets.Low, Category: tickets.Question}, "any good restaurants nearby?", start); err != nil {
			t.Fatal(err)
		}
		ob := bot.NewOutbox(db, c.Now, nil)
		if _, err := ob.Enqueue(ctx, bot.Reply{Channel: "telegram", Chat: "1", Kind: bot.KindFAQ, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		ws := []*notify.Watcher{
			{DB: db, Outbox: ob, Poster: rec, Lang: "en", Now: c.Now, Channels: []string{"telegram"}, SLA: sla},
			{DB: db, Outbox: ob, Poster: rec, Lang: "en", Now: c.Now, Channels: []string{"telegram"}, SLA: sla},
		}
		for c.Now().Before(start.Add(2 * time.Hour)) {
			for _, w := range ws {
				if _, err := w.Tick(ctx, c.Now()); err != nil {
					t.Fatal(err)
				}
			}
			c.Advance(time.Minute)
		}
		var got []string
		for _, e := range rec.posted() {
			got = append(got, e.Kind+" "+e.Key+" "+e.Priority)
		}
		want := []string{"failure failure:telegram urgent", "sla_warning ticket:1 urgent", "sla_missed ticket:1 urgent"}
		if len(got) != len(want) {
			t.Fatalf("posted %q, want %q", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("post %d = %q, want %q", i, got[i], want[i])
			}
		}
	}, schemas()...)
}

// A stuck channel is not told about itself.
func TestFailureSkipsItsChannel(t *testing.T) {
	rec := &recorder{}
	rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: rec}
	if err := rt.Route(context.Background(), notify.Event{Source: -1, Kind: notify.KindFailure, Priority: "urgent", Key: "failure:telegram", Text: "stuck"}); err != nil {
		t.Fatal(err)
	}
	if len(rec.to(phone)) != 0 || len(rec.to(work)) != 1 {
		t.Errorf("phone %d, work %d; want 0, 1", len(rec.to(phone)), len(rec.to(work)))
	}
}
