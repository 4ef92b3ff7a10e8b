package bot

import (
	"strings"

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
		return tickets.Invisible(r)
	}, s)
}

// oneLine shortens text for an alert line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(strings.Map(tickets.Invisible, s)), " ")
	return truncate(s, n)
}
