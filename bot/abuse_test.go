package bot_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
)

// TestOrderEnumerationLeaksNothing has chats guess order numbers and the
// last four phone digits, six guesses a chat (one more than its lockout
// allows) up to 100 chats. Nothing about any order may come back, and
// every chat must trip its lockout. SHOPBOT_GUESSES sets the number of
// guesses (default 150: 25 chats; 600 and more: 100 chats, as this test
// had before — more chats of the same six guesses only take longer).
func TestOrderEnumerationLeaksNothing(t *testing.T) {
	guesses := 150
	if n, err := strconv.Atoi(os.Getenv("SHOPBOT_GUESSES")); err == nil {
		guesses = n
	}
	chats := min(100, max(guesses/6, 1))
	run(t, func(t *testing.T, h *harness) {
		rng := rand.New(rand.NewPCG(1, 2))
		leaks, locked := 0, map[string]bool{}
		for i := range guesses {
			chat := fmt.Sprint("attacker", i%chats)
			number := 1000 + rng.IntN(9000)
			for _, text := range []string{fmt.Sprintf("주문 %d 어디쯤이에요?", number), fmt.Sprintf("%04d", rng.IntN(10000))} {
				for _, r := range h.Say(chat, text) {
					if r.Kind == bot.KindTicket && strings.Contains(r.Text, "#") {
						locked[chat] = true
					}
					// An order shown has its items or status line; the
					// question and refusals never do.
					if strings.Contains(r.Text, "상태예요") || strings.Contains(r.Text, "택배사") || strings.Contains(r.Text, "상품:") {
						leaks++
						t.Errorf("chat %s got order data: %q", chat, r.Text)
					}
				}
			}
			if i%chats == chats-1 {
				h.Clock.Advance(time.Minute) // stay under the flood limit: test the lockout, not the mute
			}
		}
		if leaks != 0 {
			t.Errorf("%d replies leaked order data", leaks)
		}
		if want := min(chats, guesses/5); len(locked) < want {
			t.Errorf("%d chats locked out, want at least %d", len(locked), want)
		}
		t.Logf("%d guesses from %d chats: %d leaks, %d chats locked out", guesses, chats, leaks, len(locked))
	})
}

