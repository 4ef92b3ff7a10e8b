package web_test

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

// browser starts headless Chromium (Debian's, at /usr/bin/chromium, or
// SHOPBOT_CHROMIUM) and returns a context on its first tab. Without
// Chromium the test is skipped, unless CI is set: then it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := cmp.Or(os.Getenv("SHOPBOT_CHROMIUM"), "/usr/bin/chromium")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need Chromium at %s (CI is set): apt-get install chromium", path)
		}
		t.Skipf("browser test skipped: no Chromium at %s (apt-get install chromium, or set SHOPBOT_CHROMIUM)", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// shadow is the widget's shadow root, in page JavaScript.
const shadow = `document.querySelector('[data-shopbot]') && document.querySelector('[data-shopbot]').shadowRoot`

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until the JavaScript condition holds (10 s at most),
// across page loads.
func waitJS(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!!(function(){ var R = `+shadow+`; try { return `+cond+`; } catch (e) { return false; } })()`,
			chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(50*time.Millisecond)))
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond) // a navigation interrupted the poll: again on the new page
	}
	log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){ var R = `+shadow+`; var ol = R && R.querySelector('ol'); return ol ? ol.innerText : (document.body ? document.body.innerText.slice(0, 2000) : ''); })()`))
	t.Fatalf("waiting for %s: %v\npage shows:\n%s", what, err, log)
}

// pressEnter presses Enter as a keyboard does: one keydown that carries
// the text (so a prevented keydown types nothing), then keyup.
func pressEnter(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text = "\r"
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatal(err)
		}
	}
}

