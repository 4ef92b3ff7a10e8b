package kakao_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

const (
	secret = "s3cret-skill-path"
	botID  = "bot-5f0c"
	apiKey = "rest-api-key-1"
)

// harness is a Kakao adapter on a demo shop behind a test server, and the
// fake platform calling it.
type harness struct {
	t    testing.TB
	db   *sqlx.DB
	eng  *bot.Engine
	ob   *bot.Outbox
	a    *kakao.Adapter
	kk   *kakaotest.Platform
	ts   *httptest.Server
	seq  atomic.Int64
	stop func()
}

type option func(*kakao.Config, *harness)

// slowEngine delays the first message by d before handling it.
type slowEngine struct {
	eng  *bot.Engine
	d    time.Duration
	once sync.Once
}

func (s *slowEngine) Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error) {
	s.once.Do(func() { time.Sleep(s.d) })
	return s.eng.Handle(ctx, m)
}

func newHarness(t testing.TB, db *sqlx.DB, opts ...option) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, db: db}
	if _, err := shop.SeedDemo(ctx, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	h.ob = bot.NewOutbox(db, nil, nil)
	h.ob.Poll = 50 * time.Millisecond
	eng, err := bot.New(ctx, bot.Config{DB: db, FAQ: faq.ExampleFile(), Outbox: h.ob,
		Shop:   faq.Shop{Name: "하루상점", Hours: "평일 10-18시", Contact: "02-123-4567"},
		Owners: []bot.Address{{Channel: "owner", Chat: "1"}}, Limits: bot.Limits{PerMinute: 1000, PerHour: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	h.eng = eng
	h.kk = kakaotest.New(botID, apiKey)
	cfg := kakao.Config{DB: db, Engine: eng, Outbox: h.ob, Secret: secret, BotID: botID, APIKey: apiKey, APIURL: h.kk.URL()}
	for _, o := range opts {
		o(&cfg, h)
	}
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
	go func() { defer wg.Done(); outlet.Serve(ctx, h.ob, h.a.Run, h.a.Outlets()...) }()
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

// owner sends an owner command as the console owner would.
func (h *harness) owner(text string) []bot.Reply {
	h.t.Helper()
	rs, err := h.eng.Handle(context.Background(), bot.Message{Channel: "console", Chat: "owner", User: "owner",
		ID: "o" + strconv.FormatInt(h.seq.Add(1), 10), Text: text, Owner: true})
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// ticketRE is the ticket reference customers are shown (#FJB5SU).
var ticketRE = regexp.MustCompile(`#([0-9A-Z]{6})`)

// ticketOf reads the ticket reference out of a response (the owner's
// commands take it as well as the number).
func ticketOf(t *testing.T, sr kakao.SkillResponse) string {
	t.Helper()
	for _, s := range kakaotest.ResponseTexts(sr) {
		if m := ticketRE.FindStringSubmatch(s); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no ticket reference in %q", kakaotest.ResponseTexts(sr))
	return ""
}

func joined(sr kakao.SkillResponse) string {
	return strings.Join(kakaotest.ResponseTexts(sr), "\n---\n")
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clarifyQuery finds a question the example FAQ answers with choices whose
// second choice is a plain answer.
func clarifyQuery(t *testing.T, eng *bot.Engine) string {
	t.Helper()
	f := faq.ExampleFile()
	candidates := []string{"배송", "환불", "교환", "반품", "취소", "결제", "배송비", "교환 반품", "포장", "사이즈"}
	for _, e := range f.Entries {
		candidates = append(candidates, e.Keywords...)
	}
	for _, a := range f.Entries {
		for _, b := range f.Entries {
			if len(a.Keywords) > 0 && len(b.Keywords) > 0 && a.ID < b.ID {
				candidates = append(candidates, a.Keywords[0]+" "+b.Keywords[0])
			}
		}
	}
	for _, q := range candidates {
		r := eng.Matcher().Match(q)
		if _, ticket := tickets.Classify(q); !ticket && r.Decision == faq.Clarify && r.Choices[1].Action == faq.ActionNone {
			return q
		}
	}
	t.Skip("no question in the example FAQ gets choices now; the clarify steps need one")
	return ""
}

func ticketCount(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	n, err := tickets.NewStore(db, nil).Count(context.Background(), tickets.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func count(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, db.Rebind(query), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// dyingEngine loses the first message as a process killed before its
// transaction committed would: nothing is stored.
type dyingEngine struct {
	eng  *bot.Engine
	once sync.Once
}

func (e *dyingEngine) Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error) {
	died := false
	e.once.Do(func() { died = true })
	if died {
		return nil, errors.New("killed before commit")
	}
	return e.eng.Handle(ctx, m)
}
