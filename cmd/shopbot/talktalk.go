package main

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/shopbot/shopbot/bot/talktalk"
)

// talktalkConfig is the talktalk: block. The webhook's secret comes from
// TALKTALK_WEBHOOK_SECRET and the send API's token from TALKTALK_TOKEN.
type talktalkConfig struct {
	APIURL string `yaml:"api_url"` // the send API's base URL (tests)
	// Handover: "shopbot" (default: the owner answers through shopbot) or
	// "partner" (the owner answers in TalkTalk's Partner Center).
	Handover string `yaml:"handover"`
}

func (c *talktalkConfig) validate() error {
	if c == nil {
		return nil
	}
	switch c.Handover {
	case "", talktalk.HandoverShopbot, talktalk.HandoverPartner:
		return nil
	}
	return fmt.Errorf("talktalk.handover: %q: want shopbot (answer through shopbot) or partner (answer in the Partner Center)", c.Handover)
}

// talktalkChannel is the TalkTalk chatbot, when the config has a talktalk:
// block (ok is false otherwise): POST /hooks/talktalk/$TALKTALK_WEBHOOK_SECRET
// on the listen address, the send API with TALKTALK_TOKEN.
func (svc *service) talktalkChannel() (c channel, ok bool, err error) {
	cfg := svc.st.cfg.TalkTalk
	if cfg == nil {
		return channel{}, false, nil
	}
	secret, token := svc.env.getenv("TALKTALK_WEBHOOK_SECRET"), svc.env.getenv("TALKTALK_TOKEN")
	switch {
	case secret == "":
		return channel{}, false, errors.New("talktalk: TALKTALK_WEBHOOK_SECRET is not set: the talktalk: block needs it (the last part of the webhook URL /hooks/talktalk/<secret>; e.g. openssl rand -hex 16)")
	case token == "":
		return channel{}, false, errors.New("talktalk: TALKTALK_TOKEN is not set: the talktalk: block needs it (Partner Center → 개발자도구 → 챗봇 API 설정 → 보내기 API 인증키)")
	}
	a, err := talktalk.New(talktalk.Config{
		DB: svc.st.db, Engine: svc.ops.engine(svc.eng), Outbox: svc.ob, SLA: svc.st.cfg.sla,
		Secret: secret, Token: token, APIURL: cfg.APIURL, Handover: cfg.Handover,
		Log:     svc.log,
		OnTaken: svc.ops.taken(talktalk.Channel),
	})
	if err != nil {
		return channel{}, false, err
	}
	svc.mux.Handle("POST /hooks/talktalk/{secret}", a.Webhook())
	svc.log.Info("talktalk webhook", "path", "/hooks/talktalk/<TALKTALK_WEBHOOK_SECRET>", "handover", cmp.Or(cfg.Handover, talktalk.HandoverShopbot))
	return channel{name: talktalk.Channel, connect: ready(a)}, true, nil
}