// typeAndEnter types text into the widget as keyboard input and presses Enter.
func typeAndEnter(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	eval[bool](t, ctx, `(function(){ var R = `+shadow+`; R.querySelector('textarea').focus(); return true; })()`)
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		t.Fatal(err)
	}
	pressEnter(t, ctx)
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, `(function(){ var R = `+shadow+`; return R.querySelectorAll(`+fmt.Sprintf("%q", sel)+`).length; })()`)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SHOPBOT_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// TestBrowserCustomerAndOwner is the whole product in a real browser: a
// customer on the demo shop page asks, taps a choice, looks up an order,
// complains; the owner, in a second browser context, answers from the
// inbox and the answer appears live in the customer's widget, also after
// the connection drops.
func TestBrowserCustomerAndOwner(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		ctx := browser(t)
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()

		if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the widget", `R.querySelector('.bubble')`)
		screenshot(t, ctx, "1-shop")
		eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('.bubble').click(); return true; })()`)
		waitJS(t, ctx, "the open panel and greeting", `!R.querySelector('.panel').hidden && R.querySelector('li.hello')`)
		if got := eval[string](t, ctx, `(`+shadow+`).querySelector('.bubble').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("aria-expanded %q after opening", got)
		}

		// A greeting: a word back, no hand-off.
		typeAndEnter(t, ctx, "안녕하세요")
		waitJS(t, ctx, "the greeting's answer", `R.querySelector('li.bot[data-kind=faq]')`)
		if !eval[bool](t, ctx, `(`+shadow+`).querySelector('.hand').hidden`) {
			t.Errorf("a greeting showed the hand-off banner")
		}

		// An FAQ question.
		typeAndEnter(t, ctx, "배송 언제 와요?")
		waitJS(t, ctx, "an FAQ answer", `R.querySelectorAll('li.bot[data-kind=faq]').length >= 2`)

		// A clarify question, answered by tapping a button.
		typeAndEnter(t, ctx, clarifyQuery(t, h.eng))
		waitJS(t, ctx, "clarify buttons", `R.querySelectorAll('li[data-kind=clarify] .ch button').length >= 2`)
		screenshot(t, ctx, "2-clarify")
		faqs := count(t, ctx, "li.bot[data-kind=faq]")
		eval[bool](t, ctx, `(function(){ `+shadow+`.querySelectorAll('li[data-kind=clarify] .ch button')[1].click(); return true; })()`)
		waitJS(t, ctx, "the chosen answer", fmt.Sprintf(`R.querySelectorAll('li.bot[data-kind=faq]').length > %d`, faqs))
		if n := count(t, ctx, "li[data-kind=clarify] .ch button:disabled"); n < 2 {
			t.Errorf("%d disabled choice buttons after a tap, want all", n)
		}

		// An order: the verification prompt, then the lookup.
		typeAndEnter(t, ctx, "주문 1042 어디쯤이에요?")
		waitJS(t, ctx, "the verification prompt", `!R.querySelector('.hint').hidden && R.querySelector('.hint').textContent.indexOf('4') >= 0`)
		typeAndEnter(t, ctx, "5678")
		waitJS(t, ctx, "the order", `R.querySelector('li.bot[data-kind=order]:last-child') && R.querySelector('ol').innerText.indexOf('6012345678901') >= 0`)
		if !eval[bool](t, ctx, `(`+shadow+`).querySelector('.hint').hidden`) {
			t.Errorf("verification hint still shown after the order")
		}

		// A complaint: the handoff state.
		typeAndEnter(t, ctx, "물건이 깨져서 왔어요")
		waitJS(t, ctx, "the handoff state", `R.querySelector('.sb').getAttribute('data-state') === 'handoff' && !R.querySelector('.hand').hidden`)
		screenshot(t, ctx, "3-handoff")
		ticket := eval[string](t, ctx, `(`+shadow+`).querySelector('.hand').textContent`)
		// Its reference, never the ticket's sequential number.
		if !regexp.MustCompile(`#[0-9A-Z]{6}\)`).MatchString(ticket) || strings.Contains(ticket, "#1)") {
			t.Errorf("handoff banner %q does not name the ticket's reference", ticket)
		}

		// The owner, in another browser context, answers from the inbox.
		octx, ocancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		defer ocancel()
		if err := chromedp.Do(octx, chromedp.Navigate(h.ts.URL+"/owner/login?token="+h.token)); err != nil {
			t.Fatal(err)
		}
		waitJS(t, octx, "the inbox", `location.pathname === '/owner' && document.querySelector('a[data-ticket="1"]')`)
		screenshot(t, octx, "4-inbox")
		if err := chromedp.Do(octx, chromedp.Navigate(h.ts.URL+"/owner/t/1")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, octx, "the ticket page", `document.querySelector('#reply')`)
		eval[bool](t, octx, `(function(){ var ta = document.querySelector('#reply'); ta.value = '죄송합니다. 새 상품으로 바로 보내 드릴게요.'; document.querySelector('#send').click(); return true; })()`)
		waitJS(t, octx, "the confirmation", `document.querySelector('.flash') && document.querySelector('.flash').textContent.indexOf('#1') >= 0`)
		screenshot(t, octx, "5-ticket")

		waitJS(t, ctx, "the owner's reply, live", `R.querySelectorAll('li.owner').length === 1 && R.querySelector('li.owner').innerText.indexOf('새 상품으로') >= 0`)
		if got := eval[string](t, ctx, `(`+shadow+`).querySelector('.sb').getAttribute('data-state')`); got != "answered" {
			t.Errorf("state %q after the owner's reply, want answered", got)
		}
		screenshot(t, ctx, "6-answered")

		// The connection drops; a reply sent meanwhile arrives once after
		// the widget reconnects.
		h.ts.CloseClientConnections()
		if _, err := h.eng.Handle(context.Background(), bot.Message{Channel: web.OwnerChannel, Chat: web.OwnerChat, ID: "offline-1",
			User: "inbox", Owner: true, Text: "/reply 1 오늘 오후에 출고했어요."}); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the reply sent while disconnected", `R.querySelectorAll('li.owner').length === 2`)
		time.Sleep(300 * time.Millisecond)
		if n := count(t, ctx, "li.owner"); n != 2 {
			t.Errorf("%d owner replies shown, want exactly 2", n)
		}
		if n := count(t, ctx, "li.me"); n != 7 {
			t.Errorf("%d customer messages shown, want 7", n)
		}

		// A reload resumes the same conversation.
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "the conversation after a reload", `R.querySelectorAll('li.owner').length === 2 && R.querySelectorAll('li.me').length === 7`)

		// A phone: the open panel fills a 360-px screen.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		eval[bool](t, ctx, `(function(){ `+shadow+`.querySelector('.bubble').click(); return true; })()`)
		waitJS(t, ctx, "the phone panel", `!R.querySelector('.panel').hidden`)
		w := eval[float64](t, ctx, `(`+shadow+`).querySelector('.panel').getBoundingClientRect().width`)
		right := eval[float64](t, ctx, `(`+shadow+`).querySelector('.panel').getBoundingClientRect().right`)
		if w > 360 || w < 340 || right > 360 {
			t.Errorf("panel on a 360-px phone: width %.0f, right edge %.0f", w, right)
		}
		if !eval[bool](t, ctx, `(function(){ var R = `+shadow+`; var b = R.querySelector('.send').getBoundingClientRect();
			return R.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2) === R.querySelector('.send'); })()`) {
			t.Errorf("on a phone the send button is covered")
		}
		screenshot(t, ctx, "7-phone")
		// Escape closes and gives focus back to the bubble.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\x1b")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "Escape to close", `R.querySelector('.panel').hidden && R.activeElement === R.querySelector('.bubble')`)
	})
}

