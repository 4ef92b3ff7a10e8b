package bot

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// Conversation states of product questions.
const (
	stateProduct      = "product"       // state data: the SKUs just shown, space-separated (the context of "L은요?")
	stateProductAsked = "product_asked" // asked which product
)

// productChoice prefixes a product's SKU in a Choice (a FAQ entry id never
// has a colon).
const productChoice = "product:"

// maxListed is how many products one answer lists.
const maxListed = 5

// intent is what a product question asks.
type intent int

const (
	noIntent   intent = iota
	askStock          // 재고 있어요?, in stock?, 有货吗
	askPrice          // 얼마예요?, how much, 多少钱
	askOptions        // 무슨 색 있어요?, what sizes, 有什么颜色
)

// intentCues are the words of product questions, per intent. Korean and
// Chinese cues match inside words; English ones as whole words.
var intentCues = map[intent][]string{
	askStock: {"재고", "남았", "남아있", "남아 있", "품절", "있어요", "있나요", "있을까요", "있습니까", "있어여", "있음?", "살 수 있", "구매 가능", "주문 가능",
		"in stock", "instock", "available", "availability", "sold out", "any left", "left", "do you have", "have any", "still have",
		"有货", "有没有", "还有", "库存", "缺货", "售罄", "卖完", "有吗"},
	askPrice: {"가격", "얼마", "금액", "price", "how much", "cost", "多少钱", "价格", "价钱", "几块"},
	askOptions: {"무슨 색", "어떤 색", "색상", "색깔", "컬러", "무슨 사이즈", "어떤 사이즈", "사이즈 뭐", "사이즈는 뭐", "옵션", "종류",
		"what colo", "which colo", "colours", "colors", "what size", "which size", "sizes", "options", "come in",
		"颜色", "尺码", "款式", "有哪些", "几种"},
}

// intentOf reads what a product question asks; stock questions lead
// ("티셔츠 얼마고 재고 있어요?" is answered with both anyway).
func intentOf(text string) intent {
	s := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsNumber(r) || r == '?')
	}), " ") + " "
	for _, in := range []intent{askOptions, askStock, askPrice} {
		for _, c := range intentCues[in] {
			if isLatin(rune(c[0])) {
				if strings.Contains(s, " "+c+" ") || strings.Contains(s, " "+c+"?") || strings.HasSuffix(c, "colo") && strings.Contains(s, " "+c) {
					return in
				}
				continue
			}
			if strings.Contains(s, c) || strings.Contains(strings.ReplaceAll(s, " ", ""), strings.ReplaceAll(c, " ", "")) {
				return in
			}
		}
	}
	return noIntent
}

// functionWords carry no product name: what is left of a product question
// without them and the intent words names a product the shop may not
// have ("노트북 파우치 재고 있어요?").
var functionWords = []string{
	"the", "a", "an", "is", "are", "it", "its", "this", "that", "these", "those", "one", "ones", "do", "does", "you", "have", "any",
	"in", "of", "for", "still", "your", "there", "i", "me", "my", "can", "get", "buy", "please", "want", "some", "what", "which",
	"how", "much", "many", "left", "stock", "available", "sold", "out", "price", "cost", "size", "sizes", "colour", "color", "colours",
	"colors", "options", "come", "and", "or", "with", "now",
	"이거", "그거", "저거", "이", "그", "저", "이것", "그것", "혹시", "지금", "아직", "상품", "제품", "물건", "거", "것", "좀", "요", "네",
	"这个", "那个", "这款", "那款", "现在", "请问", "亲", "商品", "产品", "东西", "还", "吗",
}

// otherWords reports whether text says something besides products,
// colours, sizes, intent and function words: a product the shop does not
// list ("노트북 파우치 재고 있어요?"), or another topic ("머그컵 세척 어떻게
// 해요?").
func otherWords(text string, m shop.Mention, ps []shop.Product) bool {
	for _, w := range sentenceWords(text) {
		if hasHan(w) {
			w = strings.TrimSpace(stripHan(w))
			if w == "" {
				continue
			}
		}
		if slices.Contains(functionWords, w) || isIntentWord(w) || len([]rune(w)) < 2 && isLatin([]rune(w)[0]) {
			continue
		}
		probe := shop.Mentioned(ps, w)
		if len(probe.Named) > 0 || probe.Colour != "" || probe.Size != "" || m.Size != "" && strings.EqualFold(w, m.Size) {
			continue
		}
		return true
	}
	return false
}

