package kakao_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

const (
	secret = "s3cret-skill-path"
	botID  = "bot-5f0c"
	apiKey = "rest-api-key-1"
)

// harness is a Kakao adapter on bottest's live harness behind a test
// server, and the fake platform calling it.
type harness struct {
	*bottest.Harness
	t    testing.TB
	a    *kakao.Adapter
	kk   *kakaotest.Platform
	ts   *httptest.Server
	stop func()
}

type option func(*kakao.Config, *harness)

func newHarness(t testing.TB, db *sqlx.DB, opts ...option) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, Harness: bottest.Live(t, db, bottest.NoFlood)}
	h.kk = kakaotest.New(botID, apiKey)
	cfg := kakao.Config{DB: db, Engine: h.Engine, Outbox: h.Outbox, Secret: secret, BotID: botID, APIKey: apiKey, APIURL: h.kk.URL()}
	for _, o := range opts {
		o(&cfg, h)
	}
	var err error
	h.a, err = kakao.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/kakao/{secret}", h.a.Skill())
	h.ts = httptest.NewServer(mux)
	h.kk.SkillURL = h.ts.URL + "/hooks/kakao/" + secret
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); outlet.Serve(ctx, h.Outbox, h.a.Run, h.a.Outlets()...) }()
	h.stop = func() { cancel(); wg.Wait() }
	t.Cleanup(func() {
		h.stop()
		h.ts.Close()
		h.kk.Close()
	})
	return h
}

func run(t *testing.T, f func(t *testing.T, db *sqlx.DB)) {
	dbtest.Run(t, f, shop.Schema, tickets.Schema, bot.Schema, kakao.Schema)
}

// say sends text from user and returns the response, failing the test on
// a platform error.
func (h *harness) say(user, text string) kakao.SkillResponse {
	h.t.Helper()
	sr, err := h.kk.Say(context.Background(), user, text)
	if err != nil {
		h.t.Fatalf("say %q: %v", text, err)
	}
	return sr
}

// ticketOf reads the ticket reference out of a response (the owner's
// commands take it as well as the number).
func ticketOf(t *testing.T, sr kakao.SkillResponse) string {
	t.Helper()
	return bottest.TicketRef(t, kakaotest.ResponseTexts(sr)...)
}

func joined(sr kakao.SkillResponse) string {
	return strings.Join(kakaotest.ResponseTexts(sr), "\n---\n")
}
