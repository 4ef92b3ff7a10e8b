package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
)

// TestOwnerCommands: every command answers in the owner's language.
func TestOwnerCommands(t *testing.T) {
	tests := []struct {
		cmd          string
		ko, en, zh   string // what the answer contains in each language
		notKo, notZh string // English that must not leak into Korean or Chinese
	}{
		{"/help", "관리자 명령", "/reply N text", "店主命令", "Owner", "Owner"},
		{"/stock", "개 (안전 재고", "left (safety", "剩", "left", "left"},
		{"/sales today", "주문 3건", "3 orders", "订单 3 笔", "orders", "orders"},
		{"/sales 7d", "최근 7일", "last 7 days", "近 7 天", "last", "last"},
		{"/sales month", "2026년 11월", "November 2026", "2026年11月", "November", "November"},
		{"/sales decade", "사용법", "usage", "用法", "usage", "usage"},
		{"/ticket 999", "그런 문의가 없어요", "no such ticket", "没有这个工单", "ticket", "ticket"},
		{"/close 999", "그런 문의가 없어요", "no such ticket", "没有这个工单", "ticket", "ticket"},
		{"/reply 999 hello", "그런 문의가 없어요", "no such ticket", "没有这个工单", "ticket", "ticket"},
		{"/reply", "사용법: /reply 번호 답변", "usage: /reply N text", "用法：/reply 编号 内容", "usage", "usage"},
		{"/tickets", "대기 중인 문의가 없어요", "no tickets", "没有工单", "tickets", "tickets"},
		{"/faq 배송비 얼마예요", `keyword "배송비"`, `keyword "배송비"`, `keyword "배송비"`, "", ""}, // the matcher's explanation
		{"/nonsense", "모르는 명령이에요", "unknown command", "未知命令", "unknown", "unknown"},
		{"hello", "관리자 명령", "Owner commands", "店主命令", "Owner", "Owner"},
	}
	for _, lang := range []string{"ko", "en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			run(t, func(t *testing.T, h *harness) {
				for _, tt := range tests {
					want, not := map[string]string{"ko": tt.ko, "en": tt.en, "zh": tt.zh}[lang], map[string]string{"ko": tt.notKo, "zh": tt.notZh}[lang]
					r := h.Owner(tt.cmd)
					if !strings.Contains(r.Text, want) {
						t.Errorf("%s = %q, want it to contain %q", tt.cmd, r.Text, want)
					}
					if not != "" && strings.Contains(r.Text, not) {
						t.Errorf("%s = %q: %q in a %s answer", tt.cmd, r.Text, not, lang)
					}
				}
			}, ownerLang(lang))
		})
	}
}

// TestOwnerLists: /tickets and /stock say how many there are and page the
// rest ("and 5 more: /tickets 2"); English counts agree with their nouns.
func TestOwnerLists(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		for i := range 25 {
			h.Say(fmt.Sprintf("c%02d", i), "물건이 깨져서 왔어요")
		}
		first := h.Owner("/tickets").Text
		if !strings.HasPrefix(first, "25 tickets, 1–20:") || !strings.Contains(first, "… and 5 more: /tickets 2") || strings.Count(first, "\n#") != 20 {
			t.Errorf("/tickets page 1 =\n%s", first)
		}
		second := h.Owner("/tickets 2").Text
		if !strings.HasPrefix(second, "25 tickets, 21–25:") || strings.Contains(second, "more") || strings.Count(second, "\n#") != 5 {
			t.Errorf("/tickets 2 =\n%s", second)
		}
		if got := h.Owner("/tickets 3").Text; got != "there is no page 3 (2 in all)" {
			t.Errorf("/tickets 3 = %q", got)
		}
		if got := h.Owner("/tickets open 2").Text; got != second {
			t.Errorf("/tickets open 2 differs from /tickets 2:\n%s", got)
		}
		stock := h.Owner("/stock").Text
		if !strings.HasPrefix(stock, "30 products, 1–20:") || !strings.HasSuffix(stock, "… and 10 more: /stock 2") {
			t.Errorf("/stock =\n%s", stock)
		}
		if got := h.Owner("/stock 2").Text; !strings.HasPrefix(got, "30 products, 21–30:") {
			t.Errorf("/stock 2 =\n%s", got)
		}
		// A number that is no page is a query: the denim's size.
		if got := h.Owner("/stock 30").Text; !strings.Contains(got, "DNM-BLU-30") {
			t.Errorf("/stock 30 =\n%s", got)
		}
		if got := h.Owner("/stock TEE").Text; !strings.HasPrefix(got, "4 products:") {
			t.Errorf("/stock TEE =\n%s", got)
		}
		if got := h.Owner("/stock 우산").Text; !strings.HasPrefix(got, "1 product:") {
			t.Errorf("/stock 우산 =\n%s", got)
		}
		// One order yesterday reads "1 order", not "1 orders".
		h.Clock.Advance(-6 * 24 * time.Hour)
		sales := h.Owner("/sales").Text
		if strings.Contains(sales, " 1 orders") || strings.Contains(sales, " 1 items") {
			t.Errorf("/sales = %q", sales)
		}
	}, ownerLang("en"))
}

