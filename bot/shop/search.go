package shop

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
	"golang.org/x/text/unicode/norm"
)

// maxQueryRunes caps a search query (after Hangul is split into jamo):
// fuzzy's adjacency bonus overflows at about 40 matched characters in a
// row.
const maxQueryRunes = 32

// SearchProducts finds products whose name or SKU contains the query's
// characters in order (sahilm/fuzzy), best match first, at most limit of
// them (limit <= 0: all). Hangul is compared letter by letter (jamo), so
// initial consonants ("ㄴㅊ" finds 녹차) and half-typed words ("녹ㅊ") match.
// An empty query returns all products, low stock first.
func (s *Store) SearchProducts(ctx context.Context, query string, limit int) ([]Product, error) {
	ps, err := s.products(ctx, "search products", "")
	if err != nil {
		return nil, err
	}
	return searchProducts(ps, query, limit), nil
}

// searchProducts is SearchProducts over products in memory.
func searchProducts(ps []Product, query string, limit int) []Product {
	q := searchKey(strings.TrimSpace(query))
	if q == "" {
		out := slices.Clone(ps)
		slices.SortFunc(out, func(a, b Product) int {
			return cmp.Or(-cmp.Compare(boolInt(a.Low()), boolInt(b.Low())), lowestFirstIfLow(a, b), byName(a, b))
		})
		return truncate(out, limit)
	}
	if n := utf8.RuneCountInString(q); n > maxQueryRunes {
		q = string([]rune(q)[:maxQueryRunes])
	}
	// A query of consonants only ("ㄴㅊ") is 초성 search: it matches the
	// initial consonants of each syllable, so 녹차 beats 팬츠 (whose full
	// spelling also holds ㄴ then ㅊ).
	initialsOnly := isConsonants(q)
	names := make([]string, len(ps))
	skus := make([]string, len(ps))
	for i, p := range ps {
		if initialsOnly {
			names[i] = initialsKey(p.Name)
		} else {
			names[i] = searchKey(p.Name)
		}
		skus[i] = searchKey(p.SKU)
	}
	best := map[int]int{} // product index → best score
	for _, src := range [][]string{names, skus} {
		for _, m := range fuzzy.FindNoSort(q, src) {
			if sc, ok := best[m.Index]; !ok || m.Score > sc {
				best[m.Index] = m.Score
			}
		}
	}
	idx := make([]int, 0, len(best))
	for i := range best {
		idx = append(idx, i)
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(best[b], best[a]), byName(ps[a], ps[b]))
	})
	out := make([]Product, len(idx))
	for i, j := range idx {
		out[i] = ps[j]
	}
	return truncate(out, limit)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lowestFirstIfLow orders two low-stock products by stock left.
func lowestFirstIfLow(a, b Product) int {
	if a.Low() && b.Low() {
		return cmp.Compare(a.Stock, b.Stock)
	}
	return 0
}

func truncate(ps []Product, limit int) []Product {
	if limit > 0 && len(ps) > limit {
		return ps[:limit]
	}
	return ps
}

// searchKey prepares text for matching: NFC, then every Hangul syllable and
// compound jamo split into the letters one types, in compatibility jamo
// ("녹차" → "ㄴㅗㄱㅊㅏ", "ㅘ" → "ㅗㅏ"). Invalid UTF-8 becomes U+FFFD.
func searchKey(s string) string {
	s = nfc(s)
	var b strings.Builder
	b.Grow(len(s) * 2)
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			i := int(r - 0xAC00)
			b.WriteString(initials[i/588])
			b.WriteString(medials[i%588/28])
			b.WriteString(finals[i%28])
			continue
		}
		if r >= 'ㄱ' && r <= 'ㅣ' {
			if d, ok := compound[r]; ok {
				b.WriteString(d)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nfc is s as valid UTF-8 in normal form C. Text with nothing to compose
// (most) is returned as it is: normalising every product name on every
// search was half the cost of a search.
func nfc(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for _, r := range s {
		// Conjoining jamo (NFD Hangul, as macOS writes it) and combining
		// marks are what NFC changes in shop text.
		if r >= 0x0300 && r <= 0x036F || r >= 0x1100 && r <= 0x11FF || r >= 0x3099 && r <= 0x309A {
			return norm.NFC.String(s)
		}
	}
	return s
}

// isConsonants reports whether s, a searchKey, is Hangul consonants (and
// spaces) only.
func isConsonants(s string) bool {
	found := false
	for _, r := range s {
		switch {
		case r >= 'ㄱ' && r <= 'ㅎ':
			found = true
		case r == ' ':
		default:
			return false
		}
	}
	return found
}

// initialsKey is s with every Hangul syllable replaced by its initial
// consonant ("녹차 티백" → "ㄴㅊ ㅌㅂ"), for 초성 search.
func initialsKey(s string) string {
	s = nfc(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			b.WriteString(initials[int(r-0xAC00)/588])
			continue
		}
		if r >= 'ㄱ' && r <= 'ㅣ' {
			if d, ok := compound[r]; ok {
				b.WriteString(d)
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	initials = strings.Split("ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ", " ")
	medials  = strings.Split("ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅗㅏ ㅗㅐ ㅗㅣ ㅛ ㅜ ㅜㅓ ㅜㅔ ㅜㅣ ㅠ ㅡ ㅡㅣ ㅣ", " ")
	finals   = strings.Split(" ㄱ ㄲ ㄱㅅ ㄴ ㄴㅈ ㄴㅎ ㄷ ㄹ ㄹㄱ ㄹㅁ ㄹㅂ ㄹㅅ ㄹㅌ ㄹㅍ ㄹㅎ ㅁ ㅂ ㅂㅅ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ", " ")
	// compound are the compatibility jamo one types as two keys.
	compound = map[rune]string{
		'ㄳ': "ㄱㅅ", 'ㄵ': "ㄴㅈ", 'ㄶ': "ㄴㅎ", 'ㄺ': "ㄹㄱ", 'ㄻ': "ㄹㅁ", 'ㄼ': "ㄹㅂ", 'ㄽ': "ㄹㅅ",
		'ㄾ': "ㄹㅌ", 'ㄿ': "ㄹㅍ", 'ㅀ': "ㄹㅎ", 'ㅄ': "ㅂㅅ",
		'ㅘ': "ㅗㅏ", 'ㅙ': "ㅗㅐ", 'ㅚ': "ㅗㅣ", 'ㅝ': "ㅜㅓ", 'ㅞ': "ㅜㅔ", 'ㅟ': "ㅜㅣ", 'ㅢ': "ㅡㅣ",
	}
)
