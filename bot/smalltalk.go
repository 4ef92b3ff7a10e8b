package bot

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// social is what a message says when it says nothing about the shop: a
// greeting, thanks, a goodbye, laughter, emoji, a plain "ok", or small
// talk. The bot answers such a message itself, in a line, and never makes
// a ticket of it.
type social string

// The kinds of social message, in the order a reply prefers them (a
// message that greets and thanks is answered as a greeting).
const (
	notSocial social = ""
	greeting  social = "greeting"
	thanks    social = "thanks"
	goodbye   social = "goodbye"
	ack       social = "ack"      // 네, ok, 好的: the customer has what they need
	laughter  social = "laughter" // ㅋㅋ, haha, 哈哈 (and ㅠㅠ)
	emojiOnly social = "emoji"    // nothing but emoji, symbols or punctuation
	smallTalk social = "smalltalk"
)

// maxSocialUnits: a message longer than this (letters and digits) is read
// as it is, not searched for greetings.
const maxSocialUnits = 256

var socialRank = map[social]int{greeting: 0, thanks: 1, goodbye: 2, ack: 3, laughter: 4, emojiOnly: 5, smallTalk: 6}

// socialPhrases are the social expressions the bot recognises, written as
// customers type them; they are matched after normalisation (NFKC, lower
// case, spaces and punctuation ignored, a letter held longer than written
// — "hiii", "byeee" — and the casual endings 여/용/염 for 요, 당 for 다, 넹/넵
// for 네). Colloquial and abbreviated forms are listed, not derived: ㅎㅇ
// (하이), ㄳ (감사), 谢谢亲.
var socialPhrases = map[social][]string{
	greeting: {
		"안녕하세요", "안녕하십니까", "안녕", "안뇽", "안뇽하세요", "안농", "하이", "하이요", "하이루", "ㅎㅇ", "ㅎㅇㅎㅇ",
		"반가워요", "반갑습니다", "반가워", "처음 뵙겠습니다", "여보세요", "저기요", "계세요", "계신가요", "사장님", "사장님 계세요",
		"좋은 아침", "좋은 아침이에요", "좋은 아침입니다", "굿모닝", "실례합니다", "문의드립니다", "문의 드려요", "문의드려요",
		"hi", "hello", "hey", "heya", "hiya", "yo", "howdy", "greetings", "hi there", "hello there", "hey there",
		"good morning", "good afternoon", "good evening", "morning", "anyone there", "is anyone there", "anybody there",
		"你好", "您好", "你好呀", "你们好", "哈喽", "嗨", "在吗", "在不在", "亲", "亲在吗", "亲在不在", "老板在吗", "有人吗", "有人在吗",
		"早上好", "下午好", "晚上好", "早", "早安", "hello亲",
	},
	thanks: {
		"감사합니다", "감사해요", "감사드려요", "감사드립니다", "감사", "감사감사", "감사요", "감사했습니다", "감솨", "캄사", "캄사합니다",
		"고맙습니다", "고마워요", "고마워", "고맙네요", "고마웠어요", "땡큐", "땡스", "ㄳ", "ㄱㅅ", "ㄳㄳ", "ㄱㅅㄱㅅ",
		"정말 감사합니다", "너무 감사합니다", "진짜 감사합니다", "대단히 감사합니다", "친절하시네요", "친절한 답변 감사합니다", "답변 감사합니다",
		"도움이 됐어요", "도움 됐어요", "덕분이에요", "최고예요", "최고",
		"thanks", "thank you", "thank u", "thx", "thnx", "tnx", "ty", "tysm", "thanks a lot", "thank you so much", "thanks so much",
		"many thanks", "cheers", "appreciate it", "much appreciated", "thanks again", "great thanks", "awesome thanks", "ok thanks",
		"okay thanks", "perfect thanks", "thank you very much", "that helps", "that helped", "helpful",
		"谢谢", "谢谢亲", "谢谢你", "谢谢您", "谢啦", "谢了", "多谢", "感谢", "非常感谢", "太感谢了", "好的谢谢", "辛苦了", "麻烦了", "3q",
	},
	goodbye: {
		"안녕히 계세요", "안녕히계세요", "안녕히 가세요", "수고하세요", "수고하셨습니다", "수고 많으세요", "수고많으세요", "수고하십시오",
		"좋은 하루 되세요", "좋은 하루 보내세요", "좋은하루", "좋은 저녁 되세요", "좋은 주말 되세요", "다음에 올게요", "다음에 또 올게요",
		"잘 있어요", "바이", "바이바이", "빠이", "ㅂㅂ", "ㅂㅇ", "이만", "들어가세요",
		"bye", "bye bye", "goodbye", "good bye", "see you", "see ya", "cya", "have a nice day", "have a good day",
		"have a good one", "have a great day", "take care", "good night",
		"再见", "拜拜", "回头见", "晚安", "下次见", "88",
	},
	ack: {
		"네", "예", "넵", "넹", "네네", "넵넵", "응", "웅", "ㅇㅇ", "ㅇㅋ", "ㅇㅋㅇㅋ", "오키", "오케이", "오키도키", "알겠습니다", "알겠어요", "알겠어",
		"알았어요", "알았어", "알겠슴다", "그렇군요", "그렇구나", "아하", "아 네", "아 그렇군요", "좋아요", "좋습니다", "좋네요", "확인했습니다",
		"확인했어요", "잘 알겠습니다", "이해했어요", "그럼요", "괜찮아요", "됐어요", "됐습니다",
		"ok", "okay", "okey", "k", "kk", "got it", "i see", "alright", "all right", "sure", "yes", "yep", "yeah", "yup",
		"no problem", "np", "understood", "good", "fine", "great", "cool", "nice", "awesome", "perfect", "noted", "sounds good",
		"好的", "好", "好吧", "嗯", "嗯嗯", "哦", "哦哦", "知道了", "明白了", "明白", "了解", "行", "可以", "没问题", "收到",
	},
	laughter: {
		"하하", "하하하", "호호", "히히", "헤헤", "키키", "크크",
		"haha", "hahaha", "hehe", "lol", "lmao", "rofl", "xd",
		"哈哈", "哈哈哈", "呵呵", "嘻嘻", "嘿嘿",
	},
}

