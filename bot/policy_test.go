package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// TestPolicy is the conversation policy's table (policy.go, README "What
// the bot does with a message"), row by row: a conversation in some state,
// one more message, and what the customer, the ticket and the owner get.
func TestPolicy(t *testing.T) {
	type want struct {
		kind     bot.Kind // the reply's kind; "" for no reply at all
		text     string   // in the reply
		ticket   string   // the conversation's open ticket afterwards, "category/priority", or "" for none
		messages int      // customer messages on that ticket that press (0: don't check)
		alert    string   // the owner event the message raises ("new", "message", "escalated"), "" for none
		page     bool     // whether that event reaches the owner's phone at once
	}
	tests := []struct {
		name   string
		before []string // customer messages first ("/owner …" is an owner command)
		msg    string
		want   want
	}{
		// Social messages in a conversation no one has taken over.
		{"greeting ko", nil, "안녕하세요", want{kind: bot.KindFAQ, text: "주문 조회, 상품 재고와 가격"}},
		{"greeting casual", nil, "안녕하세여~", want{kind: bot.KindFAQ, text: "안녕하세요"}},
		{"greeting en", nil, "hi", want{kind: bot.KindFAQ, text: "I can help right away"}},
		{"greeting zh", nil, "你好", want{kind: bot.KindFAQ, text: "我可以马上为您解答"}},
		{"thanks ko", nil, "감사해용", want{kind: bot.KindFAQ, text: "천만에요"}},
		{"thanks abbreviated", nil, "ㄳ", want{kind: bot.KindFAQ, text: "천만에요"}},
		{"thanks en", nil, "thx", want{kind: bot.KindFAQ, text: "You're welcome"}},
		{"thanks zh", nil, "谢谢亲", want{kind: bot.KindFAQ, text: "不客气"}},
		{"goodbye", nil, "수고하세요", want{kind: bot.KindFAQ, text: "좋은 하루"}},
		{"ok", nil, "ok", want{kind: bot.KindFAQ, text: "Sure"}},
		{"laughter", nil, "ㅋㅋㅋ", want{kind: bot.KindFAQ, text: "😊"}},
		{"emoji only", nil, "👍👍", want{kind: bot.KindFAQ, text: "😊"}},
		{"small talk", nil, "오늘 날씨 어때요?", want{kind: bot.KindFAQ, text: "쇼핑 도우미"}},
		{"small talk en", nil, "are you a bot?", want{kind: bot.KindFAQ, text: "shop's assistant"}},
		{"small talk zh", nil, "在干嘛呢", want{kind: bot.KindFAQ, text: "购物助手"}},
		{"short, nothing about the shop", nil, "오늘 기분 최고", want{kind: bot.KindFAQ, text: "쇼핑 도우미"}},
		{"a third greeting", []string{"안녕하세요", "hello"}, "ㅎㅇ", want{kind: bot.KindFAQ}},
		// A greeting around a question: the question is answered.
		{"greeting and question", nil, "안녕하세요 배송비 얼마예요?", want{kind: bot.KindFAQ, text: "3,000원"}},
		{"question and thanks", nil, "how much is shipping? thanks", want{kind: bot.KindFAQ, text: "3,000 won"}},
		{"greeting and order", nil, "你好，我的订单1042在哪里", want{kind: bot.KindOrder, text: "验证身份"}},
		// Questions the bot cannot answer.
		{"off-topic", nil, "Can you recommend a good restaurant nearby?",
			want{kind: bot.KindHandoff, ticket: "question/low", alert: "new"}},
		{"shop question", nil, "상품 사진이랑 실물 색이 같나요?",
			want{kind: bot.KindHandoff, ticket: "question/normal", alert: "new"}},
		{"unknown product", nil, "노트북 파우치 재고 있어요?",
			want{kind: bot.KindHandoff, text: "상품을 찾지 못해서", ticket: "question/normal", alert: "new"}},
		// An open ticket for an unanswered question does not silence the bot.
		{"question after an unanswered one", []string{"상품 사진이랑 실물 색이 같나요?"}, "배송비 얼마예요?",
			want{kind: bot.KindFAQ, text: "3,000원", ticket: "question/normal"}},
		{"greeting after an unanswered one", []string{"상품 사진이랑 실물 색이 같나요?"}, "안녕하세요",
			want{kind: bot.KindFAQ, text: "안녕하세요", ticket: "question/normal"}},
		{"another unanswered one joins", []string{"상품 사진이랑 실물 색이 같나요?"}, "제품 보증기간이 어떻게 되나요?",
			want{kind: bot.KindHandoff, ticket: "question/normal", alert: "message"}},
		{"questions never escalate", []string{"상품 사진이랑 실물 색이 같나요?", "제품 보증기간이 어떻게 되나요?"}, "원산지가 어디예요?",
			want{kind: bot.KindHandoff, ticket: "question/normal", alert: "message"}},
		// What a person must handle.
		{"complaint", nil, "물건이 깨져서 왔어요", want{kind: bot.KindTicket, ticket: "complaint/high", messages: 1, alert: "new"}},
		{"complaint after a greeting", []string{"안녕하세요"}, "안녕하세요 컵이 깨져서 왔어요",
			want{kind: bot.KindTicket, ticket: "complaint/high", alert: "new"}},
		{"cancellation before shipping", nil, "주문 1043 취소해 주세요", want{kind: bot.KindTicket, ticket: "cancellation/urgent", alert: "new", page: true}},
		{"complaint after an unanswered question", []string{"상품 사진이랑 실물 색이 같나요?"}, "물건이 깨져서 왔어요",
			want{kind: bot.KindTicket, ticket: "complaint/high", alert: "message"}},
		// A conversation handed to a person.
		{"question on a complaint", []string{"물건이 깨져서 왔어요"}, "배송비 얼마예요?",
			want{ticket: "complaint/high", messages: 2, alert: "message"}},
		{"thanks on a complaint", []string{"물건이 깨져서 왔어요"}, "감사합니다",
			want{ticket: "complaint/high", messages: 1, alert: "remark"}},
		{"greetings do not escalate", []string{"물건이 깨져서 왔어요", "안녕하세요", "감사합니다"}, "ㅎㅇ",
			want{ticket: "complaint/high", messages: 1, alert: "remark"}},
		{"the third press escalates", []string{"물건이 깨져서 왔어요", "언제 답 주세요?"}, "빨리 처리해 주세요",
			want{ticket: "complaint/urgent", messages: 3, alert: "escalated", page: true}},
		{"thanks on an urgent ticket pages no one", []string{"주문 1043 취소해 주세요"}, "감사합니다",
			want{ticket: "cancellation/urgent", messages: 1, alert: "remark"}},
		{"the owner has replied", []string{"상품 사진이랑 실물 색이 같나요?", "/owner /reply {t} 네, 같아요."}, "배송비 얼마예요?",
			want{ticket: "question/normal", alert: "message"}},
		{"the owner has claimed it", []string{"상품 사진이랑 실물 색이 같나요?", "/owner /claim {t}"}, "배송비 얼마예요?",
			want{ticket: "question/normal", alert: "message"}},
		{"resolved: the bot answers again", []string{"물건이 깨져서 왔어요", "/owner /close {t}"}, "배송비 얼마예요?",
			want{kind: bot.KindFAQ, text: "3,000원"}},
		// Dialogues and the shop's data.
		{"ok during a verification", []string{"주문 1042 어디쯤이에요?", "네"}, "5678", want{kind: bot.KindOrder, text: "6012345678901"}},
		{"product stock", nil, "티셔츠 화이트 M 재고 있어요?", want{kind: bot.KindFAQ, text: "3개 남았어요"}},
		{"product follow-up", []string{"티셔츠 화이트 M 재고 있어요?"}, "블랙 L은요?", want{kind: bot.KindFAQ, text: "블랙 L은 재고 있어요"}},
		{"product follow-up, size only", []string{"티셔츠 화이트 M 재고 있어요?"}, "L은요?", want{kind: bot.KindFAQ, text: "화이트 L은 재고 있어요"}},
		{"product follow-up, colour only", []string{"티셔츠 화이트 M 재고 있어요?"}, "블랙은요?", want{kind: bot.KindFAQ, text: "블랙 M은 재고 있어요"}},
		{"products to choose from", nil, "린넨 제품 재고 있어요?", want{kind: bot.KindClarify, text: "린넨 에코백 — 재고 있음, 19,000원"}},
		{"a product picked by number", []string{"린넨 제품 재고 있어요?"}, "2", want{kind: bot.KindFAQ, text: "재고 있어요"}},
		{"which product?", nil, "재고 남았나요?", want{kind: bot.KindClarify, text: "어떤 상품이 궁금하세요"}},
		{"which product? answered", []string{"재고 남았나요?"}, "머그", want{kind: bot.KindFAQ, text: "세라믹 머그컵 화이트는 재고 있어요"}},
		{"which product? unknown", []string{"재고 남았나요?"}, "노트북 파우치", want{kind: bot.KindHandoff, text: "상품을 찾지 못해서", ticket: "question/normal", alert: "new"}},
		{"sold out, with other options", nil, "가디건 있어요?", want{kind: bot.KindFAQ, text: "품절이에요"}},
		{"price in English", nil, "how much is the mug?", want{kind: bot.KindFAQ, text: "It's ₩14,000"}},
	}
	// One shop for all rows (seeding it is the slow part); each row is a
	// conversation of its own, and "{t}" in an owner command is its ticket.
	run(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		store := tickets.NewStore(h.DB, nil)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				chat := fmt.Sprintf("row%d", i)
				current := func() (id int64, ticket string) {
					if tk, err := store.Current(ctx, "console", chat); err == nil {
						id, ticket = tk.ID, string(tk.Category)+"/"+string(tk.Priority)
					}
					return id, ticket
				}
				for _, b := range tt.before {
					if cmd, ok := strings.CutPrefix(b, "/owner "); ok {
						id, _ := current()
						h.Owner(strings.ReplaceAll(cmd, "{t}", fmt.Sprint(id)))
						continue
					}
					h.Say(chat, b)
				}
				h.Pending(ownerInbox) // what came before is not this message's
				rs := h.Say(chat, tt.msg)
				switch {
				case tt.want.kind == "" && len(rs) != 0:
					t.Errorf("replies %+v, want none", rs)
				case tt.want.kind != "":
					r := one(t, rs, tt.want.kind, tt.want.text)
					if r.Kind == bot.KindFAQ && r.Ticket != 0 {
						t.Errorf("answer %+v carries a ticket", r)
					}
				}
				id, ticket := current()
				if ticket != tt.want.ticket {
					t.Errorf("ticket %q, want %q", ticket, tt.want.ticket)
				}
				if tt.want.messages > 0 {
					msgs, err := store.Messages(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					n := 0
					for _, m := range msgs {
						if m.Author == tickets.AuthorCustomer && m.Presses {
							n++
						}
					}
					if n != tt.want.messages {
						t.Errorf("%d pressing messages on the ticket, want %d", n, tt.want.messages)
					}
				}
				var events []string
				page := false
				for _, a := range h.Pending(ownerInbox) {
					events = append(events, a.Event)
					page = page || notify.Interrupts(notify.Event{Kind: a.Event, Priority: a.Priority})
				}
				if got := strings.Join(events, ","); got != tt.want.alert || page != tt.want.page {
					t.Errorf("owner events %q (paging: %v), want %q (paging: %v)", got, page, tt.want.alert, tt.want.page)
				}
			})
		}
	})
}

