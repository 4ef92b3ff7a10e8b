package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// outageServe is `shopbot serve` running in-process on PostgreSQL behind a
// dbtest.Proxy, with the Telegram and Slack fakes configured as channels.
type outageServe struct {
	t      *testing.T
	proxy  *dbtest.Proxy
	tg     *telegramtest.Server
	slack  *slacktest.Server
	base   string // http://127.0.0.1:port
	stdout syncBuffer
	stderr syncBuffer
	done   chan error // serve's result
	cancel context.CancelFunc
}

const (
	outageOwner   = 900
	outageChannel = "COWNERS"
	outageSlackTk = "xoxb-outage-test"
)

var servingRE = regexp.MustCompile(`shopbot serving on (http://\S+) `)

// startOutageServe starts serve with the database behind a proxy. extra
// lines go at the end of the config's web: section.
// tm are serve's waits (shortOutageTimes); the clock is the real one:
// retries, rate limits and the watchdog need a clock that moves.
func startOutageServe(t *testing.T, tm timing, extra ...string) *outageServe {
	t.Helper()
	db, proxy := dbtest.PostgresProxy(t)
	s := &outageServe{t: t, proxy: proxy, tg: telegramtest.New(t), slack: slacktest.NewServer(t, outageSlackTk), done: make(chan error, 1)}
	cfg := filepath.Join(t.TempDir(), "shopbot.yaml")
	yaml := fmt.Sprintf(`listen: 127.0.0.1:0
shop: {name: 하루상점, timezone: Asia/Seoul, language: ko}
telegram:
  owners: [%d]
  api_endpoint: %q
slack:
  channel: %s
  owners: [UOWNER]
  api_url: %q
web:
  allowed_origins: ["https://shop.example"]
`, outageOwner, s.tg.Endpoint(), outageChannel, s.slack.URL) + strings.Join(extra, "")
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token, "SLACK_BOT_TOKEN": outageSlackTk, "SLACK_SIGNING_SECRET": "outage-secret"}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		e := testEnv(env, &s.stdout, &s.stderr, nil, tm)
		s.done <- e.run(ctx, []string{"serve", "--demo", "--config", cfg, "--db", db})
	}()
	for deadline := time.Now().Add(30 * time.Second); s.base == ""; time.Sleep(20 * time.Millisecond) {
		if m := servingRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.base = m[1]
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve ended at start: %v\n%s", err, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.stderr.String())
		}
	}
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("SHOPBOT_OUTAGE_LOG") != "" {
			t.Logf("serve's log:\n%s", s.stderr.String())
		}
	})
	return s
}

// stop ends serve and returns its error.
func (s *outageServe) stop() error {
	s.cancel()
	select {
	case err := <-s.done:
		return err
	case <-time.After(20 * time.Second):
		return fmt.Errorf("serve did not stop")
	}
}

// running fails the test if serve has ended.
func (s *outageServe) running() {
	s.t.Helper()
	select {
	case err := <-s.done:
		s.done <- err
		s.t.Fatalf("serve exited: %v", err)
	default:
	}
}

// webSession opens a visitor session.
func (s *outageServe) webSession() string {
	s.t.Helper()
	res, err := http.Post(s.base+"/api/session", "application/json", strings.NewReader(`{}`))
	if err != nil {
		s.t.Fatal(err)
	}
	var sess struct{ Token string }
	decodeJSON(s.t, res, &sess)
	return sess.Token
}

// webError is the visitor API's error body.
type webError struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		RetryAfter int    `json:"retry_after"`
	} `json:"error"`
}

// webSay posts a visitor message and returns the status and error body.
func (s *outageServe) webSay(token, id, text, lang string) (int, webError) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]string{"id": id, "text": text, "lang": lang})
	req, _ := http.NewRequest("POST", s.base+"/api/messages", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var e webError
	json.NewDecoder(res.Body).Decode(&e)
	return res.StatusCode, e
}