// TestBrowserKoreanIME checks that Enter while a Korean syllable is being
// composed does not send (the double send of the last syllable), through
// CDP's IME events.
func TestBrowserKoreanIME(t *testing.T) {
	h := newHarness(t, dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema, web.Schema))
	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(h.ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the widget", `R.querySelector('.bubble')`)
	eval[bool](t, ctx, `(function(){ var R = `+shadow+`; R.querySelector('.bubble').click();
		window.keys = []; R.querySelector('textarea').addEventListener('keydown', function (e) { if (e.key === 'Enter') window.keys.push([e.isComposing, e.keyCode]); }, true);
		R.querySelector('textarea').focus(); return true; })()`)
	waitJS(t, ctx, "the open panel", `!R.querySelector('.panel').hidden`)

	call := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "안녕하세"})
	call(err)
	// "요" is being composed; Enter arrives during the composition, as an
	// IME sends it (keyCode 229) and as a plain Enter.
	_, err = chromedp.Call(ctx, input.ImeSetComposition, input.ImeSetCompositionParams{Text: "요", SelectionStart: 1, SelectionEnd: 1})
	call(err)
	_, err = chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 229})
	call(err)
	_, err = chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 229})
	call(err)
	_, err = chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13})
	call(err)
	_, err = chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13})
	call(err)
	time.Sleep(200 * time.Millisecond)
	if n := count(t, ctx, "li.me"); n != 0 {
		t.Fatalf("%d messages sent by Enter during composition, want 0", n)
	}
	// The IME commits the syllable; now Enter sends, once.
	_, err = chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: "요"})
	call(err)
	if got := eval[string](t, ctx, `(`+shadow+`).querySelector('textarea').value`); got != "안녕하세요" {
		t.Fatalf("textarea %q before Enter, want 안녕하세요", got)
	}
	pressEnter(t, ctx)
	waitJS(t, ctx, "the sent message", `R.querySelectorAll('li.me').length === 1`)
	time.Sleep(300 * time.Millisecond)
	if got := eval[[]string](t, ctx, `Array.prototype.map.call((`+shadow+`).querySelectorAll('li.me .t'), function (e) { return e.textContent; })`); strings.Join(got, "|") != "안녕하세요" {
		t.Errorf("sent %q, want exactly one 안녕하세요", got)
	}
	if got := eval[string](t, ctx, `(`+shadow+`).querySelector('textarea').value`); got != "" {
		t.Errorf("textarea %q after sending, want empty", got)
	}
	keys := eval[[][]any](t, ctx, `window.keys`)
	t.Logf("Enter keydowns seen (isComposing, keyCode): %v", keys)
	if len(keys) < 3 || keys[0][0] != true && keys[0][1] != float64(229) {
		t.Errorf("the composition Enter was not seen as composing: %v", keys)
	}
	var stored int
	if err := h.db.Get(&stored, `SELECT COUNT(*) FROM web_messages WHERE client_id IS NOT NULL`); err != nil || stored != 1 {
		t.Errorf("%d visitor messages stored (err %v), want 1", stored, err)
	}
}
