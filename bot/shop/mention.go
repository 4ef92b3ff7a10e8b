package shop

import (
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Mention is what a customer's sentence says about the shop's products.
type Mention struct {
	// Products are the products the sentence names, with the colour and
	// size asked for, best first. Without product words: the products of
	// the colour or size asked for.
	Products []Product
	// Named are the products the sentence's words name ("티셔츠", "머그",
	// "mug"), before the colour and size narrow them: the options to offer
	// when no product has the colour or size asked for.
	Named []Product
	// Colour and Size are what the sentence asks for, in the shop's terms:
	// a colour key ("white", "black"…) and a size ("M", "L", "F", "30").
	Colour, Size string
}

// colours maps each colour key to the words customers and product names
// use for it (Korean, English, Chinese) and the codes SKUs use.
var colours = map[string]struct{ words, codes []string }{
	"white":  {[]string{"화이트", "흰색", "하얀", "하얀색", "흰", "white", "白色", "白"}, []string{"wht", "wh", "wt"}},
	"black":  {[]string{"블랙", "검정", "검정색", "검은", "검은색", "black", "黑色", "黑"}, []string{"blk", "bk"}},
	"gray":   {[]string{"그레이", "회색", "gray", "grey", "灰色", "灰"}, []string{"gry", "gr"}},
	"navy":   {[]string{"네이비", "남색", "navy", "藏青", "藏蓝", "海军蓝"}, []string{"nvy", "nv"}},
	"beige":  {[]string{"베이지", "beige", "米色"}, []string{"bei", "be"}},
	"blue":   {[]string{"블루", "파란", "파란색", "파랑", "청", "blue", "蓝色", "蓝"}, []string{"blu", "bl"}},
	"ivory":  {[]string{"아이보리", "ivory", "象牙白"}, []string{"ivr", "iv"}},
	"red":    {[]string{"레드", "빨간", "빨간색", "빨강", "red", "红色", "红"}, []string{"red", "rd"}},
	"green":  {[]string{"그린", "초록", "초록색", "녹색", "green", "绿色", "绿"}, nil},
	"pink":   {[]string{"핑크", "분홍", "분홍색", "pink", "粉色", "粉红"}, []string{"pnk", "pk"}},
	"brown":  {[]string{"브라운", "갈색", "brown", "棕色", "咖啡色"}, []string{"brn", "br"}},
	"yellow": {[]string{"옐로우", "노란", "노란색", "노랑", "yellow", "黄色"}, []string{"ylw", "yl"}},
	"oat":    {[]string{"오트밀", "oatmeal", "燕麦色"}, nil},
}

// sizeWords name a size in Korean ("엠 사이즈") and the free size.
var sizeWords = map[string]string{"엠": "M", "라지": "L", "스몰": "S", "미디엄": "M", "엑스라지": "XL", "프리": "F", "free": "F", "均码": "F"}

// sizes are the letter sizes a product name or SKU may end with.
var sizes = []string{"XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "2XL", "3XL", "F"}

// sizeMarks are the words that say the word before or after is a size.
var sizeMarks = []string{"사이즈", "size", "码", "号", "치수"}

// particles may follow a product word in a Korean sentence ("티셔츠는",
// "머그컵이요", "블랙으로").
var particles = []string{"은요", "는요", "이요", "도요", "요", "은", "는", "이", "가", "을", "를", "도", "만", "으로", "로", "에", "의",
	"이랑", "랑", "하고", "이나", "나", "이에요", "예요", "인가요", "있어요", "있나요", "남았어요", "재고"}

// Mentioned reads a customer's sentence for the products it names among ps,
// the colour and the size it asks for. A word names a product when it is a
// word of the product's name (a Korean particle may follow: "티셔츠는"), the
// start of one at least two characters long ("머그" for 머그컵), or, for
// Latin words of three letters or more, a part of its SKU ("mug" for
// MUG-CER-WH). Colours are known in Korean, English and Chinese and in SKU
// codes ("white", "흰색", "白色" and WHT); sizes when written as sizes ("M",
// "M 사이즈", "size 30", "L码"). Products matching the most words come
// first, ranked among themselves by the same fuzzy search as SearchProducts
// over the words found; then the colour and size narrow them.
func Mentioned(ps []Product, text string) Mention {
	words := sentenceWords(text)
	var m Mention
	m.Colour = colourOf(words, text)
	m.Size = sizeOf(words, text)

	score := make([]int, len(ps))
	var found []string
	var pws []productWords // each product's words, read once per sentence
	for _, w := range words {
		if isColourWord(w) || sizeWords[w] != "" {
			continue
		}
		if pws == nil {
			pws = make([]productWords, len(ps))
			for i, p := range ps {
				pws[i] = wordsOf(p)
			}
		}
		hit := false
		for i := range ps {
			if pws[i].names(w) {
				score[i]++
				hit = true
			}
		}
		if hit {
			found = append(found, w)
		}
	}
	best := slices.Max(append(slices.Clone(score), 0))
	var out []Product
	if best > 0 {
		for i, p := range ps {
			if score[i] == best {
				out = append(out, p)
			}
		}
		// The fuzzy search orders the candidates (and keeps those whose
		// name holds the words in the order written first).
		ranked := searchProducts(out, strings.Join(found, " "), 0)
		out = append(ranked, slices.DeleteFunc(out, func(p Product) bool {
			return slices.ContainsFunc(ranked, func(q Product) bool { return q.SKU == p.SKU })
		})...)
		m.Named = out
	} else if m.Colour != "" || m.Size != "" {
		out = slices.Clone(ps)
		slices.SortFunc(out, byName)
	}
	m.Products = m.Narrow(out)
	return m
}

// Narrow keeps the products of ps that have m's colour and size (all of
// ps when m asks for neither).
func (m Mention) Narrow(ps []Product) []Product {
	var out []Product
	for _, p := range ps {
		if m.Colour != "" && ProductColour(p) != m.Colour {
			continue
		}
		if m.Size != "" && ProductSize(p) != m.Size {
			continue
		}
		out = append(out, p)
	}
	return out
}

// sentenceWords splits text into lower-case words (NFKC; letters and
// digits; Chinese runs kept whole).
func sentenceWords(text string) []string {
	s := strings.ToLower(norm.NFKC.String(text))
	return strings.FieldsFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsNumber(r)) })
}

