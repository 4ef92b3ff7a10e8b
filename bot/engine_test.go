package bot_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/notify"
)

// testNow is a fixed Monday afternoon in Seoul.
var testNow = bottest.Now

// harness is an engine on a demo shop, and a way to talk to it.
type harness = bottest.Harness

var ownerInbox = bottest.Owner

func newHarness(t testing.TB, db *sqlx.DB, opts ...bottest.Option) *harness {
	t.Helper()
	return bottest.New(t, db, opts...)
}

func run(t *testing.T, f func(t *testing.T, h *harness), opts ...bottest.Option) {
	bottest.Run(t, f, opts...)
}

// ownerLang sets the owner's language.
func ownerLang(lang string) bottest.Option { return bottest.OwnerLang(lang) }

// one asserts a single reply of kind whose text contains every want.
func one(t *testing.T, rs []bot.Reply, kind bot.Kind, want ...string) bot.Reply {
	t.Helper()
	return bottest.One(t, rs, kind, want...)
}

func TestKoreanConversation(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		r := one(t, h.Say("minji", "배송 언제 와요?"), bot.KindFAQ)
		if r.Entry == "" {
			t.Errorf("FAQ answer without an entry id")
		}
		one(t, h.Say("minji", "주문 1042 어디쯤이에요?"), bot.KindOrder, "1042")
		one(t, h.Say("minji", "0000"), bot.KindOrder) // wrong digits: asked again
		one(t, h.Say("minji", "5678"), bot.KindOrder, "6012345678901")
		// Verified once, the conversation may look again without proof.
		one(t, h.Say("minji", "1042 배송 조회"), bot.KindOrder, "6012345678901")

		tk := one(t, h.Say("minji", "그런데 받은 컵이 깨져서 왔어요"), bot.KindTicket)
		if tk.Priority != "high" || tk.Ticket == 0 {
			t.Errorf("complaint ticket = %d %q, want a high ticket", tk.Ticket, tk.Priority)
		}
		// Handed off: the bot stays quiet.
		if rs := h.Say("minji", "언제 답변 주시나요?"); len(rs) != 0 {
			t.Errorf("bot answered a handed-off conversation: %+v", rs)
		}
		// The owners hear of the ticket and of the customer's follow-up.
		got := h.Pending(ownerInbox)
		if len(got) != 2 || got[0].Event != bot.EventNew || got[0].Priority != "high" || got[1].Event != bot.EventMessage {
			t.Errorf("owner events = %+v, want new (high) then message", got)
		}
	})
}

// TestCancellationBeforeShippingIsUrgent: the owner gets an unshipped
// order's cancellation as urgent and a shipped one's as high; the customer
// cannot tell which (nor whether the order exists): the answer's words,
// kind and priority are the same, and its ticket reference is not the
// ticket's number.
func TestCancellationBeforeShippingIsUrgent(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		tests := []struct {
			chat, number string
			owner        string // the priority the owner sees
		}{
			{"junho", "1043", "urgent"},  // paid, being prepared
			{"minji", "1042", "high"},    // shipped
			{"prober", "9999", "urgent"}, // no such order
		}
		var answers []string
		for _, tt := range tests {
			r := one(t, h.Say(tt.chat, "주문 "+tt.number+" 취소해 주세요"), bot.KindTicket)
			answers = append(answers, fmt.Sprintf("%s %s %q", r.Kind, r.Priority, refWord.ReplaceAllString(r.Text, "REF")))
			if r.Ref == "" || showsNumber(r.Text, r.Ticket) {
				t.Errorf("order %s: the customer sees the ticket's number: %q (ref %q)", tt.number, r.Text, r.Ref)
			}
			alerts := h.Pending(ownerInbox)
			if len(alerts) != 1 || alerts[0].Event != bot.EventNew || alerts[0].Ticket != r.Ticket || alerts[0].Priority != tt.owner || !strings.Contains(alerts[0].Text, tt.number) {
				t.Fatalf("order %s: owner alerts = %+v, want one %s for ticket %d naming the order", tt.number, alerts, tt.owner, r.Ticket)
			}
		}
		for i := range answers[1:] {
			if answers[i+1] != answers[0] {
				t.Errorf("cancelling %s and %s read differently to the customer:\n%s\n%s", tests[0].number, tests[i+1].number, answers[0], answers[i+1])
			}
		}
	})
}

// refWord is a ticket reference and the particle after it.
var refWord = regexp.MustCompile(`#[0-9A-Z]{6}(으로|로)?`)

// showsNumber reports whether text shows ticket number id ("#12" not
// followed by more of a word).
func showsNumber(text string, id int64) bool {
	return regexp.MustCompile(fmt.Sprintf(`#%d([^0-9A-Z]|$)`, id)).MatchString(text)
}

