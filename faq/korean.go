package faq

import (
	"strings"
	"unicode/utf8"
)

// chatKorean folds the spellings of Korean chat onto the standard ones, on
// both the FAQ's side and the customer's, so that they meet: the playful
// polite endings (되나여, 가능한가용, 언제와욤, 있어염 → …요), 돼 → 되 (the
// two are mixed up all the time), 예요 → 에요, and a few sound-spellings
// every shop sees (몇일 → 며칠, 어케 → 어떻게, 머에요 → 뭐에요).
func chatKorean(w string) string {
	if r, ok := koSpelling[w]; ok {
		return r
	}
	if strings.Contains(w, "돼") {
		w = strings.ReplaceAll(w, "돼", "되")
	}
	if strings.Contains(w, "예요") {
		w = strings.ReplaceAll(w, "예요", "에요")
	}
	last, n := utf8.DecodeLastRuneInString(w)
	if n == len(w) {
		return w
	}
	prev, _ := utf8.DecodeLastRuneInString(w[:len(w)-n])
	var before string
	switch last {
	case '여', '욤', '엽':
		before = endingBeforeYeo
	case '용':
		before = endingBeforeYong
	case '염':
		before = endingBeforeYeom
	default:
		return w
	}
	if strings.ContainsRune(before, prev) {
		return w[:len(w)-n] + "요"
	}
	return w
}

// The syllables after which a word-final 여, 용 or 염 is a polite ending,
// not part of a word: 되나여 is 되나요, but 선물용 (for a gift), 이용 (use),
// 비용 (cost) and 나염 (textile printing) keep theirs.
const (
	endingBeforeYeo  = "나까세해되에죠가어아와워려니게네래데져봐줘셔써쳐했겠었았였"
	endingBeforeYong = "나까세해되에죠가어아와워려니게네래데져봐줘셔써쳐했겠었았였"
	endingBeforeYeom = "까세해되에죠어아와워게네봐줘었았였"
)

// koSpelling holds whole chat words and their standard spelling.
var koSpelling = map[string]string{
	"몇일": "며칠", "몇일이나": "며칠이나", "몇일정도": "며칠정도",
	"어케": "어떻게", "어캐": "어떻게", "어떠케": "어떻게", "어떻케": "어떻게", "어뜨케": "어떻게",
	"머에요": "뭐에요", "머예요": "뭐에요", "머임": "뭐임", "머야": "뭐야", "머에여": "뭐에요",
	"얼마에여": "얼마에요", "얼마예여": "얼마에요",
}
