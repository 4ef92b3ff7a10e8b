package bot_test

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
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
				if _, err := h.Engine.Handle(ctx, m); err != nil {
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

// BenchmarkHandleParallel is the engine's throughput with many
// conversations at once (8 goroutines per core): messages per second with
// the journal, conversation, match and outbox writes of each.
func BenchmarkHandleParallel(b *testing.B) {
	questions := []string{"배송 언제 와요?", "how much is shipping", "반품하려면 어떻게 해요", "현금영수증 발급되나요", "what payment methods do you take"}
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema)
			db.SetMaxOpenConns(16)
			h := newHarness(b, db)
			ctx := context.Background()
			var seq atomic.Int64
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := seq.Add(1)
					m := bot.Message{Channel: "bench", ID: fmt.Sprint(i), Chat: fmt.Sprint(i % 997), User: "u", Text: questions[i%int64(len(questions))]}
					if _, err := h.Engine.Handle(ctx, m); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(seq.Load())/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