// TestTicketRefsAreRandom: what customers are told is no count of the
// shop's tickets, and the owner can look a quoted reference up.
func TestTicketRefsAreRandom(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		seen := map[string]bool{}
		var last bot.Reply
		for i := range 5 {
			last = one(t, h.Say(fmt.Sprint("c", i), "물건이 깨져서 왔어요"), bot.KindTicket)
			if len(last.Ref) != 6 || seen[last.Ref] || showsNumber(last.Text, last.Ticket) || !strings.Contains(last.Text, "#"+last.Ref) {
				t.Errorf("ticket %d: ref %q in %q", last.Ticket, last.Ref, last.Text)
			}
			seen[last.Ref] = true
		}
		if r := h.Owner("/ticket #" + last.Ref); !strings.Contains(r.Text, fmt.Sprintf("#%d", last.Ticket)) {
			t.Errorf("/ticket #%s = %q, want ticket #%d", last.Ref, r.Text, last.Ticket)
		}
	})
}

func TestEnglishConversationAndOwnerLoop(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		one(t, h.Say("emily", "where is my order 1044"), bot.KindOrder, "1044")
		one(t, h.Say("emily", "it's emily@example.com"), bot.KindOrder, "1044")
		// Off-topic: a person may answer, but it pages no one.
		off := one(t, h.Say("emily", "Can you recommend a good restaurant nearby?"), bot.KindHandoff)
		if off.Priority != "low" {
			t.Errorf("off-topic ticket priority = %q, want low", off.Priority)
		}
		// The owner lists, answers and closes it.
		list := h.Owner("/tickets")
		if !strings.Contains(list.Text, fmt.Sprintf("#%d", off.Ticket)) {
			t.Errorf("/tickets = %q, want ticket #%d", list.Text, off.Ticket)
		}
		one(t, []bot.Reply{h.Owner(fmt.Sprintf("/ticket %d", off.Ticket))}, bot.KindCommand, "restaurant")
		one(t, []bot.Reply{h.Owner(fmt.Sprintf("/reply %d Try the noodle bar on Main St.", off.Ticket))}, bot.KindCommand, "sent")
		got := h.Pending(bot.Address{Channel: "console", Chat: "emily"})
		var relayed bool
		for _, r := range got {
			if r.Kind == bot.KindOwner && r.Text == "Try the noodle bar on Main St." {
				relayed = true
			}
		}
		if !relayed {
			t.Errorf("owner reply not relayed to the customer: %+v", got)
		}
		one(t, []bot.Reply{h.Owner(fmt.Sprintf("/close %d", off.Ticket))}, bot.KindCommand, "resolved")
		// Resolved: the bot answers again.
		one(t, h.Say("emily", "how much is shipping?"), bot.KindFAQ)
	}, ownerLang("en"))
}

func TestCustomerCannotRunOwnerCommands(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		for _, r := range h.Say("mallory", "/sales today") {
			if r.Kind == bot.KindCommand || strings.Contains(r.Text, "매출") || strings.Contains(r.Text, "Sales") {
				t.Errorf("customer got an owner answer: %+v", r)
			}
		}
	})
}

func TestVerificationLockout(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		unknown := one(t, h.Say("eve", "주문 9999 어디쯤이에요?"), bot.KindOrder)
		known := one(t, h.Say("eve2", "주문 1042 어디쯤이에요?"), bot.KindOrder)
		// An unknown number and a real one get the same question…
		if strings.ReplaceAll(unknown.Text, "9999", "N") != strings.ReplaceAll(known.Text, "1042", "N") {
			t.Errorf("unknown and known orders answered differently:\n%q\n%q", unknown.Text, known.Text)
		}
		// …and the same refusal.
		a := one(t, h.Say("eve", "1111"), bot.KindOrder)
		b := one(t, h.Say("eve2", "1111"), bot.KindOrder)
		if a.Text != b.Text {
			t.Errorf("wrong proof for unknown and known orders answered differently: %q / %q", a.Text, b.Text)
		}
		for i := 2; i <= 5; i++ {
			rs := h.Say("eve2", fmt.Sprintf("%04d", i))
			if i < 5 {
				one(t, rs, bot.KindOrder)
			} else {
				one(t, rs, bot.KindTicket, "#")
			}
		}
		// Locked: even the right digits no longer show the order.
		h.Owner("/close 1")
		for _, r := range h.Say("eve2", "주문 1042 어디쯤이에요?") {
			if strings.Contains(r.Text, "6012345678901") {
				t.Fatalf("locked conversation saw the order: %q", r.Text)
			}
		}
	})
}

func TestBadInput(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		tests := []struct {
			name, text string
		}{
			{"1MB", strings.Repeat("배송 ", 350_000)},
			{"invalid UTF-8", "배송\xff\xfe 언제\xc3"},
			{"NUL", "배송\x00언제"},
			{"empty", ""},
			{"spaces", "   \t "},
			{"template", "{{.Shop.Name}} {{range .}}{{end}} {{template \"x\"}}"},
			{"SQL in order number", "주문 1042'; DROP TABLE orders;-- 어디쯤이에요"},
			{"emoji only", "😀😀😀"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rs := h.Say(fmt.Sprintf("bad%d", i), tt.text)
				for _, r := range rs {
					if strings.Contains(r.Text, "하루상점") && strings.Contains(tt.text, "{{") {
						t.Errorf("customer text was executed as a template: %q", r.Text)
					}
					if r.Kind == bot.KindError {
						t.Errorf("error reply: %q", r.Text)
					}
				}
			})
		}
		numbers, err := shop.NewStore(h.DB).OrderNumbers(context.Background(), func(string, string) bool { return true })
		if n := len(numbers); err != nil || n < 200 {
			t.Errorf("orders after SQL-ish input: %d, %v", n, err)
		}
	})
}

