package faq

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sahilm/fuzzy"
)

// Decision is what the bot should do with a question.
type Decision string

// Decisions of the matcher.
const (
	Answer   Decision = "answer"  // one entry is a confident match
	Clarify  Decision = "clarify" // two or three close entries: let the customer pick
	NoAnswer Decision = "none"    // nothing fits: a person answers (ticket)
)

// Candidate is an entry and how well it matched.
type Candidate struct {
	Entry *Entry
	Score float64  // 0..1, calibrated so that one threshold fits FAQs of any size
	Why   []string // the matched words, n-grams, synonyms and keywords, strongest first (Explain only)
}

// Result is the matcher's decision and the evidence for it.
type Result struct {
	Decision   Decision
	Best       *Entry      // non-nil only when Decision == Answer
	Candidates []Candidate // top candidates, best first (at most 5)
	Choices    []*Entry    // 2 or 3 entries when Decision == Clarify
}

// Default decision settings. Threshold is the confidence an answer needs;
// the file's threshold, when set, replaces it.
const (
	DefaultThreshold = 0.9
	maxCandidates    = 5
	maxChoices       = 3
	maxFuzzyRunes    = 32 // sahilm/fuzzy's score overflows near 40 matched runes
)

// params are the matcher's tunable constants.
type params struct {
	w           weights
	threshold   float64 // answer at or above this confidence
	clarify     float64 // clarify: the offered choices hold the right entry with at least this probability
	margin      float64 // answer: the runner-up scores at most this fraction of the best
	closeRatio  float64 // clarify: choices score above this fraction of the best
	maxW        float64 // weight of the best single phrasing
	centW       float64 // weight of the entry centroid
	kwBoost     float64 // added when an owner keyword is in the question
	nbW         float64 // weight of the naive Bayes posterior in the ranking score
	linW        float64 // weight of the trained linear model's score
	epochs      int     // training epochs of the linear model
	paMargin    float64 // hinge margin of the linear model
	paC         float64 // largest step of one update
	repairMode  int
	linPrune    float64 // linear weights at most this large are dropped
	trainBudget int     // weights the linear model's training may visit
	unknownDF   float64 // document frequency an unseen query feature counts as (1: as rare as the rarest known one, whatever the FAQ's size)
	repair      bool    // split unspaced Korean and correct typos against the FAQ's words
	useKinds    bool    // draw on the built-in shop knowledge
	choiceMin   float64 // with the knowledge: a choice needs at least this confidence
	clarifySum  float64 // with the knowledge: clarify when the choices' confidences add up to this
	ansW        float64 // weight of an answer against one phrasing when working out an entry's kinds
	minPost     float64 // phrasing postings lighter than this are left out (their share of a best-phrasing cosine is small; the centroid keeps them)
	minIDF      float64 // features rarer than this (in almost every entry) are skipped: they weigh next to nothing and cost the most
}

func defaultParams() params {
	return params{w: defaultWeights, threshold: DefaultThreshold, clarify: 0.8, closeRatio: 0.8, maxW: 0.5, centW: 0.5, kwBoost: 0.1, linW: 1, nbW: 0.5, epochs: 10, paMargin: 1, paC: 1, repair: true, useKinds: true, ansW: 0.5, choiceMin: 0.1, clarifySum: 0.6, repairMode: 1, unknownDF: 1, linPrune: 0.03, trainBudget: 2e8}
}

// Matcher finds the FAQ entry for a customer's question. It is safe for
// concurrent use; Learn swaps in a new index atomically.
type Matcher struct {
	p       params
	file    *File
	idx     atomic.Pointer[index]
	mu      sync.Mutex // serialises Learn
	learned []phrase
	recent  atomic.Pointer[[]recentPhrase] // learned since the last rebuild, not yet in idx
	kinds   *kindIndex                     // the entries' kinds; nil without the built-in knowledge
}

// NewMatcher builds the index for f. The threshold is f.Threshold, or
// DefaultThreshold when that is 0.
func NewMatcher(f *File) *Matcher {
	p := defaultParams()
	if f.Threshold > 0 {
		p.clarify = p.clarify * f.Threshold / p.threshold
		p.clarifySum = p.clarifySum * f.Threshold / p.threshold
		p.threshold = f.Threshold
	}
	return newMatcher(f, p)
}

