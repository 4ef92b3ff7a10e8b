// Package hangul owns the Korean-language rule shopbot's own words need
// most: which form of a particle (조사) follows a word. "문의 #36으로",
// "주문 1042는", "CJ대한통운으로", "화이트 L로" — the form depends on how the
// word before it ends when read aloud, which for digits and Latin letters
// is how a Korean reader says them.
package hangul

import (
	"strings"
	"unicode"
)

// ending is how a word ends when read aloud.
type ending int

const (
	unknown   ending = iota // not Korean-readable (Chinese, emoji…): both forms are shown
	vowel                   // no final consonant: 는, 가, 를, 와, 로
	consonant               // a final consonant other than ㄹ: 은, 이, 을, 과, 으로
	rieul                   // final ㄹ: like a consonant, but 로 (not 으로)
)

// pair is one particle's two forms: after a final consonant, after a vowel.
type pair struct{ consonant, vowel string }

// pairs are the particles Particle knows, each reachable by either form.
var pairs = []pair{
	{"은", "는"}, {"이", "가"}, {"을", "를"}, {"과", "와"}, {"으로", "로"},
	{"이에요", "예요"}, {"이었어요", "였어요"}, {"이나", "나"}, {"이랑", "랑"}, {"아", "야"},
	{"이라고", "라고"}, {"이라서", "라서"}, {"이며", "며"}, {"으로서", "로서"}, {"으로는", "로는"},
	{"이요", "요"}, {"이에게", "에게"},
}

// Particle returns word followed by the form of particle p that fits it. p
// may be either form of a pair ("은" or "는", "이" or "가", "을" or "를",
// "과" or "와", "으로" or "로", "이에요" or "예요", …). The form follows the
// final sound of the word as a Korean reader says it: Hangul by its final
// consonant (ㄹ takes 로, not 으로), digits as Sino-Korean numbers ("1042" is
// 천사십이: 는; "36" ends in 육: 으로; "1000" is 천: 은), Latin letters by their
// Korean names for short acronyms ("CJ" 제이: 로, "XL" 엑스엘: 로) and by the
// usual loanword reading for words ("Shop" 숍: 으로). Closing brackets and
// quotes after the word are skipped. When the ending cannot be read (Chinese
// characters, emoji) both forms are given, the Korean convention: "은(는)".
// A p that is not a known particle is appended as it is.
func Particle(word, p string) string {
	pr, ok := find(p)
	if !ok {
		return word + p
	}
	switch endingOf(word) {
	case vowel:
		return word + pr.vowel
	case rieul:
		if strings.HasPrefix(pr.consonant, "으로") {
			return word + pr.vowel
		}
		return word + pr.consonant
	case consonant:
		return word + pr.consonant
	}
	return word + pr.consonant + "(" + pr.vowel + ")"
}

func find(p string) (pair, bool) {
	for _, pr := range pairs {
		if p == pr.consonant || p == pr.vowel {
			return pr, true
		}
	}
	return pair{}, false
}

// endingOf reads how word ends.
func endingOf(word string) ending {
	rs := []rune(strings.TrimRightFunc(word, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`)]}>"'”’」』》〉.!?~`, r)
	}))
	if len(rs) == 0 {
		return unknown
	}
	last := rs[len(rs)-1]
	switch {
	case last >= 0xAC00 && last <= 0xD7A3:
		switch (last - 0xAC00) % 28 {
		case 0:
			return vowel
		case 8:
			return rieul
		}
		return consonant
	case last >= 'ㄱ' && last <= 'ㅎ':
		// A consonant letter is read by its name (기역, 니은, 리을…): all
		// end in a consonant.
		if last == 'ㄹ' {
			return rieul
		}
		return consonant
	case last >= 'ㅏ' && last <= 'ㅣ':
		return vowel
	case last >= '0' && last <= '9' || last >= '０' && last <= '９':
		return number(rs)
	case last < unicode.MaxASCII && unicode.IsLetter(last):
		return latin(rs)
	}
	return unknown
}

