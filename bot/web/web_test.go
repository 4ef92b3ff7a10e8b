package web_test

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

func TestConversationOverStream(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		s := h.session()
		st := h.stream(s.Token, "")
		if res := h.say(s.Token, "배송 언제 와요?"); res.StatusCode != http.StatusAccepted {
			t.Fatalf("say: %d", res.StatusCode)
		}
		if e := st.next(t); e.Data.From != "me" || e.Data.Text != "배송 언제 와요?" {
			t.Fatalf("first event %+v, want my message", e.Data)
		}
		if e := st.next(t); e.Data.From != "bot" || e.Data.Kind != "faq" {
			t.Fatalf("second event %+v, want an FAQ answer", e.Data)
		}
		// A clarify offers choices; tapping one answers that entry.
		h.say(s.Token, clarifyQuery(t, h.eng))
		st.next(t)
		e := st.next(t)
		if e.Data.Kind != "clarify" || len(e.Data.Choices) < 2 {
			t.Fatalf("clarify event %+v", e.Data)
		}
		c := e.Data.Choices[1]
		h.do("POST", "/api/messages", s.Token, map[string]string{"id": "tap-1", "text": c.Label, "choice": c.Entry}, nil, nil)
		st.next(t)
		if e := st.next(t); e.Data.Kind != "faq" {
			t.Fatalf("after a choice: %+v, want faq", e.Data)
		}
		// Verification, then the order.
		h.say(s.Token, "주문 1042 어디쯤이에요?")
		st.next(t)
		if e := st.next(t); e.Data.Ask != bot.AskVerify {
			t.Fatalf("order question: %+v, want a verification ask", e.Data)
		}
		h.say(s.Token, "5678")
		st.next(t)
		if e := st.next(t); e.Data.Kind != "order" || !strings.Contains(e.Data.Text, "6012345678901") {
			t.Fatalf("order: %+v", e.Data)
		}
	})
}

func TestReconnectGetsEveryMessageOnce(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		s := h.session()
		for _, q := range []string{"배송 언제 와요?", "배송비 얼마예요?", "교환"} {
			h.say(s.Token, q)
		}
		waitEvents(t, h, s.Token, 6)
		first := h.stream(s.Token, "")
		var ids []string
		for range 6 {
			ids = append(ids, first.next(t).ID)
		}
		first.res.Body.Close()
		// Offline: two more messages arrive.
		h.say(s.Token, "사이즈")
		h.say(s.Token, "세탁")
		waitEvents(t, h, s.Token, 10)
		again := h.stream(s.Token, ids[3])
		var got []string
		for range 6 {
			got = append(got, again.next(t).ID)
		}
		if e, quiet := again.quiet(300 * time.Millisecond); !quiet {
			t.Fatalf("extra event %+v", e)
		}
		for i, id := range got {
			n, _ := strconv.Atoi(id)
			prev, _ := strconv.Atoi(ids[3])
			if n <= prev || (i > 0 && id <= got[i-1] && len(id) == len(got[i-1])) {
				t.Fatalf("replayed ids %v after %s: not strictly after, or repeated", got, ids[3])
			}
		}
	})
}

// waitEvents waits until the visitor's log holds n events.
func waitEvents(t *testing.T, h *harness, token string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		st := h.stream(token, "")
		count := 0
		for {
			if _, quiet := st.quiet(100 * time.Millisecond); quiet {
				break
			}
			count++
		}
		st.res.Body.Close()
		if count >= n {
			return
		}
	}
	t.Fatalf("fewer than %d events after 5 s", n)
}

func TestSendIsIdempotent(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		s := h.session()
		r := bot.Reply{ID: 999999, Channel: web.Channel, Chat: s.Visitor, Kind: bot.KindOwner, Text: "hello"}
		ctx := context.Background()
		id1, err := h.srv.Send(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.srv.Send(ctx, r); err != nil {
			t.Fatal(err)
		}
		st := h.stream(s.Token, "")
		if e := st.next(t); e.ID != id1 || e.Data.From != "owner" {
			t.Fatalf("event %+v, want id %s from owner", e, id1)
		}
		if e, quiet := st.quiet(200 * time.Millisecond); !quiet {
			t.Fatalf("a repeated send showed twice: %+v", e)
		}
	})
}

