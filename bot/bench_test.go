package bot_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// BenchmarkHandle measures one customer FAQ message through the whole
// engine: journal, conversation, match, reply stored in the outbox, commit.
func BenchmarkHandle(b *testing.B) {
	questions := []string{"배송 언제 와요?", "how much is shipping", "반품하려면 어떻게 해요", "현금영수증 발급되나요", "what payment methods do you take"}
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema)
			h := newHarness(b, db)
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m := bot.Message{Channel: "bench", ID: fmt.Sprint(i), Chat: fmt.Sprint(i % 500), User: "u", Text: questions[i%len(questions)]}
				start := time.Now()
				if _, err := h.eng.Handle(ctx, m); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_us")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_us")
			}
		})
	}
}
