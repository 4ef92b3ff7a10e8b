package notify

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// groupQuadratic is the grouping as it was first written — each question
// compared with every group so far — kept as the reference the indexed
// GroupQuestions must agree with.
func groupQuadratic(texts []string, n int) []Question {
	type group struct {
		grams    map[string]int
		size     int
		count    int
		shortest string
		first    int
	}
	bigramMap := func(s string) (map[string]int, int) {
		var rs []rune
		for _, r := range strings.ToLower(s) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				rs = append(rs, r)
			}
		}
		g := map[string]int{}
		if len(rs) == 1 {
			g[string(rs)]++
			return g, 1
		}
		for i := 0; i+1 < len(rs); i++ {
			g[string(rs[i:i+2])]++
		}
		return g, max(len(rs)-1, 0)
	}
	diceMap := func(a map[string]int, na int, b map[string]int, nb int) float64 {
		common := 0
		for k, x := range a {
			common += min(x, b[k])
		}
		return 2 * float64(common) / float64(na+nb)
	}
	var groups []*group
	for i, t := range texts {
		t = oneLine(t, maxQuestionRunes)
		g, size := bigramMap(t)
		if size == 0 {
			continue
		}
		var best *group
		bestScore := similarity
		for _, h := range groups {
			if s := diceMap(g, size, h.grams, h.size); s >= bestScore {
				best, bestScore = h, s
			}
		}
		if best == nil {
			groups = append(groups, &group{grams: g, size: size, count: 1, shortest: t, first: i})
			continue
		}
		best.count++
		if len([]rune(t)) < len([]rune(best.shortest)) {
			best.shortest = t
		}
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(b.count, a.count), cmp.Compare(a.first, b.first))
	})
	var out []Question
	for _, g := range groups {
		if len(out) == n {
			break
		}
		out = append(out, Question{Text: g.shortest, Count: g.count})
	}
	return out
}

