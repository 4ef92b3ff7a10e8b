package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// TestDemoOwnDatabase: the demo keeps its made-up shop in a file of its
// own, never the real shop's default database, and says where.
func TestDemoOwnDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	_, errOut, err := shopbot(t, nil, "주문 1042 어디쯤이에요?\n5678\n", "chat", "--demo")
	if err != nil {
		t.Fatalf("chat --demo: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "demo database: shopbot-demo.db") {
		t.Errorf("chat --demo does not say where the demo lives:\n%s", errOut)
	}
	if _, err := os.Stat("shopbot-demo.db"); err != nil {
		t.Errorf("demo database: %v", err)
	}
	if _, err := os.Stat("shopbot.db"); err == nil {
		t.Errorf("the demo wrote into shopbot.db, the real shop's default database")
	}
	// SHOPBOT_DB is the real shop's: the demo does not use it either.
	real := "sqlite:real.db"
	if _, errOut, err := shopbot(t, map[string]string{"SHOPBOT_DB": real}, "", "chat", "--demo"); err != nil {
		t.Fatalf("chat --demo: %v\n%s", err, errOut)
	}
	if _, err := os.Stat("real.db"); err == nil {
		t.Errorf("the demo wrote into SHOPBOT_DB")
	}
}

// TestServeRefusesDemoData: a real serve on a database the demo filled
// stops before anything starts, naming the database and the way out.
func TestServeRefusesDemoData(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := dbtest.URL(t, engine)
			if _, errOut, err := shopbot(t, nil, "", "chat", "--demo", "--db", db); err != nil {
				t.Fatalf("chat --demo: %v\n%s", err, errOut)
			}
			_, _, err := shopbot(t, nil, "", "serve", "--db", db)
			if err == nil {
				t.Fatal("serve on the demo's database started")
			}
			for _, want := range []string{"holds the demo shop", "--allow-demo-data", "delete"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q: want %q", err, want)
				}
			}
			// --allow-demo-data and --demo pass the check.
			ctx := t.Context()
			for _, c := range []common{{db: db, allowDemo: true}, {db: db, demo: true}} {
				st, err := shopbotEnv().open(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if err := refuseDemoData(ctx, st, c); err != nil {
					t.Errorf("%+v: %v", c, err)
				}
				st.db.Close()
			}
			// A database without the demo passes.
			clean := dbtest.URL(t, engine)
			st, err := shopbotEnv().open(ctx, common{db: clean})
			if err != nil {
				t.Fatal(err)
			}
			defer st.db.Close()
			if err := refuseDemoData(ctx, st, common{db: clean}); err != nil {
				t.Errorf("a real shop's database: %v", err)
			}
		})
	}
}

func shopbotEnv() env {
	return env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr, now: frozenNow}
}