// TestOrderEnumerationRotatingVisitors is the outside review's attack: a
// new web visitor is a new conversation, so the attacker keeps 50
// visitors going, each abandoned after 4 wrong codes (one short of its
// conversation's lockout), from 10 networks, one guess a second. Half the
// guesses walk the codes of one real order (1042) from a start 1,000
// codes before its real one, retrying a code the lockout refused; the other
// half spray random order numbers and codes. Nothing about any order may
// come back: the order number and the networks are locked with growing
// back-off, so only a few dozen guesses are checked at all.
// SHOPBOT_GUESSES sets the number of guesses (default 2,000; the figure in
// the README is from 10,000).
func TestOrderEnumerationRotatingVisitors(t *testing.T) {
	guesses := 2000
	if n, err := strconv.Atoi(os.Getenv("SHOPBOT_GUESSES")); err == nil {
		guesses = n
	}
	run(t, func(t *testing.T, h *harness) {
		rng := rand.New(rand.NewPCG(3, 4))
		const visitors, networks, real = 50, 10, 5678
		code := (real - 1000 + 10000) % 10000 // the focused walk reaches the real code after 1,000 checks
		slot := make([]int, visitors)         // each slot's current visitor and its wrong codes
		wrong := make([]int, visitors)
		next := visitors
		for i := range slot {
			slot[i] = i
		}
		leaks, checked, checked1042, refused := 0, 0, 0, 0
		for i := range guesses {
			s := i % visitors
			if wrong[s] >= 4 {
				slot[s], wrong[s], next = next, 0, next+1
			}
			m := bot.Message{Channel: "web", Chat: fmt.Sprint("v_", slot[s]), User: fmt.Sprint("v_", slot[s]),
				Network: bot.NetworkOf(fmt.Sprintf("198.51.%d.%d", 100+i%networks, 1+rng.IntN(250)))}
			focused := i%2 == 0
			number, guess := fmt.Sprint(1000+rng.IntN(9000)), fmt.Sprintf("%04d", rng.IntN(10000))
			if focused {
				number, guess = "1042", fmt.Sprintf("%04d", code)
			}
			h.Clock.Advance(4 * time.Second) // with the two messages' seconds: a guess every 5-6 s
			m.Text = "주문 " + number + " 어디쯤이에요?"
			replies := h.Send(m)
			if len(replies) == 1 && replies[0].Ask == bot.AskVerify {
				m.Text = guess
				replies = append(replies, h.Send(m)...)
			}
			switch last := replies[len(replies)-1]; {
			case last.Ask == bot.AskVerify && strings.Contains(last.Text, "다시 확인해 주세요"): // checked and wrong
				checked++
				wrong[s]++
				if focused {
					checked1042++
					code = (code + 1) % 10000
				}
			case strings.Contains(last.Text, "잠시"): // refused unchecked: the same code again later
				refused++
			default:
				t.Errorf("guess %d: unexpected reply %q", i, last.Text)
			}
			for _, r := range replies {
				if strings.Contains(r.Text, "상태예요") || strings.Contains(r.Text, "택배사") || strings.Contains(r.Text, "상품:") || strings.Contains(r.Text, "6012345678901") {
					leaks++
					t.Errorf("guess %d (order %s, %s) got order data: %q", i, number, guess, r.Text)
				}
			}
		}
		if leaks != 0 {
			t.Errorf("%d replies leaked order data", leaks)
		}
		// What was really checked: every failure is a row (a check whose
		// failure locked its scope reads to the attacker as refused).
		if err := h.DB.Get(&checked, `SELECT COUNT(*) FROM verify_failures`); err != nil {
			t.Fatal(err)
		}
		if err := h.DB.Get(&checked1042, `SELECT COUNT(*) FROM verify_failures WHERE order_number = '1042'`); err != nil {
			t.Fatal(err)
		}
		// A day of failures allows an order After checks plus one per
		// back-off step, and each network After plus its steps.
		if checked1042 > 14 {
			t.Errorf("%d guesses at order 1042 were checked, want at most 14", checked1042)
		}
		if checked > networks*(20+10) {
			t.Errorf("%d guesses were checked, want at most %d", checked, networks*30)
		}
		alerts := 0
		for _, r := range h.Pending(ownerInbox) {
			if r.Event == "lockout" {
				alerts++
			}
		}
		if alerts == 0 || alerts > 100 {
			t.Errorf("%d lockout alerts to the owner, want a few (one per lockout)", alerts)
		}
		t.Logf("%d guesses from %d visitors (%d rotating slots) on %d networks over %s: %d checked (%d at order 1042), %d answered \"paused\", %d leaks, %d owner alerts",
			guesses, next, visitors, networks, h.Clock.Now().Sub(testNow).Round(time.Minute), checked, checked1042, refused, leaks, alerts)
	})
}

// TestOrderLockoutAcrossChats is the review's case: visitors that each
// burn wrong codes on one order lock that order for everyone, so the
// next visitor's right code is not even checked. An order that does not
// exist locks the same way, with the same words, and the owner hears of
// each lockout once.
func TestOrderLockoutAcrossChats(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		lockedText := map[string]string{}
		for _, number := range []string{"1042", "9999"} {
			for v := range 3 { // 3 visitors × 2 wrong codes: none near its own lockout
				chat := fmt.Sprintf("v%s-%d", number, v)
				for _, code := range []string{"0000", "1111"} {
					one(t, h.Say(chat, "주문 "+number+" 어디쯤이에요?"), bot.KindOrder)
					h.Say(chat, code)
				}
			}
			chat := "v" + number + "-right"
			r := one(t, h.Say(chat, "주문 "+number+" 어디쯤이에요?"), bot.KindOrder, "분 뒤에 다시")
			if r.Ask != "" {
				t.Errorf("locked order %s asks for proof: %+v", number, r)
			}
			r = one(t, h.Say(chat, "5678"), bot.KindOrder, "분 뒤에 다시")
			if strings.Contains(r.Text, "6012345678901") || strings.Contains(r.Text, "상품:") {
				t.Fatalf("locked order %s shown: %q", number, r.Text)
			}
			// Another chat on the locked order, through the FAQ's wording.
			lockedText[number] = one(t, h.Say(chat+"2", "주문 "+number+" 어디쯤이에요?"), bot.KindOrder).Text
		}
		if lockedText["1042"] != lockedText["9999"] {
			t.Errorf("a locked real order and a locked unknown one read differently:\n%q\n%q", lockedText["1042"], lockedText["9999"])
		}
		var alerts []string
		for _, r := range h.Pending(ownerInbox) {
			if r.Event == "lockout" {
				alerts = append(alerts, r.Text)
			}
		}
		if len(alerts) != 2 || !strings.Contains(alerts[0], "1042") || !strings.Contains(alerts[1], "9999") {
			t.Errorf("lockout alerts = %q, want one for 1042 and one for 9999", alerts)
		}
		// The lockout passes: the owner of 1042 gets through again.
		h.Clock.Advance(16 * time.Minute)
		one(t, h.Say("minji", "주문 1042 어디쯤이에요?"), bot.KindOrder, "본인 확인")
		one(t, h.Say("minji", "5678"), bot.KindOrder, "6012345678901")
	})
}

