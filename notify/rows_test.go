package notify_test

import (
	"context"
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

// forwarder is cmd/shopbot's forwardSender: a routed event becomes an
// outbox row of its destination, once per (Source, destination).
type forwarder struct{ ob *bot.Outbox }

func (f forwarder) Send(ctx context.Context, d notify.Destination, e notify.Event) error {
	return f.ob.Forward(ctx, e.Source, bot.AlertReply(d.Channel, d.Chat, e))
}

// TestAlertRows counts the outbox rows one owner alert makes on its way,
// as `serve` wires it: the engine's transaction queues the event once on
// the "notify" channel, with its ticket's snapshot; the router then queues
// it once for each destination that hears of it now. Routing it again (a
// crash before the notify row was marked sent) adds no row, and every
// destination's row carries the same event, snapshot included.
func TestAlertRows(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		c := bottest.NewClock(time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC))
		if _, err := shop.SeedDemo(ctx, db, c.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		ob := bot.NewOutbox(db, c.Now, nil)
		eng, err := bot.New(ctx, bot.Config{DB: db, FAQ: faq.ExampleFile(), Outbox: ob, Owners: []bot.Address{{Channel: "notify"}},
			Now: c.Now, Lang: "ko", OwnerLang: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: forwarder{ob}, DB: db, Now: c.Now}
		route := func(ctx context.Context, r bot.Reply) (string, error) { return "", rt.Route(ctx, r.OwnerEvent()) }
		// pending counts the alerts about ticket waiting on each channel.
		pending := func(ticket int64) map[string]int {
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
		tests := []struct {
			name, chat, text string
			priority         tickets.Priority
			want             map[string]int // alert rows per channel
		}{
			// An urgent ticket reaches the phone and the work channel.
			{"urgent", "c1", "주문 1043 취소해 주세요", tickets.Urgent, map[string]int{"notify": 1, "telegram": 1, "slack": 1}},
			// A question off the shop's topics: the work channel only.
			{"low", "c2", "사장님 혹시 다음 달에 팝업 스토어 여시나요?", tickets.Low, map[string]int{"notify": 1, "slack": 1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				replies, err := eng.Handle(ctx, bot.Message{Channel: "console", ID: tt.chat, Chat: tt.chat, User: tt.chat, Text: tt.text})
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
				queued, err := ob.Pending(ctx, "notify", "", 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range queued {
					if _, err := route(ctx, r); err != nil {
						t.Fatal(err)
					}
					if _, err := route(ctx, r); err != nil { // a retry
						t.Fatal(err)
					}
				}
				got := pending(id) // the notify row is still there: routed, not yet marked sent
				if len(got) != len(tt.want) {
					t.Errorf("alert rows per channel %v, want %v", got, tt.want)
				}
				for ch, n := range tt.want {
					if got[ch] != n {
						t.Errorf("alert rows per channel %v, want %v", got, tt.want)
						break
					}
				}
				if _, err := ob.Deliver(ctx, "notify", "", route); err != nil {
					t.Fatal(err)
				}
				if n := pending(id)["notify"]; n != 0 {
					t.Errorf("%d alerts left on notify after routing", n)
				}
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
						// Delivered: the next case counts its own rows.
						if _, err := ob.Deliver(ctx, d.Channel, d.Chat, func(context.Context, bot.Reply) (string, error) { return "", nil }); err != nil {
							t.Fatal(err)
						}
					}
				}
			})
		}
	}, shop.Schema, tickets.Schema, bot.Schema, notify.Schema)
}