// TestConfigMistakes: each mistake names its key and line in words a shop
// owner reads, never Go's type names.
func TestConfigMistakes(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"misspelt key", "lisen: 127.0.0.1:8080\n", []string{":1:1: lisen: unknown key", `did you mean "listen"?`}},
		{"misspelt nested key", "shop:\n  nmae: 하루상점\n", []string{":2:3: shop.nmae: unknown key", `did you mean "name"?`}},
		{"swapped letters", "notify:\n  daily_ta: \"21:00\"\n", []string{`notify.daily_ta: unknown key; did you mean "daily_at"?`}},
		{"inline key suggested", "notify:\n  max_per_huor: 3\n", []string{`did you mean "max_per_hour"?`}},
		{"nothing close", "zzzz: 1\n", []string{"zzzz: unknown key; the keys here are", "listen", "telegram"}},
		{"owner username", "telegram:\n  owners: [\"@myname\"]\n", []string{":2:12: telegram.owners[0]: \"@myname\" is not a whole number", "numeric chat ids", "getUpdates"}},
		{"owners not a list", "telegram:\n  owners: 12345\n", []string{"telegram.owners: want a list such as [a, b]"}},
		{"section given a value", "shop: 하루상점\n", []string{"shop: want a section of keys"}},
		{"not a number", "limits:\n  per_minute: many\n", []string{`limits.per_minute: "many" is not a whole number`}},
		{"not a bool", "web:\n  trust_proxy: maybe\n", []string{`web.trust_proxy: "maybe" is not true or false`}},
		{"list for a value", "listen: [a, b]\n", []string{"listen: want a single value, not a list"}},
		{"tab", "shop:\n\tname: x\n", []string{":2:1: YAML syntax: a tab in the indentation", "spaces"}},
		{"unquoted colon", "shop:\n  hours: 평일: 10시\n", []string{":2:12: YAML syntax: mapping values are not allowed", `must be quoted`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shopbot.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := loadConfig(path)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant %q", err, w)
				}
			}
			for _, leak := range []string{"main.config", "int64", "!!str", "unmarshal", "struct"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q shows Go internals (%s)", err, leak)
				}
			}
		})
	}
	// An empty file, or one of comments only, keeps the defaults.
	for _, empty := range []string{"", "\n", "# nothing yet\n", "~\n"} {
		path := filepath.Join(t.TempDir(), "shopbot.yaml")
		if err := os.WriteFile(path, []byte(empty), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := loadConfig(path); err != nil {
			t.Errorf("config %q: %v", empty, err)
		}
	}
	// Every key of the README's configuration passes.
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	good := "shop: {name: 하루상점, timezone: Asia/Seoul, language: ko}\ntelegram:\n  owners: [123456789]\nslack:\n  channel: C0123456\n  owners: [U0123456]\nnotify:\n  daily_at: \"21:00\"\n  max_per_hour: 5\nsla: {urgent: 1h}\n"
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(path); err != nil {
		t.Errorf("a good config: %v", err)
	}
}

func TestNearestKey(t *testing.T) {
	known := []string{"db", "faq", "listen", "shop", "telegram", "slack"}
	for in, want := range map[string]string{"lisen": "listen", "LISTEN": "listen", "telegarm": "telegram", "slak": "slack", "fqa": "faq", "d": "db", "xyz": "", "webhook": "", "shopping": ""} {
		if got := nearest(in, known); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChannelWithoutSecret: a channel's block without its token stops
// serve before anything starts, naming the variable.
func TestChannelWithoutSecret(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"telegram:\n  owners: [123]\n", "TELEGRAM_BOT_TOKEN"},
		{"slack:\n  channel: C0123456\n  owners: [U0123456]\n", "SLACK_BOT_TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "shopbot.yaml")
			if err := os.WriteFile(path, []byte("listen: 127.0.0.1:0\n"+tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := shopbot(t, nil, "", "serve", "--config", path, "--db", "sqlite:"+filepath.Join(dir, "shop.db"))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "is not set") {
				t.Fatalf("serve = %v, want an error naming %s", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "shop.db")); err == nil {
				t.Errorf("the database was opened before the config was checked")
			}
		})
	}
}

