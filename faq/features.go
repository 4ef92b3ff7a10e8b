package faq

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Feature kinds, the first byte of a feature key.
const (
	kindWord    = 'w' // word stem
	kindBigram  = 'b' // two adjacent content words
	kindChar    = 'c' // character n-gram (Latin trigrams of ^word$, Hangul syllable bigrams, Han 1-2-grams)
	kindJamo    = 'j' // Hangul jamo trigram: typo tolerance (배숑 → 배송)
	kindSynonym = 's' // a synonym group
	kindPinyin  = 'p' // the readings of two adjacent Han characters: pinyin-input typos (发或 → fa huo ← 发货)
)

// weights of each feature kind; tuned on the development data of one
// language and checked on the others.
type weights struct {
	word, bigram, char, jamo, synonym, stop, pinyin float64
}

var defaultWeights = weights{word: 1.0, bigram: 0.6, char: 0.5, jamo: 0.3, synonym: 1.0, stop: 0.8, pinyin: 0.3}

func (w *weights) of(kind byte) float64 {
	switch kind {
	case kindWord:
		return w.word
	case kindBigram:
		return w.bigram
	case kindChar:
		return w.char
	case kindJamo:
		return w.jamo
	case kindSynonym:
		return w.synonym
	case kindPinyin:
		return w.pinyin
	}
	return 1
}

// bag is a text's features before IDF: key → weight (kind weight and
// function-word discount, with sublinear term frequency).
type bag map[string]float64

type bagBuilder struct {
	count map[string]int
	mult  map[string]float64
	w     *weights
}

func (b *bagBuilder) add(kind byte, key string, stop bool) {
	k := string(kind) + key
	m := b.w.of(kind)
	if stop {
		m *= b.w.stop
	}
	b.count[k]++
	if m > b.mult[k] {
		b.mult[k] = m
	}
}

func (b *bagBuilder) bag() bag {
	out := make(bag, len(b.count))
	for k, n := range b.count {
		out[k] = b.mult[k] * (1 + math.Log(float64(n)))
	}
	return out
}

// analysis is a text prepared for matching.
type analysis struct {
	norm   string
	tokens []token
	bag    bag
	terms  []int // matched term ids (synonym groups and keywords)
}

// analyze normalises text and extracts its features. terms may be nil.
// known, when not nil, tells the words the FAQ has: a word it lacks that a
// built-in or owner synonym group covers whole (parcel, when the FAQ says
// package) counts only through that group, not also as an unknown word.
func analyze(text string, terms *termIndex, lex *lexicon, w *weights, known func(token) bool) analysis {
	a := analysis{norm: normalize(text)}
	a.tokens = tokenize(a.norm)
	if lex != nil {
		a.tokens = lex.repair(a.tokens)
	}
	b := bagBuilder{count: map[string]int{}, mult: map[string]float64{}, w: w}
	var covered []bool
	if terms != nil {
		a.terms, covered = terms.match(a.tokens)
		for _, id := range a.terms {
			if terms.syn[id] {
				b.add(kindSynonym, strconv.Itoa(id), false)
			}
		}
	}
	var jbuf []rune
	prevContent := ""
	for i, t := range a.tokens {
		if known != nil && covered != nil && covered[i] && !known(t) {
			continue
		}
		switch {
		case t.script == scriptHan && utf8.RuneCountInString(t.text) > 2:
			// A run of Han characters is a phrase, not a word (Chinese has
			// no spaces): its characters and pairs below stand for it.
			prevContent = ""
		default:
			b.add(kindWord, t.stem, t.stop)
			if !t.stop {
				if prevContent != "" {
					b.add(kindBigram, prevContent+" "+t.stem, false)
				}
				prevContent = t.stem
			}
		}
		switch t.script {
		case scriptLatin:
			s := "^" + t.text + "$"
			for j := 0; j+3 <= len(s); {
				_, n1 := utf8.DecodeRuneInString(s[j:])
				end := j + n1
				ok := true
				for k := 0; k < 2; k++ {
					if end >= len(s) {
						ok = false
						break
					}
					_, n := utf8.DecodeRuneInString(s[end:])
					end += n
				}
				if !ok {
					break
				}
				b.add(kindChar, s[j:end], t.stop)
				j += n1
			}
		case scriptHangul:
			rs := []rune("^" + t.stem + "$")
			for j := 0; j+1 < len(rs); j++ {
				b.add(kindChar, string(rs[j:j+2]), false)
			}
			jbuf = jbuf[:0]
			for _, r := range t.stem {
				jbuf = jamo(jbuf, r)
			}
			for j := 0; j+3 <= len(jbuf); j++ {
				b.add(kindJamo, string(jbuf[j:j+3]), false)
			}
			// Across a space, so that 배송 언제 and 배송언제 share 송언.
			if i+1 < len(a.tokens) && a.tokens[i+1].script == scriptHangul {
				last, _ := utf8.DecodeLastRuneInString(t.text)
				first, _ := utf8.DecodeRuneInString(a.tokens[i+1].text)
				b.add(kindChar, string([]rune{last, first}), false)
			}
		case scriptHan:
			rs := []rune(t.text)
			for j := range rs {
				b.add(kindChar, string(rs[j]), stopZH[string(rs[j])])
				if j+1 < len(rs) {
					b.add(kindChar, string(rs[j:j+2]), false)
					if p1, p2 := pinyin[rs[j]], pinyin[rs[j+1]]; p1 != "" && p2 != "" {
						b.add(kindPinyin, p1+" "+p2, false)
					}
				}
			}
		}
	}
	a.bag = b.bag()
	return a
}

