package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shopbot/shopbot/bot/leader"
	"github.com/shopbot/shopbot/bot/schema"
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
	// loadConfig checked the URL; a config put together in code (tests)
	// was not loaded, so the path comes through the same check.
	path, err := cfg.webhookPath()
	if err != nil {
		return channel{}, false, fmt.Errorf("config: %w", err)
	}
	cfgT := telegram.Config{
		Token:         token,
		Endpoint:      cfg.APIEndpoint,
		Owners:        cfg.Owners,
		Lang:          svc.st.cfg.Notify.Language,
		Engine:        svc.ops.engine(svc.eng),
		Outbox:        svc.ob,
		WebhookURL:    cfg.WebhookURL,
		WebhookSecret: svc.env.getenv("TELEGRAM_WEBHOOK_SECRET"),
		Log:           svc.log,
	}
	var lead func(ctx context.Context, run func(context.Context) error) error
	if schema.Dialect(svc.st.db) == "postgres" {
		// Several instances may share this database; Telegram allows one
		// poller per token (409 for the others) and its rate limits are per
		// bot, so one instance polls (or keeps the webhook) and sends. The
		// lock is named after
		// the bot and the schema, so other shops on the same server, or
		// other bots, are not held back.
		var where string
		if err := svc.st.db.GetContext(ctx, &where, `SELECT current_database() || '.' || current_schema()`); err != nil {
			return channel{}, false, fmt.Errorf("telegram: leader election: %w", err)
		}
		lead = svc.pollLeader(pollLockName(token, where))
	}
	// Owners' phones buzz for urgent tickets only.
	var owners []notify.Destination
	for _, o := range cfg.Owners {
		owners = append(owners, notify.Destination{Channel: telegram.Channel, Chat: strconv.FormatInt(o, 10)})
	}
	started := func(a *telegram.Adapter) {
		svc.log.Info("telegram bot", "username", a.Self().UserName, "owners", len(cfg.Owners), "webhook", cfg.WebhookURL != "")
	}
	a, err := telegram.New(ctx, cfgT)
	switch {
	case err == nil:
		if path != "" {
			svc.mux.Handle("POST "+path, a.Webhook())
		}
		started(a)
		return channel{name: telegram.Channel, owners: owners, direct: direct(a), connect: ready(a), lead: lead}, true, nil
	case !telegram.Unavailable(err):
		return channel{}, false, err // a wrong token: nothing to wait for
	}
	// Telegram cannot be reached yet (a network still coming up, an
	// outage): everything else starts, and the channel keeps trying, as
	// serve waits for its database. Its webhook answers 503 meanwhile, so
	// Telegram delivers the updates again later.
	retry := svc.env.timing.start()
	svc.log.Warn("telegram: not reachable yet; the other channels start, Telegram follows when it answers", "retry", retry, "err", err)
	var late atomic.Pointer[telegram.Adapter]
	if path != "" {
		svc.mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			if a := late.Load(); a != nil {
				a.Webhook().ServeHTTP(w, r)
				return
			}
			http.Error(w, "telegram channel starting", http.StatusServiceUnavailable)
		})
	}
	connect := func(ctx context.Context) (adapter, error) {
		for attempt := 1; ; attempt++ {
			d := min(retry<<min(attempt-1, 10), time.Minute)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(d):
			}
			a, err := telegram.New(ctx, cfgT)
			if err == nil {
				svc.log.Info("telegram: reached; starting", "attempts", attempt+1)
				started(a)
				late.Store(a)
				return a, nil
			}
			if !telegram.Unavailable(err) {
				return nil, err
			}
		}
	}
	// The adapter's outlet is Direct (telegram.Adapter.Outlets).
	return channel{name: telegram.Channel, owners: owners, direct: true, connect: connect, lead: lead}, true, nil
}

// pollLockName names the leader lock of one bot's poller in one shopbot
// database (where: "database.schema"). A token is "<bot id>:<secret>":
// only the bot's id, which is public, goes into the name.
func pollLockName(token, where string) string {
	id, _, _ := strings.Cut(token, ":")
	return "telegram-poll/" + id + "@" + where
}

// pollLeader runs the Telegram poller and senders only while this instance
// holds the lock name (a session advisory lock on a connection of its
// own), so one process talks to Telegram and keeps its rate limits.
// Another instance takes over within timing.leaderRetry of the holder's
// connection closing: a crash, a kill or a shutdown.
func (svc *service) pollLeader(name string) func(ctx context.Context, poll func(context.Context) error) error {
	return func(ctx context.Context, poll func(context.Context) error) error {
		retry := svc.env.timing.leader()
		svc.log.Info("telegram: polling and sending only while this instance leads; the others stand by", "lock", name, "retry", retry)
		return leader.Run(ctx, svc.st.db, name, retry, svc.log, func(ctx context.Context) error {
			svc.log.Info("telegram: this instance leads: it polls getUpdates and sends", "listen", addrString(svc.listen), "pid", os.Getpid())
			err := poll(ctx)
			svc.log.Info("telegram: this instance stopped polling", "listen", addrString(svc.listen), "pid", os.Getpid())
			return err
		})
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// telegramConfig is the telegram: block. The token comes from
// TELEGRAM_BOT_TOKEN and the webhook's secret from TELEGRAM_WEBHOOK_SECRET.
type telegramConfig struct {
	Owners      []int64 `yaml:"owners"`
	APIEndpoint string  `yaml:"api_endpoint"`
	WebhookURL  string  `yaml:"webhook_url"` // optional: webhook instead of long polling
}

// validate checks the telegram: keys when the config is loaded, so that
// shopbot check and serve's start name a bad one whether or not
// TELEGRAM_BOT_TOKEN is set.
func (c *telegramConfig) validate() error {
	_, err := c.webhookPath()
	return err
}

// webhookPath is the path telegram.webhook_url is served on ("": long
// polling), or what is wrong with the URL: a public https URL with a
// path, which Telegram posts the updates to. It holds the key's rules,
// once, for validate and for the channel.
func (c *telegramConfig) webhookPath() (string, error) {
	raw := c.WebhookURL
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("telegram.webhook_url: %q: want a public https URL, e.g. https://shop.example/telegram/webhook", raw)
	}
	if u.Path == "" || u.Path == "/" {
		return "", fmt.Errorf("telegram.webhook_url: %q: needs a path, e.g. /telegram/webhook", raw)
	}
	return u.Path, nil
}