// TestAnswersNotedOnTicket: while a question waits for the owner, what the
// bot answers meanwhile is kept on the ticket, so the owner reads the
// whole conversation; greetings are not.
func TestAnswersNotedOnTicket(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		tk := one(t, h.Say("c", "상품 사진이랑 실물 색이 같나요?"), bot.KindHandoff)
		one(t, h.Say("c", "안녕하세요"), bot.KindFAQ)
		one(t, h.Say("c", "배송비 얼마예요?"), bot.KindFAQ)
		got := h.Owner(fmt.Sprintf("/ticket %d", tk.Ticket)).Text
		for _, want := range []string{"고객: 상품 사진이랑 실물 색이 같나요?", "고객: 배송비 얼마예요?", "봇: 기본 배송비는 3,000원"} {
			if !strings.Contains(got, want) {
				t.Errorf("/ticket %d =\n%s\nwant %q", tk.Ticket, got, want)
			}
		}
		if strings.Contains(got, "안녕하세요") {
			t.Errorf("a greeting was noted on the ticket:\n%s", got)
		}
	})
}

// TestTicketContext: a ticket opened after a verification names the
// order; a lockout ticket says why and not what was guessed.
func TestTicketContext(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		one(t, h.Say("minji", "주문 1042 어디쯤이에요?"), bot.KindOrder)
		one(t, h.Say("minji", "5678"), bot.KindOrder, "6012345678901")
		tk := one(t, h.Say("minji", "물건이 깨져서 왔어요"), bot.KindTicket)
		if got := h.Owner(fmt.Sprintf("/ticket %d", tk.Ticket)).Text; !strings.Contains(got, "주문 #1042") {
			t.Errorf("complaint after a verified order:\n%s", got)
		}

		one(t, h.Say("eve", "주문 1043 어디쯤이에요?"), bot.KindOrder)
		var locked bot.Reply
		for _, guess := range []string{"1111", "2222", "4444", "5555", "6666"} {
			rs := h.Say("eve", guess)
			locked = rs[0]
		}
		if locked.Kind != bot.KindTicket {
			t.Fatalf("after five wrong answers: %+v", locked)
		}
		got := h.Owner(fmt.Sprintf("/ticket %d", locked.Ticket)).Text
		if !strings.Contains(got, "본인 확인을 5번 실패") || !strings.Contains(got, "주문 #1043") || strings.Contains(got, "6666") {
			t.Errorf("lockout ticket:\n%s", got)
		}
	})
}

