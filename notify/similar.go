package notify

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Question is a group of similar questions the bot could not answer: a
// candidate for a new FAQ entry.
type Question struct {
	Text  string // the group's shortest phrasing
	Count int    // how many customers asked it
}

// similarity is the least Dice coefficient of character bigrams for two
// questions to be grouped: loose enough for particles, spacing and word
// order ("선물 포장 되나요?" / "선물포장 가능한가요"), tight enough to
// keep questions that share one word apart.
const similarity = 0.4

// maxQuestionRunes bounds the part of a question that is compared.
const maxQuestionRunes = 200

// GroupQuestions groups texts by character-bigram similarity (each joins
// the first group whose first member is similar enough) and returns the
// groups, most asked first, at most n.
func GroupQuestions(texts []string, n int) []Question {
	type group struct {
		grams    map[string]int
		size     int
		count    int
		shortest string
		first    int
	}
	var groups []*group
	for i, t := range texts {
		t = oneLine(t, maxQuestionRunes)
		g, size := bigrams(t)
		if size == 0 {
			continue
		}
		var best *group
		bestScore := similarity
		for _, h := range groups {
			if s := dice(g, size, h.grams, h.size); s >= bestScore {
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
	out := make([]Question, 0, min(n, len(groups)))
	for _, g := range groups {
		if len(out) == n {
			break
		}
		out = append(out, Question{Text: g.shortest, Count: g.count})
	}
	return out
}

// bigrams are the character bigrams of s's letters and digits, lower-cased,
// with spaces and punctuation dropped (Korean spacing varies freely).
func bigrams(s string) (map[string]int, int) {
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

// dice is 2|A∩B| / (|A|+|B|) over bigram multisets.
func dice(a map[string]int, na int, b map[string]int, nb int) float64 {
	common := 0
	for k, x := range a {
		common += min(x, b[k])
	}
	return 2 * float64(common) / float64(na+nb)
}
