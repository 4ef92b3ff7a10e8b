package notify_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/notify"
)

var (
	phone = notify.Destination{Channel: "telegram", Chat: "100"}
	work  = notify.Destination{Channel: "slack", Chat: "C1", Every: true}
)

func newRouter(db *sqlx.DB, c *bottest.Clock, rec *recorder) *notify.Router {
	rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: rec, DB: db, Now: c.Now,
		Location: seoul, MaxPerHour: 10, Window: 30 * time.Minute, Lang: "en"}
	rec.router = rt
	return rt
}

func urgentNew(source, ticket int64) notify.Event {
	return notify.Event{Source: source, Ticket: ticket, Priority: "urgent", Kind: "new",
		Key: fmt.Sprintf("ticket:%d", ticket), Text: fmt.Sprintf("#%d urgent: cancel my order", ticket)}
}

func TestInterrupts(t *testing.T) {
	for _, tc := range []struct {
		kind, priority string
		want           bool
	}{
		{"new", "urgent", true}, {"message", "urgent", true}, {"escalated", "urgent", true},
		{"new", "high", false}, {"answered", "urgent", false}, {"resolved", "urgent", false}, {"claimed", "urgent", false},
		{notify.KindStock, "high", true}, {notify.KindSLAWarning, "normal", true}, {notify.KindFailure, "urgent", true},
	} {
		t.Run(tc.kind+"/"+tc.priority, func(t *testing.T) {
			if got := notify.Interrupts(notify.Event{Kind: tc.kind, Priority: tc.priority}); got != tc.want {
				t.Errorf("Interrupts = %v, want %v", got, tc.want)
			}
		})
	}
}

// A burst of 100 urgent tickets in two minutes: the phone gets the cap's
// 10 at once and one "and 90 more" when the hour frees a slot; the work
// channel gets all 100.
func TestBurstOfUrgentTickets(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		start := time.Date(2026, 11, 23, 14, 0, 0, 0, seoul)
		c := bottest.NewClock(start)
		rec := &recorder{}
		rt := newRouter(db, c, rec)
		for i := int64(1); i <= 100; i++ {
			if err := rt.Route(ctx, urgentNew(i, i)); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Second)
		}
		if got, want := len(rec.to(phone)), 10; got != want {
			t.Errorf("phone got %d alerts at once, want %d", got, want)
		}
		if got, want := len(rec.to(work)), 100; got != want {
			t.Errorf("work channel got %d, want %d", got, want)
		}
		// Within the hour: nothing more, however often it flushes.
		for range 5 {
			c.Advance(10 * time.Minute)
			if n, err := rt.Flush(ctx); err != nil || n != 0 {
				t.Fatalf("flush within the hour: %d, %v", n, err)
			}
		}
		c.Set(start.Add(time.Hour + time.Second))
		if n, err := rt.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush after the hour: %d, %v", n, err)
		}
		got := rec.to(phone)
		if len(got) != 11 {
			t.Fatalf("phone got %d, want 11", len(got))
		}
		d := got[10]
		if d.Kind != notify.KindDigest || !strings.HasPrefix(d.Text, "➕ 90 more alerts") || !strings.Contains(d.Text, "… +78") {
			t.Errorf("digest:\n%s", d.Text)
		}
		// Routing the same events again (the outbox retrying) changes nothing.
		for i := int64(1); i <= 100; i++ {
			if err := rt.Route(ctx, urgentNew(i, i)); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := rt.Flush(ctx); n != 0 || len(rec.to(phone)) != 11 {
			t.Errorf("after re-routing: flush %d, phone %d", n, len(rec.to(phone)))
		}
	}, notify.Schema)
}

