package tickets

import "strings"

// Categories lists every category, in the order Classify prefers them.
var Categories = []Category{Escalation, Complaint, Payment, Cancellation, Refund, Return, Exchange, Abuse, Feedback, Question}

// Statuses lists every status in a ticket's life.
var Statuses = []Status{Open, Pending, Resolved}

// The owner's words for priorities, categories and statuses: [ko, en, zh].
var (
	priorityLabels = map[Priority][3]string{
		Urgent: {"긴급", "urgent", "紧急"},
		High:   {"높음", "high", "高"},
		Normal: {"보통", "normal", "普通"},
		Low:    {"낮음", "low", "低"},
	}
	categoryLabels = map[Category][3]string{
		Complaint:    {"불만", "complaint", "投诉"},
		Cancellation: {"취소", "cancellation", "取消"},
		Refund:       {"환불", "refund", "退款"},
		Return:       {"반품", "return", "退货"},
		Exchange:     {"교환", "exchange", "换货"},
		Payment:      {"결제", "payment", "付款"},
		Escalation:   {"긴급 사안", "escalation", "紧急事项"},
		Abuse:        {"욕설", "abuse", "辱骂"},
		Question:     {"문의", "question", "咨询"},
		Feedback:     {"의견", "feedback", "反馈"},
	}
	statusLabels = map[Status][3]string{
		Open:     {"답변 대기", "open", "待处理"},
		Pending:  {"고객 응답 대기", "pending", "等待顾客"},
		Resolved: {"해결됨", "resolved", "已解决"},
	}
)

// langIndex maps "ko", "en", "zh" (or "en-US", "zh_CN") to 0, 1, 2; anything
// else is English.
func langIndex(lang string) int {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch lang {
	case "ko":
		return 0
	case "zh":
		return 2
	}
	return 1
}

func label[K ~string](m map[K][3]string, k K, lang string) string {
	l, ok := m[k]
	if !ok {
		return string(k)
	}
	return l[langIndex(lang)]
}

// Label is the priority in the owner's language: "ko", "en" or "zh" (others:
// English). An unknown priority is returned as it is.
func (p Priority) Label(lang string) string { return label(priorityLabels, p, lang) }

// Label is the category in the owner's language: "ko", "en" or "zh" (others:
// English). An unknown category is returned as it is.
func (c Category) Label(lang string) string { return label(categoryLabels, c, lang) }

// Label is the status in the owner's language: "ko", "en" or "zh" (others:
// English). An unknown status is returned as it is.
func (s Status) Label(lang string) string { return label(statusLabels, s, lang) }

// NeedsPerson reports whether a conversation with a ticket of category c
// belongs to a person until the ticket is resolved: a complaint, payment
// problem, cancellation, refund, return, exchange or escalation. The bot
// acknowledges and relays there, and a customer pressing on such a ticket
// three times makes it urgent. Questions, feedback and abuse do not hand
// the conversation over.
func (c Category) NeedsPerson() bool {
	switch c {
	case Complaint, Payment, Cancellation, Refund, Return, Exchange, Escalation:
		return true
	}
	return false
}
