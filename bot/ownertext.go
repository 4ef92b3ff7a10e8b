package bot

import (
	"fmt"
	"strings"

	"github.com/shopbot/shopbot/bot/hangul"
)

// ownerMessages are the bot's words to the owner — alerts and command
// answers — in the owner's language (Config.OwnerLang: ko, en, zh).
// Customer text only ever fills a %s.
var ownerMessages = map[string]map[string]string{
	"alert_ticket": {
		"ko": "[%s] 새 문의 #%s (%s) — %s\n%s\n/reply %d 답변 · /ticket %d",
		"en": "[%s] New ticket #%s (%s) — %s\n%s\n/reply %d text · /ticket %d",
		"zh": "[%s] 新工单 #%s（%s）— %s\n%s\n/reply %d 内容 · /ticket %d",
	},
	"alert_message": {
		"ko": "문의 #%s — %s: %s",
		"en": "Ticket #%s — %s: %s",
		"zh": "工单 #%s — %s：%s",
	},
	"alert_answered": {
		"ko": "문의 #%s — %s 님이 답변했어요: %s",
		"en": "#%s answered by %s: %s",
		"zh": "工单 #%s — %s 已回复：%s",
	},
	"alert_resolved": {
		"ko": "문의 #%s — %s 님이 해결 처리했어요",
		"en": "#%s resolved by %s",
		"zh": "工单 #%s — 已由 %s 关闭",
	},
	"alert_claimed": {
		"ko": "문의 #%s — %s 님이 맡았어요",
		"en": "#%s claimed by %s",
		"zh": "工单 #%s — 已由 %s 认领",
	},
	"alert_flood": {
		"ko": "%s:%s 대화에서 %s 동안 메시지가 %d개를 넘었어요. 잠시 이 대화에는 답하지 않아요.",
		"en": "%s:%s sent over %[4]d messages in %[3]s; the bot is not answering it for now",
		"zh": "%s:%s 在 %s 内发送了超过 %d 条消息，机器人暂时不回复该对话。",
	},
	"minute": {"ko": "1분", "en": "a minute", "zh": "1 分钟"},
	"hour":   {"ko": "1시간", "en": "an hour", "zh": "1 小时"},
	"alert_lockout": {
		"ko": "%s 본인 확인 잠김: 하루 동안 %d번 실패해서 %s까지 조회를 멈췄어요. 여러 대화에서 번호를 맞히려는 시도일 수 있어요.",
		"en": "%s: verification locked after %d failures in a day, until %s. Someone may be guessing from several chats.",
		"zh": "%s 身份验证已锁定：一天内失败 %d 次，%s 前暂停查询。可能有人在多个对话中猜测。",
	},
	"scope_order":   {"ko": "주문 %s", "en": "Order %s", "zh": "订单 %s"},
	"scope_network": {"ko": "네트워크 %s", "en": "Network %s", "zh": "网络 %s"},
	"lockout": {
		"ko": "주문 %s 조회 잠김: 한 시간에 본인 확인을 %d번 실패했어요. 고객이 주문하신 분이 맞는지 직접 확인해 주세요.",
		"en": "Order %s lookups locked: %d failed verifications in an hour. Check with the customer that the order is theirs.",
		"zh": "订单 %s 查询已锁定：一小时内身份验证失败 %d 次。请直接与顾客确认是否为下单人。",
	},
	"sent": {
		"ko": "문의 #%d(%s)에 보냈어요. 끝나면 /close %d",
		"en": "sent to ticket #%d (%s). /close %d when done",
		"zh": "已发送到工单 #%d（%s）。处理完请 /close %d",
	},
	"no_ticket": {"ko": "그런 문의가 없어요.", "en": "no such ticket", "zh": "没有这个工单。"},
	"already_resolved": {
		"ko": "문의 #%d{은} 이미 해결됐어요.",
		"en": "ticket #%d is already resolved",
		"zh": "工单 #%d 已经解决了。",
	},
	"closed": {
		"ko": "문의 #%d{을} 해결 처리했어요. 이제 %s 님에게 봇이 다시 답해요.",
		"en": "ticket #%d resolved; the bot answers %s again",
		"zh": "工单 #%d 已解决，机器人将继续回复 %s。",
	},
	"claimed":      {"ko": "문의 #%d{을} 맡았어요.", "en": "ticket #%d is yours", "zh": "工单 #%d 已由您负责。"},
	"usage":        {"ko": "사용법: %s", "en": "usage: %s", "zh": "用法：%s"},
	"usage_reply":  {"ko": "/reply 번호 답변", "en": "/reply N text", "zh": "/reply 编号 内容"},
	"usage_ticket": {"ko": "/ticket 번호", "en": "/ticket N", "zh": "/ticket 编号"},
	"usage_close":  {"ko": "/close 번호", "en": "/close N", "zh": "/close 编号"},
	"usage_claim":  {"ko": "/claim 번호", "en": "/claim N", "zh": "/claim 编号"},
	"usage_tickets": {
		"ko": "/tickets [open|urgent|overdue|all] [쪽]",
		"en": "/tickets [open|urgent|overdue|all] [page]",
		"zh": "/tickets [open|urgent|overdue|all] [页码]",
	},
	"usage_sales": {"ko": "/sales [today|yesterday|7d|30d|month]", "en": "/sales [today|yesterday|7d|30d|month]", "zh": "/sales [today|yesterday|7d|30d|month]"},
	"usage_faq":   {"ko": "/faq 질문", "en": "/faq question", "zh": "/faq 问题"},
	"usage_learn": {"ko": "/learn 번호 항목-id", "en": "/learn N entry-id", "zh": "/learn 编号 条目id"},
	"unknown_command": {
		"ko": "모르는 명령이에요: /%s\n\n%s",
		"en": "unknown command /%s\n\n%s",
		"zh": "未知命令：/%s\n\n%s",
	},
	"help": {
		"ko": `관리자 명령:
/tickets [open|urgent|overdue|all] [쪽]  답변을 기다리는 문의
/ticket 번호                 문의 하나와 대화 내용
/reply 번호 답변             고객에게 답장
/close 번호                  해결 처리
/claim 번호                  내가 맡기
/stock [검색어] [쪽]          상품 이름이나 SKU로 재고 보기
/sales [today|yesterday|7d|30d|month]  매출
/summary                     오늘 요약
/faq 질문                    봇이 뭐라고 답할지, 그리고 이유
/learn 번호 항목-id          문의의 질문을 FAQ 항목에 추가
/help                        이 목록`,
		"en": `Owner commands:
/tickets [open|urgent|overdue|all] [page]  tickets waiting for you
/ticket N                  one ticket with its messages
/reply N text              answer the customer of ticket N
/close N                   resolve ticket N
/claim N                   take ticket N
/stock [query] [page]      stock by product name or SKU
/sales [today|yesterday|7d|30d|month]
/summary                   today's summary
/faq question              what the bot would answer, and why
/learn N entry-id          add ticket N's question to a FAQ entry
/help                      this list`,
		"zh": `店主命令：
/tickets [open|urgent|overdue|all] [页码]  等待处理的工单
/ticket 编号                 查看工单及对话
/reply 编号 内容             回复该工单的顾客
/close 编号                  关闭工单
/claim 编号                  认领工单
/stock [关键词] [页码]        按商品名或 SKU 查看库存
/sales [today|yesterday|7d|30d|month]  销售额
/summary                     今日摘要
/faq 问题                    机器人会如何回答及原因
/learn 编号 条目id           把工单的问题加入 FAQ 条目
/help                        本列表`,
	},
	"no_tickets":  {"ko": "대기 중인 문의가 없어요.", "en": "no tickets", "zh": "没有工单。"},
	"tickets_all": {"ko": "문의 %[1]d건:", "en": "%d %s:", "zh": "共 %[1]d 个工单："},
	"tickets_page": {
		"ko": "문의 %[1]d건 중 %[3]d–%[4]d:",
		"en": "%d %s, %d–%d:",
		"zh": "共 %[1]d 个工单，第 %[3]d–%[4]d 个：",
	},
	"tickets_more": {
		"ko": "… 외 %d건 더: /tickets %s",
		"en": "… and %d more: /tickets %s",
		"zh": "… 还有 %d 个：/tickets %s",
	},
	"no_page": {"ko": "%d쪽은 없어요 (모두 %d쪽).", "en": "there is no page %d (%d in all)", "zh": "没有第 %d 页（共 %d 页）。"},
	"ticket_line": {
		"ko": "#%d [%s] %s · %s · %s · 기한 %s%s\n   %s",
		"en": "#%d [%s] %s · %s · %s · due %s%s\n   %s",
		"zh": "#%d [%s] %s · %s · %s · 期限 %s%s\n   %s",
	},
	"overdue":         {"ko": " ⚠ 기한 지남", "en": " ⚠ overdue", "zh": " ⚠ 已超时"},
	"ticket_order":    {"ko": "   주문 #%s", "en": "   order #%s", "zh": "   订单 #%s"},
	"ticket_footer":   {"ko": "/reply %d 답변 · /close %d", "en": "/reply %d text · /close %d", "zh": "/reply %d 内容 · /close %d"},
	"author_customer": {"ko": "고객", "en": "customer", "zh": "顾客"},
	"author_owner":    {"ko": "사장님", "en": "owner", "zh": "店主"},
	"author_bot":      {"ko": "봇", "en": "bot", "zh": "机器人"},
	"stock_line": {
		"ko": "%s  %s  %d개 (안전 재고 %d)  %s%s",
		"en": "%s  %s  %d left (safety %d)  %s%s",
		"zh": "%s  %s  剩 %d 件（安全库存 %d）  %s%s",
	},
	"stock_out_flag": {"ko": "  ⛔ 품절", "en": "  ⛔ out of stock", "zh": "  ⛔ 售罄"},
	"stock_low_flag": {"ko": "  ⚠ 부족", "en": "  ⚠ low", "zh": "  ⚠ 库存不足"},
	"stock_none": {
		"ko": "“%s”{와} 맞는 상품이 없어요.",
		"en": "no product matches “%s”",
		"zh": "没有与“%s”匹配的商品。",
	},
	"stock_page": {"ko": "상품 %[1]d개 중 %[3]d–%[4]d:", "en": "%d %s, %d–%d:", "zh": "共 %[1]d 件商品，第 %[3]d–%[4]d 件："},
	"stock_all":  {"ko": "상품 %[1]d개:", "en": "%d %s:", "zh": "共 %[1]d 件商品："},
	"stock_more": {"ko": "… 외 %d개 더: /stock %s", "en": "… and %d more: /stock %s", "zh": "… 还有 %d 件：/stock %s"},
	"sales": {
		"ko": "매출 %[1]s (%[2]s – %[3]s): 주문 %[4]d건, %[6]s, 상품 %[7]d개",
		"en": "Sales %s (%s – %s): %d %s, %s, %d %s",
		"zh": "销售 %[1]s（%[2]s – %[3]s）：订单 %[4]d 笔，%[6]s，商品 %[7]d 件",
	},
	"sales_average": {"ko": ", 객단가 %s", "en": ", average %s", "zh": "，客单价 %s"},
	"sales_cancelled": {
		"ko": "취소 %d건, 환불 %d건",
		"en": "%d cancelled, %d refunded",
		"zh": "取消 %d 笔，退款 %d 笔",
	},
	"sales_top":  {"ko": "%d. %s — %d개, %s", "en": "%d. %s — %d sold, %s", "zh": "%d. %s — %d 件，%s"},
	"today":      {"ko": "오늘", "en": "today", "zh": "今天"},
	"yesterday":  {"ko": "어제", "en": "yesterday", "zh": "昨天"},
	"last7":      {"ko": "최근 7일", "en": "last 7 days", "zh": "近 7 天"},
	"last30":     {"ko": "최근 30일", "en": "last 30 days", "zh": "近 30 天"},
	"month":      {"ko": "%[1]d년 %[2]d월", "en": "%[3]s %[1]d", "zh": "%[1]d年%[2]d月"},
	"no_summary": {"ko": "요약이 설정되지 않았어요.", "en": "summary is not set up", "zh": "未设置摘要。"},
	"no_entry":   {"ko": "FAQ 항목 %q{이} 없어요.", "en": "no FAQ entry %q", "zh": "没有 FAQ 条目 %q。"},
	"no_question": {
		"ko": "문의 #%d에는 고객 질문이 없어요.",
		"en": "ticket #%d has no customer question",
		"zh": "工单 #%d 没有顾客的问题。",
	},
	"learned": {
		"ko": "배웠어요: “%s”에 이제 %s 항목으로 답해요.",
		"en": "learned: “%s” now answers with %s",
		"zh": "已学习：“%s”现在用 %s 回答。",
	},
}

// ownerText returns the owner's text for key in lang (English when the
// language is not known), formatted with args; Korean particles marked in
// braces fit the word before them.
func ownerText(lang, key string, args ...any) string {
	m := ownerMessages[key]
	lang = baseLang(lang)
	s, ok := m[lang]
	if !ok {
		s, lang = m["en"], "en"
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	if lang == "ko" {
		s = hangul.Attach(s)
	}
	return s
}

// baseLang is "ko" for "ko-KR", "zh" for "zh_CN".
func baseLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}

// plural is an English noun for n: "1 order", "2 orders".
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
