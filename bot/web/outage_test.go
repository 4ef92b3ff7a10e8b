package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

// proxied is a web harness on PostgreSQL behind a dbtest.Proxy.
func proxied(t *testing.T, opts ...option) (*harness, *dbtest.Proxy) {
	t.Helper()
	db, proxy := dbtest.OpenProxied(t, shop.Schema, tickets.Schema, bot.Schema, web.Schema)
	return newHarness(t, db, opts...), proxy
}

// TestVisitorOutage: while the database is away a visitor's message gets
// a 503 with a short "try again in a moment" in the visitor's language and
// a Retry-After, within StoreWait even when the network to it hangs; the
// owner inbox of a restarting database says to try again instead of
// signing the owner out. Sent again with the
// same id once the database is back, the message is stored and answered
// once.
func TestVisitorOutage(t *testing.T) {
	h, proxy := proxied(t, func(c *web.Config) { c.Limits.StoreWait = 500 * time.Millisecond })
	visitor := h.session()
	o := h.owner()
	if res, _ := o.do("GET", "/owner/login?token="+h.token, nil, nil); res.StatusCode != 200 {
		t.Fatalf("owner login: %d", res.StatusCode)
	}
	say := func(id, text, lang string) (*http.Response, apiErr) {
		var e apiErr
		res := h.do("POST", "/api/messages", visitor.Token, map[string]string{"id": id, "text": text, "lang": lang}, nil, &e)
		return res, e
	}
	tests := []struct {
		name, lang, want string
		cut              func()
	}{
		{"restarting, Korean browser", "ko-KR", "잠시 후 다시 보내 주세요", proxy.Cut},
		{"restarting, English browser", "en-US", "try again in a moment", proxy.Cut},
		{"restarting, Chinese browser", "zh-CN", "请稍后再试", proxy.Cut},
		{"restarting, other language: the shop's", "fr", "잠시 후 다시 보내 주세요", proxy.Cut},
		{"hanging network", "en", "try again in a moment", proxy.Stall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cut()
			defer proxy.Restore()
			res, e := say("w1", "배송 얼마나 걸려요?", tc.lang)
			if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("during the outage: %d %+v, want 503 unavailable saying %q", res.StatusCode, e, tc.want)
			}
			if e.Error.RetryAfter != 5 || res.Header.Get("Retry-After") != "5" {
				t.Errorf("retry hint %d / %q, want 5 s", e.Error.RetryAfter, res.Header.Get("Retry-After"))
			}
			if strings.HasPrefix(tc.name, "hanging") {
				return // the owner's pages wait on the driver, which waits on the network
			}
			res, page := o.do("GET", "/owner", nil, nil)
			if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "잠시 뒤 다시 시도해 주세요") {
				t.Errorf("owner inbox during the outage: %d, want 503 with the try-again notice", res.StatusCode)
			}
		})
	}

	// Back: the same message again is taken, stored once and answered once.
	waitDB(t, h.db)
	res, e := say("w1", "배송 얼마나 걸려요?", "ko-KR")
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("after the outage: %d %+v", res.StatusCode, e)
	}
	waitEvents(t, h, visitor.Token, 2)
	st := h.stream(visitor.Token, "")
	var mine, answers int
	for {
		ev, done := st.quiet(500 * time.Millisecond)
		if done {
			break
		}
		switch ev.Data.From {
		case "me":
			mine++
		case "bot":
			answers++
		}
	}
	if mine != 1 || answers != 1 {
		t.Errorf("the visitor's log holds %d messages and %d answers, want 1 and 1", mine, answers)
	}
	if res, _ := o.do("GET", "/owner", nil, nil); res.StatusCode != 200 {
		t.Errorf("owner inbox after the outage: %d", res.StatusCode)
	}
}

// TestBrowserOutage is the widget while the shop's database restarts: the
// customer's message stays on screen with a polite notice and a "try
// again" button, and goes through (once) when the database is back.
func TestBrowserOutage(t *testing.T) {
	h, proxy := proxied(t)
	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the widget", `R.querySelector('.bubble')`)
	eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('.bubble').click(); return true; })()`)
	typeAndEnter(t, ctx, "영업시간이 어떻게 되나요?")
	waitJS(t, ctx, "a first answer", `R.querySelector('li.bot[data-kind=faq]')`)

	proxy.Cut()
	const text = "배송 얼마나 걸려요?"
	typeAndEnter(t, ctx, text)
	waitJS(t, ctx, "the try-again notice", `R.querySelector('li.me.failed .err') && R.querySelector('li.me.failed .retry')`)
	screenshot(t, ctx, "outage")
	notice := eval[string](t, ctx, `(`+shadow+`).querySelector('li.me.failed .err').textContent`)
	kept := eval[string](t, ctx, `(`+shadow+`).querySelector('li.me.failed .t').textContent`)
	if !strings.Contains(notice, "잠시 후 다시 보내 볼게요") || kept != text {
		t.Errorf("notice %q on a message reading %q; want the polite notice on the customer's own text", notice, kept)
	}

	proxy.Restore()
	waitDB(t, h.db)
	eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('li.me.failed .retry').click(); return true; })()`)
	waitJS(t, ctx, "the answer", `R.querySelectorAll('li.bot[data-kind=faq]').length === 2 && !R.querySelector('li.me.failed')`)
	if n := eval[int](t, ctx, `(function(){ var n = 0; (`+shadow+`).querySelectorAll('li.me .t').forEach(function (e) { if (e.textContent === `+"`"+text+"`"+`) n++; }); return n; })()`); n != 1 {
		t.Errorf("the message shows %d times, want once", n)
	}
	if n := count(t, ctx, "li.bot[data-kind=faq]"); n != 2 {
		t.Errorf("%d answers, want 2 (one before the outage, one after)", n)
	}
}

// waitDB waits until db answers again after a proxy.Restore.
func waitDB(t *testing.T, db *sqlx.DB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); db.Ping() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the database did not come back")
		}
	}
}
