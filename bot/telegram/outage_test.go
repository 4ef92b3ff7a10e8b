package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
	"github.com/shopbot/shopbot/tickets"
)

// TestDatabaseOutageKeepsUpdates takes PostgreSQL away (through a proxy)
// for far longer than the poller's retry budget while customers write:
// their updates stay unconfirmed, and once the database is back each is
// answered exactly once. (Before, an update was skipped, and so lost,
// after HandleAttempts failures whatever their cause.)
func TestDatabaseOutageKeepsUpdates(t *testing.T) {
	t.Parallel()
	db, proxy := dbtest.OpenProxied(t, shop.Schema, tickets.Schema, bot.Schema)
	h := newHarness(t, db, nil, options{tune: func(a *telegram.Adapter) {
		a.HandleAttempts = 2
		a.RequestTimeout = time.Second
	}})
	h.start()
	h.say(minji, "배송 얼마나 걸려요?") // the connections are warm

	proxy.Cut()
	people := []tgbotapi.User{minji, junho, emily}
	for i, u := range people {
		h.srv.Text(u, fmt.Sprintf("배송 얼마나 걸려요? (%d)", i))
	}
	h.srv.Text(junho, "교환하고 싶어요") // a second update in one chat stays behind the first
	// Long enough for every retry the budget allows (2 attempts, 10 ms
	// backoff) many times over; not a timing assertion.
	time.Sleep(time.Second)
	if got := h.srv.Pending(); got != 4 {
		t.Fatalf("%d updates unconfirmed during the outage, want all 4", got)
	}
	for _, u := range people {
		if got := len(h.srv.SentTo(u.ID)); got != map[int64]int{minji.ID: 1}[u.ID] {
			t.Errorf("%s got %d messages during the outage", u.FirstName, got)
		}
	}

	proxy.Restore()
	for _, u := range people {
		want := 1
		if u.ID == minji.ID {
			want = 2
		}
		if u.ID == junho.ID {
			want = 2 // the FAQ answer and the exchange ticket's acknowledgement
		}
		h.srv.WaitSent(t, u.ID, want)
	}
	h.srv.Wait(t, "every update confirmed", func() bool { return h.srv.Pending() == 0 })
	h.settle()
	for _, u := range people {
		want := map[int64]int{minji.ID: 2, junho.ID: 2, emily.ID: 1}[u.ID]
		if got := len(h.srv.SentTo(u.ID)); got != want {
			t.Errorf("%s got %d messages, want %d (each update answered once)", u.FirstName, got, want)
		}
	}
}

// TestWebhookRegistrationRetries: a setWebhook that fails because
// Telegram is unreachable or overloaded is retried until it works (Run
// keeps going); one Telegram refuses as wrong ends Run with the error.
func TestWebhookRegistrationRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   telegramtest.Fault
		wantErr bool
	}{
		{"500 twice, then registered", telegramtest.Fault{Method: "setWebhook", Code: 500, Times: 2}, false},
		{"429, then registered", telegramtest.Fault{Method: "setWebhook", Code: 429, RetryAfter: 1}, false},
		{"400: a configuration error", telegramtest.Fault{Method: "setWebhook", Code: 400, Message: "Bad Request: bad webhook: HTTPS url must be provided for webhook"}, true},
	}
	// One engine for the cases: each registers its own adapter with its own
	// fake Bot API.
	base := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema), nil, options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := base.on(t, telegramtest.New(t), options{webhookURL: "https://shop.example/tg", secret: "s3cret"})
			h.srv.Inject(tc.fault)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- outlet.Serve(ctx, h.ob, h.a.Run, h.a.Outlets()...) }()
			if tc.wantErr {
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), "setWebhook") {
						t.Errorf("Run = %v, want the setWebhook error", err)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("Run kept going after Telegram refused the webhook")
				}
				return
			}
			h.srv.Wait(t, "the webhook registered", func() bool { return h.srv.Webhook().URL != "" })
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run = %v, want ctx's error", err)
			}
		})
	}
}
