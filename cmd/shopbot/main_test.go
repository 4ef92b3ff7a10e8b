package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
)

var update = flag.Bool("update", false, "rewrite golden files")

// frozenNow is the tests' stopped clock: 2026-11-23 14:00 in Seoul.
func frozenNow() time.Time {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	return time.Date(2026, 11, 23, 14, 0, 0, 0, seoul)
}

// shopbot runs the command line with args and stdin on the stopped clock,
// returning stdout and stderr. getenv sees only env.
func shopbot(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	return shopbotAt(t, frozenNow, env, stdin, args...)
}

// runFrozen is run on the stopped clock.
func runFrozen(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, now: frozenNow}.run(ctx, args)
}

// testEnv is the outside world of a test's command: getenv sees only
// vars, stdin is empty; now (nil: the real clock) and tm as given.
func testEnv(vars map[string]string, stdout, stderr io.Writer, now func() time.Time, tm timing) env {
	return env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, now: now, timing: tm}
}

// shopbotLive is shopbot on the real clock: for a command that works
// alongside a serve whose rate limits and retries need a clock that moves.
func shopbotLive(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	return shopbotAt(t, time.Now, env, stdin, args...)
}

func shopbotAt(t *testing.T, now func() time.Time, vars map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := testEnv(vars, &out, &errOut, now, timing{})
	e.stdin = strings.NewReader(stdin)
	err := e.run(ctx, args)
	return out.String(), errOut.String(), err
}

// reply is one line of `chat --json` (design §3).
type reply struct {
	Kind     string   `json:"kind"`
	Text     string   `json:"text"`
	Entry    string   `json:"entry"`
	Ticket   int      `json:"ticket"`
	Priority string   `json:"priority"`
	Choices  []string `json:"choices"`
}

func chatJSON(t *testing.T, db, stdin string, args ...string) []reply {
	t.Helper()
	out, errOut, err := shopbot(t, nil, stdin, append([]string{"chat", "--db", db, "--json"}, args...)...)
	if err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut)
	}
	var rs []reply
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r reply
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("chat --json line %q: %v", sc.Text(), err)
		}
		if r.Choices == nil {
			t.Errorf("chat --json line %q: choices must be a list", sc.Text())
		}
		rs = append(rs, r)
	}
	return rs
}

// TestDemoConversation is the README's demo, end to end through the
// command line, on both databases.
func TestDemoConversation(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			db := dbtest.URL(t, engine)
			customer := strings.Join([]string{
				"배송 언제 와요?",
				"주문 1042 어디쯤이에요?",
				"5678",
				"where is my order 1044",
				"emily@example.com",
			}, "\n")
			got := chatJSON(t, db, customer, "--demo", "--user", "minji")
			wantKinds := []string{"faq", "order", "order", "order", "order"}
			if len(got) != len(wantKinds) {
				t.Fatalf("got %d replies, want %d: %+v", len(got), len(wantKinds), got)
			}
			for i, k := range wantKinds {
				if got[i].Kind != k {
					t.Errorf("reply %d kind = %q, want %q (%q)", i, got[i].Kind, k, got[i].Text)
				}
			}
			if !strings.Contains(got[2].Text, "6012345678901") || !strings.Contains(got[4].Text, "1044") {
				t.Errorf("order lookups did not show the orders: %q / %q", got[2].Text, got[4].Text)
			}

			complaint := chatJSON(t, db, "물건이 깨져서 왔어요\n", "--user", "minji")
			cancel := chatJSON(t, db, "주문 1043 취소해 주세요\n", "--user", "junho")
			offTopic := chatJSON(t, db, "상품 사진이랑 실물 색이 같나요?\n", "--user", "bob")
			// Small talk gets a word back and no ticket.
			weather := chatJSON(t, db, "오늘 날씨 어때요?\n", "--user", "amy")
			if len(weather) != 1 || weather[0].Kind != "faq" || weather[0].Ticket != 0 {
				t.Errorf("small talk: got %+v, want one friendly reply and no ticket", weather)
			}
			checks := []struct {
				name     string
				rs       []reply
				kind     string
				priority string
			}{
				{"complaint", complaint, "ticket", "high"},
				{"cancellation before shipping", cancel, "ticket", "urgent"},
				{"unanswered question", offTopic, "handoff", "normal"},
			}
			for _, c := range checks {
				if len(c.rs) != 1 || c.rs[0].Kind != c.kind || c.rs[0].Priority != c.priority || c.rs[0].Ticket == 0 {
					t.Errorf("%s: got %+v, want one %s reply with a %s ticket", c.name, c.rs, c.kind, c.priority)
				}
			}

			// The owner: the urgent alert is waiting, then list, reply, close.
			owner := fmt.Sprintf("/tickets\n/reply %d 오늘 오후에 확인해서 연락드릴게요\n/close %d\n/stock 티셔츠\n/sales today\n", offTopic[0].Ticket, offTopic[0].Ticket)
			rs := chatJSON(t, db, owner, "--as", "owner")
			if len(rs) < 6 || rs[0].Kind != "alert" || !strings.Contains(rs[0].Text, "1043") {
				t.Fatalf("owner session = %+v, want the urgent alert first", rs)
			}
			rs = rs[len(rs)-5:]
			// In the owner's language: notify.language, by default the shop's (ko).
			for i, want := range []string{fmt.Sprintf("#%d", cancel[0].Ticket), "보냈어요", "해결 처리했어요", "안전 재고", "주문 3건"} {
				if rs[i].Kind != "command" || !strings.Contains(rs[i].Text, want) {
					t.Errorf("owner reply %d = %+v, want a command answer containing %q", i, rs[i], want)
				}
			}
			// Bob sees the owner's answer, and the bot answers him again.
			bob := chatJSON(t, db, "배송비 얼마예요?\n", "--user", "bob")
			if len(bob) != 2 || bob[0].Kind != "owner" || bob[1].Kind != "faq" {
				t.Errorf("bob after the owner's reply = %+v, want the owner's message then a FAQ answer", bob)
			}
		})
	}
}