// stripHan takes the intent cues, colour words, function words and
// particles out of a run of Chinese ("这个还有货吗" leaves "货"), leaving
// what may name something; a single character left names nothing.
func stripHan(w string) string {
	for _, cues := range intentCues {
		for _, c := range cues {
			if hasHan(c) {
				w = strings.ReplaceAll(w, c, " ")
			}
		}
	}
	for _, f := range functionWords {
		if hasHan(f) {
			w = strings.ReplaceAll(w, f, " ")
		}
	}
	if c := shop.Mentioned(nil, w).Colour; c != "" {
		for _, cw := range []string{"白色", "黑色", "灰色", "蓝色", "红色", "绿色", "粉色", "米色", "棕色", "黄色", "藏青", "藏蓝"} {
			w = strings.ReplaceAll(w, cw, " ")
		}
	}
	var kept []string
	for _, part := range strings.Fields(strings.Map(func(r rune) rune {
		if strings.ContainsRune("吗呢的了吧啊呀么嘛", r) {
			return ' '
		}
		return r
	}, w)) {
		if len([]rune(part)) >= 2 || !hasHan(part) {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, " ")
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func isIntentWord(w string) bool {
	for _, cues := range intentCues {
		for _, c := range cues {
			if c == w || !isLatin(rune(c[0])) && strings.Contains(w, c) {
				return true
			}
		}
	}
	// Korean question endings left on their own: 있어요, 남았나요, 돼요.
	for _, end := range []string{"있어요", "있나요", "있을까요", "돼요", "되나요", "인가요", "이에요", "예요", "은요", "는요"} {
		if strings.HasSuffix(w, end) && len([]rune(w)) <= len([]rune(end))+1 {
			return true
		}
	}
	return false
}

func sentenceWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsNumber(r)) })
}

// productQuestion answers a question about the shop's products from its
// data (design: the policy table in policy.go): the products the message
// names, narrowed by colour and size, or — for a colour or size alone
// ("블랙 L은요?") — the family of the products just shown. One product: its
// stock and price; a few: a list with choices; a product the shop does not
// have: a person. A stock or price question that names nothing is asked
// "which product?" unless the FAQ answers it. done=false leaves the
// message to the FAQ.
func (h *handling) productQuestion(ctx context.Context, text string, res faq.Result) (done bool, err error) {
	in := intentOf(text)
	if in == noIntent && res.Decision == faq.Answer && h.prevState != stateProduct {
		return false, nil
	}
	ps, err := h.shop.Products(ctx)
	if err != nil {
		return false, err
	}
	m := shop.Mentioned(ps, text)
	extra := otherWords(text, m, ps)
	switch {
	case len(m.Named) > 0:
		if res.Decision == faq.Answer && (in == noIntent || extra) || res.Decision == faq.Clarify && in == noIntent {
			return false, nil // "머그컵 세척 어떻게 해요?": the FAQ's
		}
		h.showProducts(m, m.Named)
		return true, nil
	case (m.Colour != "" || m.Size != "") && h.prevState == stateProduct && !extra:
		prev := strings.Fields(h.prevData)
		family := familyOf(ps, prev)
		if len(prev) == 1 {
			// "L은요?" after the white M: the white L.
			m = keepOption(m, ps, prev[0], family)
		}
		h.showProducts(m, family)
		return true, nil
	case in == noIntent || res.Decision == faq.Answer || res.Decision == faq.Clarify && in != askStock:
		return false, nil // the FAQ knows it ("품절이에요?"), or it is no product question; a stock question the FAQ is unsure of is the shop data's
	case extra && in == askOptions:
		return false, nil // "상품 사진이랑 실물 색이 같나요?": not about a product's options
	case extra:
		return true, h.unknownProduct(ctx, h.m.Text)
	case len(m.Products) > 0:
		h.showProducts(m, m.Products) // "is the blue one in stock?"
		return true, nil
	}
	h.conv.setState(stateProductAsked, truncate(h.m.Text, 200))
	h.reply(Reply{Kind: KindClarify, Text: msg(h.lang, "product_which"), Choices: []Choice{}})
	return true, nil
}

// keepOption fills in the colour or size m leaves out from the product
// just shown (sku), when the family has a product with both.
func keepOption(m shop.Mention, ps []shop.Product, sku string, family []shop.Product) shop.Mention {
	for _, p := range ps {
		if p.SKU != sku {
			continue
		}
		kept := m
		if kept.Colour == "" {
			kept.Colour = shop.ProductColour(p)
		}
		if kept.Size == "" {
			kept.Size = shop.ProductSize(p)
		}
		if len(kept.Narrow(family)) > 0 {
			return kept
		}
	}
	return m
}

// familyOf is every product sharing a family with one of skus.
func familyOf(ps []shop.Product, skus []string) []shop.Product {
	fams := map[string]bool{}
	for _, p := range ps {
		if slices.Contains(skus, p.SKU) {
			fams[shop.Family(p)] = true
		}
	}
	var out []shop.Product
	for _, p := range ps {
		if fams[shop.Family(p)] {
			out = append(out, p)
		}
	}
	return out
}

