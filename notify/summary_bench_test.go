package notify_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// BenchmarkSummaryOpenQuestions is the owner's summary of a week in which
// 20,000 customer questions went unanswered (each an open normal ticket):
// the whole Summary, its queries and the grouping of the questions.
func BenchmarkSummaryOpenQuestions(b *testing.B) {
	const n = 20000
	now := time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)
	texts := notify.Unanswered(rand.New(rand.NewPCG(n, 7)), n)
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema, notify.Schema)
			tx := db.MustBegin()
			st := tickets.NewStore(tx, tickets.DefaultSLA)
			for i, text := range texts {
				at := now.Add(-time.Duration(n-i) * 30 * time.Second) // over the last week
				if _, _, err := st.Open(ctx, tickets.Ticket{Channel: "web", Chat: fmt.Sprint("v", i), Category: tickets.Question, Priority: tickets.Normal}, text, at); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			s := &notify.Summarizer{DB: db, Location: time.UTC, ShopName: "하루상점", NoChart: true, Now: func() time.Time { return now }}
			var r *notify.Report
			for b.Loop() {
				var err error
				if r, err = s.Report(ctx, now, false); err != nil {
					b.Fatal(err)
				}
			}
			if len(r.Questions) != 3 || r.Questions[0].Count < 2 {
				b.Fatalf("questions %+v: want the three largest groups", r.Questions)
			}
		})
	}
}