func newMatcher(f *File, p params) *Matcher {
	m := &Matcher{p: p, file: f}
	if p.useKinds && len(f.Entries) > 0 {
		// The entries' kinds come from the owner's file alone (phrasings
		// and answers), so they are worked out once, not on every Learn.
		m.kinds = newKindIndex(builtinKinds(), f.Entries, f.Language, p.ansW)
	}
	m.idx.Store(buildIndex(f, nil, m.kinds, &m.p))
	m.recent.Store(&[]recentPhrase{})
	return m
}

// Learn adds phrasings for an entry at run time (an owner taught the bot,
// or a customer picked the entry from choices). One phrasing goes on top
// of the index at once, with no rebuild (a customer's pick must not cost a
// large FAQ seconds); several, or past maxRecent, one rebuild takes them
// all in. It returns an error for an unknown entry id or an empty
// question, and then learns none of them.
func (m *Matcher) Learn(entryID string, questions ...string) error {
	return m.LearnAll(map[string][]string{entryID: questions})
}

// LearnAll is Learn for several entries (entry id → phrasings) with at
// most one rebuild: for loading what a shop's bot learned before.
func (m *Matcher) LearnAll(learned map[string][]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	idx := m.idx.Load()
	ids := make([]string, 0, len(learned))
	n := 0
	for id, qs := range learned {
		if _, ok := idx.byID[id]; !ok {
			return fmt.Errorf("faq: learn: unknown entry %q", id)
		}
		for _, q := range qs {
			if strings.TrimSpace(normalize(q)) == "" {
				return errors.New("faq: learn: empty question")
			}
		}
		ids = append(ids, id)
		n += len(qs)
	}
	sort.Strings(ids) // a deterministic index, whatever the map's order
	var add []phrase
	for _, id := range ids {
		for _, q := range learned[id] {
			add = append(add, phrase{entry: idx.byID[id], text: q})
		}
	}
	if n == 0 {
		return nil
	}
	m.learned = append(m.learned, add...)
	recent := *m.recent.Load()
	if len(recent)+n > maxRecent || n > 1 {
		m.idx.Store(buildIndex(m.file, m.learned, m.kinds, &m.p))
		m.recent.Store(&[]recentPhrase{})
		return nil
	}
	on := append([]recentPhrase(nil), recent...)
	for _, ph := range add {
		on = append(on, recentPhrase{entry: ph.entry, bag: analyze(ph.text, idx.terms, nil, &m.p.w, nil).bag})
	}
	m.recent.Store(&on)
	return nil
}

type phrase struct {
	entry   int32
	text    string
	keyword bool
}

type posting struct {
	doc int32
	w   float32
}

// index is an immutable inverted index over the phrasings and the entry
// centroids (the normalised sum of an entry's phrasings).
type index struct {
	entries    []*Entry
	byID       map[string]int32
	phrases    []phrase
	fid        map[string]int32
	keys       []string
	idf        []float64
	idfUnknown float64
	ppost      postingLists // feature → phrasings
	epost      postingLists // feature → entry centroids
	nbpost     postingLists // feature → entries: log((count+α)/α), naive Bayes
	nbBase     []float64    // per entry: log(total + α·|V|)
	lin        postingLists // feature → entries: the trained linear model
	lex        *lexicon
	terms      *termIndex
	kwEntry    map[int][]int32 // keyword term id → entries
	chosung    []string        // fuzzy targets for 초성 queries
	chosungE   []int32
	kinds      *kindIndex   // nil without the built-in knowledge
	answers    *answerIndex // nil without the built-in knowledge
	pool       sync.Pool
}

type scratch struct {
	pacc, eacc, ecov, ebest, enb, elin []float64
	ptouch, etouch                     []int32
}