func TestCrossVisitorRefused(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		a, b := h.session(), h.session()
		h.say(a.Token, "비밀 이야기: 주문 1042")
		waitEvents(t, h, a.Token, 2)
		// B's own token shows only B's conversation.
		st := h.stream(b.Token, "")
		if e, quiet := st.quiet(300 * time.Millisecond); !quiet {
			t.Fatalf("visitor B saw %+v", e.Data)
		}
		// Forged tokens: A's id with B's signature, a made-up one, a
		// token signed with another secret.
		parts := strings.Split(b.Token, ".")
		forged := "v2." + a.Visitor + "." + parts[2] + "." + parts[3]
		other := newHarness(t, db, func(c *web.Config) { c.Secret = []byte("another secret of at least 16 bytes") })
		foreign := other.session().Token
		for name, tok := range map[string]string{"mixed": forged, "made up": "v2.v_xxxxxxxx.1800000000.yyyyyyyy", "v1 (never expired)": "v1." + a.Visitor + "." + parts[3], "other secret": foreign, "empty": "", "garbage": "v1.\xff\xfe.%%"} {
			t.Run(name, func(t *testing.T) {
				var e apiErr
				res := h.do("GET", "/api/events?t="+url.QueryEscape(tok), "", nil, nil, &e)
				if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "bad_token" {
					t.Errorf("stream: %d %+v, want 401 bad_token", res.StatusCode, e)
				}
				res = h.do("POST", "/api/messages", tok, map[string]string{"id": "x", "text": "hi"}, nil, &e)
				if res.StatusCode != http.StatusUnauthorized {
					t.Errorf("message: %d, want 401", res.StatusCode)
				}
			})
		}
		// A forged token asks for a session: it gets a new visitor, not A.
		var s session
		h.do("POST", "/api/session", "", map[string]string{"token": forged}, nil, &s)
		if s.Visitor == a.Visitor || s.Visitor == "" {
			t.Errorf("session for a forged token: visitor %q", s.Visitor)
		}
	})
}

func TestOrigins(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		s := h.session()
		tests := []struct {
			origin string
			status int
			cors   bool
		}{
			{"https://shop.example", http.StatusAccepted, true},
			{"https://evil.example", http.StatusForbidden, false},
			{"https://shop.example.evil.example", http.StatusForbidden, false},
			{"http://shop.example", http.StatusForbidden, false},
			{"null", http.StatusForbidden, false},
			{h.ts.URL, http.StatusAccepted, true}, // the server's own pages
			{"", http.StatusAccepted, false},
		}
		for i, tt := range tests {
			t.Run(tt.origin, func(t *testing.T) {
				hdr := map[string]string{}
				if tt.origin != "" {
					hdr["Origin"] = tt.origin
				}
				var e apiErr
				res := h.do("POST", "/api/messages", s.Token, map[string]string{"id": fmt.Sprint("o", i), "text": "안녕하세요"}, hdr, &e)
				if got := res.StatusCode; got != tt.status {
					t.Fatalf("status %d, want %d (%+v)", got, tt.status, e)
				}
				if got := res.Header.Get("Access-Control-Allow-Origin"); (got != "") != tt.cors || (tt.cors && got != tt.origin) {
					t.Errorf("Access-Control-Allow-Origin %q", got)
				}
				if tt.status == http.StatusForbidden && e.Error.Code != "origin_not_allowed" {
					t.Errorf("error %+v", e)
				}
				// The preflight agrees.
				pre := h.do("OPTIONS", "/api/messages", "", nil, map[string]string{"Origin": cmp.Or(tt.origin, "https://shop.example"), "Access-Control-Request-Method": "POST"}, nil)
				if tt.status == http.StatusForbidden && pre.StatusCode != http.StatusForbidden {
					t.Errorf("preflight %d, want 403", pre.StatusCode)
				}
			})
		}
	})
}

