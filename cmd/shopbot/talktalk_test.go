package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/talktalk"
	"github.com/shopbot/shopbot/bot/talktalk/talktalktest"
)

func TestTalkTalkChannelConfig(t *testing.T) {
	both := map[string]string{"TALKTALK_WEBHOOK_SECRET": "hook-secret", "TALKTALK_TOKEN": "ct_token"}
	tests := []struct {
		name  string
		block *talktalkConfig
		env   map[string]string
		ok    bool
		err   string
	}{
		{"no block", nil, both, false, ""},
		{"no secret", &talktalkConfig{}, map[string]string{"TALKTALK_TOKEN": "t"}, false, "TALKTALK_WEBHOOK_SECRET"},
		{"no token", &talktalkConfig{}, map[string]string{"TALKTALK_WEBHOOK_SECRET": "s"}, false, "TALKTALK_TOKEN"},
		{"configured", &talktalkConfig{Handover: "partner"}, both, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each row has its own database
			svc := kakaoService(t, "sqlite", tc.env)
			svc.st.cfg.TalkTalk = tc.block
			c, ok, err := svc.talktalkChannel()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok {
				t.Fatalf("talktalkChannel = %v, %v; want ok %v", ok, err, tc.ok)
			}
			if !ok {
				return
			}
			if c.name != talktalk.Channel {
				t.Errorf("name %q", c.name)
			}
			for path, want := range map[string]int{"/hooks/talktalk/wrong": 404, "/hooks/talktalk/hook-secret": 400} {
				w := httptest.NewRecorder()
				svc.mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
				if w.Code != want {
					t.Errorf("POST %s: %d, want %d", path, w.Code, want)
				}
			}
		})
	}
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	os.WriteFile(path, []byte("talktalk:\n  handover: naver\n"), 0o644)
	if _, _, err := shopbot(t, nil, "", "migrate", "--config", path, "--db", dbtest.URL(t, "sqlite")); err == nil || !strings.Contains(err.Error(), "talktalk.handover") {
		t.Errorf("err = %v, want one naming talktalk.handover", err)
	}
}

// TestTalkTalkServe runs `serve --demo` with a talktalk: block against
// the fake platform: three languages answered in the webhook's response,
// a complaint answered by the owner (`chat --as owner` on the same
// database) delivered once by the send API, counted in /metrics.
func TestTalkTalkServe(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			tt := talktalktest.New("ct_token")
			defer tt.Close()
			cfg := filepath.Join(t.TempDir(), "shopbot.yaml")
			db := dbtest.URL(t, engine)
			os.WriteFile(cfg, []byte(fmt.Sprintf("listen: 127.0.0.1:0\ntalktalk:\n  api_url: %s\n", tt.URL())), 0o644)
			env := map[string]string{"TALKTALK_WEBHOOK_SECRET": "hook-secret", "TALKTALK_TOKEN": "ct_token"}
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
			if strings.Contains(stderr.String(), "hook-secret") || strings.Contains(stderr.String(), "ct_token") {
				t.Errorf("a secret in the log:\n%s", stderr.String())
			}
			tt.WebhookURL = base + "/hooks/talktalk/hook-secret"
			say := func(user, text string) string {
				t.Helper()
				ev, err := tt.Say(ctx, user, text)
				if err != nil {
					t.Fatalf("%s: %v", text, err)
				}
				if ev == nil {
					return ""
				}
				return talktalktest.Shown{Event: *ev}.Text()
			}
			for _, c := range []struct{ user, text, want string }{
				{"u-ko", "배송 얼마나 걸려요?", "출고"},
				{"u-en", "how much is shipping?", "3,000"},
				{"u-zh", "运费多少钱？", "运费"},
			} {
				if got := say(c.user, c.text); !strings.Contains(got, c.want) {
					t.Errorf("%q: %q, want %q", c.text, got, c.want)
				}
			}
			got := say("u-ko", "컵이 깨져서 왔어요. 환불해 주세요")
			n := ticketRE.FindStringSubmatch(got)
			if n == nil {
				t.Fatalf("complaint: %q", got)
			}
			if _, errOut, err := shopbotLive(t, nil, "/reply "+n[1]+" 새 컵을 보내드릴게요\n", "chat", "--as", "owner", "--db", db); err != nil {
				t.Fatalf("owner: %v\n%s", err, errOut)
			}
			for deadline := time.Now().Add(20 * time.Second); tt.Sends() == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			}
			shown := tt.Shown("u-ko")
			if last := shown[len(shown)-1]; last.Via != "api" || !strings.Contains(last.Text(), "새 컵을 보내드릴게요") {
				t.Fatalf("owner's answer not sent: %+v", last)
			}
			res, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(body), `shopbot_messages_out_total{channel="talktalk",kind="owner"} 1`) ||
				!strings.Contains(string(body), `shopbot_messages_in_total{channel="talktalk",from="customer"}`) ||
				!strings.Contains(string(body), `shopbot_messages_out_total{channel="talktalk",kind="faq"}`) {
				t.Errorf("metrics lack the talktalk messages:\n%s", grepLines(string(body), "talktalk"))
			}
		})
	}
}
