package faq

import "math"

// answerIndex holds the words of every entry's answers: customers often
// use the answer's words rather than the question's ("제주" in an answer
// about remote-area fees).
type answerIndex struct {
	fid  map[string]int32
	idf  []float64
	post [][]posting // feature → entries
}

func newAnswerIndex(entries []*Entry, w *weights) *answerIndex {
	ai := &answerIndex{fid: map[string]int32{}}
	vecs := make([]bag, len(entries))
	df := []int{}
	for e, en := range entries {
		text := en.Answer
		for _, l := range languages {
			text += "\n" + en.Answers[l]
		}
		b := analyze(templateAction.ReplaceAllString(text, " "), nil, nil, w, nil).bag
		vecs[e] = b
		for k := range b {
			id, ok := ai.fid[k]
			if !ok {
				id = int32(len(df))
				ai.fid[k] = id
				df = append(df, 0)
			}
			df[id]++
		}
	}
	n := float64(len(entries))
	ai.idf = make([]float64, len(df))
	for i, d := range df {
		ai.idf[i] = idfOf(n, float64(d))
	}
	ai.post = make([][]posting, len(df))
	for e, b := range vecs {
		var norm float64
		for k, x := range b {
			x *= ai.idf[ai.fid[k]]
			norm += x * x
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for k, x := range b {
			id := ai.fid[k]
			ai.post[id] = append(ai.post[id], posting{int32(e), float32(x * ai.idf[id] / norm)})
		}
	}
	return ai
}

// scores returns the cosine of the query bag with each entry's answers
// that shares a feature with it (features the answers lack are left out of
// the query's norm: a question is short, an answer long).
func (ai *answerIndex) scores(q bag) map[int32]float64 {
	out := map[int32]float64{}
	var norm float64
	for k, x := range q {
		if id, ok := ai.fid[k]; ok {
			x *= ai.idf[id]
			norm += x * x
		}
	}
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for k, x := range q {
		id, ok := ai.fid[k]
		if !ok {
			continue
		}
		x *= ai.idf[id] / norm
		for _, p := range ai.post[id] {
			out[p.doc] += x * float64(p.w)
		}
	}
	return out
}
