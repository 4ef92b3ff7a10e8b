package bot

import (
	"strings"
	"unicode"

	"github.com/shopbot/shopbot/faq"
)

// language picks the language of the bot's words: the message's own
// script, then the conversation's, the platform's hint, the shop's. What
// carries no language — an email address, digits, a link — keeps the
// conversation's; so does a word or two of English in a conversation held
// in Korean or Chinese ("ok", "thx", "5678 ok").
func (h *handling) language() string {
	if l := messageLanguage(h.m.Text); l != "" && !(l == "en" && h.conv.Lang != "" && h.conv.Lang != "en" && latinWords(h.m.Text) < 3) {
		return l
	}
	if h.conv.Lang != "" {
		return h.conv.Lang
	}
	if hint := strings.ToLower(h.m.Lang); len(hint) >= 2 {
		switch hint[:2] {
		case "ko", "en", "zh":
			return hint[:2]
		}
	}
	return h.cfg.Lang
}

// messageLanguage is the language of the words of text, leaving out email
// addresses, links and digits.
func messageLanguage(text string) string {
	var keep []string
	for _, f := range strings.Fields(text) {
		if strings.Contains(f, "@") || strings.Contains(f, "://") || strings.HasPrefix(strings.ToLower(f), "www.") {
			continue
		}
		keep = append(keep, strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return -1
			}
			return r
		}, f))
	}
	return faq.DetectLanguage(strings.Join(keep, " "))
}

// latinWords counts the words of text written in Latin letters.
func latinWords(text string) int {
	n := 0
	for _, f := range strings.Fields(text) {
		if strings.ContainsFunc(f, isLatin) && !strings.Contains(f, "@") {
			n++
		}
	}
	return n
}
