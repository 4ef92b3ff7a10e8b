package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var loginRE = regexp.MustCompile(`owner inbox:\s+(http://\S+)/owner/login\?token=(sbo_\S+)`)

// TestServeDemo runs `serve --demo` as the README's first command does and
// checks what it prints and serves: the shop page, the owner login link,
// /healthz and /metrics; then `owner token` rotates the token.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "shopbot.yaml")
	db := "sqlite:" + filepath.Join(dir, "shop.db")
	if err := os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\nweb:\n  allowed_origins: [\"https://shop.example\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	var stderr, stdout syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runFrozen(ctx, []string{"serve", "--demo", "--config", cfg, "--db", db}, getenv, strings.NewReader(""), &stdout, &stderr)
	}()
	var m []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && m == nil; time.Sleep(20 * time.Millisecond) {
		m = loginRE.FindStringSubmatch(stderr.String())
	}
	if m == nil {
		cancel()
		t.Fatalf("no owner login link printed:\n%s", stderr.String())
	}
	base, token := m[1], m[2]
	if !strings.Contains(stderr.String(), "shop page (demo):  "+base+"/") {
		t.Errorf("no shop page URL printed:\n%s", stderr.String())
	}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "/widget.js") {
		t.Errorf("shop page: %d", code)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"web":{"running":true`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	// One conversation, so the counters move.
	res, err := http.Post(base+"/api/session", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var sess struct{ Token string }
	decodeJSON(t, res, &sess)
	req, _ := http.NewRequest("POST", base+"/api/messages", strings.NewReader(`{"id":"a","text":"배송 언제 와요?"}`))
	req.Header.Set("Authorization", "Bearer "+sess.Token)
	if res, err = http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusAccepted {
		t.Fatalf("message: %v %v", res, err)
	}
	res.Body.Close()
	wants := []string{
		`shopbot_messages_in_total{channel="web",from="customer"} 1`,
		`shopbot_match_decisions_total{decision="answer"} 1`,
		`shopbot_messages_out_total{channel="web",kind="faq"} 1`,
		`shopbot_tickets_open{priority="urgent"} 0`,
		`shopbot_send_seconds_count{channel="web"}`,
		`shopbot_database_up 1`,
	}
	var missing []string
	// The reply's counters move as its send completes: wait for all.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, metrics := get("/metrics")
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(metrics, want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, m := range missing {
		t.Errorf("/metrics lacks %s", m)
	}
	if _, body := get("/healthz"); !strings.Contains(body, `"last_contact"`) {
		t.Errorf("healthz has no last contact after a conversation: %s", body)
	}
	// The printed link signs the owner in.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = client.Get(base + "/owner/login?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || len(res.Cookies()) == 0 {
		t.Errorf("login link: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}

	// `shopbot owner token` prints a new token; the old one stops working.
	var out, errOut syncBuffer
	if err := runFrozen(context.Background(), []string{"owner", "token", "--config", cfg, "--db", db}, getenv, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	fresh := strings.TrimSpace(out.String())
	if !strings.HasPrefix(fresh, "sbo_") || fresh == token {
		t.Errorf("owner token printed %q", fresh)
	}
	if err := runFrozen(context.Background(), []string{"owner"}, getenv, nil, &out, &errOut); err == nil {
		t.Errorf("`owner` without `token`: no usage error")
	}
}

func decodeJSON(t *testing.T, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

func TestWebSecretFromEnv(t *testing.T) {
	tests := []struct {
		env     string
		wantLen int
		wantErr bool
	}{
		{"", 0, false},
		{"00112233445566778899aabbccddeeff", 16, false},
		{"short", 0, true},
		{strings.Repeat("x", 40), 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			b, err := webSecret(func(string) string { return tt.env })
			if (err != nil) != tt.wantErr || len(b) != tt.wantLen {
				t.Errorf("webSecret(%q) = %d bytes, %v", tt.env, len(b), err)
			}
		})
	}
}

func TestWebConfigValidate(t *testing.T) {
	for _, o := range []string{"shop.example", "ftp://x", "https://x/path"} {
		if err := (webConfig{AllowedOrigins: []string{o}}).validate(); err == nil || !strings.Contains(err.Error(), "web.allowed_origins[0]") {
			t.Errorf("origin %q: %v, want an error naming the key", o, err)
		}
	}
	if err := (webConfig{AllowedOrigins: []string{"https://shop.example", "http://localhost:3000", "*"}}).validate(); err != nil {
		t.Errorf("valid origins: %v", err)
	}
}

// TestLoginLinkOnlyToATerminal: the owner login link (a secret) is shown
// on a terminal; a stderr that is a file (a log, a service journal) gets
// a pointer to `shopbot owner token` and no token is made.
func TestLoginLinkOnlyToATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if terminal(f) {
		t.Fatal("a file taken for a terminal")
	}
	if !terminal(&bytes.Buffer{}) {
		t.Error("a buffer (a test's terminal) not taken for one")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		if !terminal(tty) {
			t.Error("/dev/tty not taken for a terminal")
		}
		tty.Close()
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "shopbot.yaml")
	if err := os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runFrozen(ctx, []string{"serve", "--demo", "--config", cfg, "--db", "sqlite:" + filepath.Join(dir, "shop.db")},
			func(string) string { return "" }, strings.NewReader(""), io.Discard, f)
	}()
	var out []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, _ = os.ReadFile(f.Name())
		if bytes.Contains(out, []byte("owner inbox:")) {
			break
		}
	}
	cancel()
	<-done
	if !bytes.Contains(out, []byte("owner inbox:")) || bytes.Contains(out, []byte("token=")) || bytes.Contains(out, []byte("sbo_")) {
		t.Errorf("stderr to a file:\n%s\nwant the inbox address without a token", out)
	}
}
