package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
)

func TestKakaoChannelConfig(t *testing.T) {
	secret := map[string]string{"KAKAO_SKILL_SECRET": "path-secret"}
	tests := []struct {
		name  string
		block *kakaoConfig
		env   map[string]string
		ok    bool
		err   string
	}{
		{"no block", nil, secret, false, ""},
		{"no secret", &kakaoConfig{}, map[string]string{}, false, "KAKAO_SKILL_SECRET"},
		{"skill only", &kakaoConfig{}, secret, true, ""},
		{"event api without key", &kakaoConfig{EventAPI: true, BotID: "b1"}, secret, false, "KAKAO_REST_API_KEY"},
		{"event api", &kakaoConfig{EventAPI: true, BotID: "b1"}, map[string]string{"KAKAO_SKILL_SECRET": "path-secret", "KAKAO_REST_API_KEY": "k"}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each row has its own database
			svc := kakaoService(t, "sqlite", tc.env)
			svc.st.cfg.Kakao = tc.block
			c, ok, err := svc.kakaoChannel()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok {
				t.Fatalf("kakaoChannel = %v, %v; want ok %v", ok, err, tc.ok)
			}
			if !ok {
				return
			}
			if c.name != kakao.Channel {
				t.Errorf("name %q", c.name)
			}
			for path, want := range map[string]int{"/hooks/kakao/wrong": 404, "/hooks/kakao/path-secret": 400} {
				w := httptest.NewRecorder()
				svc.mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
				if w.Code != want {
					t.Errorf("POST %s: %d, want %d", path, w.Code, want)
				}
			}
		})
	}
	// event_api without bot_id is a config error naming the key.
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	os.WriteFile(path, []byte("kakao:\n  event_api: true\n"), 0o644)
	if _, _, err := shopbot(t, nil, "", "migrate", "--config", path, "--db", dbtest.URL(t, "sqlite")); err == nil || !strings.Contains(err.Error(), "kakao.bot_id") {
		t.Errorf("err = %v, want one naming kakao.bot_id", err)
	}
}

func kakaoService(t *testing.T, engine string, env map[string]string) *service {
	t.Helper()
	ctx := context.Background()
	e := env2(env)
	st, err := e.open(ctx, common{db: dbtest.URL(t, engine), demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.db.Close() })
	log := newLogger(io.Discard, 0)
	eng, ob, err := st.engine(ctx, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	ob.Poll = 20 * time.Millisecond
	return &service{st: st, eng: eng, ob: ob, log: log, mux: http.NewServeMux(), env: e}
}

// TestKakaoServe runs `serve --demo` with a kakao: block, the Event API on
// and the fake platform: customers talk in Korean, English and Chinese, a
// complaint's answer from the owner (`chat --as owner`, another process on
// the same database) is pushed once, /metrics counts the skill's answers;
// then 50 customers talk at once and every answer comes within the
// platform's deadline (the p99 is logged).
func TestKakaoServe(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			kk := kakaotest.New("bot-1", "rest-key")
			defer kk.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "shopbot.yaml")
			db := dbtest.URL(t, engine)
			os.WriteFile(cfg, []byte(fmt.Sprintf("listen: 127.0.0.1:0\nkakao:\n  bot_id: bot-1\n  event_api: true\n  api_url: %s\n", kk.URL())), 0o644)
			env := map[string]string{"KAKAO_SKILL_SECRET": "skill-secret", "KAKAO_REST_API_KEY": "rest-key"}
			ctx, cancel := context.WithCancel(context.Background())
			var stderr, stdout syncBuffer
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--demo", "--config", cfg, "--db", db}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}()
			var m []string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && m == nil; time.Sleep(20 * time.Millisecond) {
				m = loginRE.FindStringSubmatch(stderr.String())
			}
			if m == nil {
				t.Fatalf("serve did not start:\n%s", stderr.String())
			}
			base := m[1]
			if strings.Contains(stderr.String(), "skill-secret") || strings.Contains(stderr.String(), "rest-key") {
				t.Errorf("a secret in the log:\n%s", stderr.String())
			}
			kk.SkillURL = base + "/hooks/kakao/skill-secret"
			say := func(user, text string) kakao.SkillResponse {
				t.Helper()
				sr, err := kk.Say(ctx, user, text)
				if err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				return sr
			}
			for _, c := range []struct{ user, text, want string }{
				{"u-ko", "배송 얼마나 걸려요?", "출고"},
				{"u-en", "how much is shipping?", "3,000"},
				{"u-zh", "运费多少钱？", "运费"},
			} {
				if got := strings.Join(kakaotest.ResponseTexts(say(c.user, c.text)), "\n"); !strings.Contains(got, c.want) {
					t.Errorf("%q: %q, want %q", c.text, got, c.want)
				}
			}
			sr := say("u-ko", "컵이 깨져서 왔어요. 환불해 주세요")
			got := strings.Join(kakaotest.ResponseTexts(sr), "\n")
			n := ticketRE.FindStringSubmatch(got)
			if n == nil || !strings.Contains(got, "이 채팅방으로 바로") {
				t.Fatalf("complaint: %q", got)
			}
			if _, errOut, err := shopbotLive(t, nil, "/reply "+n[1]+" 새 컵을 보내드릴게요\n", "chat", "--as", "owner", "--db", db); err != nil {
				t.Fatalf("owner: %v\n%s", err, errOut)
			}
			for deadline := time.Now().Add(20 * time.Second); kk.Events() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			}
			shown := kk.Shown("u-ko")
			if last := shown[len(shown)-1]; last.Via != "event" || !strings.Contains(last.Text, "새 컵을 보내드릴게요") {
				t.Fatalf("owner's answer not pushed: %+v", last)
			}

			// 50 customers at once, four messages each. How fast is measured
			// and logged, not asserted: an answer past Kakao's deadline (a
			// platform timeout) or past the budget (the "write again" note)
			// is counted.
			questions := []string{"배송 얼마나 걸려요?", "교환 되나요?", "how long does delivery take?", "什么时候发货？", "주문 1042 어디쯤이에요?", "5678"}
			var mu sync.Mutex
			var lat []time.Duration
			late, timeouts := 0, 0
			var wg sync.WaitGroup
			for c := range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					user := fmt.Sprintf("load-%02d", c)
					for i := range 4 {
						start := time.Now()
						sr, err := kk.Say(ctx, user, questions[(c+i)%len(questions)])
						d := time.Since(start)
						mu.Lock()
						switch {
						case errors.Is(err, context.DeadlineExceeded):
							timeouts++
						case err != nil:
							t.Errorf("%s: %v", user, err)
						case strings.Contains(strings.Join(kakaotest.ResponseTexts(sr), ""), "잠시 후 아무 메시지나"):
							late++
						}
						lat = append(lat, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			slices.Sort(lat)
			t.Logf("%s: %d skill answers, 50 concurrent customers: p50 %v, p99 %v, max %v; %d past the budget, %d past Kakao's deadline",
				engine, len(lat), lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], late, timeouts)
			res, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), `shopbot_skill_answer_seconds_count{channel="kakao",how="sync"}`) ||
				!strings.Contains(string(body), `shopbot_messages_out_total{channel="kakao",kind="owner"} 1`) ||
				!strings.Contains(string(body), `shopbot_messages_out_total{channel="kakao",kind="faq"}`) {
				t.Errorf("metrics lack the kakao answers:\n%s", grepLines(string(body), "kakao"))
			}
		})
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// ticketRE is the ticket reference customers are shown (#FJB5SU).
var ticketRE = regexp.MustCompile(`#([0-9A-Z]{6})`)