// chatCues mark small talk: a message about the weather, the bot itself,
// how someone is doing. They count only in a message with nothing about
// the shop in it (design: the policy table in policy.go).
var chatCues = []string{
	"날씨", "뭐해", "뭐 해요", "뭐하세요", "뭐하니", "심심", "잘 지내", "잘지내", "어떻게 지내", "기분 어때", "기분이 어때", "밥 먹었", "밥 드셨",
	"식사 하셨", "식사하셨", "점심 드셨", "점심 먹었", "저녁 드셨", "누구세요", "누구야", "누구예요", "이름이 뭐", "이름 뭐", "봇이에요", "봇이야", "봇인가요",
	"로봇", "챗봇", "사람이에요", "사람이야", "사람인가요", "ai야", "ai예요", "사랑해", "귀여워", "귀엽", "배고파", "졸려", "피곤해", "주말 잘",
	"농담", "재밌는 얘기", "노래", "몇 살", "몇살", "나이가",
	"weather", "how are you", "how r u", "how are u", "hows it going", "how is it going", "whats up", "wassup", "sup",
	"how was your day", "hows your day", "who are you", "whats your name", "what is your name", "are you a bot", "are you human",
	"are you a robot", "are you real", "are you ai", "are you a person", "tell me a joke", "joke", "bored", "love you",
	"good bot", "nice bot", "how old are you",
	"天气", "你是谁", "你是机器人", "机器人吗", "真人吗", "你叫什么", "最近好吗", "你好吗", "吃饭了吗", "吃了吗", "在干嘛", "干嘛呢", "无聊",
	"讲个笑话", "笑话", "你几岁",
}

// socialUnit is one letter or digit of a message after normalisation,
// with the byte offset where it starts in the normalised text.
type socialUnit struct {
	r   rune
	off int
}

// normalizeSocial folds text for matching: NFKC (full-width letters and
// punctuation as plain ones) but for Hangul letters typed alone (ㅋ, ㅎㅇ,
// which NFKC would turn into conjoining jamo), lower case, "’" as "'".
func normalizeSocial(text string) string {
	var b strings.Builder
	start := 0
	for i, r := range text {
		if r >= 0x3130 && r <= 0x318F {
			b.WriteString(norm.NFKC.String(text[start:i]))
			b.WriteRune(r)
			start = i + len(string(r))
		}
	}
	b.WriteString(norm.NFKC.String(text[start:]))
	return strings.ToLower(strings.ReplaceAll(b.String(), "’", "'"))
}

// units are the letters and digits of s (apostrophes dropped: "what's" is
// "whats").
func units(s string) []socialUnit {
	var us []socialUnit
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			us = append(us, socialUnit{r, i})
		}
	}
	return us
}

// phrasesFrom are socialPhrases as rune slices, built once and filed
// under every rune a customer may start them with (a phrase starting 네
// also under 넹, 넵, 녜), so that a position is tried only against the
// phrases that can start there. Each list is in socialRank order, then as
// written.
var (
	phrasesFrom = func() map[rune][]socialPhrase {
		kinds := make([]social, 0, len(socialPhrases))
		for k := range socialPhrases {
			kinds = append(kinds, k)
		}
		slices.SortFunc(kinds, func(a, b social) int { return cmp.Compare(socialRank[a], socialRank[b]) })
		m := map[rune][]socialPhrase{}
		for _, k := range kinds {
			for _, p := range socialPhrases[k] {
				rs := compactRunes(p)
				if len(rs) == 0 {
					continue
				}
				for _, first := range string(rs[0]) + variants[rs[0]] {
					m[first] = append(m[first], socialPhrase{k, rs})
				}
			}
		}
		return m
	}()
	compactCues = func() [][]rune {
		var out [][]rune
		for _, c := range chatCues {
			out = append(out, compactRunes(c))
		}
		return out
	}()
)