func TestBadCustomerInput(t *testing.T) {
	db := dbtest.URL(t, "sqlite")
	inputs := []string{
		strings.Repeat("가", 1<<20/3),
		"\xff\xfe\xfd",
		"",
		"{{.Shop.Name}} {{template \"x\"}}",
		"주문 1042'; DROP TABLE orders;-- 어디",
	}
	var rs []reply
	for i, in := range inputs {
		got := chatJSON(t, db, in+"\n", "--demo", "--user", fmt.Sprint("fuzzer", i))
		if len(got) != 1 {
			t.Errorf("input %d: %d replies, want 1", i, len(got))
		}
		rs = append(rs, got...)
	}
	for _, r := range rs {
		if r.Kind == "error" {
			t.Errorf("error reply: %+v", r)
		}
		if strings.Contains(r.Text, "하루상점 {{") || strings.Count(r.Text, "하루상점") > 1 {
			t.Errorf("customer text executed as a template: %q", r.Text)
		}
	}
}

func TestFAQCommands(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "faq.yaml")
	out, _, err := shopbot(t, nil, "", "faq", "example")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(good, []byte(out), 0o644)
	if out, _, err := shopbot(t, nil, "", "faq", "check", good); err != nil || !strings.Contains(out, "ok") || !strings.Contains(out, "warnings") {
		t.Errorf("faq check example: %q, %v", out, err)
	}
	out, _, err = shopbot(t, nil, "", "faq", "test", good, "택배비 얼마에요")
	if err != nil || !strings.Contains(out, "shipping-fee") || !strings.Contains(out, "synonym") {
		t.Errorf("faq test: %q, %v", out, err)
	}
	cases := filepath.Join(dir, "cases.jsonl")
	os.WriteFile(cases, []byte(`{"text":"택배비 얼마에요","expect":"shipping-fee"}
{"text":"오늘 점심 뭐 먹지","expect":""}
`), 0o644)
	out, _, err = shopbot(t, nil, "", "faq", "eval", "--faq", good, "--cases", cases, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]float64
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("faq eval --json: %v: %q", err, out)
	}
	for _, k := range []string{"cases", "in_scope", "out_of_scope", "correct", "wrong", "clarified", "clarified_hit", "missed", "oos_refused", "accuracy", "precision", "oos_recall", "p50_us", "p99_us"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("faq eval --json lacks %q: %s", k, out)
		}
	}
	if rep["cases"] != 2 || rep["correct"] != 1 {
		t.Errorf("faq eval = %s", out)
	}

	// --learned replays what the shop's bot learned: a question nothing in
	// the FAQ resembles is answered once it has been learned.
	odd := filepath.Join(dir, "odd.jsonl")
	os.WriteFile(odd, []byte(`{"text":"쿵짝쿵짝 뚜비뚜바 얼마","expect":"shipping-fee"}`+"\n"), 0o644)
	// The shop's bot learns them as it does in a shop: each question is
	// handed to the owner, who teaches it with /learn.
	dbURL := "sqlite:" + filepath.Join(dir, "learned.db")
	questions := []string{"쿵짝쿵짝 뚜비뚜바 얼마", "뚜비뚜바 쿵짝 얼마예요"}
	var learn strings.Builder
	for i, q := range questions {
		rs := chatJSON(t, dbURL, q+"\n", "--demo", "--user", fmt.Sprint("learner", i))
		if len(rs) != 1 || rs[0].Ticket == 0 {
			t.Fatalf("%q: %+v, want one reply handing it to the owner", q, rs)
		}
		fmt.Fprintf(&learn, "/learn %d shipping-fee\n", rs[0].Ticket)
	}
	rs := chatJSON(t, dbURL, learn.String(), "--as", "owner")
	if len(rs) < len(questions) {
		t.Fatalf("owner's /learn: %+v", rs)
	}
	for i, r := range rs[len(rs)-len(questions):] {
		if r.Kind != "command" || !strings.Contains(r.Text, questions[i]) || !strings.Contains(r.Text, "shipping-fee") {
			t.Errorf("owner's /learn of %q: %+v, want it learned", questions[i], r)
		}
	}
	for _, tt := range []struct {
		args    []string
		correct float64
	}{
		{nil, 0},
		{[]string{"--learned", "--db", dbURL}, 1},
	} {
		out, _, err := shopbot(t, nil, "", append([]string{"faq", "eval", "--faq", good, "--cases", odd, "--json"}, tt.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]float64
		json.Unmarshal([]byte(out), &rep)
		if rep["correct"] != tt.correct {
			t.Errorf("faq eval %v: correct %v, want %v", tt.args, rep["correct"], tt.correct)
		}
	}
}

