package faq

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// words4Text lists correctly spelt four-letter English words (its header has
// the source and the licence).
//
//go:embed words4.txt
var words4Text string

// words4 is the set of words4Text: a four-letter word in it is a word, not
// a typo, and is never corrected into another (bake is not make). Longer
// words are far enough apart that one edit rarely turns a word into another.
var words4 = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(words4Text, "\n") {
		if len(l) == 4 && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// lexicon is the FAQ's own vocabulary, used to repair a customer's words
// before matching: Korean words written without spaces are split into known
// words (배송언제와요 → 배송 언제 와요), and an unknown word one typo away from
// a known word becomes that word (배숑 → 배송 by jamo, cancle → cancel). Only
// words the FAQ does not know are touched, so a known word is never
// "corrected" into another.
type lexicon struct {
	mode  int                 // experiment: 1 all, 2 no Hangul typos, 3 no segmentation
	words map[string]int32    // stem → number of entries using it
	del   map[string][]string // a word's key with at most one rune deleted → words
}

const (
	minTypoLatin  = 4 // Latin words shorter than this are never corrected, nor a correctly spelt four-letter word (words4; TestNoise: 5 → 4 raised clinc's accuracy with typos from 0.481 to 0.525)
	minTypoJamo   = 5 // nor Hangul words of fewer jamo
	maxTypoRunes  = 24
	maxSegSyllabs = 16
)

func newLexicon() *lexicon {
	return &lexicon{words: map[string]int32{}, del: map[string][]string{}}
}

// add records the words of one entry's phrasing; seen dedups per entry.
func (lx *lexicon) add(toks []token, seen map[string]bool) {
	for _, t := range toks {
		if t.script != scriptLatin && t.script != scriptHangul {
			continue
		}
		if seen[t.stem] {
			continue
		}
		seen[t.stem] = true
		if lx.words[t.stem] == 0 {
			lx.addDeletions(t)
		}
		lx.words[t.stem]++
	}
}

func (lx *lexicon) addDeletions(t token) {
	k := typoKey(t)
	if k == nil {
		return
	}
	lx.del[string(k)] = append(lx.del[string(k)], t.stem)
	buf := make([]rune, 0, len(k))
	for i := range k {
		buf = append(append(buf[:0], k[:i]...), k[i+1:]...)
		lx.del[string(buf)] = append(lx.del[string(buf)], t.stem)
	}
}

// typoKey is the rune sequence compared for typos: letters for Latin, jamo
// for Hangul; nil when the word is too short or too long to correct.
func typoKey(t token) []rune {
	switch t.script {
	case scriptLatin:
		n := utf8.RuneCountInString(t.stem)
		if n < minTypoLatin || n > maxTypoRunes {
			return nil
		}
		return []rune(t.stem)
	case scriptHangul:
		n := utf8.RuneCountInString(t.stem)
		if n < 2 || n > maxTypoRunes/3 {
			return nil
		}
		var k []rune
		for _, r := range t.stem {
			k = jamo(k, r)
		}
		if len(k) < minTypoJamo {
			return nil // 예요 → 와요: short endings are too close to each other
		}
		return k
	}
	return nil
}

// correct returns the known word one edit (a deleted, inserted, changed or
// swapped rune or jamo) from t's stem, preferring the most used; "" if none.
func (lx *lexicon) correct(t token) string {
	if lx.mode == 2 && t.script == scriptHangul {
		return ""
	}
	k := typoKey(t)
	if k == nil {
		return ""
	}
	best, bestN := "", int32(0)
	consider := func(ws []string) {
		for _, w := range ws {
			if n := lx.words[w]; n > bestN || (n == bestN && w < best) {
				best, bestN = w, n
			}
		}
	}
	consider(lx.del[string(k)])
	buf := make([]rune, 0, len(k))
	for i := range k {
		buf = append(append(buf[:0], k[:i]...), k[i+1:]...)
		consider(lx.del[string(buf)]) // substitution, swap or insertion
	}
	return best
}

// repair rewrites the tokens the FAQ does not know: splits unspaced Korean
// into known words, then corrects single typos.
func (lx *lexicon) repair(toks []token) []token {
	var out []token
	for i, t := range toks {
		if t.stop || lx.words[t.stem] > 0 || (t.script != scriptHangul && t.script != scriptLatin) {
			if out != nil {
				out = append(out, t)
			}
			continue
		}
		if out == nil {
			out = append(make([]token, 0, len(toks)+4), toks[:i]...)
		}
		if t.script == scriptHangul && lx.mode != 3 {
			if parts := lx.segment(t.text); len(parts) > 1 {
				for _, p := range parts {
					nt := newToken(p, scriptHangul)
					if lx.words[nt.stem] == 0 {
						if c := lx.correct(nt); c != "" {
							nt.stem = c
						}
					}
					out = append(out, nt)
				}
				continue
			}
		}
		if c := lx.correct(t); c != "" && !(t.script == scriptLatin && words4[t.text]) {
			t.stem = c
		}
		out = append(out, t)
	}
	if out == nil {
		return toks
	}
	return out
}

// segment splits an unspaced Hangul word into pieces, maximising the
// syllables covered by known words of two or more syllables (a piece may
// carry a particle), then preferring fewer pieces. It returns nil when no
// known word of two syllables or more is inside.
func (lx *lexicon) segment(w string) []string {
	rs := []rune(w)
	n := len(rs)
	if n < 3 || n > maxSegSyllabs {
		return nil
	}
	type cell struct {
		cover, pieces int
		prev          int
		known         bool
	}
	dp := make([]cell, n+1)
	for i := 1; i <= n; i++ {
		dp[i] = cell{cover: -1}
	}
	for j := 1; j <= n; j++ {
		for i := 0; i < j; i++ {
			if dp[i].cover < 0 {
				continue
			}
			piece := string(rs[i:j])
			known := j-i >= 2 && (lx.words[piece] > 0 || lx.words[stripParticle(piece)] > 0)
			cover, pieces := dp[i].cover, dp[i].pieces+1
			if known {
				cover += j - i
			} else if j-i > 1 {
				continue // unknown runs are taken one syllable at a time, then merged
			}
			if cover > dp[j].cover || (cover == dp[j].cover && pieces < dp[j].pieces) {
				dp[j] = cell{cover: cover, pieces: pieces, prev: i, known: known}
			}
		}
	}
	if dp[n].cover < 2 {
		return nil
	}
	var parts []string
	var unknown []rune
	type span struct {
		i, j  int
		known bool
	}
	var spans []span
	for j := n; j > 0; j = dp[j].prev {
		spans = append(spans, span{dp[j].prev, j, dp[j].known})
	}
	for k := len(spans) - 1; k >= 0; k-- {
		s := spans[k]
		if s.known {
			if len(unknown) > 0 {
				parts = append(parts, string(unknown))
				unknown = unknown[:0]
			}
			parts = append(parts, string(rs[s.i:s.j]))
		} else {
			unknown = append(unknown, rs[s.i:s.j]...)
		}
	}
	if len(unknown) > 0 {
		parts = append(parts, string(unknown))
	}
	return parts
}
