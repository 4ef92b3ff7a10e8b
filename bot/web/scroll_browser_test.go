package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

// newestVisible is true when the widget log's last message, choice
// buttons and all, is wholly inside the log's visible box.
const newestVisible = `(function(){ var ol = R.querySelector('ol'), li = ol.lastElementChild; if (!li) return false;
	var a = ol.getBoundingClientRect(), b = li.getBoundingClientRect();
	return a.height > 0 && b.bottom <= a.bottom + 1 && b.top >= a.top - 1; })()`

// viewports are a phone's and a desktop's screens.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"phone", 360, 740, true}, {"desktop", 1280, 900, false}}

func emulate(t *testing.T, ctx context.Context, width, height int64, mobile bool) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserNewestMessageVisible: on a phone and on a desktop, the newest
// message stays wholly in view when choice buttons or the hand-off banner
// appear, and after a reload the chat opens at its end; choices are shown
// once, as buttons, not also as numbered lines.
func TestBrowserNewestMessageVisible(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			h := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema, web.Schema))
			ctx := browser(t)
			ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
			defer cancel()
			emulate(t, ctx, vp.width, vp.height, vp.mobile)
			if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/")); err != nil {
				t.Fatal(err)
			}
			waitJS(t, ctx, "the widget", `R.querySelector('.bubble')`)
			eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('.bubble').click(); return true; })()`)
			waitJS(t, ctx, "the greeting", `!R.querySelector('.panel').hidden && R.querySelector('li.hello')`)

			// Enough answers to fill the log.
			for i, q := range []string{"배송 언제 와요?", "택배비 얼마에요", "how long does delivery take", "运费多少钱？"} {
				typeAndEnter(t, ctx, q)
				waitJS(t, ctx, "answer "+q, `R.querySelectorAll('li.bot[data-kind=faq]').length >= `+string(rune('1'+i)))
			}
			waitJS(t, ctx, "a log taller than its box", `R.querySelector('ol').scrollHeight > R.querySelector('ol').clientHeight + 50`)
			waitJS(t, ctx, "the newest answer in view", newestVisible)

			// Choices: buttons under the newest message, in view.
			typeAndEnter(t, ctx, clarifyQuery(t, h.eng))
			waitJS(t, ctx, "clarify buttons", `R.querySelectorAll('li[data-kind=clarify] .ch button').length >= 2`)
			waitJS(t, ctx, "the choices in view", newestVisible)
			screenshot(t, ctx, "newest-"+vp.name+"-choices")
			text := eval[string](t, ctx, `(`+shadow+`).querySelector('li[data-kind=clarify] .t').textContent`)
			buttons := eval[[]string](t, ctx, `Array.prototype.map.call((`+shadow+`).querySelectorAll('li[data-kind=clarify] .ch button'), function (b) { return b.textContent; })`)
			for i, b := range buttons {
				if strings.Contains(text, b) {
					t.Errorf("choice %d %q shown twice: in the text %q and as a button", i+1, b, text)
				}
			}

			// The hand-off banner takes room above the log.
			typeAndEnter(t, ctx, "물건이 깨져서 왔어요")
			waitJS(t, ctx, "the banner", `!R.querySelector('.hand').hidden && R.querySelector('li.bot[data-kind=ticket], li.bot[data-kind=handoff]')`)
			waitJS(t, ctx, "the newest message in view under the banner", newestVisible)
			screenshot(t, ctx, "newest-"+vp.name+"-banner")

			// A reload: the conversation opens at its end.
			if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
				t.Fatal(err)
			}
			waitJS(t, ctx, "the conversation after a reload", `R.querySelectorAll('li.me').length === 6`)
			eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('.bubble').click(); return true; })()`)
			waitJS(t, ctx, "the open panel", `!R.querySelector('.panel').hidden`)
			waitJS(t, ctx, "the newest message in view after a reload", newestVisible)
			screenshot(t, ctx, "newest-"+vp.name+"-reload")

			// Scrolled up to read, the visitor is not pulled down by a
			// reply; sending brings the log back to the end.
			eval[bool](t, ctx, `(function(){ var ol = `+shadow+`.querySelector('ol'); ol.scrollTop = 0; ol.dispatchEvent(new Event('scroll')); return true; })()`)
			if _, err := h.eng.Handle(context.Background(), bot.Message{Channel: web.OwnerChannel, Chat: web.OwnerChat, ID: "scroll-1",
				User: "inbox", Owner: true, Text: "/reply 1 확인해 볼게요."}); err != nil {
				t.Fatal(err)
			}
			waitJS(t, ctx, "the owner's reply", `R.querySelectorAll('li.owner').length === 1`)
			time.Sleep(200 * time.Millisecond)
			if top := eval[float64](t, ctx, `(`+shadow+`).querySelector('ol').scrollTop`); top > 5 {
				t.Errorf("a reply pulled a reading visitor down (scrollTop %.0f)", top)
			}
			typeAndEnter(t, ctx, "감사합니다")
			waitJS(t, ctx, "the sent message in view", `R.querySelectorAll('li.me').length === 7 && `+newestVisible)
		})
	}
}

