package faq

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxQueryBytes bounds the work for one question: an FAQ question is short,
// and a 1 MB message must cost no more than a long one.
const maxQueryBytes = 2048

// DetectLanguage guesses the language of a customer's text: "ko" if it has
// Hangul, "zh" if it has Han characters without Hangul or kana, "en" if it has
// Latin letters, and "" if it cannot tell (digits, emoji, kana only).
func DetectLanguage(text string) string {
	var hangul, han, kana, latin int
	n := 0
	for _, r := range text {
		if n++; n > 4096 {
			break
		}
		switch {
		case isHangul(r):
			hangul++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	switch {
	case hangul > 0:
		return "ko"
	case han > 0 && kana == 0:
		return "zh"
	case kana > 0:
		return ""
	case latin > 0:
		return "en"
	}
	return ""
}

func isHangul(r rune) bool {
	return (r >= 0xAC00 && r <= 0xD7A3) || (r >= 0x1100 && r <= 0x11FF) || (r >= 0x3130 && r <= 0x318F) || (r >= 0xA960 && r <= 0xA97F) || (r >= 0xD7B0 && r <= 0xD7FF)
}

func isSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// script classes used to split tokens.
const (
	scriptNone = iota
	scriptLatin
	scriptHangul
	scriptHan
)

func scriptOf(r rune) int {
	switch {
	case isHangul(r):
		return scriptHangul
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana):
		return scriptHan
	case unicode.IsLetter(r):
		return scriptLatin
	}
	return scriptNone // digits and marks join the token they are in
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// normalize folds text for matching: valid UTF-8, NFKC (full-width to
// half-width, compatibility forms), lower case, traditional Han characters
// simplified, apostrophes dropped, and every
// run of punctuation, symbols, emoji and spaces turned into one space.
func normalize(s string) string {
	s = truncate(s, maxQueryBytes)
	s = strings.ToValidUTF8(s, " ")
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if r >= 0x3400 {
				if t, ok := simplified[r]; ok {
					r = t
				}
			}
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// token is one word of a normalised text.
type token struct {
	text   string // as normalised
	stem   string // light stem: English suffixes, Korean particles
	script int
	stop   bool // a function word, weighted down
}

// tokenize splits normalised text into words at spaces and at changes of
// script ("iphone배송" is two words). Long digit runs (order numbers, phone
// numbers) become "#" so they do not drown the words.
func tokenize(s string) []token {
	var toks []token
	for _, f := range strings.Fields(s) {
		start, cur := 0, scriptNone
		for i, r := range f {
			sc := scriptOf(r)
			if sc == scriptNone {
				continue
			}
			if cur != scriptNone && sc != cur {
				toks = append(toks, newToken(f[start:i], cur))
				start = i
			}
			cur = sc
		}
		toks = append(toks, newToken(f[start:], cur))
	}
	return toks
}

func newToken(s string, script int) token {
	t := token{text: s, stem: s, script: script}
	switch script {
	case scriptNone:
		if len(s) >= 3 {
			t.text, t.stem = "#", "#"
		}
	case scriptLatin:
		base := s
		if b, ok := irregular[s]; ok {
			base = b
		}
		t.stem = stemEnglish(base)
		t.stop = stopEN[s]
	case scriptHangul:
		t.text = chatKorean(s)
		t.stem = stripParticle(t.text)
	case scriptHan:
		t.stop = stopZH[s]
	}
	return t
}

var stopEN = setOf("a an the i me my mine you your we our us it its is am are was were be been being do does did " +
	"to of in on at for from by with about as into and or but if so than then that this these those there here " +
	"can could would should will shall may might must have has had get got " +
	"what when where which who whom whose why how please pls thanks thank hi hello hey " +
	"im ive id dont doesnt didnt cant wont isnt arent")

var stopZH = setOf("的 了 吗 呢 吧 啊 我 你 是 在 有 么 什么 怎么 请 问")

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// irregularText lists irregular English forms and their base words, from
// WordNet (its header has the source and the licence).
//
//go:embed irregular.txt
var irregularText string

// irregular maps an irregular English form to its base word (bought → buy,
// children → child), so that it meets the regular forms after stemming.
var irregular = func() map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(irregularText, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && !strings.HasPrefix(f[0], "#") {
			if _, dup := m[f[0]]; !dup {
				m[f[0]] = f[1]
			}
		}
	}
	return m
}()

// stemEnglish strips common English inflections so that plurals and tenses
// meet: "orders" "ordered" "ordering" → "order", "deliveries" → "delivery".
func stemEnglish(w string) string {
	n := len(w)
	if n <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		w = w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes"):
		w = w[:n-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	case strings.HasSuffix(w, "ing") && n >= 6:
		w = undouble(w[:n-3])
	case strings.HasSuffix(w, "ed") && n >= 5:
		w = undouble(w[:n-2])
	}
	if len(w) > 4 && strings.HasSuffix(w, "e") {
		w = w[:len(w)-1]
	}
	return w
}

func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeiouls", rune(w[n-1])) {
		return w[:n-1]
	}
	if n >= 4 && w[n-1] == 'l' && w[n-2] == 'l' { // cancelled → cancel
		return w[:n-1]
	}
	return w
}

// Korean particles and a polite ending, longest first.
var particles = []string{"에서는", "으로는", "이라도", "에서", "으로", "이랑", "한테", "에게", "까지", "부터", "처럼", "보다", "이나",
	"은", "는", "을", "를", "이", "가", "에", "의", "도", "만", "로", "와", "과", "랑", "요"}

// stripParticle removes one trailing particle from a Hangul word when a stem
// of at least two syllables (one for 은/는/을/를) remains: 배송이 → 배송.
func stripParticle(w string) string {
	n := utf8.RuneCountInString(w)
	for _, p := range particles {
		if !strings.HasSuffix(w, p) {
			continue
		}
		pn := utf8.RuneCountInString(p)
		need := 2
		if p == "은" || p == "는" || p == "을" || p == "를" {
			need = 1
		}
		if n-pn >= need {
			return w[:len(w)-len(p)]
		}
	}
	return w
}

// Hangul syllable decomposition.
const (
	hangulBase = 0xAC00
	jungCount  = 21
	jongCount  = 28
)

// jamo appends the conjoining jamo of a Hangul syllable (2 or 3 runes).
func jamo(dst []rune, r rune) []rune {
	if !isSyllable(r) {
		return append(dst, r)
	}
	s := r - hangulBase
	cho, jung, jong := s/(jungCount*jongCount), (s%(jungCount*jongCount))/jongCount, s%jongCount
	dst = append(dst, 0x1100+cho, 0x1161+jung)
	if jong > 0 {
		dst = append(dst, 0x11A7+jong)
	}
	return dst
}

// choseong returns the initial consonants of a Hangul text (배송비 → ᄇᄉᄇ),
// keeping other runes; used for 초성 queries.
func choseong(s string) string {
	var b strings.Builder
	for _, r := range s {
		if isSyllable(r) {
			b.WriteRune(0x1100 + (r-hangulBase)/(jungCount*jongCount))
		} else if r != ' ' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isChoseongQuery reports whether normalised text is only initial consonants
// (after NFKC, ㅂㅅ becomes the conjoining choseong U+1107 U+1109).
func isChoseongQuery(s string) bool {
	n := 0
	for _, r := range s {
		if r == ' ' {
			continue
		}
		if r < 0x1100 || r > 0x1112 {
			return false
		}
		n++
	}
	return n >= 2
}
