package bot

import (
	"strings"
	"unicode"

	"github.com/shopbot/shopbot/tickets"
)

// MaxName is the longest display name the owner is shown, in characters.
const MaxName = tickets.MaxName

// CleanName makes a customer's display name safe to show the owner on any
// channel: line breaks and tabs become spaces, control and format
// characters (bidi overrides and isolates, zero-width spaces) go, spaces
// collapse, and it is cut to MaxName characters. A name cannot then start
// a line of its own in an alert, nor turn the text around it backwards.
func CleanName(s string) string { return tickets.CleanName(s) }

// CleanText makes a customer's message safe to show the owner as it was
// written, line breaks kept: no direction overrides or isolates, no
// zero-width characters, no other control characters.
func CleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\n', '\t':
			return r
		case '\r':
			return -1
		}
		return invisible(r)
	}, s)
}

// stripInvisible turns control characters into spaces and drops format
// characters (Unicode Cf: bidi controls, zero-width spaces, BOM), keeping
// the zero-width joiner that emoji sequences need.
func stripInvisible(s string) string { return strings.Map(invisible, s) }

func invisible(r rune) rune {
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

// oneLine shortens text for an alert line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(stripInvisible(s)), " ")
	return truncate(s, n)
}