// TestLanguageKept: a Korean or Chinese customer who proves an order with
// an email address, digits or a word of English keeps their language.
func TestLanguageKept(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string // in the order's answer
	}{
		{"ko by email", []string{"주문 1044 어디쯤이에요?", "emily@example.com"}, "배송 완료"},
		{"zh by email", []string{"我的订单1044在哪里", "emily@example.com"}, "已送达"},
		{"zh by digits", []string{"订单1044到哪了？", "5432"}, "已送达"},
		{"en by email", []string{"where is my order 1044", "emily@example.com"}, "delivered"},
		{"ko, then ok", []string{"주문 1044 어디쯤이에요?", "ok 5432"}, "배송 완료"},
	}
	// One shop for all rows (seeding it is the slow part); each row is a
	// conversation of its own, and every proof is right, so no row's
	// failures lock another's order.
	run(t, func(t *testing.T, h *harness) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var rs []bot.Reply
				for _, l := range tt.lines {
					rs = h.Say(fmt.Sprintf("row%d", i), l)
				}
				one(t, rs, bot.KindOrder, tt.want)
			})
		}
	})
}

// TestOrderParticles: the example FAQ's order answers read right in
// Korean: 주문 1042는 (이), 1043은 (삼), CJ대한통운으로, 송장번호는 …이에요.
func TestOrderParticles(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		one(t, h.Say("minji", "주문 1042 택배 어디쯤 왔어요?"), bot.KindOrder)
		r := one(t, h.Say("minji", "5678"), bot.KindOrder)
		for _, want := range []string{"주문 1042는", "CJ대한통운으로 보냈어요", "송장번호는 6012345678901이에요"} {
			if !strings.Contains(r.Text, want) {
				t.Errorf("order answer %q lacks %q", r.Text, want)
			}
		}
		one(t, h.Say("junho", "주문 1043 상태 알려주세요"), bot.KindOrder)
		one(t, h.Say("junho", "3333"), bot.KindOrder, "주문 1043은")
	})
}

// TestProductChoice: a tapped product button (web, Telegram) answers that
// product, even after the conversation moved on.
func TestProductChoice(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		list := one(t, h.Say("c", "린넨 제품 재고 있어요?"), bot.KindClarify)
		if len(list.Choices) != 3 || !strings.HasPrefix(list.Choices[0].Entry, "product:") {
			t.Fatalf("choices %+v, want three products", list.Choices)
		}
		one(t, h.Say("c", "배송비 얼마예요?"), bot.KindFAQ)
		c := list.Choices[1]
		r := one(t, h.Send(bot.Message{Channel: "console", Chat: "c", User: "c", Text: c.Label, Choice: c.Entry}), bot.KindFAQ, c.Label)
		if !strings.Contains(r.Text, "원이에요") {
			t.Errorf("tapped product: %q", r.Text)
		}
	})
}
