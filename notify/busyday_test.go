package notify_test

import (
	"context"
	"fmt"
	"sort"
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

// outboxPoster posts notify's events to the outbox channel "notify", as
// cmd/shopbot does.
type outboxPoster struct{ ob *bot.Outbox }

func (p outboxPoster) Post(ctx context.Context, e notify.Event) error {
	return p.ob.Forward(ctx, e.Source, bot.AlertReply("notify", "", e))
}

// A busy Tuesday, 09:00–21:00 in Seoul: 300 orders (two products sell
// out, each after reaching its safety stock), 40 customer conversations
// (28 answered by the FAQ, 4 questions it cannot answer, 5 complaints,
// 1 cancellation of an unshipped order that the customer chases twice),
// the owner answering most tickets in time, the watchers and the daily
// summary running. It counts what reaches the owner's phone.
func TestBusyDay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		start := time.Date(2026, 11, 24, 9, 0, 0, 0, seoul)
		c := bottest.NewClock(start)
		if _, err := shop.SeedDemo(ctx, db, start.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		st := shop.NewStore(db)
		products, err := st.Products(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Restocked overnight; two products were ordered short.
		for _, p := range products {
			p.Stock, p.SafetyStock = 500, 10
			if p.SKU == "CND-SOY-LAV" || p.SKU == "TEA-GRN-20" {
				p.Stock, p.SafetyStock = 8, 3
			}
			if err := st.UpsertProduct(ctx, p, c.Now()); err != nil {
				t.Fatal(err)
			}
		}
		ob := bot.NewOutbox(db, c.Now, nil)
		eng, err := bot.New(ctx, bot.Config{DB: db, FAQ: faq.ExampleFile(), Outbox: ob, Owners: []bot.Address{{Channel: "notify"}},
			Location: seoul, Now: c.Now, Lang: "ko", OwnerLang: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{}
		rt := &notify.Router{Destinations: []notify.Destination{phone, work}, Sender: rec, DB: db, Now: c.Now, Location: seoul,
			Quiet: notify.Quiet{From: 22 * 60, To: 8 * 60}, Lang: "ko"}
		poster := outboxPoster{ob}
		w := &notify.Watcher{DB: db, Outbox: ob, Poster: poster, Lang: "ko", Now: c.Now, Channels: []string{"notify"}}
		s := &notify.Scheduler{DB: db, Poster: poster, Location: seoul, Hour: 21, Lang: "ko", Now: c.Now,
			Summarizer: &notify.Summarizer{DB: db, Conversations: bot.NewConversations(db), Location: seoul, ShopName: "하루상점", Now: c.Now, NoChart: true}}
		route := func(ctx context.Context, r bot.Reply) (string, error) {
			return "", rt.Route(ctx, r.OwnerEvent())
		}

		// The day's script, minute by minute.
		type act func()
		script := map[int][]act{}
		at := func(h, m int, a act) { script[(h-9)*60+m] = append(script[(h-9)*60+m], a) }
		msgs := 0
		say := func(chat, text string) act {
			return func() {
				msgs++
				if _, err := eng.Handle(ctx, bot.Message{Channel: "web", ID: fmt.Sprint(msgs), Chat: chat, User: chat, Text: text}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ts := tickets.NewStore(db, nil)
		answer := func(chat string) act {
			return func() {
				tk, err := ts.Current(ctx, "web", chat)
				if err != nil {
					t.Fatalf("ticket of %s: %v", chat, err)
				}
				if _, err := ts.Reply(ctx, tk.ID, "owner", "확인했습니다", c.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		faqs := []string{"배송 얼마나 걸려요?", "배송비 얼마예요?", "무료배송 되나요?", "교환 되나요?", "제주도도 배송 되나요?", "택배 언제 출발해요?", "배송료가 어떻게 되나요"}
		for i := range 28 {
			at(9+i*12/28, (i*17)%60, say(fmt.Sprintf("faq%d", i), faqs[i%len(faqs)]))
		}
		for i, q := range []string{"오늘 날씨 어때요?", "매장 주차 되나요?", "단체 주문 할인 있나요?", "포인트 적립은 어떻게 해요?"} {
			at(10+i*2, 30, say(fmt.Sprintf("q%d", i), q))
		}
		at(11, 0, say("cancel", "주문 1043 취소해 주세요"))
		at(11, 5, say("cancel", "빨리 취소해 주세요"))
		at(11, 10, say("cancel", "답이 없네요 취소 부탁드려요"))
		at(11, 52, answer("cancel"))
		complaints := []struct {
			h, m   int
			answer time.Duration // 0: not answered today
		}{{9, 40, 30 * time.Minute}, {12, 15, 45 * time.Minute}, {13, 0, 2 * time.Hour}, {14, 20, 3*time.Hour + 30*time.Minute}, {15, 10, 0}}
		for i, cp := range complaints {
			chat := fmt.Sprintf("complaint%d", i)
			at(cp.h, cp.m, say(chat, "물건이 깨져서 왔어요"))
			if cp.answer > 0 {
				a := time.Date(2026, 11, 24, cp.h, cp.m, 0, 0, seoul).Add(cp.answer)
				at(a.Hour(), a.Minute(), answer(chat))
			}
		}
		// 300 orders, one every 2.4 minutes; the two short products sell
		// 8 units each, around 13:00 and 17:00.
		var skus []string
		for _, p := range products {
			if p.SKU != "CND-SOY-LAV" && p.SKU != "TEA-GRN-20" {
				skus = append(skus, p.SKU)
			}
		}
		for i := range 300 {
			sku := skus[i%len(skus)]
			switch {
			case i >= 100 && i < 108:
				sku = "CND-SOY-LAV"
			case i >= 200 && i < 208:
				sku = "TEA-GRN-20"
			}
			minute := i * 12 * 60 / 300
			at(9+minute/60, minute%60, func() {
				before, after, err := st.AdjustStock(ctx, sku, -1, c.Now())
				if err != nil {
					t.Fatal(err)
				}
				if e, ok := notify.StockEvent(before, after, "ko"); ok {
					if _, err := ob.Enqueue(ctx, bot.Reply{Channel: "notify", Kind: bot.KindAlert, Event: e.Kind, Priority: e.Priority, Key: e.Key, Text: e.Text}); err != nil {
						t.Fatal(err)
					}
				}
			})
		}

		for minute := 0; minute <= 12*60+5; minute++ {
			c.Set(start.Add(time.Duration(minute) * time.Minute))
			for _, a := range script[minute] {
				a()
			}
			if minute%2 == 1 {
				continue // the loops run every two minutes
			}
			if _, err := w.Tick(ctx, c.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Tick(ctx, c.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := ob.Deliver(ctx, "notify", "", route); err != nil {
				t.Fatal(err)
			}
			if _, err := rt.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}

		got := rec.to(phone)
		kinds := map[string]int{}
		for _, e := range got {
			kinds[e.Kind+"/"+e.Priority]++
			t.Logf("phone %s %-12s %-7s %s", "", e.Kind, e.Priority, firstLine(e.Text))
		}
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%s=%d", k, n))
		}
		sort.Strings(ks)
		t.Logf("phone: %d messages %v; work channel: %d", len(got), ks, len(rec.to(work)))
		want := map[string]int{
			"new/urgent":         1, // the cancellation of unshipped order 1043
			"digest/urgent":      1, // the customer chasing it twice, folded into one update
			"sla_warning/urgent": 1, // 48 minutes without an answer
			"stock/high":         2, // two products at their safety stock
			"stock/urgent":       2, // and then sold out
			"sla_warning/high":   2, // two complaints near their 4 h
			"sla_missed/high":    1, // one complaint not answered in 4 h
			"summary/normal":     1, // 21:00
		}
		if len(kinds) != len(want) {
			t.Errorf("phone got %v, want %v", kinds, want)
		}
		for k, n := range want {
			if kinds[k] != n {
				t.Errorf("phone got %d %s, want %d", kinds[k], k, n)
			}
		}
	}, schemas()...)
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