func TestLimitsAndErrors(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		var scopes []string
		h := newHarness(t, db, func(c *web.Config) {
			c.Limits = web.Limits{VisitorBurst: 3, VisitorEvery: time.Minute, IPBurst: 5, IPEvery: time.Minute, SessionBurst: 4, SessionEvery: time.Minute}
			c.OnLimited = func(scope string) { scopes = append(scopes, scope) }
		})
		s := h.session()
		for i := range 3 {
			if res := h.say(s.Token, fmt.Sprint("질문 ", i)); res.StatusCode != http.StatusAccepted {
				t.Fatalf("message %d: %d", i, res.StatusCode)
			}
		}
		var e apiErr
		res := h.do("POST", "/api/messages", s.Token, map[string]string{"id": "over", "text": "하나 더"}, nil, &e)
		if res.StatusCode != http.StatusTooManyRequests || e.Error.Code != "rate_limited" || e.Error.RetryAfter <= 0 || res.Header.Get("Retry-After") == "" {
			t.Fatalf("4th message: %d %+v", res.StatusCode, e)
		}
		// Another visitor on the same IP: the IP's budget (5) runs out.
		s2 := h.session()
		h.say(s2.Token, "a")
		h.say(s2.Token, "b")
		res = h.do("POST", "/api/messages", s2.Token, map[string]string{"id": "ip", "text": "c"}, nil, &e)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("IP limit: %d", res.StatusCode)
		}
		// New visitors per IP.
		h.session()
		h.session()
		res = h.do("POST", "/api/session", "", map[string]string{}, nil, &e)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("session limit: %d", res.StatusCode)
		}
		if got, want := strings.Join(scopes, ","), "visitor,ip,session"; got != want {
			t.Errorf("limited scopes %q, want %q", got, want)
		}
		// A minute later the visitor may talk again.
		h.advance(time.Minute)
		h.advance(time.Minute)

		tests := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"too long", fmt.Sprintf(`{"id":"l1","text":%q}`, strings.Repeat("가", 2001)), http.StatusRequestEntityTooLarge, "too_long"},
			{"huge body", `{"id":"l2","text":"` + strings.Repeat("a", 20000) + `"}`, http.StatusRequestEntityTooLarge, "too_large"},
			{"not json", `{"id":`, http.StatusBadRequest, "bad_request"},
			{"no id", `{"text":"hi"}`, http.StatusBadRequest, "bad_request"},
			{"empty", `{"id":"e1","text":"   "}`, http.StatusBadRequest, "empty"},
			{"invalid utf-8", "{\"id\":\"u1\",\"text\":\"\xff\xfe 배송\"}", http.StatusAccepted, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var e apiErr
				res := h.do("POST", "/api/messages", s.Token, tt.body, nil, &e)
				if res.StatusCode != tt.status || e.Error.Code != tt.code {
					t.Errorf("%d %+v, want %d %s", res.StatusCode, e, tt.status, tt.code)
				}
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q", ct)
				}
				if strings.Contains(e.Error.Message, "goroutine") || strings.Contains(e.Error.Message, ".go:") {
					t.Errorf("internal detail leaked: %q", e.Error.Message)
				}
			})
		}
		if res := h.do("GET", "/api/nothing", "", nil, nil, &e); res.StatusCode != 404 || e.Error.Code != "not_found" {
			t.Errorf("unknown API: %d %+v", res.StatusCode, e)
		}
	})
}

// owner is a client of the inbox with a cookie jar.
type owner struct {
	h      *harness
	client *http.Client
	jar    map[string]*http.Cookie
}

func (h *harness) owner() *owner {
	o := &owner{h: h, jar: map[string]*http.Cookie{}}
	o.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return o
}

func (o *owner) do(method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	o.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, o.h.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range o.jar {
		req.AddCookie(c)
	}
	res, err := o.client.Do(req)
	if err != nil {
		o.h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(o.jar, c.Name)
		} else {
			o.jar[c.Name] = c
		}
	}
	return res, string(b)
}