// digitEndings are the Sino-Korean digits: 영 일 이 삼 사 오 육 칠 팔 구.
var digitEndings = [10]ending{consonant, rieul, vowel, consonant, vowel, vowel, consonant, rieul, rieul, vowel}

// number reads the digits at the end of rs as a Sino-Korean number: the
// last non-zero digit, or the unit its trailing zeros make (십, 백, 천, 만, 억).
func number(rs []rune) ending {
	zeros, i := 0, len(rs)-1
	for ; i >= 0; i-- {
		d := digitOf(rs[i])
		if d < 0 {
			break
		}
		if d != 0 {
			break
		}
		zeros++
	}
	if i < 0 || digitOf(rs[i]) < 0 {
		return consonant // all zeros: 영 (or 공)
	}
	if zeros == 0 {
		return digitEndings[digitOf(rs[i])]
	}
	// 십, 백, 천, then 만 and 억 (십만, 백만… end in 만 too); 조 has no
	// final consonant.
	if zeros < 12 {
		return consonant
	}
	return vowel
}

func digitOf(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

// letterEndings are how the Korean names of the Latin letters end: 에이 비
// 씨 디 이 에프 지 에이치 아이 제이 케이 엘 엠 엔 오 피 큐 알 에스 티 유 브이
// 더블유 엑스 와이 제트.
var letterEndings = map[rune]ending{'l': rieul, 'm': consonant, 'n': consonant, 'r': rieul}

// units are how measures after a number are read: 500ml is 오백 밀리리터.
var units = map[string]ending{
	"ml": vowel, "l": vowel, "cm": vowel, "mm": vowel, "m": vowel, "km": vowel,
	"g": consonant, "kg": consonant, "mg": consonant, "oz": consonant, "in": consonant,
}

// latin reads the Latin word at the end of rs: a measure after a number by
// its Korean name, an acronym or a single letter by the letters' names, a
// word by its loanword reading.
func latin(rs []rune) ending {
	start := len(rs)
	for start > 0 && rs[start-1] < unicode.MaxASCII && unicode.IsLetter(rs[start-1]) {
		start--
	}
	w := string(rs[start:])
	if e, ok := units[strings.ToLower(w)]; ok && start > 0 && digitOf(rs[start-1]) >= 0 && w == strings.ToLower(w) {
		return e
	}
	if len(w) <= 1 || strings.ToUpper(w) == w && len(w) <= 4 {
		if e, ok := letterEndings[unicode.ToLower(rs[len(rs)-1])]; ok {
			return e
		}
		return vowel
	}
	w = strings.ToLower(w)
	switch {
	case strings.HasSuffix(w, "ng"), strings.HasSuffix(w, "m"), strings.HasSuffix(w, "n"),
		strings.HasSuffix(w, "me"), strings.HasSuffix(w, "ne"),
		strings.HasSuffix(w, "k"), strings.HasSuffix(w, "ck"), strings.HasSuffix(w, "p"), strings.HasSuffix(w, "b"):
		return consonant // 킹, 팀, 폰, 타임, 라인, 북, 팩, 숍, 웹
	case strings.HasSuffix(w, "l"), strings.HasSuffix(w, "le"):
		return rieul // 메일, 테이블
	}
	return vowel // 카드, 세트, 티, 오더
}

// Attach fills in the particles marked in braces in s, each after the
// word before it: "문의 #36{로} 접수했어요" → "문의 #36으로 접수했어요", "주문
// 1042{은}" → "주문 1042는". Either form may be written in the braces; an
// unknown word in braces is left as it is. Messages are written with the
// marks and a value put in by fmt, then Attach makes them read right.
func Attach(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		p := s[i+1 : i+j]
		if _, ok := find(p); !ok {
			b.WriteString(s[:i+j+1])
			s = s[i+j+1:]
			continue
		}
		b.WriteString(s[:i])
		word := b.String()
		full := Particle(word, p)
		b.Reset()
		b.WriteString(full)
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}