// webEvents reads the visitor's conversation from the event stream until
// it holds n events from the bot (or the deadline passes).
func (s *outageServe) webEvents(token string, n int) []map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/events?t="+token, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var evs []map[string]any
	bots := 0
	sc := bufio.NewScanner(res.Body)
	for bots < n && sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e map[string]any
		json.Unmarshal([]byte(data), &e)
		evs = append(evs, e)
		if e["from"] == "bot" {
			bots++
		}
	}
	if bots < n {
		s.t.Fatalf("web: %d bot events, want %d: %v", bots, n, evs)
	}
	return evs
}

func (s *outageServe) healthz() int {
	s.t.Helper()
	res, err := http.Get(s.base + "/healthz")
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// shortOutageTimes are serve's waits that make the watchdog quick for a test.
func shortOutageTimes(every, after time.Duration) timing {
	return timing{pingEvery: every, alertAfter: after, directRetry: 100 * time.Millisecond}
}

// ownerTexts are the texts sent to the owner's Telegram chat and Slack
// channel, and the alert blocks printed on standard output.
// ownerTexts are the owner's messages on Telegram and Slack, and serve's
// standard output. The daily summary (its text and chart) is left out: it
// falls due whenever a test runs after 21:00 in Seoul, and is not what
// these tests count.
func (s *outageServe) ownerTexts() (tg, sl []string, stdout string) {
	for _, m := range s.tg.SentTo(outageOwner) {
		if m.Photo == nil && !isSummary(m.Text) {
			tg = append(tg, m.Text)
		}
	}
	for _, m := range s.slack.Messages(outageChannel) {
		if !isSummary(m.Text) {
			sl = append(sl, m.Text)
		}
	}
	return tg, sl, s.stdout.String()
}

// isSummary reports whether text is a daily or weekly summary ("📋 하루상점 · …").
func isSummary(text string) bool { return strings.HasPrefix(text, "📋") }

func countContaining(texts []string, sub string) int {
	n := 0
	for _, s := range texts {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

func (s *outageServe) get(path string) (int, string) {
	s.t.Helper()
	res, err := http.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestDatabaseOutageServe runs `serve` on PostgreSQL behind a proxy, with
// Telegram, Slack and the web chat, and cuts the database under traffic:
// serve keeps running; Telegram updates stay unconfirmed and are each
// answered once when it is back; the web chat gets a polite 503 and the
// same message sent again is answered once; the owner hears of the outage
// once it passes the threshold (Telegram, Slack and standard output,
// without the database) and once more when it ends; /healthz and /metrics
// show it; everything resumes by itself.
func TestDatabaseOutageServe(t *testing.T) {
	tests := []struct {
		name string
		away func(p *dbtest.Proxy)
	}{
		{"restart", (*dbtest.Proxy).Cut},     // connections closed, new ones refused
		{"dead link", (*dbtest.Proxy).Stall}, // queries hang
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each has its own serve, proxy and fakes
			outageUnderTraffic(t, tc.away)
		})
	}
}

func outageUnderTraffic(t *testing.T, away func(p *dbtest.Proxy)) {
	const after = 1500 * time.Millisecond
	s := startOutageServe(t, shortOutageTimes(100*time.Millisecond, after))
	customers := []tgbotapi.User{
		{ID: 601, FirstName: "Minji", LanguageCode: "ko"},
		{ID: 602, FirstName: "Junho", LanguageCode: "ko"},
		{ID: 603, FirstName: "Emily", LanguageCode: "en"},
	}
	// Before: every channel answers.
	for _, c := range customers {
		s.tg.Text(c, "영업시간이 어떻게 되나요?")
	}
	for _, c := range customers {
		s.tg.WaitSent(t, c.ID, 1)
	}
	visitor := s.webSession()
	if code, e := s.webSay(visitor, "w0", "영업시간이 어떻게 되나요?", "ko-KR"); code != http.StatusAccepted {
		t.Fatalf("web before the outage: %d %+v", code, e)
	}
	s.webEvents(visitor, 1)

	away(s.proxy)
	cut := time.Now()
	for _, c := range customers {
		s.tg.Text(c, "배송 얼마나 걸려요?")
		s.tg.Text(c, "배송비 얼마예요?")
	}
	code, e := s.webSay(visitor, "w1", "배송 얼마나 걸려요?", "ko-KR")
	if code != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, "잠시 후 다시 보내 주세요") || e.Error.RetryAfter == 0 {
		t.Errorf("web during the outage: %d %+v, want 503 asking to try again in a moment", code, e)
	}
	s.tg.Wait(t, "/healthz to report the outage", func() bool {
		code, body := s.get("/healthz")
		return code == http.StatusServiceUnavailable && strings.Contains(body, `"database":"unreachable"`) && strings.Contains(body, `"database_down_since"`)
	})
	if _, m := s.get("/metrics"); !strings.Contains(m, "shopbot_database_up 0") || !strings.Contains(m, "shopbot_database_outages_total 1") {
		t.Errorf("/metrics during the outage lacks shopbot_database_up 0 / shopbot_database_outages_total 1")
	}
	// The owner is told, without the database, once the outage passes
	// the threshold.
	const down, back = "데이터베이스가", "돌아왔어요"
	s.tg.Wait(t, "the outage alert on Telegram, Slack and standard output", func() bool {
		tg, sl, out := s.ownerTexts()
		return countContaining(tg, "응답하지 않아요") == 1 && countContaining(sl, "응답하지 않아요") == 1 && strings.Contains(out, "응답하지 않아요")
	})
	if told := time.Since(cut); told < after {
		t.Errorf("owner told %v into the outage, before the %v threshold", told, after)
	}
	time.Sleep(after) // the outage goes on: no second alert (not a timing assertion)
	s.running()
	if got := s.tg.Pending(); got != 2*len(customers) {
		t.Errorf("%d Telegram updates unconfirmed during the outage, want %d", got, 2*len(customers))
	}
	for _, c := range customers {
		if got := len(s.tg.SentTo(c.ID)); got != 1 {
			t.Errorf("%s got %d messages by the end of the outage, want 1", c.FirstName, got)
		}
	}

	s.proxy.Restore()
	restored := time.Now()
	for _, c := range customers {
		s.tg.WaitSent(t, c.ID, 3)
	}
	recovery := time.Since(restored)
	code, e = s.webSay(visitor, "w1", "배송 얼마나 걸려요?", "ko-KR")
	if code != http.StatusAccepted {
		t.Fatalf("web after the outage, same message again: %d %+v", code, e)
	}
	evs := s.webEvents(visitor, 2)
	t.Logf("outage %v; every waiting Telegram update answered %v after the database came back",
		restored.Sub(cut).Round(time.Millisecond), recovery.Round(time.Millisecond))
	s.tg.Wait(t, "the all-clear on Telegram, Slack and standard output", func() bool {
		tg, sl, out := s.ownerTexts()
		return countContaining(tg, back) == 1 && countContaining(sl, back) == 1 && strings.Contains(out, back)
	})
	s.tg.Wait(t, "/healthz ok again", func() bool { code, _ := s.get("/healthz"); return code == http.StatusOK })
	s.tg.Wait(t, "every update confirmed", func() bool { return s.tg.Pending() == 0 })

	// Settled: nothing lost, nothing twice.
	time.Sleep(2 * after)
	s.running()
	for _, c := range customers {
		if got := len(s.tg.SentTo(c.ID)); got != 3 {
			t.Errorf("%s got %d messages, want 3 (each question answered once)", c.FirstName, got)
		}
	}
	mine := 0
	for _, ev := range evs {
		if ev["from"] == "me" {
			mine++
		}
	}
	if mine != 2 {
		t.Errorf("the web log holds %d visitor messages, want 2: %v", mine, evs)
	}
	tg, sl, out := s.ownerTexts()
	if len(tg) != 2 || countContaining(tg, down) != 2 || len(sl) != 2 || countContaining(sl, down) != 2 {
		t.Errorf("owner got on Telegram %q and on Slack %q; want one alert and one all-clear each", tg, sl)
	}
	if n := strings.Count(out, "── owner alert ──"); n != 2 {
		t.Errorf("%d alerts on standard output, want 2:\n%s", n, out)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}