func buildIndex(f *File, learned []phrase, kinds *kindIndex, p *params) *index {
	idx := &index{byID: map[string]int32{}, fid: map[string]int32{}, terms: newTermIndex(), kwEntry: map[int][]int32{}}
	for _, g := range builtinSynonyms {
		idx.terms.add(g, true)
	}
	for _, g := range f.Synonyms {
		idx.terms.add(g, true)
	}
	for i, e := range f.Entries {
		idx.entries = append(idx.entries, e)
		idx.byID[e.ID] = int32(i)
		for _, q := range e.Questions {
			if strings.TrimSpace(q) != "" {
				idx.phrases = append(idx.phrases, phrase{entry: int32(i), text: q})
			}
		}
		for _, k := range e.Keywords {
			if strings.TrimSpace(normalize(k)) == "" {
				continue
			}
			idx.phrases = append(idx.phrases, phrase{entry: int32(i), text: k, keyword: true})
			id := idx.terms.add([]string{k}, false)
			idx.kwEntry[id] = append(idx.kwEntry[id], int32(i))
			if c := choseong(normalize(k)); isChoseongQuery(c) {
				idx.chosung = append(idx.chosung, c)
				idx.chosungE = append(idx.chosungE, int32(i))
			}
		}
	}
	idx.phrases = append(idx.phrases, learned...)
	idx.lex = newLexicon()
	idx.lex.mode = p.repairMode
	seen := make([]map[string]bool, len(idx.entries))
	for _, ph := range idx.phrases {
		if seen[ph.entry] == nil {
			seen[ph.entry] = map[string]bool{}
		}
		idx.lex.add(tokenize(normalize(ph.text)), seen[ph.entry])
	}

	// Features of every phrasing, and document frequency over entries.
	bags := make([]bag, len(idx.phrases))
	entryFeats := make([]map[int32]bool, len(idx.entries))
	for i := range entryFeats {
		entryFeats[i] = map[int32]bool{}
	}
	analyzeAll(bags, idx.phrases, idx.terms, &p.w)
	for i, ph := range idx.phrases {
		for k := range bags[i] {
			id, ok := idx.fid[k]
			if !ok {
				id = int32(len(idx.keys))
				idx.fid[k] = id
				idx.keys = append(idx.keys, k)
			}
			entryFeats[ph.entry][id] = true
		}
	}
	df := make([]int, len(idx.keys))
	for _, fs := range entryFeats {
		for id := range fs {
			df[id]++
		}
	}
	n := float64(len(idx.entries))
	idx.idf = make([]float64, len(idx.keys))
	for i, d := range df {
		idx.idf[i] = idfOf(n, float64(d))
	}
	idx.idfUnknown = idfOf(n, p.unknownDF) // how rare an unseen feature counts

	// Phrasing vectors (unit length) and entry centroids.
	ppost := make([][]posting, len(idx.keys))
	epost := make([][]posting, len(idx.keys))
	cents := make([]map[int32]float64, len(idx.entries))
	for i := range cents {
		cents[i] = map[int32]float64{}
	}
	vecs := make([][]fv, 0, len(bags))
	labels := make([]int32, 0, len(bags))
	for i, b := range bags {
		vec := map[int32]float64{}
		var norm float64
		for k, w := range b {
			id := idx.fid[k]
			if idx.idf[id] < p.minIDF {
				continue
			}
			x := w * idx.idf[id]
			vec[id] = x
			norm += x * x
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		c := cents[idx.phrases[i].entry]
		v := make([]fv, 0, len(vec))
		for id, x := range vec {
			if x/norm >= p.minPost {
				ppost[id] = append(ppost[id], posting{int32(i), float32(x / norm)})
			}
			c[id] += x / norm
			v = append(v, fv{id, float32(x / norm)})
		}
		sort.Slice(v, func(i, j int) bool { return v[i].id < v[j].id })
		vecs = append(vecs, v)
		labels = append(labels, idx.phrases[i].entry)
	}
	for e, c := range cents {
		var norm float64
		for _, x := range c {
			norm += x * x
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for id, x := range c {
			epost[id] = append(epost[id], posting{int32(e), float32(x / norm)})
		}
	}
	// Naive Bayes counts are independent of the linear model: built beside
	// its training, on the other core.
	var nbpost [][]posting
	var nb sync.WaitGroup
	nb.Go(func() {
		counts := make([]map[int32]float64, len(idx.entries))
		for i := range counts {
			counts[i] = map[int32]float64{}
		}
		for i, b := range bags {
			for k, w := range b {
				if id := idx.fid[k]; idx.idf[id] >= p.minIDF {
					counts[idx.phrases[i].entry][id] += w
				}
			}
		}
		nbpost = make([][]posting, len(idx.keys))
		idx.nbBase = make([]float64, len(idx.entries))
		v := float64(len(idx.keys))
		for e, c := range counts {
			var total float64
			for id, x := range c {
				total += x
				nbpost[id] = append(nbpost[id], posting{int32(e), float32(math.Log((x + nbAlpha) / nbAlpha))})
			}
			idx.nbBase[e] = math.Log(total + nbAlpha*v)
		}
	})
	for _, ps := range epost {
		sort.Slice(ps, func(i, j int) bool { return ps[i].doc < ps[j].doc })
	}
	for _, ps := range ppost {
		sort.Slice(ps, func(i, j int) bool { return ps[i].doc < ps[j].doc })
	}
	if p.linW != 0 {
		idx.lin = compact(trainLinear(len(idx.keys), len(idx.entries), vecs, labels, epost, p))
	}
	nb.Wait()
	idx.ppost, idx.epost, idx.nbpost = compact(ppost), compact(epost), compact(nbpost)
	if kinds != nil {
		idx.kinds = kinds
		idx.answers = newAnswerIndex(idx.entries, &p.w)
	}
	np, ne := len(idx.phrases), len(idx.entries)
	idx.pool.New = func() any {
		return &scratch{pacc: make([]float64, np), eacc: make([]float64, ne), ecov: make([]float64, ne), ebest: make([]float64, ne), enb: make([]float64, ne), elin: make([]float64, ne)}
	}
	return idx
}

// analyzeAll fills bags with the features of each phrasing, on every core:
// analysis reads the term index only, and a large FAQ (or the built-in
// knowledge, 11,000 phrasings) spends a fifth of its build here.
func analyzeAll(bags []bag, phrases []phrase, terms *termIndex, w *weights) {
	workers := min(runtime.GOMAXPROCS(0), len(phrases)/512+1)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := k; i < len(phrases); i += workers {
				bags[i] = analyze(phrases[i].text, terms, nil, w, nil).bag
			}
		})
	}
	wg.Wait()
}

