package tickets

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Classification is Classify's verdict on a customer message.
type Classification struct {
	Category Category
	Priority Priority
	Reason   string // the cue that decided it, e.g. "damaged: 파손", for logs and /ticket
}

// CategoryPriority is the priority Classify gives a category: escalation is
// urgent; complaint, payment, cancellation, refund, return and exchange are
// high; a question is normal; abuse and feedback are low. The engine may
// raise it (an unshipped order's cancellation is urgent).
func CategoryPriority(c Category) Priority {
	switch c {
	case Escalation:
		return Urgent
	case Complaint, Payment, Cancellation, Refund, Return, Exchange:
		return High
	case Abuse, Feedback:
		return Low
	}
	return Normal
}

// maxClassify bounds the text Classify reads: cues are looked for in the
// first 16 KiB only, which keeps a 1 MB message as cheap as a long one.
const maxClassify = 16 << 10

// Classify decides whether a customer message must go to a person. ok is
// false for an ordinary question, which the FAQ matcher handles.
//
// It looks for cues in Korean, English and Chinese after normalising the
// text (NFKC, lower case, spacing ignored for Korean and Chinese). A
// complaint, a payment problem, an escalation (legal threat, fraud
// accusation, safety) or abuse needs a person by itself; a cancellation,
// refund, return or exchange only when it is a request ("환불해 주세요",
// "I want to return this"), not a question about the policy ("환불 얼마나
// 걸려요?", "how do I cancel an order?"). When several match, the highest
// priority wins; among equals, complaint before payment before
// cancellation, refund, return, exchange, and abuse before feedback.
func Classify(text string) (c Classification, ok bool) {
	if len(text) > maxClassify {
		cut := maxClassify
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	n := normalize(text)
	if n.compact == "" {
		return Classification{}, false
	}
	question := n.isQuestion()
	hypothetical := n.hasAny(conditionals)
	// The highest priority wins; among equals, the earlier rule (problem
	// rules before request rules, each list in precedence order).
	var (
		best   = -1
		cat    Category
		reason string
	)
	consider := func(c Category, order int, why string) {
		if rank := CategoryPriority(c).Rank()*1000 + order; best < 0 || rank < best {
			best, cat, reason = rank, c, why
		}
	}
	for i, r := range problemRules {
		for _, cu := range r.cues {
			pos, found := cu.find(n)
			if !found {
				continue
			}
			// "불량이면 어떻게 해요?", "what if it arrives damaged?": a
			// question about a possible problem, not a problem.
			if r.guard && question && (hypothetical || n.conditionalAfter(pos, cu) || n.hasAny(policyWords)) {
				continue
			}
			if r.notQuestion && question {
				continue
			}
			consider(r.cat, i, r.label+": "+cu.text)
			break
		}
	}
	for i, r := range requestRules {
		if why, yes := r.match(n, question, hypothetical); yes {
			consider(r.cat, len(problemRules)+i, why)
		}
	}
	if best < 0 {
		return Classification{}, false
	}
	return Classification{Category: cat, Priority: CategoryPriority(cat), Reason: reason}, true
}

// normalized is a message prepared for cue matching.
type normalized struct {
	// compact holds letters, digits and '?' only: Korean and Chinese cues
	// match regardless of spacing and punctuation.
	compact string
	// spaced holds words separated by single spaces, with a space at each
	// end: English cues match whole words (" sue " is not in " issue ").
	spaced string
}

// normalize prepares s and masks harmless phrases that contain a cue
// ("세관신고" is a customs declaration, not a report to the police).
func normalize(s string) normalized {
	n := prepare(s)
	for _, m := range masks {
		if m.word {
			if strings.Contains(n.spaced, m.needle) {
				n.spaced = strings.ReplaceAll(n.spaced, m.needle, " # ")
			}
		} else if strings.Contains(n.compact, m.pat) {
			n.compact = strings.ReplaceAll(n.compact, m.pat, "#")
		}
	}
	return n
}

// prepare normalises s: NFKC, lower case, and the compact and spaced forms.
func prepare(s string) normalized {
	s = strings.ToLower(norm.NFKC.String(s))
	var c, w strings.Builder
	c.Grow(len(s))
	w.Grow(len(s) + 2)
	w.WriteByte(' ')
	space := true
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘':
			// "don't" → "dont", "i'd" → "id"
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			c.WriteRune(r)
			w.WriteRune(r)
			space = false
		case r == '?':
			c.WriteByte('?')
			if !space {
				w.WriteByte(' ')
			}
			w.WriteString("? ")
			space = true
		default: // spaces, punctuation, symbols, invalid bytes (U+FFFD)
			if !space {
				w.WriteByte(' ')
				space = true
			}
		}
	}
	if !space {
		w.WriteByte(' ')
	}
	return normalized{compact: c.String(), spaced: w.String()}
}

// cue is one phrase Classify looks for.
type cue struct {
	text   string // as written in the rule, for Reason
	pat    string // normalised
	word   bool   // match whole words in spaced (any cue with a Latin letter, or one written "=…")
	prefix bool   // written "…*": the last word may continue ("damag*" matches "damaged")
	needle string // what find looks for: pat, or pat with its word boundaries
}

