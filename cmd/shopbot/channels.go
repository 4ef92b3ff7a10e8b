package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/console"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/notify"
)

// notifyChannel is the outbox channel of owner events raised by a command
// that routes nothing itself (`shopbot summary --send`, `shopbot import`)
// or queued by an older version: serve routes them (routeSend). Events
// raised in serve or chat go through the router at once (ownerEvents), one
// outbox row per destination, and never pass here.
const notifyChannel = "notify"

// service is what every channel of `serve` shares.
type service struct {
	st  *stores
	eng *bot.Engine
	ob  *bot.Outbox
	log *slog.Logger
	mux *http.ServeMux // the listen address's handlers: channels add theirs
	env env
	// ops counts for /metrics and /healthz: wrap a sender with
	// svc.ops.send(channel, send) and the engine with svc.ops.engine(svc.eng).
	ops    *ops
	listen net.Addr // the bound listen address (set before channels run)
	demo   bool     // serve --demo
}

// adapter is the one shape of every channel's adapter (bot/telegram,
// bot/slack, bot/web, bot/kakao, bot/talktalk): how it receives (Run,
// until ctx ends) and how it sends (its outlets: Send one reply a call,
// SendTx a round in one transaction, or Send with Due for replies no
// webhook response carried). runChannel runs both the same way for every
// adapter.
type adapter interface {
	Run(ctx context.Context) error
	Outlets() []outlet.Outlet
}

// channel is one configured adapter run by `serve`.
type channel struct {
	name   string
	owners []notify.Destination // where this channel shows owner alerts
	// direct: the adapter reaches owners without the database (its outlet
	// is Direct), so the database watchdog's alert goes to owners too.
	direct bool
	// connect returns the adapter once it can run: at once, or (Telegram
	// not reachable at start-up) once the platform answers.
	connect func(ctx context.Context) (adapter, error)
	// lead, if set, runs the adapter only while this instance leads
	// (Telegram: one poller and sender among instances sharing a database).
	lead func(ctx context.Context, run func(context.Context) error) error
}

// direct reports whether a sends owner alerts without the database.
func direct(a adapter) bool {
	for _, o := range a.Outlets() {
		if o.Direct {
			return true
		}
	}
	return false
}

// ready is connect for an adapter that runs at once.
func ready(a adapter) func(context.Context) (adapter, error) {
	return func(context.Context) (adapter, error) { return a, nil }
}

// run connects c's adapter and runs it until ctx ends: its Run and its
// outlets' sender loops (outlet.Serve), each sender counted for /metrics
// and registered for the database watchdog's direct alerts.
func (svc *service) runChannel(ctx context.Context, c channel) error {
	a, err := c.connect(ctx)
	if err != nil {
		return err
	}
	outs := a.Outlets()
	for i, o := range outs {
		if o.Send != nil {
			o.Send = svc.ops.send(o.Channel, o.Send)
		}
		if o.SendTx != nil {
			o.SendTx = svc.ops.sendTx(o.Channel, o.SendTx)
		}
		if o.Log == nil {
			o.Log = svc.log
		}
		outs[i] = o
	}
	run := func(ctx context.Context) error { return outlet.Serve(ctx, svc.ob, a.Run, outs...) }
	if c.lead != nil {
		return c.lead(ctx, run)
	}
	return run(ctx)
}

// alertStream is the adapter of the alert stream on standard output (or a
// terminal's stderr): nothing to receive, one sender.
type alertStream struct{ send bot.SendFunc }

func (alertStream) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func (s alertStream) Outlets() []outlet.Outlet {
	return []outlet.Outlet{{Channel: stdoutChannel, Send: s.send, Direct: true}}
}

// channels builds every channel whose configuration and token are present.
// Each registers its HTTP handlers on svc.mux before the server starts.
func (svc *service) channels(ctx context.Context) ([]channel, error) {
	var list []channel
	// Adapters are added here, one block each.
	// Web chat (widget, visitor API, owner inbox; demo shop with --demo):
	// always on, on the listen address.
	{
		c, err := svc.webChannel(ctx, svc.demo)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	// Telegram (customers and the owners' phones): when TELEGRAM_BOT_TOKEN is set.
	{
		c, ok, err := svc.telegramChannel(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			list = append(list, c)
		}
	}
	// KakaoTalk (customers, through an Open Builder skill): when the config
	// has a kakao: block.
	{
		c, ok, err := svc.kakaoChannel()
		if err != nil {
			return nil, err
		}
		if ok {
			list = append(list, c)
		}
	}
	// Naver TalkTalk (customers, through the chatbot API): when the config
	// has a talktalk: block.
	{
		c, ok, err := svc.talktalkChannel()
		if err != nil {
			return nil, err
		}
		if ok {
			list = append(list, c)
		}
	}
	// Slack (the owners' channel): when SLACK_BOT_TOKEN is set.
	{
		c, ok, err := svc.slackChannel()
		if err != nil {
			return nil, err
		}
		if ok {
			list = append(list, c)
		}
	}
	return list, nil
}

// terminalOwners are the destinations of a terminal's engine (`chat`),
// without serve's alert policy: the alert stream and the console owner's
// inbox, both for urgent tickets only.
var terminalOwners = []notify.Destination{{Channel: stdoutChannel}, {Channel: console.Channel, Chat: console.OwnerChat}}