// knows reports whether the FAQ has the word t.
func (idx *index) knows(t token) bool {
	_, ok := idx.fid[string(kindWord)+t.stem]
	return ok
}

// nbAlpha is the naive Bayes smoothing count.
const nbAlpha = 0.1

func idfOf(n, df float64) float64 {
	return math.Max(0, math.Log((n+1)/(df+0.5)))
}

// queryVec is the query's features with IDF weights.
type queryFeat struct {
	id  int32 // -1: not in the FAQ
	key string
	w   float64 // with IDF
	raw float64 // without: a count for naive Bayes
}

// Match finds the entry for a customer's question. Any input is safe: it is
// cut to a bounded length, invalid UTF-8 is replaced, and an empty question
// gets NoAnswer.
func (m *Matcher) Match(text string) Result {
	return m.match(text, false)
}

// Explain is Match with each candidate's Why filled in: for a person asking
// why (faq test, /faq). Match leaves Why empty, which spares it a fifth of
// its time.
func (m *Matcher) Explain(text string) Result {
	return m.match(text, true)
}

func (m *Matcher) match(text string, explain bool) Result {
	idx := m.idx.Load()
	rk := m.rank(idx, text)
	if rk.choseong != nil {
		return *rk.choseong
	}
	r := m.candidates(idx, &rk)
	if idx.kinds != nil {
		own := Result{Candidates: append([]Candidate(nil), r.Candidates...)}
		m.decide(&own, &rk)
		m.rescore(idx, &rk, &r)
		if explain {
			for i, c := range r.Candidates {
				e := idx.byID[c.Entry.ID]
				r.Candidates[i].Why = append(idx.kindWhy(&rk, e), idx.why(&rk, e)...)
			}
		}
		m.decideKinds(&r, &rk, &own)
	} else {
		if explain {
			for i := range r.Candidates {
				r.Candidates[i].Why = idx.why(&rk, rk.top[i].e)
			}
		}
		m.decide(&r, &rk)
	}
	m.recalled(idx, &rk, &r)
	return r
}

