package faq

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLexiconRepair(t *testing.T) {
	lx := newLexicon()
	for _, q := range []string{"배송 언제 와요", "배송비 얼마예요", "how do i cancel my order", "반품 주소 알려주세요", "make a cake"} {
		lx.add(tokenize(normalize(q)), map[string]bool{})
	}
	tests := []struct {
		in   string
		want []string // stems after repair
	}{
		{"배송언제와요", []string{"배송", "언제", "와요"}},         // spacing
		{"배숑 언제 와요", []string{"배송", "언제", "와요"}},       // jamo typo
		{"배송이언제와요", []string{"배송", "언제", "와요"}},        // particle inside
		{"cancle order", []string{"cancel", "order"}},  // swapped letters
		{"cancell order", []string{"cancel", "order"}}, // extra letter
		{"반품주소", []string{"반품", "주소"}},
		{"어디예요", []string{"어디에"}},                 // nothing known inside: unchanged (예요 is written 에요)
		{"ordr", []string{"order"}},               // a four-letter word is corrected
		{"hw od", []string{"hw", "od"}},           // shorter words are never corrected
		{"shop order", []string{"shop", "order"}}, // no known word one typo away
		{"bake", []string{"bake"}},                // a word, not a typo of make
		{"mkae", []string{"make"}},                // a typo of make
		{"오늘 날씨", []string{"오늘", "날씨"}},           // unknown words stay
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []string
			for _, tok := range lx.repair(tokenize(normalize(tt.in))) {
				got = append(got, tok.stem)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("repair(%q) stems (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	// Long and odd input stays bounded.
	lx.repair(tokenize(normalize(strings.Repeat("배송언제", 600))))
}