// TestServeTelegramUnreachableAtStart: Telegram failing at start-up does
// not stop serve: the web chat starts, the owner-inbox link is printed,
// and Telegram follows once it answers.
func TestServeTelegramUnreachableAtStart(t *testing.T) {
	api := telegramtest.New(t)
	api.Inject(telegramtest.Fault{Method: "getMe", Times: 3, Code: http.StatusBadGateway})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "shopbot.yaml")
	yaml := fmt.Sprintf("listen: 127.0.0.1:0\ntelegram:\n  owners: [900]\n  api_endpoint: %q\n", api.Endpoint())
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		e := testEnv(env, &stdout, &stderr, frozenNow, timing{startRetry: 20 * time.Millisecond})
		done <- e.run(ctx, []string{"serve", "--config", cfg, "--db", "sqlite:" + filepath.Join(dir, "shop.db")})
	}()
	wait := func(what string, ok func(string) bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if ok(stderr.String()) {
				return
			}
			select {
			case err := <-done:
				t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
			default:
			}
		}
		t.Fatalf("no %s:\n%s", what, stderr.String())
	}
	wait("owner login link", loginRE.MatchString)
	wait("telegram started", func(s string) bool { return strings.Contains(s, "telegram: reached; starting") })
	if got := api.Calls("getMe"); got < 4 {
		t.Errorf("getMe called %d times, want the 3 failures and a success", got)
	}
	if s := stderr.String(); !strings.Contains(s, "owner alerts go to the owner inbox (web), telegram (urgent only)") {
		t.Errorf("start-up line does not say where alerts go:\n%s", s)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestImportWrongKind: an orders export given to `import products` lands
// nothing and says which command to use; a layout it does not know lists
// the columns found, with no empty report before the error.
func TestImportWrongKind(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "shop.db")
	orders := filepath.Join("..", "..", "bot", "shop", "testdata", "import", "cafe24_orders.csv")
	out, _, err := shopbot(t, nil, "", "import", "products", orders, "--db", db)
	if err == nil || !strings.Contains(err.Error(), "import it with `shopbot import orders FILE`") {
		t.Fatalf("import products on an orders file: %v\n%s", err, out)
	}
	if out != "" {
		t.Errorf("a report printed for a refused file: %q", out)
	}
	st, err := shopbotEnv().open(t.Context(), common{db: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.db.Close()
	if ps, err := shop.NewStore(st.db).Products(t.Context()); err != nil || len(ps) != 0 {
		t.Errorf("products landed from an orders file: %d, %v", len(ps), err)
	}
	odd := filepath.Join(t.TempDir(), "odd.csv")
	if err := os.WriteFile(odd, []byte("Order No,Buyer\n1,Kim\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = shopbot(t, nil, "", "import", "orders", odd, "--db", db)
	if err == nil || !strings.Contains(err.Error(), `the columns of row 1 are "Order No", "Buyer"`) || !strings.Contains(err.Error(), "cafe24 (needs") {
		t.Errorf("unknown layout: %v", err)
	}
	if out != "" {
		t.Errorf("a report printed for an unknown layout: %q", out)
	}
}

// TestFAQSyntaxErrors: a FAQ file that is not YAML is told at
// file:line:column with a hint an owner can act on.
func TestFAQSyntaxErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"tab", "version: 1\nentries:\n\t- id: x\n", ":3:1: YAML syntax: a tab in the indentation"},
		{"tab after spaces", "version: 1\nentries:\n  - id: x\n  \tquestions: [a]\n", ":4:3: YAML syntax: a tab"},
		{"unquoted colon", "version: 1\nentries:\n  - id: hours\n    questions: [영업시간]\n    answer: 영업시간: 10시\n", `:5:17: YAML syntax: mapping values are not allowed in this context; a value that contains ": " must be quoted`},
		{"unclosed quote", "version: 1\nentries:\n  - id: x\n    answer: \"hello\n", "YAML syntax: "},
		{"at sign", "version: 1\nentries:\n  - id: x\n    answer: @shop\n", ":4:13: YAML syntax: found character that cannot start any token; a value starting with @"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "faq.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := shopbot(t, nil, "", "faq", "check", path)
			if err == nil || !strings.Contains(err.Error(), path+tc.want) && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("faq check: %v\nwant %s%s", err, path, tc.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("error %q does not start with file:line:column", err)
			}
		})
	}
	// A good file is untouched by the syntax check.
	path := filepath.Join(t.TempDir(), "faq.yaml")
	out, _, err := shopbot(t, nil, "", "faq", "example")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := shopbot(t, nil, "", "faq", "check", path); err != nil || !strings.Contains(out, ": ok,") {
		t.Errorf("faq check of the example: %v\n%s", err, out)
	}
}

// TestHelpDoesNotRun: -h prints a command's flags and stops; it never
// starts a server, opens a database or writes a file.
func TestHelpDoesNotRun(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"serve"}, {"chat"}, {"migrate"}, {"summary"}, {"import"}, {"owner", "token"},
		{"forget"}, {"backup"}, {"init"}, {"check"}, {"install-service"}, {"faq", "eval"}} {
		_, errOut, err := shopbot(t, nil, "", append(args, "-h")...)
		if !errors.Is(err, errHelp) {
			t.Errorf("%v -h: err %v, want the help stop", args, err)
		}
		if !strings.Contains(errOut, "Usage of shopbot") {
			t.Errorf("%v -h printed no usage:\n%s", args, errOut)
		}
	}
	if files, _ := os.ReadDir("."); len(files) != 0 {
		t.Errorf("-h left files: %v", files)
	}
}
