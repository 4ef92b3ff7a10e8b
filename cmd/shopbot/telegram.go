package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/notify"
)

// telegramChannel is the Telegram bot, when TELEGRAM_BOT_TOKEN is set (ok
// is false otherwise): customers in private chats, owners (telegram.owners)
// with urgent alerts and commands. Long polling by default; with
// telegram.webhook_url, a webhook served on the listen address at that
// URL's path, checked with TELEGRAM_WEBHOOK_SECRET (a random secret when
// unset).
func (svc *service) telegramChannel(ctx context.Context) (c channel, ok bool, err error) {
	token := svc.env.getenv("TELEGRAM_BOT_TOKEN")
	if token == "" {
		return channel{}, false, nil
	}
	cfg := svc.st.cfg.Telegram
	path, err := webhookPath(cfg.WebhookURL)
	if err != nil {
		return channel{}, false, err
	}
	a, err := telegram.New(ctx, telegram.Config{
		Token:         token,
		Endpoint:      cfg.APIEndpoint,
		Owners:        cfg.Owners,
		Engine:        svc.ops.engine(svc.eng),
		Outbox:        svc.ob,
		WebhookURL:    cfg.WebhookURL,
		WebhookSecret: svc.env.getenv("TELEGRAM_WEBHOOK_SECRET"),
		Log:           svc.log,
		WrapSend:      func(s bot.SendFunc) bot.SendFunc { return svc.ops.send(telegram.Channel, s) },
	})
	if err != nil {
		return channel{}, false, err
	}
	if path != "" {
		svc.mux.Handle("POST "+path, a.Webhook())
	}
	svc.log.Info("telegram bot", "username", a.Self().UserName, "owners", len(cfg.Owners), "webhook", cfg.WebhookURL != "")
	// Owners' phones buzz for urgent tickets only.
	var owners []notify.Destination
	for _, o := range cfg.Owners {
		owners = append(owners, notify.Destination{Channel: telegram.Channel, Chat: strconv.FormatInt(o, 10)})
	}
	return channel{name: telegram.Channel, owners: owners, run: a.Run}, true, nil
}

// webhookPath checks telegram.webhook_url and returns the path to serve it
// on ("" without a webhook).
func webhookPath(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("config: telegram.webhook_url: %q: want a public https URL, e.g. https://shop.example/telegram/webhook", raw)
	}
	if u.Path == "" || u.Path == "/" {
		return "", fmt.Errorf("config: telegram.webhook_url: %q: needs a path, e.g. /telegram/webhook", raw)
	}
	return u.Path, nil
}