// 100 events about one ticket: one alert, then one update when the
// coalescing window ends; an escalation is not folded.
func TestCoalescing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		start := time.Date(2026, 11, 23, 14, 0, 0, 0, seoul)
		c := bottest.NewClock(start)
		rec := &recorder{}
		rt := newRouter(db, c, rec)
		if err := rt.Route(ctx, urgentNew(1, 7)); err != nil {
			t.Fatal(err)
		}
		for i := int64(2); i <= 100; i++ {
			c.Advance(10 * time.Second)
			e := urgentNew(i, 7)
			e.Kind, e.Text = "message", fmt.Sprintf("#7 customer wrote again (%d)", i)
			if err := rt.Route(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if got := len(rec.to(phone)); got != 1 {
			t.Fatalf("phone got %d before the window ends, want 1", got)
		}
		c.Set(start.Add(30 * time.Minute))
		if n, err := rt.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush: %d, %v", n, err)
		}
		got := rec.to(phone)
		if len(got) != 2 {
			t.Fatalf("phone got %d, want 2", len(got))
		}
		if d := got[1]; d.Ticket != 7 || d.Text != "🔁 99 updates\n• #7 customer wrote again (100) (×99)" {
			t.Errorf("update: ticket %d\n%s", d.Ticket, d.Text)
		}
		// The SLA missed right after: an escalation, sent at once.
		c.Advance(time.Minute)
		if err := rt.Route(ctx, notify.Event{Source: -5, Ticket: 7, Priority: "urgent", Kind: notify.KindSLAMissed, Key: "ticket:7", Text: "missed"}); err != nil {
			t.Fatal(err)
		}
		if got := len(rec.to(phone)); got != 3 {
			t.Errorf("SLA missed was folded: phone got %d, want 3", got)
		}
		if got := len(rec.to(work)); got != 101 {
			t.Errorf("work channel got %d, want 101", got)
		}
	}, notify.Schema)
}

// Quiet hours: what is not urgent waits for the morning, in one message;
// urgent goes through unless HoldUrgent.
func TestQuietHours(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		c := bottest.NewClock(time.Date(2026, 11, 23, 23, 0, 0, 0, seoul))
		rec := &recorder{}
		rt := newRouter(db, c, rec)
		rt.Quiet, _ = notify.ParseQuiet("22:00-08:00")
		low := notify.Event{Source: 1, Kind: notify.KindStock, Priority: "high", Key: "stock:TEA", Text: "low stock: tea 3 left"}
		sla := notify.Event{Source: 2, Kind: notify.KindSLAWarning, Priority: "normal", Ticket: 3, Key: "ticket:3", Text: "#3 due soon"}
		out := notify.Event{Source: 3, Kind: notify.KindStock, Priority: "urgent", Key: "stock:MUG", Text: "sold out: mug"}
		for _, e := range []notify.Event{low, sla, out} {
			if err := rt.Route(ctx, e); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Hour)
		}
		if got := rec.to(phone); len(got) != 1 || got[0].Key != "stock:MUG" {
			t.Fatalf("during quiet hours the phone got %+v, want only the sold-out alert", got)
		}
		c.Set(time.Date(2026, 11, 24, 7, 59, 0, 0, seoul))
		if n, _ := rt.Flush(ctx); n != 0 {
			t.Fatalf("flushed %d before 08:00", n)
		}
		c.Set(time.Date(2026, 11, 24, 8, 0, 30, 0, seoul))
		if n, err := rt.Flush(ctx); err != nil || n != 1 {
			t.Fatalf("flush at 08:00: %d, %v", n, err)
		}
		got := rec.to(phone)
		if want := "🌙 2 alerts from quiet hours\n• low stock: tea 3 left\n• #3 due soon"; len(got) != 2 || got[1].Text != want {
			t.Errorf("morning digest: %+v, want %q", got, want)
		}
		if got := len(rec.to(work)); got != 3 {
			t.Errorf("work channel got %d, want 3 at once", got)
		}
	}, notify.Schema)
}

func TestQuiet(t *testing.T) {
	q, err := notify.ParseQuiet("22:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at    string
		quiet bool
		end   string
	}{
		{"2026-11-23 21:59", false, "2026-11-23 21:59"},
		{"2026-11-23 22:00", true, "2026-11-24 08:00"},
		{"2026-11-24 03:00", true, "2026-11-24 08:00"},
		{"2026-11-24 08:00", false, "2026-11-24 08:00"},
	} {
		t.Run(tc.at, func(t *testing.T) {
			at, _ := time.ParseInLocation("2006-01-02 15:04", tc.at, seoul)
			if got := q.Contains(at, seoul); got != tc.quiet {
				t.Errorf("Contains = %v, want %v", got, tc.quiet)
			}
			if got, want := q.End(at, seoul).In(seoul).Format("2006-01-02 15:04"), tc.end; got != want {
				t.Errorf("End = %s, want %s", got, want)
			}
		})
	}
	for _, bad := range []string{"22-08", "25:00-08:00", "22:00"} {
		if _, err := notify.ParseQuiet(bad); err == nil {
			t.Errorf("ParseQuiet(%q): no error", bad)
		}
	}
}