// candidates is the top of a ranking with calibrated confidences.
func (m *Matcher) candidates(idx *index, rk *ranking) Result {
	var r Result
	for i, sc := range rk.top {
		if i >= maxCandidates {
			break
		}
		rival, linRival := rk.top[0].score, rk.top[0].lin
		if i == 0 {
			rival, linRival = 0, 0
			if len(rk.top) > 1 {
				rival, linRival = rk.top[1].score, rk.top[1].lin
				for _, o := range rk.top[2:] {
					linRival = math.Max(linRival, o.lin)
				}
			}
		}
		conf := confidence(sc, rival, linRival, rk.known)
		r.Candidates = append(r.Candidates, Candidate{Entry: idx.entries[sc.e], Score: conf})
	}
	return r
}

// scored is one entry's evidence for a query.
type scored struct {
	e                  int32
	score, max, c, cov float64
	nb                 float64 // naive Bayes posterior
	lin                float64 // linear model score
	agree              float64 // 1 when naive Bayes ranks this entry first too
	linAgree           float64 // 1 when the linear model ranks it first among the top
}

// maxTop is how many entries a ranking keeps.
const maxTop = 10

// ranksBefore orders entries by score, then by position in the file.
func ranksBefore(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.e < b.e
}

// ranking is the evidence for one query, best entries first.
type ranking struct {
	qf       []queryFeat
	qnorm    float64
	known    float64 // share of the query's weight (squared) on features the FAQ has
	top      []scored
	kw       map[int32]string
	tokens   []token // the query's words: explanations show them as written
	bag      bag
	text     string
	kinds    []kindProb         // the question's likeliest kinds (with the built-in knowledge)
	know     map[string]float64 // the knowledge expert's confidence per entry id
	choseong *Result
	choice   []int // indexes into the candidates offered by a clarification
}

func (m *Matcher) rank(idx *index, text string) ranking {
	var rk ranking
	var lex *lexicon
	if m.p.repair {
		lex = idx.lex
	}
	a := analyze(text, idx.terms, lex, &m.p.w, idx.knows)
	if isChoseongQuery(a.norm) {
		r := idx.matchChoseong(a.norm, &m.p)
		rk.choseong = &r
		return rk
	}
	rk.tokens, rk.bag, rk.text = a.tokens, a.bag, text
	qf := make([]queryFeat, 0, len(a.bag))
	var qnorm, known float64
	for k, w := range a.bag {
		f := queryFeat{id: -1, key: k}
		idf := idx.idfUnknown
		if id, ok := idx.fid[k]; ok {
			f.id, idf = id, idx.idf[id]
			if idf < m.p.minIDF {
				continue // in (almost) every entry: weighs next to nothing, costs the most
			}
		}
		f.w, f.raw = w*idf, w
		qnorm += f.w * f.w
		if f.id >= 0 {
			known += f.w * f.w
		}
		qf = append(qf, f)
	}
	if qnorm == 0 || len(idx.entries) == 0 {
		return rk
	}
	rk.known = known / qnorm
	qnorm = math.Sqrt(qnorm)
	// Deterministic order: map iteration order must not change float sums.
	sort.Slice(qf, func(i, j int) bool { return qf[i].key < qf[j].key })
	rk.qf, rk.qnorm = qf, qnorm

	s := idx.pool.Get().(*scratch)
	defer idx.pool.Put(s)
	for _, f := range qf {
		if f.id < 0 {
			continue
		}
		wq := f.w / qnorm
		for _, p := range idx.ppost.of(f.id) {
			if s.pacc[p.doc] == 0 {
				s.ptouch = append(s.ptouch, p.doc)
			}
			s.pacc[p.doc] += wq * float64(p.w)
		}
		for _, p := range idx.epost.of(f.id) {
			if s.eacc[p.doc] == 0 {
				s.etouch = append(s.etouch, p.doc)
			}
			s.eacc[p.doc] += wq * float64(p.w)
			s.ecov[p.doc] += wq * wq
		}
		for _, p := range idx.nbpost.of(f.id) {
			s.enb[p.doc] += f.raw * float64(p.w)
		}
		if idx.lin.off != nil {
			for _, p := range idx.lin.of(f.id) {
				s.elin[p.doc] += wq * float64(p.w)
			}
		}
	}
	// Naive Bayes posterior over all entries (a classifier over all of an
	// entry's phrasings): log P(q|e) up to a constant, then softmax.
	var rawTotal float64
	for _, f := range qf {
		rawTotal += f.raw
	}
	maxLL := math.Inf(-1)
	for e := range idx.entries {
		s.enb[e] -= rawTotal * idx.nbBase[e]
		maxLL = math.Max(maxLL, s.enb[e])
	}
	var z float64
	for e := range idx.entries {
		if d := s.enb[e] - maxLL; d > -40 { // below, exp adds nothing a float64 keeps
			z += math.Exp(d)
		}
	}
	for _, d := range s.ptouch {
		e := idx.phrases[d].entry
		if v := s.pacc[d]; v > s.ebest[e] {
			s.ebest[e] = v
		}
		s.pacc[d] = 0
	}
	s.ptouch = s.ptouch[:0]
	rk.kw = map[int32]string{}
	for _, t := range a.terms {
		for _, e := range idx.kwEntry[t] {
			rk.kw[e] = idx.terms.label[t]
		}
	}
	// The best maxTop entries, kept sorted by insertion: sorting every
	// touched entry costs more than the scoring on a large FAQ.
	all := make([]scored, 0, maxTop)
	for _, e := range s.etouch {
		sc := scored{e: e, max: s.ebest[e], c: s.eacc[e], cov: s.ecov[e], nb: math.Exp(s.enb[e]-maxLL) / z, lin: s.elin[e]}
		sc.score = m.p.maxW*sc.max + m.p.centW*sc.c + m.p.linW*sc.lin + m.p.nbW*sc.nb
		if _, ok := rk.kw[e]; ok {
			sc.score += m.p.kwBoost
		}
		if m.p.linW == 0 {
			sc.score = math.Min(1, sc.score) // the calibration was fitted on capped scores
		}
		s.eacc[e], s.ecov[e], s.ebest[e] = 0, 0, 0
		if len(all) == maxTop && !ranksBefore(sc, all[maxTop-1]) {
			continue
		}
		if len(all) < maxTop {
			all = append(all, sc)
		} else {
			all[maxTop-1] = sc
		}
		for i := len(all) - 1; i > 0 && ranksBefore(all[i], all[i-1]); i-- {
			all[i], all[i-1] = all[i-1], all[i]
		}
	}
	s.etouch = s.etouch[:0]
	for e := range idx.entries {
		s.enb[e], s.elin[e] = 0, 0
	}
	nbBest, linBest := -1, -1
	for i := range all {
		if nbBest < 0 || all[i].nb > all[nbBest].nb {
			nbBest = i
		}
		if linBest < 0 || all[i].lin > all[linBest].lin {
			linBest = i
		}
	}
	if nbBest >= 0 {
		all[nbBest].agree = 1
		all[linBest].linAgree = 1
	}
	rk.top = all
	return rk
}

