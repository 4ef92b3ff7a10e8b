// Package slack is the Slack adapter: the owners' private channel, where
// every ticket becomes a Block Kit message with a thread, owners answer
// customers by replying in that thread, and run the owner commands as slash
// commands. It is the only package that imports slack-go.
//
// Inbound traffic arrives over Socket Mode (an app-level token, no public
// URL) or over HTTP (/slack/events, /slack/commands, /slack/interactions,
// each request's signature checked). Outbound messages come from the
// outbox: Send is the outbox's SendFunc for the "slack" channel.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/shopbot/shopbot/bot"
)

// Channel is Slack's channel name in messages and the outbox.
const Channel = "slack"

// ackBudget is how long an inbound request may take before it is
// acknowledged: Slack wants an answer within 3 seconds and retries (events)
// or shows an error (commands, buttons) after that.
const ackBudget = 2500 * time.Millisecond

// Config is what an Adapter needs. BotToken, Channel, Engine and Outbox
// are required, and one of AppToken (Socket Mode) or SigningSecret (HTTP).
type Config struct {
	BotToken      string // xoxb-…: the Web API
	AppToken      string // xapp-…: Socket Mode; empty: HTTP mode
	SigningSecret string // checks HTTP requests; required without AppToken
	APIURL        string // the Web API base URL (tests); empty: Slack's

	Channel string   // the owners' channel id (C…/G…): alerts go here, thread replies come from here
	Owners  []string // user ids allowed to answer customers, run commands and press buttons

	Engine Engine
	Outbox *bot.Outbox

	Lang     string         // labels of the alert messages: "ko" or "en" (default)
	Location *time.Location // the shop's time zone for due times; nil: UTC
	Now      func() time.Time
	Log      *slog.Logger
	// HTTPClient calls the Web API; nil: a client with a 30 s timeout.
	HTTPClient *http.Client
}

// Engine handles an inbound message (*bot.Engine does).
type Engine interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Adapter connects the Slack app to the engine and the outbox.
type Adapter struct {
	cfg    Config
	api    *slackapi.Client
	owners map[string]bool
	now    func() time.Time
	log    *slog.Logger
	botID  atomic.Pointer[string] // the bot's own user id, learned from auth.test while events may already arrive (HTTP mode)
}

// New checks cfg and returns the adapter. It makes no calls to Slack.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: no bot token (SLACK_BOT_TOKEN)")
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, errors.New("slack: neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set")
	case cfg.Channel == "":
		return nil, errors.New("slack: no channel (slack.channel)")
	case len(cfg.Owners) == 0:
		return nil, errors.New("slack: no owners (slack.owners)")
	case cfg.Engine == nil || cfg.Outbox == nil:
		return nil, errors.New("slack: Engine and Outbox are required")
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	a := &Adapter{cfg: cfg, owners: map[string]bool{}, now: cfg.Now, log: cfg.Log}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	for _, o := range cfg.Owners {
		a.owners[o] = true
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if u[len(u)-1] != '/' {
			u += "/" // slack-go joins the method name without a separator
		}
		opts = append(opts, slackapi.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a.api = slackapi.New(cfg.BotToken, opts...)
	return a, nil
}

// SocketMode reports whether Run connects over Socket Mode (otherwise the
// HTTP handler must be mounted).
func (a *Adapter) SocketMode() bool { return a.cfg.AppToken != "" }

// Run checks the bot token (auth.test) and, in Socket Mode, receives
// Slack's events until ctx is done; in HTTP mode Handler receives them and
// Run only waits. A token Slack rejects is an error at once. Sending is
// Outlets'.
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.authenticate(ctx); err != nil {
		return err
	}
	if !a.SocketMode() {
		<-ctx.Done()
		return ctx.Err()
	}
	return a.runSocket(ctx)
}

// authenticate asks Slack who the bot is. A token Slack rejects stops the
// adapter; a network failure only delays knowing the bot's own id (its
// messages are recognised by their bot_id anyway).
func (a *Adapter) authenticate(ctx context.Context) error {
	resp, err := a.api.AuthTestContext(ctx)
	if err != nil {
		if errors.Is(sendError(err), bot.ErrPermanent) {
			return fmt.Errorf("slack: auth.test: %w", err)
		}
		a.log.Warn("slack: auth.test failed, continuing", "err", err)
		return nil
	}
	a.botID.Store(&resp.UserID)
	a.log.Info("slack: connected", "team", resp.Team, "bot", resp.UserID, "socket_mode", a.SocketMode())
	return nil
}

// isSelf reports whether user is the bot itself (false until auth.test has
// answered).
func (a *Adapter) isSelf(user string) bool {
	id := a.botID.Load()
	return id != nil && *id == user
}

// runSocket receives events over Socket Mode until ctx is done. The
// client reconnects by itself after network failures; when it gives up (a
// token revoked while running) the adapter logs it and starts again after
// a wait, so the other channels of the process keep running.
func (a *Adapter) runSocket(ctx context.Context) error {
	wait := socketRetry
	for {
		err := a.socketOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a.log.Error("slack: socket mode stopped; reconnecting", "in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 10*time.Minute)
	}
}

// socketRetry is the first wait before Socket Mode starts again after the
// client gave up; it doubles up to ten minutes.
var socketRetry = 30 * time.Second

// socketOnce runs one Socket Mode client until it stops or ctx is done.
func (a *Adapter) socketOnce(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errc:
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-client.Events:
			a.HandleSocketEvent(ctx, evt, client)
		}
	}
}

// isOwner reports whether user may act for the shop.
func (a *Adapter) isOwner(user string) bool { return user != "" && a.owners[user] }
