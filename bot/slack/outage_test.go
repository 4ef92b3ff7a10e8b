package slack_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// TestSocketModeKeepsTrying: when the Socket Mode client gives up (here:
// Slack refuses the app token while the bot token still works), Run logs
// it and starts again after a wait instead of returning, so the process's
// other channels keep running; it returns only when ctx ends.
func TestSocketModeKeepsTrying(t *testing.T) {
	defer slack.SetSocketRetry(20 * time.Millisecond)()
	db := dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema)
	ob := bot.NewOutbox(db, nil, nil)
	eng, err := bot.New(context.Background(), bot.Config{DB: db, FAQ: faq.ExampleFile(), Outbox: ob, Owners: []bot.Address{{Channel: "notify"}}})
	if err != nil {
		t.Fatal(err)
	}
	api := slacktest.NewServer(t, token)
	ad, err := slack.New(slack.Config{BotToken: token, AppToken: "xapp-revoked", APIURL: api.URL, Channel: channel,
		Owners: []string{owner}, Engine: eng, Outbox: ob})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx) }()
	for deadline := time.Now().Add(10 * time.Second); len(api.Calls("apps.connections.open")) < 3; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("Run returned %v while ctx was live", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Socket Mode connection attempts, want repeated ones", len(api.Calls("apps.connections.open")))
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want ctx's error", err)
	}
}
