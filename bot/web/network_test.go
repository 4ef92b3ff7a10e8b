package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/web"
)

// TestLimitsAggregateByNetwork: the per-address limits count a network (an
// IPv4 /24, an IPv6 /64) as one address, so a host with 50 addresses gets
// one budget, and a visitor elsewhere is not held back by it.
func TestLimitsAggregateByNetwork(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *web.Config) {
			c.TrustProxy = true
			c.Limits = web.Limits{IPBurst: 10, IPEvery: time.Minute, SessionBurst: 10, SessionEvery: time.Minute}
		})
		from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }
		tests := []struct {
			name     string
			ip       func(i int) string
			accepted int
		}{
			{"50 IPv4 addresses of one /24", func(i int) string { return fmt.Sprintf("127.0.0.%d", 1+i) }, 10},
			{"50 IPv6 addresses of one /64", func(i int) string { return fmt.Sprintf("2001:db8:0:1::%x", 1+i) }, 10},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				accepted, sessions := 0, 0
				for i := range 50 {
					var s session
					if res := h.do("POST", "/api/session", "", map[string]string{}, from(tt.ip(i)), &s); res.StatusCode != http.StatusOK {
						continue
					}
					sessions++
					for j := range 4 {
						body := map[string]string{"id": fmt.Sprint("n", i, "-", j), "text": "배송 언제 와요?"}
						if res := h.do("POST", "/api/messages", s.Token, body, from(tt.ip(i)), nil); res.StatusCode == http.StatusAccepted {
							accepted++
						}
					}
				}
				if sessions != 10 || accepted != tt.accepted {
					t.Errorf("from 50 addresses: %d new visitors, %d messages accepted; want 10 and %d", sessions, accepted, tt.accepted)
				}
			})
		}
		// Another network still has its own budget.
		var s session
		if res := h.do("POST", "/api/session", "", map[string]string{}, from("198.51.100.7"), &s); res.StatusCode != http.StatusOK {
			t.Fatalf("session from another network: %d", res.StatusCode)
		}
		if res := h.do("POST", "/api/messages", s.Token, map[string]string{"id": "other", "text": "안녕하세요"}, from("198.51.100.7"), nil); res.StatusCode != http.StatusAccepted {
			t.Errorf("message from another network: %d", res.StatusCode)
		}
	})
}

// TestVisitorTokenExpires: a visitor token lasts Limits.VisitorLifetime
// (30 days) from its issue; the widget's session call renews it once a
// day, so a returning visitor keeps the conversation and an idle one's
// token stops working.
func TestVisitorTokenExpires(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		s := h.session()
		if res := h.say(s.Token, "안녕하세요"); res.StatusCode != http.StatusAccepted {
			t.Fatalf("fresh token: %d", res.StatusCode)
		}
		// Back after 20 days: the same visitor, with a renewed token.
		h.advance(20 * 24 * time.Hour)
		var again session
		h.do("POST", "/api/session", "", map[string]string{"token": s.Token}, nil, &again)
		if again.Visitor != s.Visitor || again.Token == s.Token {
			t.Fatalf("returning visitor: %q with token changed %v; want %q with a renewed token", again.Visitor, again.Token != s.Token, s.Visitor)
		}
		// 11 more days: the old token has lapsed, the renewed one has not.
		h.advance(11 * 24 * time.Hour)
		var e apiErr
		if res := h.do("POST", "/api/messages", s.Token, map[string]string{"id": "old", "text": "hi"}, nil, &e); res.StatusCode != http.StatusUnauthorized || e.Error.Code != "bad_token" {
			t.Errorf("31-day-old token: %d %+v, want 401 bad_token", res.StatusCode, e)
		}
		if res := h.say(again.Token, "배송 언제 와요?"); res.StatusCode != http.StatusAccepted {
			t.Errorf("renewed token: %d", res.StatusCode)
		}
		var fresh session
		h.do("POST", "/api/session", "", map[string]string{"token": s.Token}, nil, &fresh)
		if fresh.Visitor == s.Visitor {
			t.Errorf("a lapsed token got its visitor back")
		}
	})
}