// unanswered makes n questions a shop's customers might leave unanswered
// over a busy week: themes (a product and what is asked about it) asked in
// Korean, English and Chinese with the variations of real typing —
// spacing, particles, politeness, typos, greetings — and one-off questions.
func unanswered(rng *rand.Rand, n int) []string {
	products := []string{"녹차 티백", "보리차", "현미녹차", "머그컵", "텀블러", "선물세트", "유자차", "꿀 스틱", "캐모마일", "루이보스",
		"dripper", "gift box", "tea sampler", "honey sticks", "glass teapot", "绿茶", "茶具", "礼盒"}
	asksKo := []string{"재입고 언제 되나요", "선물 포장 되나요", "유통기한이 어떻게 되나요", "해외 배송 가능한가요", "카페인 들어있나요",
		"대량 구매 할인 되나요", "원산지가 어디인가요", "임산부가 마셔도 되나요", "세척기에 넣어도 되나요", "몇 개 들어있나요",
		"전자레인지 사용 가능한가요", "정기배송 되나요", "샘플 받을 수 있나요", "포장지 색 고를 수 있나요", "리필 제품 있나요"}
	asksEn := []string{"when will it be back in stock", "can you gift wrap it", "what is the expiry date", "do you ship it abroad",
		"does it contain caffeine", "any discount for bulk orders", "where is it made", "is it dishwasher safe", "how many are in a pack"}
	asksZh := []string{"什么时候补货", "可以礼品包装吗", "保质期多久", "能寄到国外吗", "含咖啡因吗"}
	extrasKo := []string{"", "", "혹시 ", "안녕하세요 ", "문의드려요 ", "저기요 "}
	endsKo := []string{"?", "??", "", " ㅠㅠ", "요?", "!"}
	vary := func(s string) string {
		rs := []rune(s)
		switch rng.IntN(5) {
		case 0: // spacing dropped
			s = strings.ReplaceAll(s, " ", "")
		case 1: // a typo: one letter dropped
			if len(rs) > 4 {
				i := 1 + rng.IntN(len(rs)-2)
				s = string(rs[:i]) + string(rs[i+1:])
			}
		case 2:
			s = strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	syllables := []rune("가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후기니디리미비시이지치키티피히개내대래매배새애재채")
	word := func() string {
		if rng.IntN(3) == 0 {
			w := make([]byte, 3+rng.IntN(6))
			for i := range w {
				w[i] = byte('a' + rng.IntN(26))
			}
			return string(w)
		}
		w := make([]rune, 2+rng.IntN(2))
		for i := range w {
			w[i] = syllables[rng.IntN(len(syllables))]
		}
		return string(w)
	}
	out := make([]string, 0, n)
	for len(out) < n {
		p := products[rng.IntN(len(products))]
		var q string
		switch r := rng.IntN(20); {
		case r < 7:
			q = extrasKo[rng.IntN(len(extrasKo))] + p + " " + asksKo[rng.IntN(len(asksKo))] + endsKo[rng.IntN(len(endsKo))]
		case r < 16:
			q = asksEn[rng.IntN(len(asksEn))] + " - the " + p + "?"
		case r < 18:
			q = p + asksZh[rng.IntN(len(asksZh))] + "？"
		default: // a one-off: words nobody else used
			var w []string
			for range 3 + rng.IntN(4) {
				w = append(w, word())
			}
			q = strings.Join(w, " ") + endsKo[rng.IntN(len(endsKo))]
		}
		out = append(out, vary(q))
	}
	return out
}

// TestGroupQuestionsAgrees checks the indexed grouping against the
// quadratic reference, every group and count, on generated weeks of
// questions of several sizes and on the edge cases of short texts.
func TestGroupQuestionsAgrees(t *testing.T) {
	edge := []string{"", "?", "a", "ab", "ba", "a b", "aa", "aaa", "aaaa", "ㅋ", "ㅋㅋ", "ㅋㅋㅋㅋㅋ", "1", "12", "21", "\xff\xfe", "선물", "선물 포장", "포장 선물"}
	cases := map[string][]string{"edge cases": edge}
	for _, n := range []int{50, 400, 2000} {
		cases[fmt.Sprint(n, " questions")] = unanswered(rand.New(rand.NewPCG(uint64(n), 7)), n)
	}
	for name, texts := range cases {
		t.Run(name, func(t *testing.T) {
			got, want := GroupQuestions(texts, len(texts)), groupQuadratic(texts, len(texts))
			if len(got) != len(want) {
				t.Fatalf("%d groups, want %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("group %d = %+v, want %+v", i, got[i], want[i])
				}
			}
			if len(want) > 0 {
				t.Logf("%d questions, %d groups, the largest %+v", len(texts), len(want), want[0])
			}
		})
	}
}

func FuzzGroupQuestions(f *testing.F) {
	f.Add("선물 포장 되나요?\n선물포장 가능한가요\nab\nba\naaa")
	f.Fuzz(func(t *testing.T, s string) {
		texts := strings.Split(s, "\n")
		got, want := GroupQuestions(texts, len(texts)), groupQuadratic(texts, len(texts))
		if !slices.Equal(got, want) {
			t.Fatalf("GroupQuestions(%q) = %+v, want %+v", texts, got, want)
		}
	})
}

// BenchmarkGroupQuestions: the indexed grouping and the quadratic one it
// replaced, at the summary's sizes.
func BenchmarkGroupQuestions(b *testing.B) {
	for _, n := range []int{1000, 5000, 20000} {
		texts := unanswered(rand.New(rand.NewPCG(uint64(n), 7)), n)
		b.Run(fmt.Sprint("indexed/", n), func(b *testing.B) {
			for b.Loop() {
				GroupQuestions(texts, 3)
			}
		})
		if n <= 5000 {
			b.Run(fmt.Sprint("quadratic/", n), func(b *testing.B) {
				for b.Loop() {
					groupQuadratic(texts, 3)
				}
			})
		}
	}
}