// TestOwnerWordsKorean: Korean answers take the particle that fits the
// word before it, name priorities, categories and statuses in Korean, and
// give times in the shop's time zone.
func TestOwnerWordsKorean(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		for i := range 6 {
			h.Say(fmt.Sprintf("c%d", i), "주문 1043 취소해 주세요")
		}
		got := h.Owner("/close 6").Text
		if got != "문의 #6을 해결 처리했어요. 이제 console:c5 님에게 봇이 다시 답해요." {
			t.Errorf("/close 6 = %q", got)
		}
		if got := h.Owner("/close 6").Text; got != "문의 #6은 이미 해결됐어요." {
			t.Errorf("/close 6 again = %q", got)
		}
		if got := h.Owner("/claim 3").Text; got != "문의 #3을 맡았어요." {
			t.Errorf("/claim 3 = %q", got)
		}
		ticket := h.Owner("/ticket 1").Text
		// Opened at 14:00:01 Seoul time, urgent: due an hour later.
		for _, want := range []string{"#1 [긴급] 취소 · 답변 대기 · console:c0 · 기한 11-23 15:00", "   주문 #1043", "11-23 14:00 고객: 주문 1043 취소해 주세요"} {
			if !strings.Contains(ticket, want) {
				t.Errorf("/ticket 1 =\n%s\nwant %q", ticket, want)
			}
		}
		if strings.ContainsAny(ticket, "abcdefghijklmnopqrstuvwxyz") && strings.Contains(ticket, "urgent") {
			t.Errorf("/ticket 1 has English words:\n%s", ticket)
		}
		alerts := h.Pending(ownerInbox)
		// The ticket's number and the reference the customer quotes.
		if len(alerts) == 0 || alerts[0].Ref == "" || !strings.HasPrefix(alerts[0].Text, "[긴급] 새 문의 #1 "+alerts[0].Ref+" (취소) — console:c0 · #1043") {
			t.Errorf("first alert = %+v", alerts)
		}
	})
}

// TestTicketParticles: the customer's acknowledgement takes the particle
// that fits the ticket reference as read aloud: 문의 #…6으로 (육), #…7로
// (칠), #…M으로 (엠), #…X로 (엑스).
func TestTicketParticles(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		for i := range 12 {
			r := one(t, h.Say(fmt.Sprintf("k%d", i), "물건이 깨져서 왔어요"), bot.KindTicket)
			p := map[byte]string{'6': "으로", '7': "로", '3': "으로", '2': "로", 'M': "으로", 'X': "로"}[r.Ref[len(r.Ref)-1]]
			if want := "문의 #" + r.Ref + p + " 접수했고"; p != "" && !strings.Contains(r.Text, want) {
				t.Errorf("ticket %s: %q, want %q", r.Ref, r.Text, want)
			}
		}
	})
}
