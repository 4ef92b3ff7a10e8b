package slack

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain 한글", "plain 한글"},
		{"a &amp; b &lt;3 &gt;", "a & b <3 >"},
		{"hi <@U123>", "hi @U123"},
		{"hi <@U123|minji>", "hi @minji"},
		{"see <#C1|support>", "see #support"},
		{"<!here> now", "@here now"},
		{"<!subteam^S1|@staff> now", "@staff now"},
		{"<https://shop.example/a?b=1&amp;c=2>", "https://shop.example/a?b=1&c=2"},
		{"<https://shop.example|our shop>", "our shop (https://shop.example)"},
		{"<mailto:a@b.example|a@b.example>", "a@b.example"},
		{"unclosed <https://x", "unclosed <https://x"},
		{"&amp;lt;", "&lt;"},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := PlainText(tc.in); got != tc.want {
				t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<@U1|a>", "a &amp; <https://x|y>", "<<>>", "<!here|", "\xff<\xfe>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Errorf("PlainText(%q) = %q: invalid UTF-8", s, got)
		}
		if len(got) > len(s) {
			t.Errorf("PlainText(%q) grew to %q", s, got)
		}
	})
}

func TestTextBlocks(t *testing.T) {
	long := strings.Repeat("가", 7000)
	tests := []struct {
		name   string
		in     string
		blocks int
	}{
		{"empty", "", 1},
		{"short", "hello", 1},
		{"one long line", long, 3},
		{"many lines", strings.Repeat(strings.Repeat("x", 100)+"\n", 100), 4},
		{"huge", strings.Repeat("y\n", 1<<19), maxBlocks},
		{"invalid utf-8", "\xff\xfe" + long, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bs := textBlocks(tc.in)
			if len(bs) != tc.blocks {
				t.Errorf("%d blocks, want %d", len(bs), tc.blocks)
			}
		})
	}
}

func TestEphemeralChat(t *testing.T) {
	ch, user, ok := parseEphemeral(ephemeralChat("C1", "U2"))
	if !ok || ch != "C1" || user != "U2" {
		t.Errorf("round trip = %q %q %v", ch, user, ok)
	}
	for _, bad := range []string{"C1", "ephemeral:C1", "ephemeral:C1:", ""} {
		if _, _, ok := parseEphemeral(bad); ok {
			t.Errorf("parseEphemeral(%q) ok", bad)
		}
	}
}

// TestLabelsComplete: every owner language has every label, with the same
// formatting verbs as English, so no owner sees an English word or a
// %!d(MISSING).
func TestLabelsComplete(t *testing.T) {
	verbs := func(s string) string { return strings.Join(regexp.MustCompile(`%[a-z]`).FindAllString(s, -1), "") }
	for _, lang := range []string{"ko", "zh"} {
		for key, en := range labels["en"] {
			got, ok := labels[lang][key]
			if !ok {
				t.Errorf("%s: no label %q", lang, key)
				continue
			}
			if verbs(got) != verbs(en) {
				t.Errorf("%s %q = %q: verbs %q, want %q as in English", lang, key, got, verbs(got), verbs(en))
			}
		}
	}
}

// TestTicketTitle: a ticket's title names its priority, number,
// reference (when it has one) and category in the owner's language.
func TestTicketTitle(t *testing.T) {
	tk := &tickets.Ticket{ID: 3, Priority: tickets.Urgent, Category: tickets.Cancellation}
	withRef := *tk
	withRef.Ref = "K7Q2XM"
	tests := []struct {
		lang string
		t    *tickets.Ticket
		want string
	}{
		{"en", tk, "🔴 URGENT #3 · cancellation"},
		{"ko", tk, "🔴 긴급 #3 · 취소"},
		{"zh", tk, "🔴 紧急 #3 · 取消"},
		{"en", &withRef, "🔴 URGENT #3 K7Q2XM · cancellation"},
		{"ko", &withRef, "🔴 긴급 #3 K7Q2XM · 취소"},
	}
	for _, tt := range tests {
		a := &Adapter{cfg: Config{Lang: tt.lang}}
		if got := a.ticketTitle(notify.TicketEvent(notify.KindNew, tt.t, "", "")); got != tt.want {
			t.Errorf("%s title = %q, want %q", tt.lang, got, tt.want)
		}
	}
}
