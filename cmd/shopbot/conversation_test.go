package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot/dbtest"
)

// step is one customer line and what `chat --json` answers: a reply of
// kind whose text has the given words, or nothing (kind "").
type step struct{ text, kind, has string }

// conversations are the issue-15 conversations in each language:
// greetings, laughter and small talk get a word back and no ticket; a
// question the bot cannot answer goes to a person, and the next question
// is still answered; a product's stock comes from the shop's data; an
// order verified by email is shown in the customer's language; a
// complaint goes to the owner, who then has the conversation.
var conversations = map[string][]step{
	"ko": {
		{"안녕하세요", "faq", "무엇이 궁금하세요"},
		{"ㅋㅋㅋ", "faq", "😊"},
		{"오늘 날씨 어때요?", "faq", "쇼핑 도우미"},
		{"안녕하세여", "faq", "안녕하세요"},
		{"상품 사진이랑 실물 색이 같나요?", "handoff", "담당자에게 전달"},
		{"안녕하세요 배송비 얼마예요?", "faq", "3,000원"},
		{"티셔츠 화이트 M 재고 있어요?", "faq", "3개 남았어요"},
		{"주문 1044 어디쯤이에요?", "order", "본인 확인"},
		{"emily@example.com", "order", "배송 완료"},
		{"감사합니다", "faq", "천만에요"},
		{"물건이 깨져서 왔어요", "ticket", "접수했고"},
		{"언제 답 주세요?", "", ""},
	},
	"en": {
		{"hi", "faq", "What would you like to know"},
		{"lol", "faq", "😊"},
		{"how's the weather today?", "faq", "shop's assistant"},
		{"hello", "faq", "I can help"},
		{"Can you recommend a good restaurant nearby?", "handoff", "passed it to a person"},
		{"hi, how much is shipping?", "faq", "3,000 won"},
		{"is the mug in stock?", "faq", "is in stock"},
		{"where is my order 1044", "order", "confirm it's yours"},
		{"emily@example.com", "order", "delivered"},
		{"thanks!", "faq", "You're welcome"},
		{"my mug arrived broken", "ticket", "opened ticket"},
		{"hello??", "", ""},
	},
	"zh": {
		{"你好", "faq", "请问有什么可以帮您"},
		{"哈哈哈", "faq", "😊"},
		{"今天天气怎么样", "faq", "购物助手"},
		{"在吗", "faq", "您好"},
		{"商品照片和实物颜色一样吗？", "handoff", "已转交工作人员"},
		{"你好，运费多少钱？", "faq", "3,000韩元"},
		{"白色的还有货吗", "clarify", "有货"},
		{"我的订单1044在哪里", "order", "验证身份"},
		{"emily@example.com", "order", "已送达"},
		{"谢谢亲", "faq", "不客气"},
		{"杯子收到的时候碎了", "ticket", "已为您登记工单"},
		{"什么时候回复？", "", ""},
	},
}

// TestConversations runs the conversations through `shopbot chat --json`
// on both databases: one ticket a conversation, the question's, which
// the complaint raised; no alert reaches the owner's terminal (nothing was
// urgent: the greetings did not press).
func TestConversations(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := dbtest.URL(t, engine)
			for _, lang := range []string{"ko", "en", "zh"} {
				steps := conversations[lang]
				var lines []string
				for _, s := range steps {
					lines = append(lines, s.text)
				}
				got := chatJSON(t, db, strings.Join(lines, "\n")+"\n", "--demo", "--user", "customer-"+lang)
				if len(got) != len(steps)-1 {
					t.Fatalf("%s: %d replies to %d lines (the last unanswered), want %d: %+v", lang, len(got), len(steps), len(steps)-1, got)
				}
				for i, s := range steps[:len(steps)-1] {
					if got[i].Kind != s.kind || !strings.Contains(got[i].Text, s.has) {
						t.Errorf("%s %q: %s %q, want %s with %q", lang, s.text, got[i].Kind, got[i].Text, s.kind, s.has)
					}
					if s.kind == "faq" && got[i].Ticket != 0 {
						t.Errorf("%s %q: an answer with ticket #%d", lang, s.text, got[i].Ticket)
					}
				}
			}
			out, errOut, err := shopbot(t, nil, "/tickets\n", "chat", "--db", db, "--as", "owner")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "문의 3건:") || strings.Count(out, "[높음] 불만") != 3 {
				t.Errorf("owner's /tickets = %q, want the three complaints", out)
			}
			if strings.Contains(errOut, "owner alert") {
				t.Errorf("the owner was alerted: %s", errOut)
			}
		})
	}
}

// TestOwnerLanguage: with notify.language the owner's commands answer in
// that language, whatever the shop's; counts read right and nothing
// says "+∞".
func TestOwnerLanguage(t *testing.T) {
	tests := []struct {
		lang string
		want []string
		not  []string
	}{
		{"ko", []string{"문의 1건:", "[높음] 불만 · 답변 대기", "상품 4개:", "매출 오늘", "주문 3건", "📋 하루상점", "어제 대비"}, []string{"orders", "left", "complaint", "∞"}},
		{"en", []string{"1 ticket:", "[high] complaint · open", "4 products:", "Sales today", "3 orders", "summary for", "vs yesterday"}, []string{"1 tickets", "1 orders", "∞", "불만"}},
		{"zh", []string{"共 1 个工单：", "[高] 投诉 · 待处理", "共 4 件商品：", "销售 今天", "订单 3 笔", "摘要", "较昨日"}, []string{"orders", "left", "complaint", "∞", "불만"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			cfg := filepath.Join(t.TempDir(), "shopbot.yaml")
			os.WriteFile(cfg, []byte(fmt.Sprintf("shop: {name: 하루상점, timezone: Asia/Seoul, language: ko}\nnotify:\n  language: %s\n", tt.lang)), 0o644)
			db := dbtest.URL(t, "sqlite")
			chatJSON(t, db, "물건이 깨져서 왔어요\n", "--demo", "--config", cfg, "--user", "minji")
			out, _, err := shopbot(t, nil, "/tickets\n/stock TEE\n/sales\n/summary\n", "chat", "--db", db, "--config", cfg, "--as", "owner")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("owner session lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("owner session has %q:\n%s", n, out)
				}
			}
		})
	}
}
