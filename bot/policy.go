package bot

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// route is the conversation policy: what the bot does with a customer's
// message, decided here and nowhere else (design §1, steps 3 to 7; the
// README's "What the bot does with a message" shows the same table).
//
//	conversation                    message                          the bot says                               ticket                                 owner
//	------------------------------  -------------------------------  -----------------------------------------  -------------------------------------  ----------------------------------
//	handed to a person: a           greeting, thanks, ok, laughter,  nothing (the owner's conversation)         joins it; does not press or reopen     in its thread; never paged
//	complaint, cancellation,        emoji
//	refund, return, exchange,       anything else                    nothing (the owner answers)                joins it; the 3rd pressing message in  told; at once if urgent
//	payment or escalation ticket,                                                                               24 h on a complaint or cancellation
//	or the owner replied/claimed                                                                                makes it urgent
//	any other                       greeting, thanks, goodbye, ok,   a short friendly reply in the customer's   none                                   nothing
//	                                laughter, emoji only             language; a greeting adds what it can do
//	any other                       complaint, cancellation, refund, acknowledges: a person will answer         opened (or the open one joined and     told; at once if urgent
//	                                return, exchange, payment,                                                  raised)
//	                                legal threat, abuse
//	waiting for an answer           the answer (verification, a      continues that dialogue                    a lockout opens one that says why      —
//	                                choice, which product)
//	any other                       order question with a number     verifies, then shows the order             —                                      —
//	any other                       names a product, or asks for     stock, price and options from the shop's   an unknown product: normal             —
//	                                stock or price                   data; several: a list with choices
//	any other                       a question the FAQ answers       the answer (or close candidates)           —                                      —
//	any other                       small talk, or a short message   a short friendly reply                     none                                   nothing
//	                                with nothing about the shop
//	any other                       another off-topic question       a person will answer                       low (off-topic)                        never paged: inbox and summary
//	any other                       another question                 a person will answer                       normal (joins the open one)            not at once: inbox; SLA reminders
//
// An open ticket for an unanswered question (the owner has not replied in
// the conversation) does not silence the bot: a later message goes
// through the table as if there were none, and what the bot answers is
// noted on that ticket. A greeting around a question ("안녕하세요 배송비
// 얼마예요?") is read for the question.
func (h *handling) route(ctx context.Context) error {
	text := strings.TrimSpace(h.m.Text)
	kind, rest := readSocial(text)
	onlySocial := kind != notSocial && rest == "" && h.m.Choice == "" && h.m.Phone == ""

	t, err := h.tickets.Current(ctx, h.m.Channel, h.m.Chat)
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		t = nil
	case err != nil:
		return err
	}
	if h.m.Standby {
		// A person has the thread on the platform: keep the ticket's
		// record, say nothing.
		if t != nil {
			return h.joinTicket(ctx, t, text)
		}
		return nil
	}
	if t != nil && handedOff(t) {
		if onlySocial {
			return h.remark(ctx, t, text)
		}
		return h.joinTicket(ctx, t, text)
	}
	if text == "" && h.m.Choice == "" && h.m.Phone == "" {
		h.reply(Reply{Kind: KindFAQ, Text: msg(h.lang, "empty")})
		return nil
	}
	if onlySocial {
		// A dialogue in progress (a verification, a choice) waits for its
		// answer: "네" or "감사합니다" on the way does not end it.
		h.socialReply(kind)
		return nil
	}
	content := text
	if kind != notSocial && rest != "" {
		content = rest
	}
	before := len(h.out)
	if err := h.ask(ctx, text, content); err != nil {
		return err
	}
	if t != nil {
		return h.noteAnswers(ctx, t, text, h.out[before:])
	}
	return nil
}

// ask answers what a message asks, below the handed-off and social rows
// of the policy: text is the whole message (for Classify), content the
// message without the greeting or thanks around it.
func (h *handling) ask(ctx context.Context, text, content string) error {
	h.prevState, h.prevData = h.conv.State, h.conv.StateData
	// A dialogue in progress.
	if done, err := h.continueDialogue(ctx, content); done || err != nil {
		return err
	}
	// Something a person must handle.
	if c, ok := tickets.Classify(text); ok {
		return h.classified(ctx, c, text)
	}
	// An order or delivery question with an order number.
	number := shop.ExtractOrderNumber(content, h.cfg.OrderPattern)
	res := h.matcher.Match(content)
	if number != "" && (looksLikeOrderQuestion(content, number) || isOrderAction(res)) {
		return h.lookup(ctx, number, actionOf(res))
	}
	// A product question, from the shop's data.
	if done, err := h.productQuestion(ctx, content, res); done || err != nil {
		return err
	}
	// The FAQ.
	if res.Decision != faq.NoAnswer {
		return h.answer(ctx, res, content)
	}
	// Nothing to answer with: small talk gets a friendly word, an
	// off-topic question a low ticket, a shop question a normal one.
	shopWords, err := h.aboutShop(ctx, content)
	if err != nil {
		return err
	}
	switch {
	case !shopWords && (chatty(content) || shortText(content) && !isQuestion(content)):
		h.socialReply(smallTalk)
		return nil
	case !shopWords:
		return h.handOff(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Low, Reason: "off-topic"}, text)
	}
	return h.handOff(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal, Reason: "no FAQ match"}, text)
}