// calibration maps a candidate's evidence to a probability-like confidence
// that it is the right answer: a logistic model fitted once on development
// data of four kinds (English e-commerce intents, a general assistant's
// intents, Korean paraphrase pairs, the example FAQ with its cases and
// Korean small talk) pooled with equal weight, and checked by fitting on
// three and testing on the fourth (TestFit). Inputs: the candidate's ranking
// score (phrasing, centroid, linear and naive Bayes scores combined), the
// best rival's score, the relative margin, the square root of the query
// weight its centroid covers, the query's known share, its best phrasing
// cosine, its centroid cosine, its naive Bayes posterior, its linear score
// and that score's margin over the best rival's, whether naive Bayes and the
// linear model rank it first too (the scorers agree), and the log-odds of
// the naive Bayes posterior.
var calibration = struct {
	bias, score, rival, rel, cover, known, max, cent, nb, lin, linMargin, agree, linAgree, nbLogit float64
}{-3.8202, 2.2609, -0.6437, -1.6716, 0.7329, 1.7976, -1.5275, -3.5572, -0.9957, 5.5602, 0.6586, -0.1466, 0.0669, 0.22184}

// confidence is the probability-like confidence of sc given the best rival
// entry's score, the best rival's linear score and the query's known share.
func confidence(sc scored, rival, linRival, known float64) float64 {
	c := &calibration
	rel := 0.0
	if sc.score > 0 {
		rel = math.Max(0, sc.score-rival) / sc.score
	}
	z := c.bias + c.score*sc.score + c.rival*rival + c.rel*rel + c.cover*math.Sqrt(sc.cov) + c.known*known +
		c.max*sc.max + c.cent*sc.c + c.nb*sc.nb + c.lin*sc.lin + c.linMargin*(sc.lin-linRival) + c.agree*sc.agree + c.linAgree*sc.linAgree + c.nbLogit*logit(sc.nb)
	return 1 / (1 + math.Exp(-z))
}