func csrfOf(page string) string {
	_, rest, _ := strings.Cut(page, `name="csrf" value="`)
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func TestOwnerInbox(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		visitor := h.session()
		st := h.stream(visitor.Token, "")
		h.say(visitor.Token, "물건이 깨져서 왔어요")
		st.next(t)
		if e := st.next(t); e.Data.Kind != "ticket" || e.Data.Ticket != 0 || len(e.Data.Ref) != 6 {
			t.Fatalf("complaint: %+v", e.Data)
		}

		o := h.owner()
		// Not signed in: the login page, never the inbox.
		if _, page := o.do("GET", "/owner", nil, nil); !strings.Contains(page, `name="token"`) || strings.Contains(page, "깨져서") {
			t.Fatal("inbox shown without a session")
		}
		if res, _ := o.do("POST", "/owner/login", url.Values{"token": {"sbo_wrong"}}, nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token: %d", res.StatusCode)
		}
		res, _ := o.do("GET", "/owner/login?token="+h.token, nil, map[string]string{"X-Forwarded-Proto": "https"})
		c := o.jar["shopbot_owner"]
		if res.StatusCode != 200 || c == nil {
			t.Fatalf("login link: %d, cookie %v", res.StatusCode, c)
		}
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/owner" {
			t.Errorf("cookie %+v: want HttpOnly, Secure (behind HTTPS), SameSite=Strict, Path=/owner", c)
		}
		_, page := o.do("GET", "/owner", nil, nil)
		if !strings.Contains(page, "물건이 깨져서 왔어요") || !strings.Contains(page, `data-ticket="1"`) {
			t.Fatalf("inbox does not list the ticket:\n%s", page)
		}
		_, page = o.do("GET", "/owner/t/1", nil, nil)
		csrf := csrfOf(page)
		// Without the form token, or from another site: refused.
		for name, tt := range map[string]struct {
			form url.Values
			hdr  map[string]string
		}{
			"no csrf":    {url.Values{"text": {"x"}}, nil},
			"wrong csrf": {url.Values{"text": {"x"}, "csrf": {"AAAA"}}, nil},
			"other site": {url.Values{"text": {"x"}, "csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
		} {
			if res, _ := o.do("POST", "/owner/t/1/reply", tt.form, tt.hdr); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, res.StatusCode)
			}
		}
		if e, quiet := st.quiet(200 * time.Millisecond); !quiet {
			t.Fatalf("a refused reply reached the visitor: %+v", e.Data)
		}
		res, _ = o.do("POST", "/owner/t/1/reply", url.Values{"text": {"죄송합니다, 새 상품으로 보내 드릴게요."}, "csrf": {csrf}}, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", res.StatusCode)
		}
		if e := st.next(t); e.Data.From != "owner" || e.Data.Text != "죄송합니다, 새 상품으로 보내 드릴게요." {
			t.Fatalf("visitor got %+v, want the owner's reply", e.Data)
		}
		_, page = o.do("GET", "/owner/t/1", nil, nil)
		if !strings.Contains(page, "문의 #1(") || !strings.Contains(page, "에 보냈어요") { // in the owner's language: Korean here
			t.Errorf("no confirmation after the reply")
		}
		o.do("POST", "/owner/t/1/claim", url.Values{"csrf": {csrf}}, nil)
		o.do("POST", "/owner/t/1/close", url.Values{"csrf": {csrf}}, nil)
		if _, page = o.do("GET", "/owner/t/1", nil, nil); !strings.Contains(page, "해결됨") {
			t.Errorf("ticket not resolved after close")
		}
		o.do("POST", "/owner/command", url.Values{"text": {"/stock 티셔츠"}, "csrf": {csrf}}, nil)
		if _, page = o.do("GET", "/owner", nil, nil); !strings.Contains(page, "(안전 재고") {
			t.Errorf("command output missing")
		}
		// A new token ends every session.
		if _, err := web.IssueOwnerToken(context.Background(), db, h.Now()); err != nil {
			t.Fatal(err)
		}
		if _, page = o.do("GET", "/owner", nil, nil); !strings.Contains(page, `name="token"`) {
			t.Errorf("old session still works after rotation")
		}
		if res, _ := o.do("POST", "/owner/login", url.Values{"token": {h.token}}, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("old token: %d, want 401", res.StatusCode)
		}
	})
}