// showProducts answers about named (the products the customer means): one
// in detail, a few as a list with choices, more as a list that asks for a
// colour or size. When the colour or size asked for narrows named to none,
// it says so and lists what there is.
func (h *handling) showProducts(m shop.Mention, named []shop.Product) {
	ps := m.Narrow(named)
	var lead string
	if len(ps) == 0 {
		lead, ps = msg(h.lang, "product_no_option"), named
	}
	if len(ps) == 1 && lead == "" {
		h.productDetail(ps[0], named)
		return
	}
	r := Reply{Kind: KindClarify, Choices: []Choice{}}
	switch {
	case lead != "":
		r.Text = lead
	case len(ps) > maxListed:
		r.Text = msg(h.lang, "product_many", len(ps))
	default:
		r.Text = msg(h.lang, "product_list")
	}
	var skus []string
	for i, p := range ps {
		if i == maxListed {
			break
		}
		r.Text += "\n" + msg(h.lang, "product_line", i+1, p.Name, h.stockWords(p), formatMoney(p.Price, h.lang))
		r.Choices = append(r.Choices, Choice{Entry: productChoice + p.SKU, Label: p.Name})
		skus = append(skus, p.SKU)
	}
	h.conv.setState(stateProduct, strings.Join(skus, " "))
	h.reply(r)
}

// productDetail answers about one product: its stock, its price and, when
// it is sold out, the options of it still in stock.
func (h *handling) productDetail(p shop.Product, family []shop.Product) {
	var text string
	switch {
	case p.Stock <= 0:
		text = msg(h.lang, "product_out", p.Name)
	case p.Low():
		text = msg(h.lang, "product_low", p.Name, p.Stock)
	default:
		text = msg(h.lang, "product_in_stock", p.Name)
	}
	text += " " + msg(h.lang, "product_price", formatMoney(p.Price, h.lang))
	if p.Stock <= 0 {
		var others []string
		for _, q := range family {
			if q.SKU != p.SKU && q.Stock > 0 && shop.Family(q) == shop.Family(p) {
				others = append(others, shop.Option(q))
			}
		}
		if len(others) > 0 {
			text += "\n" + msg(h.lang, "product_others", strings.Join(others, ", "))
		}
	}
	h.conv.Answered++
	h.conv.setState(stateProduct, p.SKU)
	h.reply(Reply{Kind: KindFAQ, Text: text})
}

// stockWords is a product's stock for a list line: "in stock", "3 left",
// "sold out".
func (h *handling) stockWords(p shop.Product) string {
	switch {
	case p.Stock <= 0:
		return msg(h.lang, "stock_out")
	case p.Low():
		return msg(h.lang, "stock_low", p.Stock)
	}
	return msg(h.lang, "stock_in")
}

// unknownProduct hands a question about a product the shop does not list
// to a person; question is what the ticket shows.
func (h *handling) unknownProduct(ctx context.Context, question string) error {
	t, err := h.openTicket(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal, Reason: "product not found"}, question, "")
	if err != nil {
		return err
	}
	h.reply(Reply{Kind: KindHandoff, Text: msg(h.lang, "product_unknown", t.Ref), Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority)})
	return nil
}

// pickProduct continues a product dialogue: a tapped product, its number
// in the list, or — after "which product?" — the product's name, found
// with the same fuzzy search as /stock. done=false: the message is about
// something else.
func (h *handling) pickProduct(ctx context.Context, state, data, text string) (done bool, err error) {
	if sku, ok := strings.CutPrefix(h.m.Choice, productChoice); ok {
		return h.showSKU(ctx, sku)
	}
	switch state {
	case stateProduct:
		skus := strings.Fields(data)
		if t := strings.TrimRight(strings.TrimSpace(text), ".)번 "); len(t) == 1 && t[0] >= '1' && t[0] <= '9' && int(t[0]-'1') < len(skus) && len(skus) > 1 {
			return h.showSKU(ctx, skus[t[0]-'1'])
		}
	case stateProductAsked:
		ps, err := h.shop.Products(ctx)
		if err != nil {
			return false, err
		}
		if m := shop.Mentioned(ps, text); len(m.Named) > 0 {
			h.showProducts(m, m.Named)
			return true, nil
		}
		// Only a name answers "which product?"; a question is asked anew.
		if !shortText(text) || shop.ExtractOrderNumber(text, h.cfg.OrderPattern) != "" || isQuestion(text) ||
			intentOf(text) != noIntent || h.matcher.Match(text).Decision == faq.Answer {
			return false, nil
		}
		found, err := h.shop.SearchProducts(ctx, text, 0)
		if err != nil {
			return false, err
		}
		if len(found) == 0 {
			// The ticket keeps the question with the name: "还有货吗 → 杯子".
			return true, h.unknownProduct(ctx, strings.TrimSpace(data+" → "+h.m.Text))
		}
		h.showProducts(shop.Mention{}, found)
		return true, nil
	}
	return false, nil
}

// showSKU answers about one product by its SKU.
func (h *handling) showSKU(ctx context.Context, sku string) (bool, error) {
	p, err := h.shop.Product(ctx, sku)
	if err != nil {
		return false, nil // gone meanwhile: the message goes the usual way
	}
	ps, err := h.shop.Products(ctx)
	if err != nil {
		return false, err
	}
	h.productDetail(*p, familyOf(ps, []string{sku}))
	return true, nil
}