// builtinSynonyms are general shop words in Korean, English and Chinese; a
// customer's word in one language meets the FAQ's word in another.
var builtinSynonyms = [][]string{
	{"배송", "택배", "배달", "발송", "출고", "delivery", "deliver", "shipping", "ship", "shipment", "parcel", "package", "配送", "快递", "发货", "送货", "物流"},
	{"배송비", "택배비", "배달비", "shipping fee", "shipping cost", "delivery fee", "delivery charge", "运费", "邮费"},
	{"무료배송", "무배", "free shipping", "free delivery", "包邮", "免运费", "免邮"},
	{"환불", "환급", "돈 돌려", "돈돌려", "refund", "money back", "reimburse", "退款", "退钱"},
	{"취소", "cancel", "cancellation", "取消"},
	{"교환", "exchange", "swap", "换货", "调换", "更换"},
	{"반품", "return", "send back", "退货"},
	{"결제", "payment", "pay", "付款", "支付"},
	{"주문", "order", "purchase", "订单", "下单"},
	{"송장", "운송장", "tracking", "track", "物流单号", "跟踪"},
	{"쿠폰", "할인", "coupon", "discount", "promo code", "优惠券", "折扣"},
	{"적립금", "포인트", "point", "reward", "积分"},
	{"영업시간", "운영시간", "business hours", "opening hours", "营业时间"},
	{"연락처", "전화번호", "고객센터", "contact", "phone number", "customer service", "联系方式", "客服", "电话"},
	{"재입고", "restock", "back in stock", "补货"},
	{"품절", "sold out", "out of stock", "缺货", "售罄", "卖完"},
	{"사이즈", "치수", "size", "sizing", "尺码", "尺寸"},
	{"포장", "선물포장", "gift wrap", "wrapping", "包装"},
	{"주소", "address", "地址"},
	{"해외", "overseas", "international", "abroad", "海外", "国际"},
	{"영수증", "현금영수증", "receipt", "收据"},
	{"세금계산서", "tax invoice", "invoice", "发票"},
	{"세탁", "빨래", "wash", "laundry", "洗涤", "清洗", "洗"},
	{"무통장", "계좌이체", "입금", "bank transfer", "deposit", "转账", "汇款"},
	{"상담원", "human", "agent", "real person", "人工"},
}