// TestInboxLanguage: the inbox speaks the owner's language (notify.language)
// whatever the shop's: labels, statuses, countdowns, the command answers
// it flashes; it shows each ticket's latest message, and every time in
// the shop's zone.
func TestInboxLanguage(t *testing.T) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		want []string // on the inbox, the ticket page or the flash
		not  []string
	}{
		{"ko", []string{"긴급", "불만 · 답변 대기", "고객 ·", "시간", "문의 #1(", "에 보냈어요", "안전 재고"}, []string{"complaint", "open", "Urgent", "left (safety"}},
		{"en", []string{">urgent<", "complaint · open", "Customer ·", "due in", "sent to ticket #1", "left (safety"}, []string{"불만", "답변 대기", "남음"}},
		{"zh", []string{"紧急", "投诉 · 待处理", "顾客 ·", "剩", "已发送到工单 #1", "安全库存"}, []string{"complaint", "불만", "Urgent", "left (safety"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema, web.Schema), func(c *web.Config) {
				c.OwnerLang, c.Location = tt.lang, seoul
			})
			v := h.session()
			st := h.stream(v.Token, "")
			h.say(v.Token, "물건이 깨져서 왔어요")
			st.next(t)
			st.next(t)
			before := time.Now()
			h.say(v.Token, "언제 답변 주시나요?")
			o := h.owner()
			o.do("GET", "/owner/login?token="+h.token, nil, nil)
			_, inbox := o.do("GET", "/owner", nil, nil)
			_, page := o.do("GET", "/owner/t/1", nil, nil)
			csrf := csrfOf(page)
			o.do("POST", "/owner/t/1/reply", url.Values{"text": {"죄송합니다"}, "csrf": {csrf}}, nil)
			_, flash := o.do("GET", "/owner/t/1", nil, nil)
			o.do("POST", "/owner/command", url.Values{"text": {"/stock TEE"}, "csrf": {csrf}}, nil)
			_, command := o.do("GET", "/owner", nil, nil)
			all := html.UnescapeString(inbox + page + flash + command)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("%s inbox lacks %q", tt.lang, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(html.UnescapeString(inbox+page), n) {
					t.Errorf("%s inbox shows %q", tt.lang, n)
				}
			}
			// The latest message under the ticket, at the shop's time: the
			// engine stamps it with the real time, somewhere in [before, now].
			local := map[string]bool{}
			for _, at := range []time.Time{before, time.Now()} {
				local[at.In(seoul).Format("01-02 15:04")] = true
			}
			shown := false
			for l := range local {
				shown = shown || strings.Contains(page, l)
			}
			if !strings.Contains(inbox, "언제 답변 주시나요?") || !shown {
				t.Errorf("latest message or Seoul time %v missing:\n%s", local, page)
			}
		})
	}
}

func TestOwnerLoginRateLimited(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		o := h.owner()
		codes := []int{}
		for range 7 {
			res, _ := o.do("POST", "/owner/login", url.Values{"token": {"guess"}}, nil)
			codes = append(codes, res.StatusCode)
		}
		if got := codes[len(codes)-1]; got != http.StatusTooManyRequests {
			t.Errorf("codes %v: want 429 after 5 tries", codes)
		}
		// Even the right token waits.
		if res, _ := o.do("POST", "/owner/login", url.Values{"token": {h.token}}, nil); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right token during the lockout: %d", res.StatusCode)
		}
	})
}

func TestWidgetAndPages(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		res := h.do("GET", "/widget.js", "", nil, map[string]string{"Accept-Encoding": "identity"}, nil)
		if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || !strings.HasPrefix(ct, "text/javascript") {
			t.Fatalf("widget.js: %d %s", res.StatusCode, ct)
		}
		if res := h.do("GET", "/widget.js", "", nil, map[string]string{"If-None-Match": res.Header.Get("ETag")}, nil); res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", res.StatusCode)
		}
		plain, gz := h.srv.WidgetSize()
		t.Logf("widget.js: %d bytes, %d gzipped", plain, gz)
		if gz > 10<<10 {
			t.Errorf("widget.js is %d bytes gzipped; keep it under 10 KiB", gz)
		}
		req, _ := http.NewRequest("GET", h.ts.URL+"/", nil)
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r2.Body)
		r2.Body.Close()
		page := string(b)
		for _, want := range []string{"하루상점", `src="/widget.js"`, "원"} {
			if !strings.Contains(page, want) {
				t.Errorf("demo page lacks %q", want)
			}
		}
		for _, bad := range []string{"https://", "http://"} {
			if strings.Contains(page, bad) {
				t.Errorf("demo page refers to another site (%s…): it must make no third-party requests", bad)
			}
		}
	})
}

func TestSecretStoredOnce(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		a, err := web.Secret(ctx, db, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b, err := web.Secret(ctx, db, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) || len(a) != 32 {
			t.Errorf("secrets differ or are short: %x %x", a, b)
		}
		has, err := web.HasOwnerToken(ctx, db)
		if err != nil || has {
			t.Errorf("HasOwnerToken on a fresh database: %v %v", has, err)
		}
	})
}

