// Package telegram is shopbot's Telegram adapter: it turns Bot API updates
// from private chats into bot.Messages for the engine, and sends what the
// outbox hands it for the "telegram" channel, within Telegram's limits
// (Run receives, Outlets sends).
//
// Updates arrive by long polling (no public URL needed) or, optionally, by
// webhook. The poll offset advances only after Engine.Handle has journaled
// an update, so a crash re-reads it and the journal drops the repeat:
// at-least-once in, exactly-once out. go-telegram-bot-api is used only for
// its types and request encoding; the loop is our own (its GetUpdatesChan
// confirms updates before they are handled and logs the token on errors).
package telegram

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
)

// Channel is the adapter's name in messages and the outbox.
const Channel = "telegram"

// Config is what an Adapter needs. Token, Engine and Outbox are required.
type Config struct {
	Token    string  // the bot's token (TELEGRAM_BOT_TOKEN); never logged
	Endpoint string  // API endpoint, go-telegram-bot-api format "http://host/bot%s/%s"; "": api.telegram.org
	Owners   []int64 // owner chat ids: their messages are Owner=true; everyone else is a customer
	Lang     string  // the owner's language (notify.language), for the owners' command menu: ko, en, zh
	Engine   Engine  // *bot.Engine, or a wrapper of it
	Outbox   *bot.Outbox
	// WebhookURL switches from long polling to a webhook at this public
	// https URL; WebhookSecret is the secret_token Telegram must echo in
	// X-Telegram-Bot-Api-Secret-Token ("" with a webhook: a random one).
	WebhookURL    string
	WebhookSecret string
	Client        *http.Client // nil: http.DefaultTransport with per-request deadlines
	Log           *slog.Logger // nil: discard
}

// Engine handles an inbound message (*bot.Engine does).
type Engine interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// Adapter connects one Telegram bot to the engine. Its exported fields are
// knobs, set before Run; the defaults are Telegram's limits.
type Adapter struct {
	cfg    Config
	api    *tgbotapi.BotAPI // template: each call uses a copy bound to its context
	http   *http.Client
	owners map[int64]bool
	log    *slog.Logger

	// PollTimeout is the long-poll wait of one getUpdates call.
	PollTimeout time.Duration
	// RequestTimeout bounds every other API call.
	RequestTimeout time.Duration
	// ChatInterval is the least time between two messages to one chat
	// (Telegram: about one per second).
	ChatInterval time.Duration
	// SendInterval is the least time between any two messages (Telegram:
	// 30 per second in total).
	SendInterval time.Duration
	// PerSecond is the most messages Telegram may see in any one second
	// (30); 0: no limit.
	PerSecond int
	// Senders is how many outbox loops send concurrently (Outlets).
	Senders int
	// MaxWait is the longest a sender waits for a chat's interval; a
	// longer wait hands the message back to the outbox (a RetryAfter), so
	// the sender moves on to other chats.
	MaxWait time.Duration
	// Workers is how many chats of one getUpdates batch are handled
	// concurrently (each chat's updates stay in order).
	Workers int
	// Backoff is the first wait after a failed getUpdates or Handle; it
	// doubles up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
	// HandleAttempts is how often one update is tried before it is skipped
	// (logged as an error): a poison update must not stop every customer.
	HandleAttempts int
	// Drain is how long shutdown waits after the last in-flight send so its
	// outcome is recorded before the outbox runners stop.
	Drain time.Duration

	pace     pacer
	parts    sync.Map // outbox id → *progress: parts of a split message already sent
	keyboard sync.Map // chat id → true: a share-phone keyboard is showing
}