// logit is log(p/(1-p)) within ±12: the naive Bayes posterior tells right
// from wrong in its last digits (0.97 against 0.997), which a linear term
// in p cannot see.
func logit(p float64) float64 {
	const lim = 12
	p = min(max(p, 1/(1+math.Exp(lim))), 1/(1+math.Exp(-lim)))
	return math.Log(p / (1 - p))
}

// settled decides what needs no choices: no answer without candidates, an
// answer when the best candidate reaches the threshold. It reports whether
// it decided; else r.Decision is NoAnswer for the caller to refine.
func (m *Matcher) settled(r *Result) bool {
	r.Decision = NoAnswer
	if len(r.Candidates) == 0 {
		return true
	}
	if r.Candidates[0].Score >= m.p.threshold {
		r.Decision, r.Best = Answer, r.Candidates[0].Entry
		return true
	}
	return false
}

// decide turns the ranked candidates into a decision: answer when the best
// candidate's confidence reaches the threshold; else clarify when the right
// entry is likely among two or three candidates (close in score, or ranked
// first by one of the scorers: the scorers disagree); else no answer.
func (m *Matcher) decide(r *Result, rk *ranking) {
	if m.settled(r) {
		return
	}
	n := m.choices(r, rk)
	if n >= 2 && setConfidence(r, rk, n) >= m.p.clarify {
		r.Decision = Clarify
		for _, i := range rk.choice[:n] {
			r.Choices = append(r.Choices, r.Candidates[i].Entry)
		}
	}
}

// choices picks up to three candidates to offer, best first, into
// rk.choice: the best, then those close to it in score or ranked first by
// the naive Bayes or the linear scorer. It returns how many.
func (m *Matcher) choices(r *Result, rk *ranking) int {
	s1 := rk.top[0].score
	rk.choice = append(rk.choice[:0], 0)
	for i := 1; i < len(r.Candidates) && len(rk.choice) < maxChoices; i++ {
		sc := rk.top[i]
		if sc.score >= s1*m.p.closeRatio || sc.agree == 1 || sc.linAgree == 1 {
			rk.choice = append(rk.choice, i)
		}
	}
	return len(rk.choice)
}

// setCalibration maps the evidence for a set of choices to the probability
// that the right entry is among them: a logistic model fitted like
// calibration (TestFitClarify). Inputs: the confidences of the first three
// candidates (0 when a candidate is not offered), the last choice's score as
// a fraction of the best's, and the query's known share.
var setCalibration = struct {
	bias, c1, c2, c3, ratio, known float64
}{-3.6689, 5.1419, 1.0387, -0.8143, 0.4474, 1.3814}

// setInputs is the input of setCalibration for the first n choices.
func setInputs(r *Result, rk *ranking, n int) [6]float64 {
	x := [6]float64{1}
	for k, i := range rk.choice[:n] {
		x[1+k] = r.Candidates[i].Score
	}
	if s1 := rk.top[0].score; s1 > 0 {
		x[4] = rk.top[rk.choice[n-1]].score / s1
	}
	x[5] = rk.known
	return x
}

// setConfidence is the probability that the right entry is among the first
// n choices.
func setConfidence(r *Result, rk *ranking, n int) float64 {
	c := &setCalibration
	x := setInputs(r, rk, n)
	z := c.bias*x[0] + c.c1*x[1] + c.c2*x[2] + c.c3*x[3] + c.ratio*x[4] + c.known*x[5]
	return 1 / (1 + math.Exp(-z))
}