// TestConversationsOverAPI: the issue-15 conversations through the
// widget's API in each language: greetings and small talk answered with
// no ticket, the next question answered after one handed to a person, an
// order verified by email shown in the customer's language, and after a
// complaint the bot leaves the conversation to the owner.
func TestConversationsOverAPI(t *testing.T) {
	type step struct{ text, kind, has string }
	scripts := map[string][]step{
		"ko": {
			{"안녕하세요", "faq", "무엇이 궁금하세요"},
			{"오늘 날씨 어때요?", "faq", "쇼핑 도우미"},
			{"상품 사진이랑 실물 색이 같나요?", "handoff", "담당자에게 전달"},
			{"배송비 얼마예요?", "faq", "3,000원"},
			{"주문 1044 어디쯤이에요?", "order", "본인 확인"},
			{"emily@example.com", "order", "배송 완료"},
			{"ㄳ", "faq", "천만에요"},
			{"물건이 깨져서 왔어요", "ticket", "접수했고"},
			{"감사합니다", "", ""},
		},
		"en": {
			{"hello", "faq", "What would you like to know"},
			{"are you a bot?", "faq", "shop's assistant"},
			{"Can you recommend a good restaurant nearby?", "handoff", "passed it to a person"},
			{"how much is shipping?", "faq", "3,000 won"},
			{"where is my order 1044", "order", "confirm it's yours"},
			{"emily@example.com", "order", "delivered"},
			{"thx", "faq", "You're welcome"},
			{"my mug arrived broken", "ticket", "opened ticket"},
			{"thanks", "", ""},
		},
		"zh": {
			{"你好", "faq", "请问有什么可以帮您"},
			{"今天天气怎么样", "faq", "购物助手"},
			{"商品照片和实物颜色一样吗？", "handoff", "已转交工作人员"},
			{"运费多少钱？", "faq", "3,000韩元"},
			{"我的订单1044在哪里", "order", "验证身份"},
			{"emily@example.com", "order", "已送达"},
			{"谢谢亲", "faq", "不客气"},
			{"杯子收到的时候碎了", "ticket", "已为您登记工单"},
			{"谢谢", "", ""},
		},
	}
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		for _, lang := range []string{"ko", "en", "zh"} {
			v := h.session()
			st := h.stream(v.Token, "")
			for _, s := range scripts[lang] {
				h.advance(3 * time.Second) // a visitor's pace, under the rate limit
				if res := h.say(v.Token, s.text); res.StatusCode != http.StatusAccepted {
					t.Fatalf("%s %q: %d", lang, s.text, res.StatusCode)
				}
				if e := st.next(t); e.Data.From != "me" {
					t.Fatalf("%s %q: first event %+v, want the message itself", lang, s.text, e.Data)
				}
				if s.kind == "" {
					if e, quiet := st.quiet(300 * time.Millisecond); !quiet {
						t.Errorf("%s %q: the bot answered a conversation handed to the owner: %+v", lang, s.text, e.Data)
					}
					continue
				}
				e := st.next(t)
				if e.Data.Kind != s.kind || !strings.Contains(e.Data.Text, s.has) {
					t.Errorf("%s %q: %s %q, want %s with %q", lang, s.text, e.Data.Kind, e.Data.Text, s.kind, s.has)
				}
			}
		}
		// Three conversations, three tickets: each question's, raised by
		// the complaint; no greeting made one.
		all := tickets.Filter{Statuses: []tickets.Status{tickets.Open, tickets.Pending, tickets.Resolved}}
		if n, err := tickets.NewStore(db, nil).Count(context.Background(), all); err != nil || n != 3 {
			t.Errorf("%d tickets (%v), want 3", n, err)
		}
	})
}

// TestVisitorNamedForOwner: a visitor who gives no name is "웹 방문자 #…"
// on the ticket (so in every alert and command answer, not only the
// inbox), and one who gives a name is shown by it.
func TestVisitorNamedForOwner(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema, web.Schema))
	anon := h.session()
	h.say(anon.Token, "물건이 깨져서 왔어요")
	named := h.session()
	h.do("POST", "/api/messages", named.Token, map[string]string{"id": "n1", "text": "환불해 주세요", "name": "김민지"}, nil, nil)
	st := tickets.NewStore(h.db, nil)
	for id, want := range map[int64]string{1: "웹 방문자 #", 2: "김민지"} {
		var tk *tickets.Ticket
		for range 100 { // the message is handled after the 202
			var err error
			if tk, err = st.Get(context.Background(), id); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if tk == nil || !strings.HasPrefix(tk.Customer, want) {
			t.Errorf("ticket %d customer %+v, want %q…", id, tk, want)
		}
	}
}
