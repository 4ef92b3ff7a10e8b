package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// TestAlertRows counts the outbox rows one owner alert makes on its way,
// as `serve` wires it: the engine's transaction hands the event, with its
// ticket's snapshot, to the router (bot.Config.Alerts), which queues one
// row for each destination that hears of it now and nothing anywhere
// else. A retry adds no row: the customer's message delivered again, or
// the event posted again with its Source (a raiser retrying after a
// crash). Every destination's row carries the same event, snapshot
// included.
func TestAlertRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		c := bottest.NewClock(time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC))
		if _, err := shop.SeedDemo(ctx, db, c.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		ob := bot.NewOutbox(db, c.Now, nil)
		rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: ob, DB: db, Now: c.Now}
		eng, err := bot.New(ctx, bot.Config{DB: db, FAQ: faq.ExampleFile(), Outbox: ob, Alerts: rt,
			Now: c.Now, Lang: "ko", OwnerLang: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		// pending counts the alerts about ticket waiting on each channel.
		pending := func(t *testing.T, ticket int64) map[string]int {
			t.Helper()
			m := map[string]int{}
			for _, ch := range []string{"notify", phone.Channel, work.Channel} {
				rs, err := ob.Pending(ctx, ch, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rs {
					if r.Kind == bot.KindAlert && r.Ticket == ticket {
						m[ch]++
					}
				}
			}
			return m
		}
		check := func(t *testing.T, when string, got, want map[string]int) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: alert rows per channel %v, want %v", when, got, want)
				return
			}
			for ch, n := range want {
				if got[ch] != n {
					t.Errorf("%s: alert rows per channel %v, want %v", when, got, want)
					return
				}
			}
		}
		tests := []struct {
			name, chat, text string
			priority         tickets.Priority
			want             map[string]int // alert rows per channel
		}{
			// An urgent ticket reaches the phone and the work channel.
			{"urgent", "c1", "주문 1043 취소해 주세요", tickets.Urgent, map[string]int{"telegram": 1, "slack": 1}},
			// A question off the shop's topics: the work channel only.
			{"low", "c2", "사장님 혹시 다음 달에 팝업 스토어 여시나요?", tickets.Low, map[string]int{"slack": 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m := bot.Message{Channel: "console", ID: tt.chat, Chat: tt.chat, User: tt.chat, Text: tt.text}
				replies, err := eng.Handle(ctx, m)
				if err != nil {
					t.Fatal(err)
				}
				var id int64
				for _, r := range replies {
					id = max(id, r.Ticket)
				}
				if id == 0 {
					t.Fatalf("no ticket: %+v", replies)
				}
				check(t, "raised", pending(t, id), tt.want)

				// Retries: the message again, and each routed event again
				// with the Source the router gave it.
				if _, err := eng.Handle(ctx, m); !errors.Is(err, bot.ErrDuplicate) {
					t.Fatalf("the message again: %v, want bot.ErrDuplicate", err)
				}
				var sources []int64
				for _, d := range []notify.Destination{phone, work} {
					out, err := ob.Pending(ctx, d.Channel, d.Chat, 10)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range out {
						if r.Alert != nil && r.Alert.Source != 0 {
							sources = append(sources, r.Alert.Source)
							if err := rt.Post(ctx, *r.Alert); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
				if tt.priority == tickets.Urgent && (len(sources) != 2 || sources[0] != sources[1]) {
					t.Errorf("sources of the urgent alert's rows %v, want one Source on both", sources)
				}
				check(t, "after retries", pending(t, id), tt.want)

				for _, d := range []notify.Destination{phone, work} {
					out, err := ob.Pending(ctx, d.Channel, d.Chat, 10)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range out {
						e := r.Alert
						if e == nil || e.Ticket != id || e.Ref == "" || e.Priority != string(tt.priority) || e.Status != string(tickets.Open) ||
							e.Customer == "" || e.Latest != tt.text || e.Due.IsZero() || e.Kind != notify.KindNew {
							t.Errorf("%s alert carries %+v, want ticket %d's snapshot", d.Channel, e, id)
						}
					}
					// Delivered: the next case counts its own rows.
					if _, err := ob.Deliver(ctx, d.Channel, d.Chat, func(context.Context, bot.Reply) (string, error) { return "", nil }); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}, shop.Schema, tickets.Schema, bot.Schema, notify.Schema)
}

// TestPostRolledBack raises an urgent event in a transaction that rolls
// back: neither the router's decision (nor the Source it took for it) nor
// any destination's row is left, and the same event raised again then is
// routed as if for the first time.
func TestPostRolledBack(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		c := bottest.NewClock(time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC))
		ob := bot.NewOutbox(db, c.Now, nil)
		rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: ob, DB: db, Now: c.Now}
		count := func(q sqlx.QueryerContext) (alerts, claims int) {
			t.Helper()
			if err := sqlx.GetContext(ctx, q, &alerts, `SELECT COUNT(*) FROM notify_alerts`); err != nil {
				t.Fatal(err)
			}
			if err := sqlx.GetContext(ctx, q, &claims, `SELECT COUNT(*) FROM notify_claims`); err != nil {
				t.Fatal(err)
			}
			return alerts, claims
		}
		rows := func() map[string]int {
			t.Helper()
			depth, err := ob.Depth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return depth
		}

		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.PostTx(ctx, tx, urgentNew(0, 7)); err != nil {
			t.Fatal(err)
		}
		if a, cl := count(tx); a != 1 || cl != 1 {
			t.Fatalf("within the transaction: %d decisions, %d claims; want the phone's decision and its Source", a, cl)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if a, cl := count(db); a != 0 || cl != 0 {
			t.Errorf("after the rollback: %d decisions, %d claims, want none", a, cl)
		}
		if got := rows(); len(got) != 0 {
			t.Errorf("after the rollback: outbox rows %v, want none", got)
		}

		if err := rt.Post(ctx, urgentNew(0, 7)); err != nil {
			t.Fatal(err)
		}
		if got := rows(); len(got) != 2 || got[phone.Channel] != 1 || got[work.Channel] != 1 {
			t.Errorf("raised again: outbox rows %v, want one for the phone and one for the work channel", got)
		}
	}, bot.Schema, notify.Schema)
}
