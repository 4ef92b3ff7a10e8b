package faq

import "math"

// maxRecent is how many learned phrasings sit on top of the index before
// a rebuild takes them in.
const maxRecent = 32

// recallAt is how close a question must come to a recently learned
// phrasing (cosine) to be answered by its entry: the same question, give
// or take a particle or a typo.
const recallAt = 0.9

// recentPhrase is a phrasing learned since the last rebuild: its features
// before weighing (the weights come from the index it is matched against).
type recentPhrase struct {
	entry int32
	bag   bag
}

// recalled answers with a recently learned phrasing's entry when the
// question is (nearly) that phrasing: what the owner or a customer
// confirmed wins over the ranking.
func (m *Matcher) recalled(idx *index, rk *ranking, r *Result) {
	recent := m.recent.Load()
	if recent == nil || len(*recent) == 0 || rk.qnorm == 0 {
		return
	}
	weigh := func(k string) float64 {
		if id, ok := idx.fid[k]; ok {
			return idx.idf[id]
		}
		return idx.idfUnknown
	}
	best, bestE := 0.0, int32(-1)
	for _, rp := range *recent {
		var dot, norm float64
		for k, x := range rp.bag {
			w := x * weigh(k)
			norm += w * w
		}
		for _, f := range rk.qf {
			if x, ok := rp.bag[f.key]; ok {
				dot += f.w * x * weigh(f.key)
			}
		}
		if norm == 0 {
			continue
		}
		if c := dot / (rk.qnorm * math.Sqrt(norm)); c > best {
			best, bestE = c, rp.entry
		}
	}
	if best < recallAt || int(bestE) >= len(idx.entries) {
		return
	}
	e := idx.entries[bestE]
	cands := []Candidate{{Entry: e, Score: best, Why: []string{"learned phrasing"}}}
	for _, c := range r.Candidates {
		if c.Entry != e && len(cands) < maxCandidates {
			cands = append(cands, c)
		}
	}
	*r = Result{Decision: Answer, Best: e, Candidates: cands}
}
