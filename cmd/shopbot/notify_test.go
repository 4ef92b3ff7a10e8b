package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/notify"
)

func TestSummaryCommand(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			url := dbtest.URL(t, engine)
			out, errOut, err := shopbot(t, nil, "", "summary", "--db", url, "--demo")
			if err != nil {
				t.Fatalf("summary: %v\n%s", err, errOut)
			}
			for _, want := range []string{"하루상점 · 11월 23일 (월) 요약", "주문 ", "재고 부족", "📈"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			out, _, err = shopbot(t, nil, "", "summary", "--db", url, "--date", "2026-11-20")
			if err != nil || !strings.Contains(out, "11월 20일 (금)") {
				t.Errorf("--date: %v\n%s", err, out)
			}
			if _, _, err := shopbot(t, nil, "", "summary", "--db", url, "--date", "20.11."); err == nil {
				t.Error("--date 20.11.: no error")
			}
			// --send queues it, chart and all, for the router of `serve`.
			if _, errOut, err := shopbot(t, nil, "", "summary", "--db", url, "--send"); err != nil || !strings.Contains(errOut, "queued") {
				t.Fatalf("--send: %v\n%s", err, errOut)
			}
			ctx := context.Background()
			db, err := schema.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			pending, err := bot.NewOutbox(db, frozenNow, nil).Pending(ctx, notifyChannel, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) != 1 || pending[0].Event != "summary" || len(pending[0].Image) < 1000 {
				t.Fatalf("notify channel holds %d messages, want the summary with its chart", len(pending))
			}
		})
	}
}

func TestNotifyConfig(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"notify:\n  max_per_hour: -1\n", "notify.max_per_hour"},
		{"notify:\n  coalesce: soon\n", "notify.coalesce"},
		{"notify:\n  weekly: someday\n", "notify.weekly"},
		{"notify:\n  stuck_after: 0s\n", "notify.stuck_after"},
		{"notify:\n  max_per_hour: 5\n  coalesce: 10m\n  weekly: monday\n  quiet_urgent: true\n  unshipped_days: 3\n", ""},
	} {
		t.Run(tt.want, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shopbot.yaml")
			os.WriteFile(path, []byte(tt.file), 0o644)
			c, err := loadConfig(path)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				n := c.Notify.notifyConfig
				if n.MaxPerHour != 5 || n.window.Minutes() != 10 || !n.weekly || n.weeklyDay.String() != "Monday" || !n.QuietUrgent || n.hour != 21 {
					t.Errorf("parsed %+v", n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to name %q", err, tt.want)
			}
		})
	}
}

// TestOwnerEventsCounted: /metrics counts each owner event once, when the
// router takes it, however many destinations hear of it (each gets its
// own row) and whether it is raised here or queued on the notify channel
// by another process.
func TestOwnerEventsCounted(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		ob := bot.NewOutbox(db, frozenNow, nil)
		o := newOps(&stores{db: db, now: frozenNow}, ob)
		owners := &ownerEvents{ops: o, Router: &notify.Router{Sender: ob, DB: db, Now: frozenNow,
			Destinations: []notify.Destination{{Channel: "telegram", Chat: "900"}, {Channel: "slack", Chat: "C1", Every: true}}}}
		counted := func() float64 {
			t.Helper()
			reg := prometheus.NewRegistry()
			reg.MustRegister(o.events)
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			n := 0.0
			for _, mf := range mfs {
				for _, m := range mf.GetMetric() {
					n += m.GetCounter().GetValue()
				}
			}
			return n
		}
		urgent := notify.Event{Kind: notify.KindNew, Priority: "urgent", Key: "ticket:1", Ticket: 1, Text: "#1 urgent"}
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := owners.PostTx(ctx, tx, urgent); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := counted(); got != 1 {
			t.Errorf("raised once, to two destinations: counted %v, want 1", got)
		}
		// Queued on the notify channel by `summary --send`, routed by
		// serve's notify sender.
		poster := outboxPoster{ob, frozenNow}
		if err := poster.Post(ctx, notify.Event{Source: -7, Kind: notify.KindSummary, Text: "summary"}); err != nil {
			t.Fatal(err)
		}
		if _, err := o.send(notifyChannel, routeSend(owners))(ctx, mustPending(t, ob)); err != nil {
			t.Fatal(err)
		}
		if got := counted(); got != 2 {
			t.Errorf("after the queued summary: counted %v, want 2", got)
		}
		depth, err := ob.Depth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The urgent alert and the summary on each destination, and the
		// summary's row on the notify channel (the outbox marks it sent
		// after its send, which this test calls by hand).
		if depth["telegram"] != 2 || depth["slack"] != 2 {
			t.Errorf("outbox rows %v, want 2 on telegram and 2 on slack", depth)
		}
	}, bot.Schema, notify.Schema)
}

// mustPending is the one message waiting on the notify channel.
func mustPending(t *testing.T, ob *bot.Outbox) bot.Reply {
	t.Helper()
	rs, err := ob.Pending(context.Background(), notifyChannel, "", 10)
	if err != nil || len(rs) != 1 {
		t.Fatalf("notify channel: %d messages, %v; want 1", len(rs), err)
	}
	return rs[0]
}