func TestDuplicateMessageIsHandledOnce(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		m := bot.Message{Channel: "telegram", ID: "update-7", Chat: "42", User: "42", Text: "배송비 얼마예요?"}
		if _, err := h.Engine.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Engine.Handle(context.Background(), m); !errors.Is(err, bot.ErrDuplicate) {
			t.Fatalf("second Handle: err = %v, want ErrDuplicate", err)
		}
		if got := h.Pending(bot.Address{Channel: "telegram", Chat: "42"}); len(got) != 1 {
			t.Errorf("outbox holds %d replies, want 1", len(got))
		}
	})
}

func TestFloodIsMutedWithOneNote(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		answered := 0
		for i := range 30 {
			rs := h.Send(bot.Message{Channel: "console", Chat: "flood", User: "flood", Text: fmt.Sprintf("배송비 얼마예요 %d", i)})
			answered += len(rs)
		}
		if answered != bot.DefaultLimits.PerMinute {
			t.Errorf("answered %d of 30 messages in 30 s, want %d", answered, bot.DefaultLimits.PerMinute)
		}
		if notes := floodNotes(h); notes != 1 {
			t.Errorf("%d flood notes to the owner, want 1", notes)
		}
		// A minute later the customer is heard again.
		h.Clock.Advance(2 * time.Minute)
		if rs := h.Say("flood", "배송비 얼마예요"); len(rs) != 1 {
			t.Errorf("after the flood: %d replies, want 1", len(rs))
		}
	})
}

// TestFloodCountsConcurrentMessages: messages of one chat arriving
// together are counted as one after the other: as many as the limit
// are answered, and the owners get one note. (On PostgreSQL a message that
// waited for its conversation while another of the chat committed counts
// again after the wait: the first statement's count was taken before.)
func TestFloodCountsConcurrentMessages(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		const n = 30
		var wg sync.WaitGroup
		var answered atomic.Int64
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rs, err := h.Engine.Handle(context.Background(), bot.Message{Channel: "console", ID: fmt.Sprint("burst-", i),
					Chat: "burst", User: "burst", Text: fmt.Sprintf("배송비 얼마예요 %d", i)})
				if err != nil {
					errs <- err
					return
				}
				answered.Add(int64(len(rs)))
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := answered.Load(); got != int64(bot.DefaultLimits.PerMinute) {
			t.Errorf("answered %d of %d messages sent at once, want %d", got, n, bot.DefaultLimits.PerMinute)
		}
		if notes := floodNotes(h); notes != 1 {
			t.Errorf("%d flood notes to the owner, want 1", notes)
		}
	})
}

// TestChoices: middling confidence offers the likeliest entries and a way
// out; a pick is answered and learned (the same question is answered at
// once next time, by anyone); "none of these" hands the question as asked
// to a person.
func TestChoices(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		const q = "可以退货吗"
		r := one(t, h.Say("wei", q), bot.KindClarify, "1. ", "3. 都不是")
		if n := len(r.Choices); n != 3 || r.Choices[2].Entry != bot.ChoiceNone {
			t.Fatalf("choices = %+v, want two entries and none", r.Choices)
		}
		picked := r.Choices[0].Entry
		one(t, h.Say("wei", "1"), bot.KindFAQ)
		if got := one(t, h.Say("lan", q), bot.KindFAQ); got.Entry != picked {
			t.Errorf("after the pick, %q answers %q, want %q", q, got.Entry, picked)
		}

		// None of these: the question as asked goes to a person.
		r = one(t, h.Say("min", "return shipping"), bot.KindClarify, "None of these")
		tk := one(t, h.Send(bot.Message{Channel: "console", Chat: "min", User: "min", Text: r.Choices[len(r.Choices)-1].Label, Choice: bot.ChoiceNone}), bot.KindHandoff)
		if tk.Ticket == 0 {
			t.Fatalf("none of these: no ticket: %+v", tk)
		}
		if out := h.Owner(fmt.Sprintf("/ticket %d", tk.Ticket)); !strings.Contains(out.Text, "return shipping") {
			t.Errorf("the ticket lacks the question: %q", out.Text)
		}
	})
}

// floodNotes counts the flood notes waiting for the owner.
func floodNotes(h *harness) int {
	n := 0
	for _, r := range h.Pending(ownerInbox) {
		if r.Event == notify.KindFlood {
			n++
		}
	}
	return n
}
