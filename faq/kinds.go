package faq

import (
	"fmt"
	"math"
	"regexp"
	"sort"
)

// kindProb is a kind and how likely a text is of it.
type kindProb struct {
	k   int32
	p   float64
	max float64 // the best single phrasing's cosine
}

// maxKinds is how many kinds of a text are kept.
const maxKinds = 5

// classify ranks the kinds a text may be of, most likely first, with the
// kind matcher's calibrated confidence.
func (km *kindModel) classify(text string) []kindProb {
	idx := km.m.idx.Load()
	rk := km.m.rank(idx, text)
	if rk.choseong != nil {
		return nil
	}
	r := km.m.candidates(idx, &rk)
	out := make([]kindProb, 0, min(len(r.Candidates), maxKinds))
	for i, c := range r.Candidates {
		if i >= maxKinds {
			break
		}
		out = append(out, kindProb{rk.top[i].e, c.Score, rk.top[i].max})
	}
	return out
}

// templateAction is a template's {{ … }}: not words of the answer.
var templateAction = regexp.MustCompile(`\{\{.*?\}\}`)

// kindLinks works out which kinds each entry is of, from its phrasings and,
// at half their weight, its answers: aff[e][k] is the share of that
// evidence on kind k.
func kindLinks(km *kindModel, entries []*Entry, ansW float64) [][]kindProb {
	aff := make([][]kindProb, len(entries))
	for e, en := range entries {
		sum := map[int32]float64{}
		var total float64
		add := func(text string, w float64) {
			for _, kp := range km.classify(text) {
				sum[kp.k] += w * kp.p
			}
			total += w
		}
		for _, q := range en.Questions {
			add(q, 1)
		}
		if ansW > 0 {
			if en.Answer != "" {
				add(templateAction.ReplaceAllString(en.Answer, " "), ansW)
			}
			for _, l := range languages {
				if a := en.Answers[l]; a != "" {
					add(templateAction.ReplaceAllString(a, " "), ansW)
				}
			}
		}
		for k, s := range sum {
			aff[e] = append(aff[e], kindProb{k: k, p: s / math.Max(total, 1)})
		}
		sort.Slice(aff[e], func(i, j int) bool {
			if aff[e][i].p != aff[e][j].p {
				return aff[e][i].p > aff[e][j].p
			}
			return aff[e][i].k < aff[e][j].k
		})
	}
	return aff
}

// kindIndex is an FAQ's link to the built-in knowledge.
type kindIndex struct {
	km    *kindModel
	aff   [][]kindProb    // per entry: its kinds, strongest first
	owner []int32         // per kind: the entry most of that kind, or -1
	top   []float64       // per kind: that entry's affinity
	langs map[string]bool // the languages the FAQ speaks
}

func newKindIndex(km *kindModel, entries []*Entry, fileLang string, ansW float64) *kindIndex {
	ki := &kindIndex{km: km, langs: map[string]bool{}}
	if fileLang != "" {
		ki.langs[fileLang] = true
	}
	for _, e := range entries {
		for _, q := range e.Questions {
			if l := DetectLanguage(q); l != "" {
				ki.langs[l] = true
			}
		}
		for l := range e.Answers {
			ki.langs[l] = true
		}
	}
	ki.aff = kindLinks(km, entries, ansW)
	ki.owner = make([]int32, len(km.kinds))
	ki.top = make([]float64, len(km.kinds))
	for k := range ki.owner {
		ki.owner[k] = -1
	}
	for e, as := range ki.aff {
		for _, a := range as {
			if a.p > ki.top[a.k] {
				ki.owner[a.k], ki.top[a.k] = int32(e), a.p
			}
		}
	}
	return ki
}

// affinity is how much entry e is of kind k.
func (ki *kindIndex) affinity(e, k int32) float64 {
	for _, a := range ki.aff[e] {
		if a.k == k {
			return a.p
		}
	}
	return 0
}

// evidence is what speaks for one candidate entry.
type evidence struct {
	e    int32
	own  float64 // confidence from the FAQ's own phrasings
	kS   float64 // Σ over the question's kinds of p(kind) · affinity(entry, kind)
	kTop float64 // p(top kind) when this entry holds the question's top kind
	rank int     // rank among own candidates (maxCandidates when not among them)
	ans  float64 // cosine of the question with the entry's answers
	know float64 // the knowledge expert's confidence
	conf float64
}

// questionKinds is the kind evidence of a question as a whole.
type questionKinds struct {
	kinds   []kindProb
	unowned float64 // the likelihood of kinds that no entry of the FAQ is of
	used    bool    // the question is in a language the FAQ speaks
}

// ownedAt is the affinity a kind needs for its entry to hold it.
const ownedAt = 0.15

