package bot

import (
	"fmt"

	"github.com/shopbot/shopbot/bot/hangul"
)

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
		"ko": "확인 시도가 너무 많아 주문 조회를 잠시 멈췄어요. 담당자가 직접 확인해서 연락드릴게요. (문의 #%s)",
		"en": "Too many attempts, so I've paused order lookups for this chat. A person will check and get back to you. (ticket #%s)",
		"zh": "尝试次数过多，已暂停此对话的订单查询。工作人员会核实后联系您。（工单 #%s）",
	},
	"order_locked": {
		"ko": "본인 확인 시도가 많아서 이 주문의 조회를 보안을 위해 잠시 멈췄어요. %d분 뒤에 다시 시도하시거나 %s{로} 연락해 주세요.",
		"en": "There have been too many attempts to confirm this order, so lookups are paused for your security. Please try again in %d minutes, or contact us: %s.",
		"zh": "该订单的身份验证尝试次数过多，为了安全已暂停查询。请 %d 分钟后再试，或联系我们：%s。",
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
		"ko": "불편을 드려 죄송해요. 문의 #%s{로} 접수했고, 담당자가 확인 후 직접 답변드릴게요.",
		"en": "I'm sorry about this. I've opened ticket #%s and a person will get back to you.",
		"zh": "非常抱歉给您带来不便。已为您登记工单 #%s，工作人员会尽快回复您。",
	},
	"ticket_urgent": {
		"ko": "요청을 문의 #%s{로} 접수했어요. 담당자에게 바로 전달했으니 곧 연락드릴게요.",
		"en": "I've opened ticket #%s and passed it to the shop owner right away. You'll hear back soon.",
		"zh": "已登记工单 #%s 并立即转交店主处理，请稍候。",
	},
	"handoff": {
		"ko": "이 질문은 제가 정확히 답하기 어려워서 담당자에게 전달했어요 (문의 #%s). 확인 후 답변드릴게요.",
		"en": "I'm not sure about that one, so I've passed it to a person (ticket #%s). They'll reply here.",
		"zh": "这个问题我无法准确回答，已转交工作人员（工单 #%s），稍后会在这里回复您。",
	},
	"clarify": {
		"ko": "어떤 내용이 궁금하신가요? 번호로 골라주세요.",
		"en": "Which of these do you mean? Reply with a number.",
		"zh": "您想问的是哪一个？请回复编号。",
	},
	"choice_none": {
		"ko": "이 중에 없어요 (담당자에게 물어볼게요)",
		"en": "None of these (ask a person)",
		"zh": "都不是（转人工）",
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
	// Social replies (policy.go): short, in the customer's language.
	"hello": {
		"ko": "안녕하세요! 😊",
		"en": "Hi there! 😊",
		"zh": "您好！😊",
	},
	"hello_shop": {
		"ko": "안녕하세요, %s입니다! 😊",
		"en": "Hi, this is %s! 😊",
		"zh": "您好，这里是%s！😊",
	},
	"can_do": {
		"ko": "배송, 교환·반품, 주문 조회, 상품 재고와 가격을 바로 알려 드릴 수 있어요. 무엇이 궁금하세요?",
		"en": "I can help right away with delivery, returns and exchanges, your order, and product stock and prices. What would you like to know?",
		"zh": "我可以马上为您解答配送、退换货、订单查询以及商品库存和价格。请问有什么可以帮您？",
	},
	"thanks": {
		"ko": "천만에요! 더 궁금한 점이 있으면 언제든 말씀해 주세요. 😊",
		"en": "You're welcome! Ask me any time. 😊",
		"zh": "不客气！还有问题随时问我。😊",
	},
	"goodbye": {
		"ko": "이용해 주셔서 감사해요. 좋은 하루 보내세요! 👋",
		"en": "Thanks for stopping by. Have a nice day! 👋",
		"zh": "感谢光临，祝您生活愉快！👋",
	},
	"ack": {
		"ko": "네! 더 필요한 게 있으면 말씀해 주세요.",
		"en": "Sure! Let me know if there's anything else.",
		"zh": "好的！还有需要随时告诉我。",
	},
	"laughter": {
		"ko": "😊 더 도와드릴 일이 있으면 말씀해 주세요.",
		"en": "😊 Anything else I can help with?",
		"zh": "😊 还有什么可以帮您的吗？",
	},
	"smalltalk": {
		"ko": "저는 쇼핑 도우미라 그 얘기는 잘 모르지만, 주문·배송·교환·반품이나 상품 재고는 바로 도와드릴 수 있어요. 😊",
		"en": "I'm the shop's assistant, so that one's beyond me — but I can help with orders, delivery, returns and product stock right away. 😊",
		"zh": "我是店铺的购物助手，这个我不太懂，不过订单、配送、退换货和商品库存我都可以马上帮您。😊",
	},
	// Product questions (product.go).
	"product_in_stock": {
		"ko": "%s{은} 재고 있어요.",
		"en": "%s is in stock.",
		"zh": "%s有货。",
	},
	"product_low": {
		"ko": "%s{은} %d개 남았어요.",
		"en": "%s: only %d left.",
		"zh": "%s仅剩%d件。",
	},
	"product_out": {
		"ko": "%s{은} 지금 품절이에요.",
		"en": "%s is sold out right now.",
		"zh": "%s目前已售罄。",
	},
	"product_price": {
		"ko": "가격은 %s{이에요}.",
		"en": "It's %s.",
		"zh": "价格是%s。",
	},
	"product_others": {
		"ko": "같은 상품의 다른 옵션은 재고 있어요: %s",
		"en": "Other options of it are in stock: %s",
		"zh": "同款其他选项有货：%s",
	},
	"product_no_option": {
		"ko": "말씀하신 옵션은 없어요. 이 상품은 이렇게 있어요:",
		"en": "That option doesn't exist. This is what there is:",
		"zh": "没有您说的这个选项。目前有以下选项：",
	},
	"product_list": {
		"ko": "찾으신 상품이에요:",
		"en": "Here's what I found:",
		"zh": "为您找到以下商品：",
	},
	"product_many": {
		"ko": "해당하는 상품이 %d개 있어요. 색상이나 사이즈를 알려 주시면 더 정확히 알려 드릴게요:",
		"en": "%d products match. Tell me the colour or size and I'll narrow it down:",
		"zh": "共有%d件相关商品。告诉我颜色或尺码，我可以帮您进一步确认：",
	},
	"product_line": {
		"ko": "%d. %s — %s, %s",
		"en": "%d. %s — %s, %s",
		"zh": "%d. %s — %s，%s",
	},
	"stock_in":  {"ko": "재고 있음", "en": "in stock", "zh": "有货"},
	"stock_low": {"ko": "%d개 남음", "en": "%d left", "zh": "剩%d件"},
	"stock_out": {"ko": "품절", "en": "sold out", "zh": "售罄"},
	"product_which": {
		"ko": "어떤 상품이 궁금하세요? 상품 이름을 알려 주세요. (예: 티셔츠 화이트 M)",
		"en": "Which product do you mean? Tell me its name (e.g. 'tee white M').",
		"zh": "请问是哪件商品？请告诉我商品名称。",
	},
	"product_pick": {
		"ko": "어떤 상품을 말씀하시는 건가요? 번호로 골라 주세요.",
		"en": "Which one do you mean? Reply with a number.",
		"zh": "您指的是哪一件？请回复编号。",
	},
	"product_unknown": {
		"ko": "말씀하신 상품을 찾지 못해서 담당자에게 전달했어요 (문의 #%s). 확인 후 답변드릴게요.",
		"en": "I couldn't find that product, so I've passed your question to a person (ticket #%s). They'll reply here.",
		"zh": "没有找到您说的商品，已转交工作人员（工单 #%s），稍后会在这里回复您。",
	},
}

// msg returns the bot's text for key in lang, falling back to Korean.
// Korean particles marked in braces ("문의 #%s{로}") take the form that fits
// the word before them (hangul.Attach).
func msg(lang, key string, args ...any) string {
	m := messages[key]
	s, ok := m[lang]
	if !ok {
		s, lang = m["ko"], "ko"
	}
	if len(args) > 0 {
		s = fmt.Sprintf(s, args...)
	}
	if lang == "ko" {
		s = hangul.Attach(s)
	}
	return s
}