// nameWords are a product's name words and SKU parts, lower case.
func nameWords(p Product) (name, sku []string) {
	return sentenceWords(p.Name), strings.FieldsFunc(strings.ToLower(p.SKU), func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsNumber(r)) })
}

// productWords are what of a product's name and SKU may name it: the
// name's words, lower case, without colours, sizes and measures, and the
// SKU's parts; and the product's colour key and size.
type productWords struct {
	name, sku    []string
	colour, size string
}

// wordsOf is p's words, read once per name and SKU: Mentioned checks every
// word of a sentence against the whole catalogue, several times a message.
func wordsOf(p Product) productWords {
	key := productKey{p.Name, p.SKU}
	wordCache.RLock()
	pw, ok := wordCache.m[key]
	wordCache.RUnlock()
	if ok {
		return pw
	}
	name, sku := nameWords(p)
	pw = productWords{sku: sku, colour: colourOfWords(name, sku), size: sizeOfWords(name, sku)}
	for _, n := range name {
		if !isColourWord(n) && !isSizeWord(n) && !isNumberish(n) {
			pw.name = append(pw.name, n)
		}
	}
	wordCache.Lock()
	if wordCache.m == nil || len(wordCache.m) >= maxWordCache {
		wordCache.m = map[productKey]productWords{} // a catalogue renamed many times over: start again
	}
	wordCache.m[key] = pw
	wordCache.Unlock()
	return pw
}

type productKey struct{ name, sku string }

var wordCache struct {
	sync.RWMutex
	m map[productKey]productWords
}

// maxWordCache bounds the cache far above a small shop's catalogue.
const maxWordCache = 100_000

// names reports whether the sentence word w names the product.
func (pw productWords) names(w string) bool {
	latin := isLatinWord(w)
	for _, n := range pw.name {
		switch {
		case w == n:
			return true
		case !latin && strings.HasPrefix(w, n) && slices.Contains(particles, w[len(n):]) && runes(n) >= 2:
			return true // 티셔츠는, 머그컵이요
		case !latin && strings.HasPrefix(n, w) && runes(w) >= 2:
			return true // 머그 → 머그컵
		case latin && (w == n+"s" || w+"s" == n):
			return true
		}
	}
	if latin && len(w) >= 3 {
		for _, part := range pw.sku {
			if w == part || w == part+"s" {
				return true // mug, tees
			}
		}
	}
	return false
}

func runes(s string) int { return len([]rune(s)) }

func isLatinWord(w string) bool {
	for _, r := range w {
		if r >= unicode.MaxASCII {
			return false
		}
	}
	return true
}