// termIndex finds synonym-group words and entry keywords in a tokenised text:
// Latin words by stem sequence, Hangul words as a prefix of a word (particles
// follow: 택배는), across spaces (돈 돌려 = 돈돌려), Han words anywhere.
type termIndex struct {
	latin  map[string][]latinTerm // first stem → terms
	hangul map[rune][]hangulTerm  // first syllable → terms
	han    []hangulTerm
	syn    map[int]bool   // id is a synonym group (else a keyword)
	label  map[int]string // for explanations
	n      int
}

type latinTerm struct {
	id    int
	stems []string
}

type hangulTerm struct {
	id   int
	text string
}

func newTermIndex() *termIndex {
	return &termIndex{latin: map[string][]latinTerm{}, hangul: map[rune][]hangulTerm{}, syn: map[int]bool{}, label: map[int]string{}}
}

// add registers a set of equivalent terms and returns its id.
func (ti *termIndex) add(words []string, synonym bool) int {
	id := ti.n
	ti.n++
	ti.syn[id] = synonym
	ti.label[id] = strings.Join(words, "~")
	for _, w := range words {
		toks := tokenize(normalize(w))
		if len(toks) == 0 {
			continue
		}
		allHangul, allHan := true, true
		for _, t := range toks {
			allHangul = allHangul && t.script == scriptHangul
			allHan = allHan && t.script == scriptHan
		}
		switch {
		case allHangul:
			var b strings.Builder
			for _, t := range toks {
				b.WriteString(t.text)
			}
			s := b.String()
			r, _ := utf8.DecodeRuneInString(s)
			ti.hangul[r] = append(ti.hangul[r], hangulTerm{id, s})
		case allHan:
			var b strings.Builder
			for _, t := range toks {
				b.WriteString(t.text)
			}
			ti.han = append(ti.han, hangulTerm{id, b.String()})
		default:
			stems := make([]string, len(toks))
			for i, t := range toks {
				stems[i] = t.stem
			}
			ti.latin[stems[0]] = append(ti.latin[stems[0]], latinTerm{id, stems})
		}
	}
	return id
}

// match returns the ids of the terms found in toks, each once, in order of
// id, and which tokens a synonym term covers whole (a Han run never: it is a
// phrase).
func (ti *termIndex) match(toks []token) (ids []int, covered []bool) {
	seen := map[int]bool{}
	covered = make([]bool, len(toks))
	hit := func(id int) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i, t := range toks {
		switch t.script {
		case scriptHangul:
			r, _ := utf8.DecodeRuneInString(t.text)
			cands := ti.hangul[r]
			if len(cands) == 0 {
				continue
			}
			// The Hangul run from this word on, spaces removed (bounded).
			var b strings.Builder
			for j := i; j < len(toks) && j < i+4 && toks[j].script == scriptHangul; j++ {
				b.WriteString(toks[j].text)
			}
			run := b.String()
			for _, c := range cands {
				if strings.HasPrefix(run, c.text) {
					hit(c.id)
					// The words the term spans: 택배는 (a particle after), 돈 돌려.
					rest := c.text
					for j := i; ti.syn[c.id] && j < len(toks) && rest != ""; j++ {
						if strings.HasPrefix(rest, toks[j].text) {
							rest = rest[len(toks[j].text):]
						} else if strings.HasPrefix(rest, toks[j].stem) {
							rest = ""
						} else {
							break // 배송 in 배송비: another word
						}
						covered[j] = true
					}
				}
			}
		case scriptHan:
			for _, c := range ti.han {
				if strings.Contains(t.text, c.text) {
					hit(c.id)
				}
			}
		default:
			for _, c := range ti.latin[t.stem] {
				if i+len(c.stems) > len(toks) {
					continue
				}
				ok := true
				for k, s := range c.stems {
					if toks[i+k].stem != s {
						ok = false
						break
					}
				}
				if ok {
					hit(c.id)
					for k := range c.stems {
						covered[i+k] = covered[i+k] || ti.syn[c.id]
					}
				}
			}
		}
	}
	sortInts(ids)
	return ids, covered
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