// New connects to the Bot API (getMe) and returns the adapter. Errors say
// what failed without the token.
func New(ctx context.Context, cfg Config) (*Adapter, error) {
	if cfg.Token == "" || cfg.Engine == nil || cfg.Outbox == nil {
		return nil, errors.New("telegram: new: Token, Engine and Outbox are required")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = tgbotapi.APIEndpoint
	}
	if strings.Count(cfg.Endpoint, "%s") != 2 {
		return nil, fmt.Errorf("telegram: new: endpoint %q: want the format http://host/bot%%s/%%s", cfg.Endpoint)
	}
	if cfg.WebhookURL != "" && cfg.WebhookSecret == "" {
		cfg.WebhookSecret = randomSecret()
	}
	a := &Adapter{
		cfg: cfg, http: cfg.Client, owners: map[int64]bool{}, log: cfg.Log,
		PollTimeout: 30 * time.Second, RequestTimeout: 15 * time.Second,
		ChatInterval: time.Second, SendInterval: time.Second / 30, PerSecond: 30, Senders: 4, MaxWait: 100 * time.Millisecond, Workers: 8,
		Backoff: time.Second, MaxBackoff: time.Minute, HandleAttempts: 5, Drain: 500 * time.Millisecond,
	}
	if a.http == nil {
		a.http = &http.Client{}
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	for _, o := range cfg.Owners {
		a.owners[o] = true
	}
	c := a.client(ctx, a.RequestTimeout)
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, c)
	if err != nil {
		return nil, fmt.Errorf("telegram: connect (getMe): %w", a.clean(err))
	}
	api.Debug = false // debug logging prints parameters and responses
	a.api = api
	return a, nil
}

// Unavailable reports whether err (from New) says Telegram could not be
// reached, or answered with a server error or a rate limit, rather than
// refusing the request (a wrong token): worth trying again later.
func Unavailable(err error) bool {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.Code >= 500 || te.Code == http.StatusTooManyRequests
	}
	var ne net.Error // dial, DNS and read failures, timeouts
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Self is the bot's own account.
func (a *Adapter) Self() tgbotapi.User { return a.api.Self }

// WebhookSecret is the secret Telegram must send with webhook requests.
func (a *Adapter) WebhookSecret() string { return a.cfg.WebhookSecret }

// Run receives until ctx is done: it scopes the owner commands to the
// owner chats and then either long-polls or (with a WebhookURL) registers
// the webhook and waits. It returns ctx's error, or the error that stopped
// it. Sending is Outlets'. Among instances sharing a database, serve runs
// Run and the outlets only on the one that holds the poll lock, so
// Telegram's per-chat and per-bot limits hold across instances (webhook
// updates are still taken by any instance).
func (a *Adapter) Run(ctx context.Context) error {
	if err := a.SetCommands(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram: owner commands not set", "err", err)
	}
	if a.cfg.WebhookURL != "" {
		return a.awaitWebhook(ctx) // updates arrive on any instance's webhook handler
	}
	return a.Poll(ctx)
}

// call returns a copy of the API client whose requests carry ctx and a
// deadline. go-telegram-bot-api's methods take no context; the copy is
// cheap (a few fields).
func (a *Adapter) call(ctx context.Context, timeout time.Duration) *tgbotapi.BotAPI {
	api := *a.api
	api.Client = a.client(ctx, timeout)
	return &api
}

func (a *Adapter) client(ctx context.Context, timeout time.Duration) tgbotapi.HTTPClient {
	return &ctxClient{ctx: ctx, c: a.http, timeout: timeout, token: a.cfg.Token}
}

// ctxClient binds requests to a context and a deadline, and keeps the
// token (which is part of every URL) out of errors.
type ctxClient struct {
	ctx     context.Context
	c       *http.Client
	timeout time.Duration
	token   string
}

func (c *ctxClient) Do(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.timeout)
	resp, err := c.c.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		var ue *url.Error
		if errors.As(err, &ue) {
			e := *ue
			e.URL = strings.ReplaceAll(e.URL, c.token, "<token>")
			return nil, &e
		}
		return nil, errors.New(strings.ReplaceAll(err.Error(), c.token, "<token>"))
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody ends the request's context once its body is read and closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// clean removes the token from an error's text, whatever produced it.
func (a *Adapter) clean(err error) error {
	if err == nil || a.cfg.Token == "" || !strings.Contains(err.Error(), a.cfg.Token) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(err.Error(), a.cfg.Token, "<token>"), err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

func randomSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) // [A-Za-z0-9_-], as Telegram requires
}

func chatID(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

// wait sleeps d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