// socialPhrase is one of socialPhrases, of kind kind, as runes.
type socialPhrase struct {
	kind  social
	runes []rune
}

func compactRunes(p string) []rune {
	var out []rune
	for _, u := range units(normalizeSocial(p)) {
		out = append(out, u.r)
	}
	return out
}

// variants are casual spellings of the last syllable of a word: 안녕하세여,
// 감사해용, 감사합니당, 넹.
var variants = map[rune]string{'요': "요여용욤염유", '다': "다당", '네': "네넹넵녜"}

func sameRune(want, got rune) bool {
	if want == got {
		return true
	}
	return strings.ContainsRune(variants[want], got)
}

// matchAt reports where phrase p, starting at us[i], ends (exclusive) in
// us, allowing a held letter ("hiii", "byeee", "ㅋㅋㅋㅋ").
func matchAt(us []socialUnit, i int, p []rune) (int, bool) {
	j := i
	for k, want := range p {
		if j >= len(us) || !sameRune(want, us[j].r) {
			return 0, false
		}
		j++
		if k == len(p)-1 || p[k+1] != want {
			for j < len(us) && us[j].r == us[j-1].r && isHeld(us[j].r) {
				j++
			}
		}
	}
	return j, true
}

// isHeld: letters customers hold down — Latin letters, Hangul jamo (ㅋㅋㅋ)
// and a few syllables (ㅎ하하하, 네네네).
func isHeld(r rune) bool {
	return r < unicode.MaxASCII || r >= 'ㄱ' && r <= 'ㅣ' || strings.ContainsRune("하호히헤키크네넹넵요용哈呵嘻嘿嗯哦", r)
}

// boundary reports whether offset off of s is the edge of a word: the
// start or end of s, or next to a character that is not a letter or digit.
// Chinese has no spaces: any position between Han characters counts,
// except inside a one-character phrase's neighbourhood (checked by the
// caller).
func boundary(s string, off int) bool {
	if off <= 0 || off >= len(s) {
		return true
	}
	before := lastRune(s[:off])
	after := firstRune(s[off:])
	if !(unicode.IsLetter(before) || unicode.IsNumber(before)) || !(unicode.IsLetter(after) || unicode.IsNumber(after)) {
		return true
	}
	return unicode.Is(unicode.Han, before) && unicode.Is(unicode.Han, after)
}

func lastRune(s string) rune {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1]
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// readSocial takes the social expressions off the start and the end of
// text and returns the strongest kind found (notSocial if none) and what
// is left, in normalised form. A message that is only social leaves rest
// empty; "안녕하세요 배송비 얼마예요?" leaves "배송비 얼마예요?". A message of
// nothing but emoji, symbols or punctuation is emojiOnly.
func readSocial(text string) (kind social, rest string) {
	s := normalizeSocial(strings.TrimSpace(text))
	if s == "" {
		return notSocial, ""
	}
	us := units(s)
	if len(us) == 0 {
		return emojiOnly, ""
	}
	if len(us) > maxSocialUnits {
		return notSocial, s
	}
	found := func(k social) {
		if kind == notSocial || socialRank[k] < socialRank[kind] {
			kind = k
		}
	}
	// offEnd is the byte offset just after unit j-1.
	offEnd := func(j int) int {
		if j >= len(us) {
			return len(s)
		}
		return us[j].off
	}
	lo, hi := 0, len(us)
	for lo < hi {
		k, end, ok := longestAt(s, us[:hi], lo, offEnd)
		if !ok {
			break
		}
		if k == ack && end < hi && glued(us, end) {
			break // 可以退货吗, 好看吗: the word is part of the question, not an "ok"
		}
		found(k)
		lo = end
	}
	// At the end, only what closes a message: "…얼마예요? 감사합니다",
	// "…ㅋㅋ". A trailing "good" or "네" is more often part of the question.
	for lo < hi {
		k, start, ok := longestEndingAt(s, us, lo, hi, offEnd)
		if !ok || (k == ack && start > lo) {
			break
		}
		found(k)
		hi = start
	}
	if lo >= hi {
		return kind, ""
	}
	return kind, strings.TrimSpace(trimSymbols(s[us[lo].off:offEnd(hi)]))
}