// isNumberish: "30", "500ml", "20입", "a5": sizes and measures, not names.
func isNumberish(w string) bool {
	for _, r := range w {
		if unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

func isColourWord(w string) bool { return colourKey(w) != "" }

// colourKey is the colour a single word names ("화이트", "블랙은", "white"),
// or "": a colour word, or a non-Latin one of two characters or more
// followed by a Korean particle.
func colourKey(w string) string {
	if k, ok := colourWords[w]; ok {
		return k
	}
	if isLatinWord(w) {
		return ""
	}
	for _, p := range particles {
		if stem, ok := strings.CutSuffix(w, p); ok {
			if k, ok := colourStems[stem]; ok {
				return k
			}
		}
	}
	return ""
}

// colourWords map every colour word to its key; colourStems those a
// particle may follow (not Latin, two characters or more). colourKey runs
// for every word of every product name a sentence is checked against, so
// it looks words up rather than walking the colours.
var colourWords, colourStems = func() (map[string]string, map[string]string) {
	words, stems := map[string]string{}, map[string]string{}
	for key, c := range colours {
		for _, cw := range c.words {
			words[cw] = key
			if !isLatinWord(cw) && runes(cw) >= 2 {
				stems[cw] = key
			}
		}
	}
	return words, stems
}()

// colourOf is the colour a sentence asks for: a colour word, or a Chinese
// colour inside a run of Chinese ("白色的还有吗").
func colourOf(words []string, text string) string {
	for _, w := range words {
		if k := colourKey(w); k != "" {
			return k
		}
	}
	s := norm.NFKC.String(text)
	for key, c := range colours {
		for _, cw := range c.words {
			if runes(cw) >= 2 && hasHan(cw) && strings.Contains(s, cw) {
				return key
			}
		}
	}
	return ""
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func isSizeWord(w string) bool {
	return slices.Contains(sizes, strings.ToUpper(w))
}

// sizeOf is the size a sentence asks for: an upper-case size letter on its
// own ("M", "XL"), a size next to a size word ("size m", "30 사이즈", "L码"),
// or a Korean size word ("엠 사이즈").
func sizeOf(words []string, text string) string {
	for i, w := range words {
		if s := sizeWords[w]; s != "" {
			return s
		}
		if stripped := trimMark(w); stripped != w && (isSizeWord(stripped) || isNumberish(stripped)) {
			return strings.ToUpper(stripped) // "m사이즈", "l码"
		}
		near := (i > 0 && slices.Contains(sizeMarks, words[i-1])) || (i+1 < len(words) && slices.Contains(sizeMarks, trimParticle(words[i+1])))
		if isSizeWord(w) && (near || upperIn(text, w)) {
			return strings.ToUpper(w)
		}
		if stripped := trimParticle(w); stripped != w && isSizeWord(stripped) && upperIn(text, stripped) {
			return strings.ToUpper(stripped) // "L은요"
		}
		if near && isDigits(w) {
			return w
		}
	}
	return ""
}

// trimMark takes a size word off the end of w ("m사이즈" → "m").
func trimMark(w string) string {
	for _, m := range sizeMarks {
		if strings.HasSuffix(w, m) && len(w) > len(m) {
			return w[:len(w)-len(m)]
		}
	}
	return w
}

func trimParticle(w string) string {
	for _, p := range particles {
		if strings.HasSuffix(w, p) && len(w) > len(p) {
			return w[:len(w)-len(p)]
		}
	}
	return w
}

func isDigits(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// upperIn reports whether w appears in text as a word in upper case ("M"
// in "티셔츠 M 있어요", not the "m" of "I'm").
func upperIn(text, w string) bool {
	up := strings.ToUpper(w)
	for _, f := range strings.FieldsFunc(norm.NFKC.String(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r)) || r >= 0xAC00 && r <= 0xD7A3
	}) {
		if f == up {
			return true
		}
	}
	return false
}

// ProductColour is the colour key of a product, from its name or SKU, or "".
func ProductColour(p Product) string { return wordsOf(p).colour }

// colourOfWords is the colour of a product's name words or, failing
// those, of its SKU's codes.
func colourOfWords(name, sku []string) string {
	for _, n := range name {
		if k := colourKey(n); k != "" {
			return k
		}
	}
	for _, part := range sku {
		for key, c := range colours {
			if slices.Contains(c.codes, part) {
				return key
			}
		}
	}
	return ""
}

// ProductSize is the size of a product: the size its name or SKU ends
// with ("M", "F", "30"), or "".
func ProductSize(p Product) string { return wordsOf(p).size }

// sizeOfWords is the size a product's name words or SKU parts end with.
func sizeOfWords(name, sku []string) string {
	if len(name) > 0 {
		last := name[len(name)-1]
		if isSizeWord(last) || isDigits(last) {
			return strings.ToUpper(last)
		}
	}
	if len(sku) > 1 {
		last := sku[len(sku)-1]
		if isSizeWord(last) {
			return strings.ToUpper(last)
		}
	}
	return ""
}

// Family is the product's name without its colour and size words: the
// name its options share ("오버핏 코튼 티셔츠" for 오버핏 코튼 티셔츠 화이트 M).
func Family(p Product) string {
	var keep []string
	words := strings.Fields(p.Name)
	for i, w := range words {
		lw := strings.ToLower(w)
		if isColourWord(lw) || (i == len(words)-1 && (isSizeWord(lw) || isDigits(lw))) {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}

// Option is what sets a product apart within its family: its colour and
// size words as named ("화이트 M"), or the whole name when it has none.
func Option(p Product) string {
	fam := strings.Fields(Family(p))
	var opt []string
	for _, w := range strings.Fields(p.Name) {
		if i := slices.Index(fam, w); i >= 0 {
			fam = slices.Delete(fam, i, i+1)
			continue
		}
		opt = append(opt, w)
	}
	if len(opt) == 0 {
		return p.Name
	}
	return strings.Join(opt, " ")
}
