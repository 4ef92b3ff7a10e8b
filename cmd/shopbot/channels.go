package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/console"
	"github.com/shopbot/shopbot/bot/hooks"
	"github.com/shopbot/shopbot/notify"
)

// notifyChannel is the outbox channel of ticket events on their way to the
// notify router, which fans them out to the owners' channels.
const notifyChannel = hooks.NotifyChannel

// engineOwners is where the engine sends ticket events: always the router.
var engineOwners = []bot.Address{{Channel: notifyChannel}}

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

// channel is one configured adapter run by `serve`.
type channel struct {
	name   string
	owners []notify.Destination // where this channel shows owner alerts
	run    func(ctx context.Context) error
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

// routeEvents is the notify channel's sender for a terminal: each ticket
// event fanned out to dests, without serve's alert policy.
func routeEvents(ob *bot.Outbox, dests []notify.Destination) bot.SendFunc {
	return routeSend(&notify.Router{Destinations: dests, Sender: forwardSender{ob}})
}

// terminalOwners are the destinations of a terminal: the alert stream and
// the console owner's inbox, both for urgent tickets only.
var terminalOwners = []notify.Destination{{Channel: stdoutChannel}, {Channel: console.Channel, Chat: console.OwnerChat}}