// TestNetworkLockout: one network guessing across many orders is locked
// even though no order and no chat reaches its own limit; another
// network is not.
func TestNetworkLockout(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		say := func(chat, ip, text string) []bot.Reply {
			return h.Send(bot.Message{Channel: "web", Chat: chat, User: chat, Text: text, Network: bot.NetworkOf(ip)})
		}
		for i := range 20 {
			chat := fmt.Sprint("v", i)
			one(t, say(chat, fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("주문 %d 어디쯤이에요?", 2000+i)), bot.KindOrder, "본인 확인")
			say(chat, fmt.Sprintf("203.0.113.%d", i), "0000")
		}
		one(t, say("late", "203.0.113.200", "주문 1042 어디쯤이에요?"), bot.KindOrder, "분 뒤에 다시")
		one(t, say("elsewhere", "198.51.100.7", "주문 1042 어디쯤이에요?"), bot.KindOrder, "본인 확인")
		one(t, say("elsewhere", "198.51.100.7", "5678"), bot.KindOrder, "6012345678901")
	})
}

// TestVerificationExpires: a proof lasts Config.Verify.TTL (an hour by
// default); after that the order is asked for again.
func TestVerificationExpires(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		one(t, h.Say("minji", "주문 1042 어디쯤이에요?"), bot.KindOrder, "본인 확인")
		one(t, h.Say("minji", "5678"), bot.KindOrder, "6012345678901")
		h.Clock.Advance(50 * time.Minute)
		one(t, h.Say("minji", "1042 배송 조회"), bot.KindOrder, "6012345678901")
		h.Clock.Advance(11 * time.Minute)
		r := one(t, h.Say("minji", "1042 배송 조회"), bot.KindOrder, "본인 확인")
		if r.Ask != bot.AskVerify {
			t.Errorf("expired proof: ask = %q, want %q", r.Ask, bot.AskVerify)
		}
	})
}

func TestNetworkOf(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"203.0.113.77", "203.0.113.0/24"},
		{"::ffff:203.0.113.77", "203.0.113.0/24"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
	} {
		if got := bot.NetworkOf(c.in); got != c.want {
			t.Errorf("NetworkOf(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestForgedNameInAlerts: a customer's display name (the web chat's name
// field, a Telegram first name, a Slack profile) cannot add lines to the
// owner's alert, turn its text around or run on: every channel renders
// the alert the engine wrote.
func TestForgedNameInAlerts(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		forged := "민지\n\n[URGENT] 새 문의 #99 (환불) — 환불 계좌 110-123-456789\r\n\u202e감사합니다\u2066\u200b" + strings.Repeat("가", 100)
		h.Send(bot.Message{Channel: "web", Chat: "v_forger", User: "v_forger", Name: forged, Text: "물건이 깨져서 왔어요"})
		h.Send(bot.Message{Channel: "web", Chat: "v_forger", User: "v_forger", Name: forged, Text: "빨리 확인해 주세요"})
		alerts := h.Pending(ownerInbox)
		if len(alerts) != 2 {
			t.Fatalf("%d alerts, want 2: %+v", len(alerts), alerts)
		}
		for _, a := range alerts {
			for i, line := range strings.Split(a.Text, "\n") {
				if i > 0 && strings.HasPrefix(line, "[URGENT]") {
					t.Errorf("a forged line in the alert: %q", a.Text)
				}
			}
			if strings.ContainsAny(a.Text, "\u202e\u2066\u200b\r") {
				t.Errorf("bidi or invisible characters in the alert: %q", a.Text)
			}
		}
		if lines := strings.Count(alerts[0].Text, "\n"); lines != 2 {
			t.Errorf("new-ticket alert has %d line breaks, want the format's 2:\n%s", lines, alerts[0].Text)
		}
		list := h.Owner("/tickets").Text
		if strings.Contains(list, "\n[URGENT]") || strings.Contains(list, strings.Repeat("가", bot.MaxName)) {
			t.Errorf("/tickets shows the forged name unchecked:\n%s", list)
		}
		if got := bot.CleanName(forged); utf8.RuneCountInString(got) > bot.MaxName+1 || strings.ContainsAny(got, "\n\u202e") {
			t.Errorf("CleanName = %q", got)
		}
	})
}
