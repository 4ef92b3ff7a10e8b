package telegram_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/tickets"
)

// benchHarness is the end-to-end harness without Telegram's send limits
// (what is measured is the bot, not the pacing).
func benchHarness(b *testing.B, engine string, limits bool) *harness {
	db := dbtest.Open(b, engine, shop.Schema, tickets.Schema, bot.Schema)
	h := newHarness(b, db, nil, options{tune: func(a *telegram.Adapter) {
		if limits {
			a.ChatInterval, a.SendInterval, a.PerSecond = time.Second, time.Second/30, 30
		} else {
			a.SendInterval, a.PerSecond = 0, 0
		}
	}})
	return h
}

func percentile(d []time.Duration, p float64) float64 {
	slices.Sort(d)
	return float64(d[int(float64(len(d)-1)*p)]) / float64(time.Millisecond)
}

// BenchmarkBurst pushes b.N customer questions at once (one per customer)
// and measures messages per second and update → sendMessage latency.
func BenchmarkBurst(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h := benchHarness(b, engine, false)
			h.start()
			pushed := make(map[int64]time.Time, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				u := tgbotapi.User{ID: int64(10000 + i), FirstName: "C", LanguageCode: "ko"}
				pushed[u.ID] = time.Now()
				h.srv.Text(u, "배송 언제 와요?")
			}
			h.srv.Wait(b, "every answer", func() bool { return len(h.srv.Sent()) >= b.N })
			elapsed := time.Since(start)
			b.StopTimer()
			var lat []time.Duration
			for _, s := range h.srv.Sent() {
				lat = append(lat, s.At.Sub(pushed[s.ChatID]))
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(percentile(lat, 0.5), "p50_ms")
			b.ReportMetric(percentile(lat, 0.99), "p99_ms")
			h.stop()
		})
	}
}

// BenchmarkLatency sends one question at a time and waits for its answer:
// the latency of a lightly loaded bot.
func BenchmarkLatency(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h := benchHarness(b, engine, false)
			h.start()
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				u := tgbotapi.User{ID: int64(10000 + i), FirstName: "C", LanguageCode: "ko"}
				t0 := time.Now()
				h.srv.Text(u, "배송 언제 와요?")
				s := h.srv.WaitSent(b, u.ID, 1)[0]
				lat = append(lat, s.At.Sub(t0))
			}
			b.StopTimer()
			b.ReportMetric(percentile(lat, 0.5), "p50_ms")
			b.ReportMetric(percentile(lat, 0.99), "p99_ms")
			h.stop()
		})
	}
}

// BenchmarkSendLimits puts b.N replies in the outbox at once, for chats
// that get one to three messages each, with Telegram's limits on and the
// fake enforcing them: how close the sender comes to 30 msg/s, and how
// many 429s it provoked.
func BenchmarkSendLimits(b *testing.B) {
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			h := benchHarness(b, engine, true)
			h.srv.Limit(time.Second, 30)
			ctx := context.Background()
			for i := range b.N {
				chat := fmt.Sprint(20000 + i/3*3 + i%2) // pairs and singles
				if _, err := h.ob.Enqueue(ctx, bot.Reply{Channel: telegram.Channel, Chat: chat, Kind: bot.KindFAQ, Text: fmt.Sprint("answer ", i)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			h.start()
			h.srv.Wait(b, "every message", func() bool { return len(h.srv.Sent()) >= b.N })
			sent := h.srv.Sent()
			elapsed := sent[len(sent)-1].At.Sub(sent[0].At)
			b.StopTimer()
			b.ReportMetric(float64(len(sent)-1)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(h.srv.Violations()), "429s")
			h.stop()
		})
	}
}
