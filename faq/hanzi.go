package faq

import (
	_ "embed"
	"strings"
)

// hanziText holds traditional → simplified characters and Mandarin readings
// (its header has the source and the licence; gen_hanzi.go made it).
//
//go:embed hanzi.txt
var hanziText string

// simplified maps a traditional Han character to its simplified form (體 →
// 体), so that Taiwan and Hong Kong customers meet a mainland FAQ; pinyin
// maps a common character to its toneless reading, so that a character
// typed by pinyin input in place of its homophone (发或 for 发货) still meets
// the right word.
var simplified, pinyin = func() (map[rune]rune, map[rune]string) {
	s, p := map[rune]rune{}, map[rune]string{}
	for _, l := range strings.Split(hanziText, "\n") {
		switch {
		case strings.HasPrefix(l, "t "):
			rs := []rune(l[2:])
			for i := 0; i+1 < len(rs); i += 2 {
				s[rs[i]] = rs[i+1]
			}
		case strings.HasPrefix(l, "p "):
			f := strings.Fields(l)
			if len(f) == 3 {
				for _, r := range f[2] {
					p[r] = f[1]
				}
			}
		}
	}
	return s, p
}()
