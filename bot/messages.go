package bot

import "fmt"

// The bot's own words, per language. Customer text is never part of a
// format string: it only ever fills a %s.
var messages = map[string]map[string]string{
	"ask_order_number": {
		"ko": "주문 조회를 도와드릴게요. 주문번호를 알려주세요. (예: 1042)",
		"en": "I can look that up. What is your order number? (e.g. 1042)",
		"zh": "我来帮您查询。请告诉我您的订单号。（例如：1042）",
	},
	"ask_verify": {
		"ko": "주문 %s 조회 전에 본인 확인이 필요해요. 주문하실 때 입력한 휴대폰 번호 뒤 4자리나 이메일 주소를 알려주세요.",
		"en": "Before I show order %s, please confirm it's yours: send the last 4 digits of the phone number or the email address used for the order.",
		"zh": "查询订单 %s 之前需要验证身份。请发送下单时填写的手机号后4位或邮箱地址。",
	},
	"verify_failed": {
		"ko": "주문 정보를 확인하지 못했어요. 주문번호와 휴대폰 번호 뒤 4자리(또는 이메일)를 다시 확인해 주세요.",
		"en": "I couldn't confirm that order. Please check the order number and the last 4 phone digits (or the email) and try again.",
		"zh": "无法确认该订单。请核对订单号和手机号后4位（或邮箱）后重试。",
	},
	"verify_locked": {
		"ko": "확인 시도가 너무 많아 주문 조회를 잠시 멈췄어요. 담당자가 직접 확인해서 연락드릴게요. (문의 #%d)",
		"en": "Too many attempts, so I've paused order lookups for this chat. A person will check and get back to you. (ticket #%d)",
		"zh": "尝试次数过多，已暂停此对话的订单查询。工作人员会核实后联系您。（工单 #%d）",
	},
	"locked": {
		"ko": "보안을 위해 주문 조회가 잠시 제한되어 있어요. 담당자가 곧 연락드릴게요.",
		"en": "For your security, order lookups are paused for this chat for now. A person will get back to you soon.",
		"zh": "为了您的安全，此对话的订单查询已暂时停止。工作人员会尽快联系您。",
	},
	"order": {
		"ko": "주문 %s: %s\n상품: %s\n결제 금액: %s\n주문일: %s",
		"en": "Order %s: %s\nItems: %s\nTotal: %s\nOrdered: %s",
		"zh": "订单 %s：%s\n商品：%s\n金额：%s\n下单日期：%s",
	},
	"order_tracking": {
		"ko": "택배사: %s, 송장번호: %s\n배송 조회: %s",
		"en": "Carrier: %s, tracking number: %s\nTrack it: %s",
		"zh": "快递公司：%s，运单号：%s\n物流查询：%s",
	},
	"ticket_opened": {
		"ko": "불편을 드려 죄송해요. 문의 #%d로 접수했고, 담당자가 확인 후 직접 답변드릴게요.",
		"en": "I'm sorry about this. I've opened ticket #%d and a person will get back to you.",
		"zh": "非常抱歉给您带来不便。已为您登记工单 #%d，工作人员会尽快回复您。",
	},
	"ticket_urgent": {
		"ko": "요청을 문의 #%d로 접수했어요. 담당자에게 바로 전달했으니 곧 연락드릴게요.",
		"en": "I've opened ticket #%d and passed it to the shop owner right away. You'll hear back soon.",
		"zh": "已登记工单 #%d 并立即转交店主处理，请稍候。",
	},
	"handoff": {
		"ko": "이 질문은 제가 정확히 답하기 어려워서 담당자에게 전달했어요 (문의 #%d). 확인 후 답변드릴게요.",
		"en": "I'm not sure about that one, so I've passed it to a person (ticket #%d). They'll reply here.",
		"zh": "这个问题我无法准确回答，已转交工作人员（工单 #%d），稍后会在这里回复您。",
	},
	"clarify": {
		"ko": "어떤 내용이 궁금하신가요? 번호로 골라주세요.",
		"en": "Which of these do you mean? Reply with a number.",
		"zh": "您想问的是哪一个？请回复编号。",
	},
	"empty": {
		"ko": "무엇을 도와드릴까요? 배송, 교환·반품, 주문 조회 등을 물어보세요.",
		"en": "How can I help? Ask about delivery, returns and exchanges, or your order.",
		"zh": "有什么可以帮您？可以询问配送、退换货或订单查询。",
	},
	"error": {
		"ko": "죄송해요, 잠시 문제가 생겼어요. 조금 뒤에 다시 말씀해 주세요.",
		"en": "Sorry, something went wrong on our side. Please try again in a moment.",
		"zh": "抱歉，系统出现了问题，请稍后再试。",
	},
	"alert_ticket": {
		"ko": "[%s] 새 문의 #%d (%s) — %s\n%s\n/reply %d 답변 · /ticket %d",
		"en": "[%s] New ticket #%d (%s) — %s\n%s\n/reply %d text · /ticket %d",
		"zh": "[%s] 新工单 #%d（%s）— %s\n%s\n/reply %d 内容 · /ticket %d",
	},
	"alert_message": {
		"ko": "문의 #%d — %s: %s",
		"en": "Ticket #%d — %s: %s",
		"zh": "工单 #%d — %s：%s",
	},
}

// msg returns the bot's text for key in lang, falling back to Korean.
func msg(lang, key string, args ...any) string {
	m := messages[key]
	s, ok := m[lang]
	if !ok {
		s = m["ko"]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
