package tickets

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

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

// MaxName is the longest customer name the owner is shown, in characters.
const MaxName = 40

// CleanName makes a customer's display name safe to show the owner on any
// channel: line breaks and tabs become spaces, control and format
// characters (bidi overrides and isolates, zero-width spaces) go, spaces
// collapse, and it is cut to MaxName characters. A name cannot then start
// a line of its own in an alert, nor turn the text around it backwards.
func CleanName(s string) string { return OneLine(s, MaxName) }

// OneLine is s on one line, without invisible characters, cut to n
// characters ("…" marks a cut).
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(strings.Map(Invisible, s)), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Invisible is a strings.Map function: control characters become spaces,
// format characters (Unicode Cf: bidi controls, zero-width spaces, BOM)
// and line/paragraph separators go; the zero-width joiner that emoji
// sequences need stays.
func Invisible(r rune) rune {
	switch {
	case r == '\u200d':
		return r
	case unicode.IsControl(r):
		return ' '
	case unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
		return -1
	}
	return r
}

// CustomerName is how the owner knows t's customer on every channel: the
// display name (a web visitor who gave none was named by the web chat,
// "웹 방문자 #K7Q2"), or else the channel and chat id.
func (t *Ticket) CustomerName() string {
	if n := CleanName(t.Customer); n != "" {
		return n
	}
	return OneLine(t.Channel+":"+t.Chat, 80)
}

// The owner's words for a ticket's state and its first-response clock:
// [ko, en, zh].
var stateLabels = map[string][3]string{
	"open":     {"대기", "open", "待处理"},
	"claimed":  {"%s 담당", "claimed by %s", "%s 负责"},
	"answered": {"답변함, 고객 응답 대기", "answered, waiting on the customer", "已回复，等待顾客"},
	"resolved": {"%s 종료", "resolved by %s", "%s 已关闭"},
	"overdue":  {"%s — 기한 지남", "%s — OVERDUE", "%s — 已超时"},
	"duein":    {"%s 남음", "due in %s", "剩 %s"},
	"late":     {"%s 초과", "overdue %s", "超时 %s"},
	"days":     {"%d일", "%dd", "%d天"},
	"hours":    {"%d시간 %d분", "%dh %dm", "%d小时%d分"},
	"minutes":  {"%d분", "%dm", "%d分钟"},
}

func stateWord(key, lang string) string { return stateLabels[key][langIndex(lang)] }

// StateLabel is a ticket's state in the owner's language: open, claimed
// by someone, answered (waiting on the customer) or resolved by someone,
// marked overdue when its first response is late. who shows a person's id
// as the channel shows people (nil: as it is).
func StateLabel(s Status, claimedBy, resolvedBy string, overdue bool, lang string, who func(string) string) string {
	if who == nil {
		who = func(s string) string { return s }
	}
	label := stateWord("open", lang)
	switch {
	case s == Resolved:
		label = "✅ " + fmt.Sprintf(stateWord("resolved", lang), who(resolvedBy))
	case s == Pending:
		label = "💬 " + stateWord("answered", lang)
	case claimedBy != "":
		label = "🙋 " + fmt.Sprintf(stateWord("claimed", lang), who(claimedBy))
	}
	if overdue {
		label = fmt.Sprintf(stateWord("overdue", lang), label)
	}
	return label
}

// DueText is the first-response clock in the owner's language, left is
// the time until the due time (negative: past it): "due in 2h 5m", "overdue
// 10m", "2시간 5분 남음".
func DueText(left time.Duration, lang string) string {
	f := func(d time.Duration) string {
		d = d.Round(time.Minute)
		h, m := int(d.Hours()), int(d.Minutes())%60
		if h >= 48 {
			return fmt.Sprintf(stateWord("days", lang), h/24)
		}
		if h > 0 {
			return fmt.Sprintf(stateWord("hours", lang), h, m)
		}
		return fmt.Sprintf(stateWord("minutes", lang), m)
	}
	if left <= 0 {
		return fmt.Sprintf(stateWord("late", lang), f(-left))
	}
	return fmt.Sprintf(stateWord("duein", lang), f(left))
}

// ClockWords are DueText's formats in lang, for a page that counts down
// itself: "duein", "overdue", "days", "hours", "minutes".
func ClockWords(lang string) map[string]string {
	return map[string]string{"duein": stateWord("duein", lang), "overdue": stateWord("late", lang),
		"days": stateWord("days", lang), "hours": stateWord("hours", lang), "minutes": stateWord("minutes", lang)}
}

// Number is a ticket's number as the owner sees it everywhere, with the
// reference the customer knows it by: "12 K7Q2XM" ("12" without one).
// Alerts show it after "#".
func Number(id int64, ref string) string {
	n := strconv.FormatInt(id, 10)
	if ref != "" {
		n += " " + ref
	}
	return n
}
