package bot_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// benchQuestions are the benchmarks' customer messages: each is an FAQ
// answer in the example FAQ.
var benchQuestions = []string{"배송 언제 와요?", "how much is shipping", "반품하려면 어떻게 해요", "현금영수증 발급되나요", "what payment methods do you take"}

// benchClock is the engine's clock in the benchmarks: it moves one second
// per message, so a conversation (one of hundreds, taking turns) sees a
// customer's pace and the flood limits never mute it. A clock that stood
// still muted every chat after its 20th message: the engine then skipped
// matching and replying, and the benchmark measured silence.
type benchClock struct {
	start time.Time
	n     atomic.Int64
}

func (c *benchClock) Now() time.Time { return c.start.Add(time.Duration(c.n.Load()) * time.Second) }
func (c *benchClock) tick()          { c.n.Add(1) }

// benchEngine is an engine on a demo shop with the benchmarks' clock.
func benchEngine(tb testing.TB, db *sqlx.DB, opts ...bottest.Option) (*harness, *benchClock) {
	c := &benchClock{start: testNow}
	h := newHarness(tb, db, append(opts, func(cfg *bot.Config) { cfg.Now = c.Now })...)
	return h, c
}

// pooledEngine is an engine for many conversations at once: a database of
// engine with a pool of 16 connections, all kept, as serve's, and the
// flood limits off. With the clock a second per message over all
// conversations, a message that waited long for its turn at the database
// (SQLite's write lock is not fair: one was handled after 25 later
// messages of its chat, some 25,000 messages of the benchmark) counted
// those as within its minute and was muted — the benchmark's clock, not a
// customer's pace. TestBenchmarkMessagesAnswered
// runs the same traffic one message at a time with the limits on.
func pooledEngine(b *testing.B, engine string) (*harness, *benchClock) {
	db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return benchEngine(b, db, func(cfg *bot.Config) { cfg.Limits = bot.Limits{PerMinute: math.MaxInt32, PerHour: math.MaxInt32} })
}

// benchMessage is message i of a benchmark spread over chats
// conversations.
func benchMessage(i int64, chats int64) bot.Message {
	return bot.Message{Channel: "bench", ID: fmt.Sprint(i), Chat: fmt.Sprint(i % chats), User: "u", Text: benchQuestions[i%int64(len(benchQuestions))]}
}

// answered reports whether replies answer the customer from the FAQ.
func answered(replies []bot.Reply) error {
	if len(replies) != 1 || replies[0].Kind != bot.KindFAQ || replies[0].Text == "" {
		return fmt.Errorf("replies %+v, want one FAQ answer", replies)
	}
	return nil
}

// TestBenchmarkMessagesAnswered runs the benchmarks' traffic — several
// rounds over each of their conversations, past the flood limits' counts
// — and checks that every message got its FAQ answer, so the benchmarks
// time answered messages.
func TestBenchmarkMessagesAnswered(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		h, c := benchEngine(t, db)
		const chats = 4                                       // the clock moves a second a message: each chat sends 15 a minute
		n := int64((bot.DefaultLimits.PerMinute + 5) * chats) // each chat past its per-minute count
		for i := range n {
			c.tick()
			replies, err := h.Engine.Handle(context.Background(), benchMessage(i, chats))
			if err != nil {
				t.Fatal(err)
			}
			if err := answered(replies); err != nil {
				t.Fatalf("message %d (chat %d): %v", i, i%chats, err)
			}
		}
	}, shop.Schema, tickets.Schema, bot.Schema)
}

// BenchmarkHandle measures one customer FAQ message through the whole
// engine: journal, conversation, match, reply stored in the outbox, commit.
// Every message is answered (the benchmark fails otherwise).
func BenchmarkHandle(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema)
			h, c := benchEngine(b, db)
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := int64(0); b.Loop(); i++ {
				c.tick()
				m := benchMessage(i, 500)
				start := time.Now()
				replies, err := h.Engine.Handle(ctx, m)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if err := answered(replies); err != nil {
					b.Fatalf("message %d: %v", i, err)
				}
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}

// reportLatency reports the median and 99th percentile of lat, each
// message's time in Handle.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50_us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99_us")
}

// BenchmarkHandleParallel is the engine's throughput with many
// conversations at once (8 goroutines per core): messages per second with
// the journal, conversation, match and outbox writes of each. Every
// message is answered (the benchmark fails otherwise).
func BenchmarkHandleParallel(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h, c := pooledEngine(b, engine)
			ctx := context.Background()
			var seq atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(8)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				defer func() {
					mu.Lock()
					lat = append(lat, mine...)
					mu.Unlock()
				}()
				for pb.Next() {
					i := seq.Add(1)
					c.tick()
					t0 := time.Now()
					replies, err := h.Engine.Handle(ctx, benchMessage(i, 997))
					mine = append(mine, time.Since(t0))
					if err == nil {
						err = answered(replies)
					}
					if err != nil {
						b.Errorf("message %d: %v", i, err)
						return
					}
				}
			})
			b.ReportMetric(float64(seq.Load())/time.Since(start).Seconds(), "msgs/s")
			reportLatency(b, lat)
		})
	}
}

var benchRate = flag.Int("rate", 500, "BenchmarkHandleAtRate: messages offered per second")

// BenchmarkHandleAtRate offers messages at a fixed rate (-rate, per
// second) whether or not the earlier ones are done — customers do not
// wait for each other — to at most 64 handlers at once, and reports each
// message's time from when it was due to its replies, queueing included
// (a closed loop of N senders would hide the queue: its latency is always
// N over the throughput). Every message is answered (the benchmark fails
// otherwise). Run: go test -run '^$' -bench AtRate -benchtime 20000x ./bot/ -args -rate 1000
func BenchmarkHandleAtRate(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h, c := pooledEngine(b, engine)
			ctx := context.Background()
			lat := make([]time.Duration, b.N)
			busy := make(chan struct{}, 64)
			var wg sync.WaitGroup
			every := time.Second / time.Duration(max(*benchRate, 1))
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				due := start.Add(time.Duration(i) * every)
				time.Sleep(time.Until(due))
				busy <- struct{}{}
				wg.Go(func() {
					defer func() { <-busy }()
					c.tick()
					replies, err := h.Engine.Handle(ctx, benchMessage(int64(i), 997))
					lat[i] = time.Since(due)
					if err == nil {
						err = answered(replies)
					}
					if err != nil {
						b.Errorf("message %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			reportLatency(b, lat)
		})
	}
}