// glued reports whether unit j follows unit j-1 with nothing between them
// and both are Han characters: Chinese writes no spaces, so an "ok" word
// (可以, 好, 行) run into what follows is a word of the sentence.
func glued(us []socialUnit, j int) bool {
	a, b := us[j-1], us[j]
	return unicode.Is(unicode.Han, a.r) && unicode.Is(unicode.Han, b.r) && b.off == a.off+utf8.RuneLen(a.r)
}

// trimSymbols drops punctuation and symbols at the edges, keeping a
// question mark at the end.
func trimSymbols(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || r == '?' || r == '？')
	})
}

// longestAt finds the longest social phrase (or laughter run) that starts
// at us[i] and ends on a word boundary.
func longestAt(s string, us []socialUnit, i int, offEnd func(int) int) (social, int, bool) {
	best, bestEnd := notSocial, -1
	if end := laughRun(us, i); end > i+1 && boundary(s, offEnd(end)) {
		best, bestEnd = laughter, end
	}
	for _, p := range phrasesFrom[us[i].r] {
		end, ok := matchAt(us, i, p.runes)
		if !ok || end <= bestEnd || !edgeOK(s, us, i, end, p.runes, offEnd) {
			continue
		}
		best, bestEnd = p.kind, end
	}
	return best, bestEnd, bestEnd > i
}

// longestEndingAt finds the longest social phrase (or laughter run) that
// ends at us[hi-1] and starts on a word boundary at or after us[lo].
func longestEndingAt(s string, us []socialUnit, lo, hi int, offEnd func(int) int) (social, int, bool) {
	best, bestStart := notSocial, hi
	for i := hi - 1; i >= lo && hi-i <= 24; i-- {
		if end := laughRun(us[:hi], i); end == hi && end > i+1 && boundary(s, us[i].off) && i < bestStart {
			best, bestStart = laughter, i
		}
		for _, p := range phrasesFrom[us[i].r] {
			end, ok := matchAt(us[:hi], i, p.runes)
			if !ok || end != hi || i >= bestStart || !edgeOK(s, us, i, end, p.runes, offEnd) {
				continue
			}
			best, bestStart = p.kind, i
		}
	}
	return best, bestStart, bestStart < hi
}

// edgeOK: a phrase from us[i] to us[end-1] stands as words of its own: a
// word boundary on both sides, and a one-character Chinese phrase (亲, 早,
// 好) not glued to other Chinese text.
func edgeOK(s string, us []socialUnit, i, end int, p []rune, offEnd func(int) int) bool {
	if !boundary(s, us[i].off) || !boundary(s, offEnd(end)) {
		return false
	}
	if len(p) == 1 && unicode.Is(unicode.Han, p[0]) {
		if i > 0 && unicode.Is(unicode.Han, us[i-1].r) && us[i-1].off+len(string(us[i-1].r)) == us[i].off {
			return false
		}
		if end < len(us) && unicode.Is(unicode.Han, us[end].r) && us[end-1].off+len(string(us[end-1].r)) == us[end].off {
			return false
		}
	}
	return true
}

// laughRun returns the end of a run of laughter starting at us[i]: Hangul
// letters (ㅋㅋ, ㅎㅎ, and the crying ㅠㅠ), syllables (하하, 크크), Chinese
// (哈哈, 呵呵) or Latin (haha, hehe), two or more in a row.
func laughRun(us []socialUnit, i int) int {
	j, n := i, 0
	for j < len(us) {
		switch r := us[j].r; {
		case strings.ContainsRune("ㅋㅎㅍㅌㅠㅜ하호히헤크키흐캬哈呵嘻嘿", r):
			j++
		case r == 'h' && j+1 < len(us) && strings.ContainsRune("aeio", us[j+1].r):
			j += 2
		default:
			if n < 2 {
				return i
			}
			return j
		}
		n++
	}
	if n < 2 {
		return i
	}
	return j
}

// chatty reports whether text holds a small-talk cue (the weather, the
// bot itself, how someone is): matched as whole words, anywhere.
func chatty(text string) bool {
	s := normalizeSocial(text)
	us := units(s)
	offEnd := func(j int) int {
		if j >= len(us) {
			return len(s)
		}
		return us[j].off
	}
	for i := range us {
		for _, c := range compactCues {
			if end, ok := matchAt(us, i, c); ok && boundary(s, us[i].off) && (boundary(s, offEnd(end)) || !isLatin(c[len(c)-1])) {
				return true
			}
		}
	}
	return false
}

func isLatin(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }

// shortText reports whether text is a few words at most: three Latin
// words, or ten Hangul or Chinese characters.
func shortText(text string) bool {
	latin, other := 0, 0
	inWord := false
	for _, r := range text {
		switch {
		case isLatin(r):
			if !inWord {
				latin++
			}
			inWord = true
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			other++
		}
		inWord = false
	}
	return latin <= 3 && other <= 10 && latin+other > 0
}