// handedOff reports whether the conversation of open ticket t belongs to a
// person: a complaint, cancellation or other ticket that NeedsPerson, or
// one the owner has answered or claimed.
func handedOff(t *tickets.Ticket) bool {
	return t.Category.NeedsPerson() || t.FirstResponseAt != nil || t.ClaimedBy != ""
}

// socialReply answers a greeting, thanks, goodbye, acknowledgement,
// laughter, emoji or small talk with a line in the customer's language.
func (h *handling) socialReply(kind social) {
	var text string
	switch kind {
	case greeting:
		text = msg(h.lang, "hello")
		if name := h.cfg.Shop.Name; name != "" {
			text = msg(h.lang, "hello_shop", name)
		}
		text += " " + msg(h.lang, "can_do")
	case thanks, goodbye, ack, smallTalk, laughter:
		text = msg(h.lang, string(kind))
	default: // emoji only
		text = msg(h.lang, "laughter")
	}
	h.reply(Reply{Kind: KindFAQ, Text: text})
}

// shopWords are words that make a message about the shop: orders,
// delivery, payment, products and their options, the shop itself. The
// FAQ's keywords and the product names count too (aboutShop).
var shopWords = []string{
	"주문", "배송", "택배", "송장", "운송장", "발송", "출고", "도착", "환불", "반품", "교환", "취소", "결제", "입금", "카드", "계좌", "영수증",
	"계산서", "가격", "얼마", "할인", "쿠폰", "적립", "포인트", "재고", "품절", "입고", "사이즈", "치수", "색상", "색깔", "컬러", "옵션",
	"상품", "제품", "물건", "구매", "주소", "배송지", "포장", "선물", "매장", "영업", "고객센터", "전화", "연락", "상담", "세일", "이벤트",
	"정품", "소재", "세탁", "무료", "해외", "회원", "가입", "로그인", "비밀번호", "장바구니", "사은품", "샘플", "리뷰", "후기", "수량", "대량",
	"건조기", "세탁기", "드라이", "다림질", "세척", "식기세척기", "전자레인지", "보관", "사용법", "착용", "수선", "원단", "보풀", "줄어",
	"order", "orders", "ship", "shipping", "shipped", "delivery", "deliver", "delivered", "parcel", "package", "tracking", "track",
	"refund", "return", "exchange", "cancel", "payment", "pay", "paid", "card", "invoice", "receipt", "price", "cost", "discount",
	"coupon", "points", "stock", "sold", "size", "colour", "color", "product", "item", "items", "buy", "purchase", "address", "gift",
	"wrap", "store", "shop", "hours", "contact", "phone", "email", "sale", "account", "login", "cart", "checkout", "tax", "fee",
	"free", "international", "abroad", "customs", "warranty", "material", "wash", "bulk", "dryer", "dishwasher", "microwave",
	"iron", "shrink", "fabric",
	"订单", "下单", "发货", "快递", "物流", "运费", "包邮", "退款", "退货", "换货", "取消", "付款", "支付", "发票", "价格", "多少钱",
	"优惠", "积分", "库存", "有货", "缺货", "尺码", "颜色", "商品", "产品", "购买", "地址", "礼物", "包装", "店", "营业", "客服",
	"电话", "邮箱", "会员", "海外", "国际", "保修", "材质", "清洗", "烘干", "洗衣机", "微波炉", "面料",
}

// isQuestion reports whether text asks something: a question mark, a
// Korean question ending, an English question word first, a Chinese
// question particle. A short message that asks is not small talk unless
// a small-talk cue says so: "건조기 돌려도 되나요?" goes to a person.
func isQuestion(text string) bool {
	t := strings.TrimSpace(strings.ToLower(text))
	if strings.ContainsAny(t, "?？") {
		return true
	}
	t = strings.TrimRightFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for _, end := range []string{"나요", "까요", "가요", "니", "냐", "죠", "지요", "는지", "은지", "ㄴ지", "되요", "돼요", "吗", "呢", "么"} {
		if strings.HasSuffix(t, end) {
			return true
		}
	}
	first, _, _ := strings.Cut(t, " ")
	switch first {
	case "what", "how", "when", "where", "why", "who", "which", "can", "could", "do", "does", "did", "is", "are", "will", "would", "should":
		return true
	}
	return strings.ContainsAny(t, "怎什哪几多")
}

// aboutShop reports whether text is about the shop: a shop word, one of
// the FAQ's keywords, a product name, or a number of three digits or more
// (an order, a price).
func (h *handling) aboutShop(ctx context.Context, text string) (bool, error) {
	lower := strings.ToLower(text)
	words := sentenceWords(lower)
	has := func(w string) bool {
		if isLatin(rune(w[0])) {
			for _, x := range words {
				if x == w {
					return true
				}
			}
			return false
		}
		return strings.Contains(lower, w)
	}
	for _, w := range shopWords {
		if has(w) {
			return true, nil
		}
	}
	for _, e := range h.cfg.FAQ.Entries {
		for _, k := range e.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" && has(k) {
				return true, nil
			}
		}
	}
	digits := 0
	for _, r := range text {
		if unicode.IsDigit(r) {
			if digits++; digits >= 3 {
				return true, nil
			}
		} else {
			digits = 0
		}
	}
	ps, err := h.shop.Products(ctx)
	if err != nil {
		return false, err
	}
	return len(shop.Mentioned(ps, text).Named) > 0, nil
}