// kindEvidence gathers the evidence for the own candidates in r and for the
// entries of the question's kinds.
func (m *Matcher) kindEvidence(idx *index, text string, rk *ranking, r *Result) (questionKinds, []evidence) {
	ki := idx.kinds
	var q questionKinds
	lang := DetectLanguage(text)
	q.used = lang == "" || ki.langs[lang]
	ev := make([]evidence, 0, maxCandidates+maxKinds)
	pos := map[int32]int{}
	for i, c := range r.Candidates {
		e := idx.byID[c.Entry.ID]
		pos[e] = len(ev)
		ev = append(ev, evidence{e: e, own: c.Score, rank: i})
	}
	if !q.used {
		return q, ev
	}
	q.kinds = ki.km.classify(text)
	for i, kp := range q.kinds {
		o := ki.owner[kp.k]
		if o < 0 || ki.top[kp.k] < ownedAt {
			q.unowned += kp.p
			continue
		}
		if _, ok := pos[o]; !ok {
			pos[o] = len(ev)
			ev = append(ev, evidence{e: o, rank: maxCandidates})
		}
		if i == 0 {
			ev[pos[o]].kTop = kp.p
		}
	}
	ans := idx.answers.scores(rk.bag)
	for i := range ev {
		for _, kp := range q.kinds {
			ev[i].kS += kp.p * ki.affinity(ev[i].e, kp.k)
		}
		ev[i].ans = ans[ev[i].e]
	}
	return q, ev
}

// kindCalibration maps the knowledge evidence for a candidate to the
// probability that it is the right entry: a logistic model fitted on the
// development shops (sparse owner FAQs, real-style chat), each with equal
// weight, and checked shop by shop held out (TestFitKinds). It leaves out
// the own evidence on purpose: that has its own calibration, and the
// matcher takes the larger of the two (two experts). Inputs: the
// knowledge score (Σ p(kind) · affinity), its margin over the best rival's
// and its share of all candidates'; whether the entry holds the question's
// likeliest kind (that kind's likelihood); the likelihood of kinds no entry
// holds; the cosine with the entry's answers and its margin over the best
// rival's.
var kindCalibration = [8]float64{-2.502, 0.788, 0.964, -1.500, 2.458, 2.350, 1.775, 2.714}

// kindInputs is the input vector of kindCalibration for ev[i]:
// 1, kS, kTop, unowned, kS margin, kS share, answer cosine, its margin.
func kindInputs(q *questionKinds, ev []evidence, i int) [8]float64 {
	x := ev[i]
	var bk, ba, tot float64
	for j, o := range ev {
		tot += o.kS
		if j != i {
			bk, ba = math.Max(bk, o.kS), math.Max(ba, o.ans)
		}
	}
	share := 0.0
	if tot > 0 {
		share = x.kS / tot
	}
	return [8]float64{1, x.kS, x.kTop, q.unowned, x.kS - bk, share, x.ans, x.ans - ba}
}

// rescore replaces the candidates' confidences with the knowledge-aware
// ones, best first.
func (m *Matcher) rescore(idx *index, rk *ranking, r *Result) {
	q, ev := m.kindEvidence(idx, rk.text, rk, r)
	if len(ev) == 0 {
		return
	}
	for i := range ev {
		x := kindInputs(&q, ev, i)
		z := 0.0
		for j, w := range kindCalibration {
			z += w * x[j]
		}
		// Two calibrated experts: the own confidence (fitted on FAQs with
		// many phrasings per entry) and this one (fitted on sparse shop FAQs).
		ev[i].know = 1 / (1 + math.Exp(-z))
		ev[i].conf = math.Max(ev[i].own, ev[i].know)
	}
	rk.know = map[string]float64{}
	for _, x := range ev {
		rk.know[idx.entries[x.e].ID] = x.know
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].conf > ev[j].conf })
	why := map[int32][]string{}
	for _, c := range r.Candidates {
		why[idx.byID[c.Entry.ID]] = c.Why
	}
	r.Candidates = r.Candidates[:0]
	for i, x := range ev {
		if i >= maxCandidates {
			break
		}
		r.Candidates = append(r.Candidates, Candidate{Entry: idx.entries[x.e], Score: x.conf, Why: why[x.e]})
	}
	rk.kinds = q.kinds
}

// decideKinds is decide for knowledge-aware confidences, which are each
// the probability that the candidate is right: answer when the best reaches
// the threshold; else clarify as the own evidence alone would (own), or
// offer the one to three likeliest entries when the knowledge expert finds
// the right one likely among them (its confidences add up to clarifySum);
// else no answer.
func (m *Matcher) decideKinds(r *Result, rk *ranking, own *Result) {
	if m.settled(r) {
		return
	}
	if own.Decision == Clarify {
		r.Decision, r.Choices = Clarify, own.Choices
		return
	}
	var sum float64
	var choices []*Entry
	for _, c := range r.Candidates {
		if len(choices) == maxChoices || c.Score < m.p.choiceMin {
			break
		}
		sum += rk.know[c.Entry.ID]
		choices = append(choices, c.Entry)
	}
	if len(choices) > 0 && sum >= m.p.clarifySum {
		r.Decision, r.Choices = Clarify, choices
	}
}

// kindWhy names the question's kinds that entry e is of, for explanations.
func (idx *index) kindWhy(rk *ranking, e int32) []string {
	var out []string
	for _, kp := range rk.kinds {
		if a := idx.kinds.affinity(e, kp.k); a >= ownedAt {
			out = append(out, fmt.Sprintf("kind %s %.2f", idx.kinds.km.kinds[kp.k].ID, kp.p))
		}
	}
	return out
}
