package main

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/kakao"
)

// kakaoConfig is the kakao: block. The skill URL's secret comes from
// KAKAO_SKILL_SECRET and the Event API's REST API key from
// KAKAO_REST_API_KEY.
type kakaoConfig struct {
	BotID    string `yaml:"bot_id"`    // the Open Builder bot id (Event API)
	Callback bool   `yaml:"callback"`  // the bot is approved for skill callbacks
	EventAPI bool   `yaml:"event_api"` // push the owner's answers (paid per message)
	APIURL   string `yaml:"api_url"`   // the Event API's base URL (tests)
	// Event is the name of the event block that shows pushed answers;
	// empty: shopbot_owner_reply.
	Event string `yaml:"event"`
}

func (k *kakaoConfig) validate() error {
	if k == nil {
		return nil
	}
	if k.EventAPI && k.BotID == "" {
		return errors.New("kakao.bot_id: required with kakao.event_api: true (the bot id in the Open Builder's address, e.g. 5f0c…)")
	}
	return nil
}

// kakaoChannel is the KakaoTalk skill, when the config has a kakao: block
// (ok is false otherwise): POST /hooks/kakao/$KAKAO_SKILL_SECRET on the
// listen address.
func (svc *service) kakaoChannel() (c channel, ok bool, err error) {
	cfg := svc.st.cfg.Kakao
	if cfg == nil {
		return channel{}, false, nil
	}
	secret := svc.env.getenv("KAKAO_SKILL_SECRET")
	if secret == "" {
		return channel{}, false, errors.New("kakao: KAKAO_SKILL_SECRET is not set: the kakao: block needs it (the last part of the skill URL /hooks/kakao/<secret>; e.g. openssl rand -hex 16)")
	}
	key := svc.env.getenv("KAKAO_REST_API_KEY")
	if cfg.EventAPI && key == "" {
		return channel{}, false, errors.New("kakao: KAKAO_REST_API_KEY is not set: kakao.event_api needs it (Kakao Developers → the app → App Keys → REST API key)")
	}
	a, err := kakao.New(kakao.Config{
		DB: svc.st.db, Engine: svc.ops.engine(svc.eng), Outbox: svc.ob, Secret: secret,
		Callback: cfg.Callback, EventAPI: cfg.EventAPI, BotID: cfg.BotID, APIKey: key, APIURL: cfg.APIURL, EventName: cfg.Event,
		Log:      svc.log,
		OnAnswer: svc.ops.skillAnswered(kakao.Channel),
		OnTaken:  svc.ops.taken(kakao.Channel),
	})
	if err != nil {
		return channel{}, false, err
	}
	svc.mux.Handle("POST /hooks/kakao/{secret}", a.Skill())
	svc.log.Info("kakao skill", "path", "/hooks/kakao/<KAKAO_SKILL_SECRET>", "callback", cfg.Callback, "event_api", cfg.EventAPI)
	return channel{name: kakao.Channel, connect: ready(a)}, true, nil
}

// skillAnswered counts the answers of a channel that replies in the
// webhook's response (Kakao): how each was given and how long it took.
func (o *ops) skillAnswered(channel string) func(how string, d time.Duration) {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	if o.skill == nil {
		o.skill = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "shopbot_skill_answer_seconds",
			Help:    "Time to answer a platform's webhook that waits for the reply (Kakao: 5 s), by channel and how it was answered (sync, retry, callback, late, error).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 3, 4, 5}}, []string{"channel", "how"})
		o.reg.MustRegister(o.skill)
	}
	h := o.skill
	o.mu.Unlock()
	return func(how string, d time.Duration) {
		h.WithLabelValues(channel, how).Observe(d.Seconds())
		if how == "sync" || how == "retry" {
			o.touch(channel)
		}
	}
}

// taken counts a reply a channel delivered in a webhook's response (not
// through its outbox sender), like the senders' deliveries.
func (o *ops) taken(channel string) func(bot.Reply) {
	if o == nil {
		return nil
	}
	return func(r bot.Reply) {
		o.out.WithLabelValues(channel, string(r.Kind)).Inc()
		if !r.Created.IsZero() {
			o.delay.WithLabelValues(channel).Observe(o.now().Sub(r.Created).Seconds())
		}
		o.touch(channel)
	}
}
