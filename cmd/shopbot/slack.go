package main

import (
	"errors"

	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/notify"
)

// slackChannel is the owners' Slack channel, when SLACK_BOT_TOKEN is set
// (ok is false otherwise): Socket Mode with SLACK_APP_TOKEN, else HTTP mode
// with SLACK_SIGNING_SECRET on the listen address (/slack/events,
// /slack/commands, /slack/interactions). Every ticket event goes there.
func (svc *service) slackChannel() (c channel, ok bool, err error) {
	getenv := svc.env.getenv
	token := getenv("SLACK_BOT_TOKEN")
	if token == "" {
		return channel{}, false, nil
	}
	cfg := svc.st.cfg
	switch {
	case cfg.Slack.Channel == "":
		return channel{}, false, errors.New("config: slack.channel: required when SLACK_BOT_TOKEN is set (the owners' channel id, e.g. C0123456)")
	case len(cfg.Slack.Owners) == 0:
		return channel{}, false, errors.New("config: slack.owners: required when SLACK_BOT_TOKEN is set (user ids, e.g. [U0123456])")
	}
	appToken, secret := getenv("SLACK_APP_TOKEN"), getenv("SLACK_SIGNING_SECRET")
	if appToken == "" && secret == "" {
		return channel{}, false, errors.New("slack: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is")
	}
	a, err := slack.New(slack.Config{
		BotToken:      token,
		AppToken:      appToken,
		SigningSecret: secret,
		APIURL:        cfg.Slack.APIURL,
		Channel:       cfg.Slack.Channel,
		Owners:        cfg.Slack.Owners,
		Engine:        svc.ops.engine(svc.eng),
		Outbox:        svc.ob,
		Lang:          cfg.Notify.Language,
		Location:      cfg.location,
		Now:           svc.st.now,
		Log:           svc.log,
	})
	if err != nil {
		return channel{}, false, err
	}
	if !a.SocketMode() {
		svc.mux.Handle("/slack/", a.Handler())
	}
	return channel{
		name:    slack.Channel,
		owners:  []notify.Destination{{Channel: slack.Channel, Chat: cfg.Slack.Channel, Every: true}},
		direct:  direct(a),
		connect: ready(a),
	}, true, nil
}