// TestBrowserInboxCommandResult: on a phone and on a desktop, a command's
// result shows where the owner typed it, in view; a web visitor is named
// as one, not by a raw id.
func TestBrowserInboxCommandResult(t *testing.T) {
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			h := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema, web.Schema))
			// Tickets to push the command box down the page.
			for _, text := range []string{"물건이 깨져서 왔어요", "주문 1043 취소해 주세요", "환불해 주세요", "오늘 날씨 어때요? 추천 식당 있나요"} {
				s := h.session()
				h.say(s.Token, text)
			}
			ctx := browser(t)
			ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
			defer cancel()
			emulate(t, ctx, vp.width, vp.height, vp.mobile)
			if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/owner/login?token="+h.token)); err != nil {
				t.Fatal(err)
			}
			waitJS(t, ctx, "the inbox", `location.pathname === '/owner' && document.querySelectorAll('a[data-ticket]').length >= 3`)
			if body := eval[string](t, ctx, `document.querySelector('main').innerText`); strings.Contains(body, "v_") || !strings.Contains(body, "웹 방문자 #") {
				t.Errorf("web visitors not named as such in the inbox:\n%s", body)
			}
			eval[bool](t, ctx, `(function(){ var i = document.querySelector('#cmd'); i.value = '/stock 티셔츠'; i.form.submit(); return true; })()`)
			waitJS(t, ctx, "the command's result", `document.querySelector('#result') && document.querySelector('#result').textContent.indexOf('티셔츠') >= 0`)
			time.Sleep(200 * time.Millisecond) // the jump to #command
			in := eval[bool](t, ctx, `(function(){ var r = document.querySelector('#result').getBoundingClientRect(), c = document.querySelector('#cmd').getBoundingClientRect();
				return r.top >= 0 && r.top < innerHeight - 20 && c.top >= 0 && c.bottom <= innerHeight; })()`)
			if !in {
				t.Errorf("the command box and the start of its result are not both in view")
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('.flash').length`); n != 1 {
				t.Errorf("%d result boxes, want 1", n)
			}
			screenshot(t, ctx, "inbox-"+vp.name+"-command")
			// A new ticket refreshes the list live; the result stays.
			tickets := eval[int](t, ctx, `document.querySelectorAll('a[data-ticket]').length`)
			s := h.session()
			h.say(s.Token, "주문 1043 취소해 주세요")
			waitJS(t, ctx, "the live refresh", fmt.Sprintf(`document.querySelectorAll('a[data-ticket]').length > %d`, tickets))
			if !eval[bool](t, ctx, `!!document.querySelector('#command #result') && document.querySelector('#result').textContent.indexOf('티셔츠') >= 0`) {
				t.Errorf("the command's result vanished when the inbox refreshed")
			}
		})
	}
}
