package kakao_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// BenchmarkSkill times one skill request end to end over HTTP (record,
// journal, engine, outbox, response) on the demo shop, 8 customers at a
// time, each a new user asking an FAQ question.
func BenchmarkSkill(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h := newHarness(b, dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema, kakao.Schema))
			questions := []string{"배송 얼마나 걸려요?", "how much is shipping?", "什么时候发货？", "교환 되나요?"}
			var n atomic.Int64
			b.SetParallelism(4) // 8 on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					if _, err := h.kk.Say(context.Background(), fmt.Sprintf("bench-%d", i), questions[i%4]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