// TestStreamOutlivesWriteTimeout: behind a server whose write timeout is
// 300 ms, an event stream keeps its heartbeats going well past it, and
// ends (for the browser to reconnect) at Limits.StreamMax.
func TestStreamOutlivesWriteTimeout(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *web.Config) {
			c.Limits = web.Limits{HeartbeatEvery: 50 * time.Millisecond, StreamMax: 1500 * time.Millisecond}
		})
		mux := http.NewServeMux()
		h.srv.Register(mux)
		ts := httptest.NewUnstartedServer(mux)
		ts.Config.WriteTimeout = 300 * time.Millisecond
		ts.Start()
		defer ts.Close()
		s := h.session()
		req, _ := http.NewRequest("GET", ts.URL+"/api/events", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		pings, lastPing := 0, time.Duration(0)
		for sc.Scan() {
			if sc.Text() == ": ping" {
				pings++
				lastPing = time.Since(start)
			}
		}
		ended := time.Since(start)
		if lastPing < time.Second {
			t.Errorf("last heartbeat %s after the start (%d in all): the write timeout (300ms) cut the stream", lastPing, pings)
		}
		if ended > 10*time.Second {
			t.Errorf("stream ended after %s, want at its 1.5 s cap", ended)
		}
		t.Logf("%d heartbeats, the last at %s; stream ended at %s", pings, lastPing.Round(time.Millisecond), ended.Round(time.Millisecond))
	})
}

// TestContentSecurityPolicy: every HTML page runs only this server's
// scripts (the inbox's inline ones by the page's nonce, new each time),
// and says so; over HTTPS it also asks for HTTPS from then on.
func TestContentSecurityPolicy(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		nonces := map[string]bool{}
		check := func(path string, res *http.Response, body string, https bool) {
			t.Helper()
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src 'self' 'unsafe") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			for _, m := range regexp.MustCompile(`<script([^>]*)>`).FindAllStringSubmatch(body, -1) {
				attrs := m[1]
				if strings.Contains(attrs, "src=") {
					continue
				}
				n := regexp.MustCompile(`nonce="([^"]+)"`).FindStringSubmatch(attrs)
				if n == nil || !strings.Contains(csp, "'nonce-"+n[1]+"'") {
					t.Errorf("%s: an inline script the policy does not allow: <script%s>", path, attrs)
					continue
				}
				if nonces[n[1]] {
					t.Errorf("%s: nonce %q used twice", path, n[1])
				}
				nonces[n[1]] = true
			}
			if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != https {
				t.Errorf("%s (https %v): Strict-Transport-Security %q", path, https, hsts)
			}
		}
		for _, https := range []bool{false, true} {
			hdr := map[string]string{}
			if https {
				hdr["X-Forwarded-Proto"] = "https"
			}
			for _, path := range []string{"/", "/embed", "/owner"} {
				req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					check(path, res, string(body), https)
				}
			}
			// Signed in: the login link's page and the inbox run inline scripts.
			o := h.owner()
			for _, path := range []string{"/owner/login?token=" + h.token, "/owner"} {
				res, page := o.do("GET", path, nil, hdr)
				check(path, res, page, https)
			}
		}
		if len(nonces) < 4 {
			t.Errorf("%d inline scripts seen, want the login link's and the inbox's, twice", len(nonces))
		}
	})
}

// TestStreamTicket: the widget opens its event stream with a one-minute
// ticket got by the Authorization header, so the visitor token never
// appears in a URL; an expired, forged or another visitor's ticket opens
// nothing.
func TestStreamTicket(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		a, b := h.session(), h.session()
		var got struct{ Ticket string }
		if res := h.do("POST", "/api/stream", a.Token, nil, nil, &got); res.StatusCode != http.StatusOK || got.Ticket == "" {
			t.Fatalf("stream ticket: %d %+v", res.StatusCode, got)
		}
		if strings.Contains(got.Ticket, a.Token) || strings.Contains(a.Token, got.Ticket) {
			t.Fatalf("the ticket %q carries the token", got.Ticket)
		}
		h.say(a.Token, "배송 언제 와요?")
		open := func(ticket string) int {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/events?s="+url.QueryEscape(ticket), nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode == http.StatusOK {
				sc := bufio.NewScanner(res.Body)
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), "data:") && strings.Contains(sc.Text(), "배송 언제 와요") {
						return 200
					}
				}
				return 0 // a stream without the visitor's conversation
			}
			return res.StatusCode
		}
		if code := open(got.Ticket); code != 200 {
			t.Errorf("stream by ticket: %d, want the conversation", code)
		}
		parts := strings.Split(got.Ticket, ".")
		forged := strings.Join([]string{parts[0], strings.Split(b.Token, ".")[1], parts[2], parts[3]}, ".")
		if code := open(forged); code != http.StatusUnauthorized {
			t.Errorf("another visitor's id in a ticket: %d, want 401", code)
		}
		h.advance(2 * time.Minute)
		if code := open(got.Ticket); code != http.StatusUnauthorized {
			t.Errorf("an expired ticket: %d, want 401", code)
		}
		if code := open(a.Token); code != http.StatusUnauthorized {
			t.Errorf("the visitor token as a ticket: %d, want 401", code)
		}
	})
}