func TestBrokenFAQFiles(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string // in the error
	}{
		{"duplicate id", "version: 1\nentries:\n  - id: a\n    questions: [x]\n    answer: y\n  - id: a\n    questions: [z]\n    answer: w\n", []string{":6", `"a"`, "duplicate"}},
		{"empty questions", "version: 1\nentries:\n  - id: a\n    questions: []\n    answer: y\n", []string{":3", `"a"`, "question"}},
		{"bad template", "version: 1\nentries:\n  - id: a\n    questions: [x]\n    answer: \"{{.Order.Number\"\n", []string{":5", `"a"`, "template"}},
		{"unknown action", "version: 1\nentries:\n  - id: a\n    questions: [x]\n    answer: y\n    action: refund_now\n", []string{`"a"`, "action"}},
		{"yaml syntax", "version: 1\nentries:\n  - id: a\n   questions: [x\n", []string{"faq.yaml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "faq.yaml")
			os.WriteFile(path, []byte(tt.file), 0o644)
			_, _, err := shopbot(t, nil, "", "faq", "check", path)
			if err == nil {
				t.Fatal("faq check accepted a broken file")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"unknown key", "shop:\n  nmae: x\n", "nmae"},
		{"bad zone", "shop:\n  timezone: Asia/Seol\n", "shop.timezone"},
		{"bad language", "shop:\n  language: fr\n", "shop.language"},
		{"bad daily_at", "notify:\n  daily_at: 9pm\n", "notify.daily_at"},
		{"bad quiet hours", "notify:\n  quiet_hours: night\n", "notify.quiet_hours"},
		{"bad sla", "sla:\n  urgent: soon\n", "sla.urgent"},
		{"bad order pattern", "order_pattern: '('\n", "order_pattern"},
		{"negative retention", "retention:\n  conversations_days: -1\n", "retention.conversations_days"},
		{"negative limit", "limits:\n  per_hour: -5\n", "limits.per_hour"},
		{"telegram webhook over http", "telegram:\n  webhook_url: http://shop.example/tg/hook\n", "telegram.webhook_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shopbot.yaml")
			os.WriteFile(path, []byte(tt.file), 0o644)
			_, _, err := shopbot(t, nil, "", "migrate", "--config", path, "--db", dbtest.URL(t, "sqlite"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to name %q", err, tt.want)
			}
		})
	}
}

// TestConfigRetention: retention days shorten the defaults; 0 keeps them.
func TestConfigRetention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	os.WriteFile(path, []byte("retention:\n  conversations_days: 365\n"), 0o644)
	c, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.DefaultRetention
	want.Conversations = 365 * 24 * time.Hour
	if c.keep != want {
		t.Errorf("retention = %+v, want %+v", c.keep, want)
	}
}

// TestConfigLimits: limits: replaces the defaults it names.
func TestConfigLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	os.WriteFile(path, []byte("limits:\n  per_minute: 5\n  ip_per_minute: 30\n"), 0o644)
	c, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.convLimits(), (bot.Limits{PerMinute: 5, PerHour: bot.DefaultLimits.PerHour}); got != want {
		t.Errorf("conversation limits = %+v, want %+v", got, want)
	}
	if got := c.webLimits(); got.IPBurst != 30 || got.IPEvery != 2*time.Second {
		t.Errorf("web limits = burst %d every %s, want 30 every 2s", got.IPBurst, got.IPEvery)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			url := dbtest.URL(t, engine)
			if out, _, err := shopbot(t, nil, "", "migrate", "--db", url); err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate: %q, %v", out, err)
			}
			db, err := schema.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			bumpVersion(t, db)
			_, _, err = shopbot(t, nil, "", "migrate", "--db", url)
			if err == nil || !strings.Contains(err.Error(), "newer") {
				t.Errorf("migrate on a newer database: err = %v, want a clear 'newer' error", err)
			}
		})
	}
}

func bumpVersion(t *testing.T, db *sqlx.DB) {
	t.Helper()
	_, err := db.Exec(db.Rebind(`INSERT INTO schema_bot (version_id, is_applied) VALUES (?, ?)`), 999, true)
	if err != nil {
		t.Fatal(err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"faq"}, {"chat", "--as", "god"}, {"chat", "--user", "owner"}, {"chat", "--user", " Owner "}} {
		_, _, err := shopbot(t, nil, "", args...)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%q: err = %v, want a usage error", args, err)
		}
	}
}