func newCue(s string) cue {
	text := strings.TrimPrefix(s, "=")
	cu := cue{text: strings.TrimSuffix(text, "*"), word: strings.HasPrefix(s, "=")}
	cu.prefix = strings.HasSuffix(text, "*")
	for _, r := range cu.text {
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			cu.word = true
		}
	}
	n := prepare(cu.text)
	if cu.word {
		cu.pat = strings.TrimSpace(n.spaced)
		cu.needle = " " + cu.pat
		if !cu.prefix {
			cu.needle += " "
		}
	} else {
		cu.pat = n.compact
		cu.needle = cu.pat
	}
	return cu
}

func cues(ss ...string) []cue {
	out := make([]cue, len(ss))
	for i, s := range ss {
		out[i] = newCue(s)
	}
	return out
}

// find reports whether the cue occurs in n and, for compact cues, the byte
// offset just after it in n.compact (-1 for word cues).
func (cu cue) find(n normalized) (int, bool) {
	if cu.word {
		return -1, strings.Contains(n.spaced, cu.needle)
	}
	i := strings.Index(n.compact, cu.needle)
	if i < 0 {
		return -1, false
	}
	return i + len(cu.pat), true
}

func (n normalized) hasAny(cs []cue) bool {
	_, ok := n.firstOf(cs)
	return ok
}

func (n normalized) firstOf(cs []cue) (cue, bool) {
	for _, cu := range cs {
		if _, ok := cu.find(n); ok {
			return cu, true
		}
	}
	return cue{}, false
}

// isQuestion reports a how/what/when/policy question (a bare "?" is not
// enough: "주문 취소?" is still a request).
func (n normalized) isQuestion() bool { return n.hasAny(questionCues) }

// conditionalAfter reports a Korean conditional ending ("불량이면", "파손된
// 경우", "지연될 때") within a few characters after a compact cue ending at
// end.
func (n normalized) conditionalAfter(end int, cu cue) bool {
	if cu.word || end < 0 {
		return false
	}
	rest, runes := n.compact[end:], 0
	for i := range rest {
		if runes++; runes > 6 {
			rest = rest[:i]
			break
		}
	}
	for _, m := range koConditionals {
		if strings.Contains(rest, m) {
			return true
		}
	}
	return false
}

// problemRule: any cue means the message needs a person.
type problemRule struct {
	cat         Category
	label       string
	cues        []cue
	guard       bool // skip a hypothetical or policy question ("불량이면 교환 되나요?")
	notQuestion bool // skip when the message is a question ("피드백은 어디로 보내요?")
}

// requestRule: a cancellation, refund, return or exchange, a ticket only
// when it is a request.
type requestRule struct {
	cat    Category
	label  string
	topics []cue // words that name it: 환불, refund, 退款
	strong []cue // a request by themselves: "i want a refund", "환불이 아직"
	weak   []cue // a request unless the message is a question: "주문 취소", "cancel my order", 退款
}

func (r requestRule) match(n normalized, question, hypothetical bool) (string, bool) {
	if hypothetical && question {
		return "", false // "what happens if I want to return it?"
	}
	if cu, ok := n.firstOf(r.strong); ok {
		return r.label + ": " + cu.text, true
	}
	var topic cue
	var ends []int
	for _, cu := range r.topics {
		if cu.word {
			if _, ok := cu.find(n); ok && topic.pat == "" {
				topic = cu
			}
			continue
		}
		for off := 0; ; {
			i := strings.Index(n.compact[off:], cu.pat)
			if i < 0 {
				break
			}
			end := off + i + len(cu.pat)
			if topic.pat == "" {
				topic = cu
			}
			ends = append(ends, end)
			off = end
		}
	}
	if topic.pat == "" {
		return "", false
	}
	// Korean: the topic followed by a request ending, only particles and
	// helper words between: "환불해 주세요", "반품 신청할게요", "교환하고 싶어요".
	for _, end := range ends {
		if e, ok := requestEnding(n.compact[end:]); ok {
			if question && n.conditionalAfter(end, cue{}) {
				continue
			}
			return r.label + ": " + topic.text + "…" + e, true
		}
	}
	// Generic request cues near a topic: "can you … my", 帮我, 我要.
	if cu, ok := n.firstOf(strongRequest); ok {
		return r.label + ": " + topic.text + " (" + cu.text + ")", true
	}
	if zhStrong(n.compact) && hasHan(topic.pat) {
		return r.label + ": " + topic.text, true
	}
	if question {
		return "", false
	}
	if cu, ok := n.firstOf(r.weak); ok {
		return r.label + ": " + cu.text, true
	}
	if cu, ok := n.firstOf(weakRequest); ok {
		return r.label + ": " + topic.text + " (" + cu.text + ")", true
	}
	return "", false
}

// requestEnding reports whether rest (the compact text right after a topic
// word) starts, after fillers, with a request ending.
func requestEnding(rest string) (string, bool) {
	for range 4 {
		for _, e := range koEndings {
			if strings.HasPrefix(rest, e) {
				return e, true
			}
		}
		for _, e := range koFinalEndings {
			if rest == e {
				return e, true
			}
		}
		stripped := false
		for _, f := range koFillers {
			if strings.HasPrefix(rest, f) {
				rest, stripped = rest[len(f):], true
				break
			}
		}
		if !stripped {
			return "", false
		}
	}
	return "", false
}

// zhStrong reports a Chinese request word: 我要, 帮我, 请 (but not 请问, "may
// I ask").
func zhStrong(compact string) bool {
	s := strings.ReplaceAll(compact, "请问", "")
	for _, w := range zhRequest {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
