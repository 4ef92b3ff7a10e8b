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
// the most similar group whose first member is similar enough, the newest
// of equals) and returns the groups, most asked first, at most n.
//
// Comparing each question with every group so far took quadratic time (20k
// open questions: 80 s of CPU at summary time). Instead the groups' first
// members are indexed by a prefix of their bigrams, rarest first (prefix
// filtering, as in set-similarity joins): two questions with a Dice
// coefficient of 0.4 or more share at least a quarter of the larger one's
// bigrams, so they share one among the first three quarters of each in a
// fixed order. Only groups found through that index are compared, exactly
// as before: the groups are the same, in near-linear time.
func GroupQuestions(texts []string, n int) []Question {
	type group struct {
		grams    bag
		count    int
		shortest string
		first    int
	}
	bags := make([]bag, len(texts))
	lines := make([]string, len(texts))
	df := map[gram]int32{} // in how many questions each bigram occurs
	for i, t := range texts {
		lines[i] = oneLine(t, maxQuestionRunes)
		bags[i] = bigrams(lines[i])
		for _, e := range bags[i].grams {
			df[e.g]++
		}
	}
	// rarer bigrams first; ties by value, so the order is total
	before := func(a, b gram) int { return cmp.Or(cmp.Compare(df[a], df[b]), cmp.Compare(a, b)) }

	var groups []*group
	index := map[token][]int32{} // prefix token → groups whose first member has it
	seen := []int32{}            // per group: the last question that probed it, plus one
	var toks []token
	for i := range texts {
		b := bags[i]
		if b.size == 0 {
			continue
		}
		toks = b.prefix(toks[:0], before)
		best, bestScore := -1, similarity
		for _, tk := range toks {
			for _, gi := range index[tk] {
				if seen[gi] == int32(i)+1 {
					continue
				}
				seen[gi] = int32(i) + 1
				h := &groups[gi].grams
				if h.size*4 < b.size || b.size*4 < h.size {
					continue // too different in length to reach the similarity
				}
				s := dice(b, *h)
				// The newest of equally similar groups, as the scan in
				// creation order did.
				if s > bestScore || (s == bestScore && int(gi) > best) {
					best, bestScore = int(gi), s
				}
			}
		}
		if best < 0 {
			gi := int32(len(groups))
			groups = append(groups, &group{grams: b, count: 1, shortest: lines[i], first: i})
			seen = append(seen, int32(i)+1)
			for _, tk := range toks {
				index[tk] = append(index[tk], gi)
			}
			continue
		}
		g := groups[best]
		g.count++
		if len([]rune(lines[i])) < len([]rune(g.shortest)) {
			g.shortest = lines[i]
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

// gram is a character bigram, two runes packed; a text of one letter has
// the one-rune gram (second half noRune).
type gram uint64

const noRune = 0xFFFFFFFF

// bag is a multiset of bigrams: distinct grams in increasing order with
// their counts, and the total.
type bag struct {
	grams []gramCount
	size  int
}

type gramCount struct {
	g gram
	n int32
}

// token is one occurrence of a gram in a bag: the k-th (from 0) of its
// copies. Two bags' common tokens are their multiset intersection.
type token struct {
	g gram
	k int32
}

// bigrams are the character bigrams of s's letters and digits, lower-cased,
// with spaces and punctuation dropped (Korean spacing varies freely).
func bigrams(s string) bag {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
		}
	}
	switch len(rs) {
	case 0:
		return bag{}
	case 1:
		return bag{grams: []gramCount{{gram(uint64(rs[0])<<32 | noRune), 1}}, size: 1}
	}
	gs := make([]gram, 0, len(rs)-1)
	for i := 0; i+1 < len(rs); i++ {
		gs = append(gs, gram(uint64(rs[i])<<32|uint64(rs[i+1])))
	}
	slices.Sort(gs)
	b := bag{size: len(gs)}
	for _, g := range gs {
		if k := len(b.grams); k > 0 && b.grams[k-1].g == g {
			b.grams[k-1].n++
			continue
		}
		b.grams = append(b.grams, gramCount{g, 1})
	}
	return b
}

// prefix appends to dst the first tokens of b in the order before (then
// by copy): all but the last quarter, less one. A bag at least 0.4 similar
// shares a token with b among these.
func (b bag) prefix(dst []token, before func(a, b gram) int) []token {
	for _, e := range b.grams {
		for k := range e.n {
			dst = append(dst, token{e.g, k})
		}
	}
	slices.SortFunc(dst, func(x, y token) int { return cmp.Or(before(x.g, y.g), cmp.Compare(x.k, y.k)) })
	// Dice ≥ 0.4 needs |A∩B| ≥ 0.2(|A|+|B|), and |B| ≥ |A∩B| gives
	// |A∩B| ≥ |A|/4: the tokens past the first |A| - |A|/4 + 1 cannot
	// hold all the common ones.
	return dst[:b.size-max(1, b.size/4)+1]
}

// dice is 2|A∩B| / (|A|+|B|) over bigram multisets.
func dice(a, b bag) float64 {
	common := 0
	for i, j := 0, 0; i < len(a.grams) && j < len(b.grams); {
		switch x, y := a.grams[i], b.grams[j]; {
		case x.g < y.g:
			i++
		case x.g > y.g:
			j++
		default:
			common += int(min(x.n, y.n))
			i++
			j++
		}
	}
	return 2 * float64(common) / float64(a.size+b.size)
}