// why lists the strongest shared features of the query and an entry.
func (idx *index) why(rk *ranking, e int32) []string {
	qf, qnorm, keyword := rk.qf, rk.qnorm, rk.kw[e]
	type contrib struct {
		key string
		v   float64
	}
	var cs []contrib
	for _, f := range qf {
		if f.id < 0 {
			continue
		}
		ps := idx.epost.of(f.id)
		i := sort.Search(len(ps), func(i int) bool { return ps[i].doc >= e })
		if i < len(ps) && ps[i].doc == e {
			cs = append(cs, contrib{f.key, f.w / qnorm * float64(ps[i].w)})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].v != cs[j].v {
			return cs[i].v > cs[j].v
		}
		return cs[i].key < cs[j].key
	})
	var out []string
	if keyword != "" {
		out = append(out, fmt.Sprintf("keyword %q", keyword))
	}
	for _, c := range cs {
		if len(out) >= 6 {
			break
		}
		out = append(out, idx.label(c.key, rk.tokens))
	}
	return out
}

// label names a feature for an owner; an English word is shown as the
// customer wrote it (one of toks), not as its stem ("does", not "doe").
func (idx *index) label(key string, toks []token) string {
	body := key[1:]
	show := func(stem string) string {
		for _, t := range toks {
			if t.stem == stem && t.script == scriptLatin {
				return t.text
			}
		}
		return stem
	}
	switch key[0] {
	case kindWord:
		return fmt.Sprintf("word %q", show(body))
	case kindBigram:
		a, b, _ := strings.Cut(body, " ")
		return fmt.Sprintf("words %q", show(a)+" "+show(b))
	case kindChar:
		return fmt.Sprintf("ngram %q", body)
	case kindJamo:
		return fmt.Sprintf("jamo %q", body)
	case kindPinyin:
		return fmt.Sprintf("pinyin %q", body)
	case kindSynonym:
		var id int
		fmt.Sscan(body, &id)
		l := idx.terms.label[id]
		if parts := strings.Split(l, "~"); len(parts) > 3 {
			l = strings.Join(parts[:3], "~") + "~…"
		}
		return "synonym " + l
	}
	return key
}

// matchChoseong answers a query of initial consonants only (ㅂㅅㅂ → 배송비)
// from the entries' keywords with sahilm/fuzzy: an exact 초성 match is a
// candidate; a subsequence match only ever leads to a clarifying question.
func (idx *index) matchChoseong(q string, p *params) Result {
	q = strings.ReplaceAll(q, " ", "")
	if n := []rune(q); len(n) > maxFuzzyRunes {
		q = string(n[:maxFuzzyRunes])
	}
	var r Result
	seen := map[int32]bool{}
	exact := 0
	for i, c := range idx.chosung {
		if c == q && !seen[idx.chosungE[i]] {
			seen[idx.chosungE[i]] = true
			exact++
			r.Candidates = append(r.Candidates, Candidate{Entry: idx.entries[idx.chosungE[i]], Score: math.Min(1, p.threshold+0.1), Why: []string{fmt.Sprintf("초성 %q", q)}})
		}
	}
	for _, fm := range fuzzy.Find(q, idx.chosung) {
		e := idx.chosungE[fm.Index]
		if seen[e] || len(r.Candidates) >= maxCandidates {
			continue
		}
		seen[e] = true
		r.Candidates = append(r.Candidates, Candidate{Entry: idx.entries[e], Score: p.clarify, Why: []string{fmt.Sprintf("초성 %q in %q", q, fm.Str)}})
	}
	switch {
	case exact == 1:
		r.Decision, r.Best = Answer, r.Candidates[0].Entry
	case len(r.Candidates) >= 2:
		r.Decision = Clarify
		for _, c := range r.Candidates {
			if len(r.Choices) < maxChoices {
				r.Choices = append(r.Choices, c.Entry)
			}
		}
	default:
		r.Decision = NoAnswer
	}
	return r
}

// postingLists is a feature → postings table in one array (compressed
// sparse rows): a slice header per feature would cost three times the
// postings of a large FAQ.
type postingLists struct {
	off []int32 // feature f's postings are all[off[f]:off[f+1]]
	all []posting
}

func compact(ls [][]posting) postingLists {
	n := 0
	for _, l := range ls {
		n += len(l)
	}
	pl := postingLists{off: make([]int32, len(ls)+1), all: make([]posting, 0, n)}
	for f, l := range ls {
		pl.all = append(pl.all, l...)
		pl.off[f+1] = int32(len(pl.all))
	}
	return pl
}

// of is feature f's postings.
func (pl *postingLists) of(f int32) []posting { return pl.all[pl.off[f]:pl.off[f+1]] }
