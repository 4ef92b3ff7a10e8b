package faq

import (
	"math"
	"math/rand/v2"
)

// fv is one feature of a unit-length phrasing vector.
type fv struct {
	id int32
	x  float32
}

// lw is one entry's weight for a feature while training: w the current
// weight, u the running sum used for averaging.
type lw struct {
	e    int32
	w, u float64
}

// trainLinear trains a multi-class linear model over the FAQ's own phrasings:
// it starts from the entry centroids (Rocchio) and corrects them with a few
// deterministic epochs of the averaged multi-class passive-aggressive
// algorithm (a hinge loss between the right entry and its strongest rival),
// so that words which tell two close entries apart gain weight and words they
// share lose it. Training stops early once it has visited p.trainBudget
// weights (a large FAQ gets fewer epochs, so that it loads in seconds). The
// result is feature → entry postings without the weights that stayed tiny.
//
// The race detector skips it (go:norace): it reads and writes only its own
// weights, and under -race its bookkeeping made building the built-in
// knowledge 5.0 s instead of 3.6 s in every test binary that builds an
// engine.
//
//go:norace
func trainLinear(nfeat, nent int, vecs [][]fv, labels []int32, epost [][]posting, p *params) [][]posting {
	W := make([][]lw, nfeat)
	for f, ps := range epost {
		if len(ps) == 0 {
			continue
		}
		W[f] = make([]lw, len(ps))
		for i, q := range ps {
			W[f][i] = lw{e: q.doc, w: float64(q.w)}
		}
	}
	scores := make([]float64, nent)
	touched := make([]int32, 0, 64)
	order := make([]int, len(vecs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(7, 11))
	c := 1.0
	upd := func(f int32, e int32, d float64) {
		ws := W[f]
		for i := range ws {
			if ws[i].e == e {
				ws[i].w += d
				ws[i].u += c * d
				return
			}
		}
		W[f] = append(ws, lw{e: e, w: d, u: c * d})
	}
	work := 0 // postings visited: training stops early on a large FAQ
train:
	for ep := 0; ep < p.epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			if work > p.trainBudget {
				break train
			}
			x, y := vecs[i], labels[i]
			for _, t := range touched {
				scores[t] = 0
			}
			touched = touched[:0]
			for _, f := range x {
				work += len(W[f.id])
				for _, q := range W[f.id] {
					if scores[q.e] == 0 {
						touched = append(touched, q.e)
					}
					scores[q.e] += float64(f.x) * q.w
				}
			}
			r, sr := int32(-1), 0.0
			for _, t := range touched {
				if t != y && (r < 0 || scores[t] > sr) {
					r, sr = t, scores[t]
				}
			}
			loss := p.paMargin - (scores[y] - sr)
			if r >= 0 && loss > 0 {
				tau := min(p.paC, loss/2)
				for _, f := range x {
					d := tau * float64(f.x)
					upd(f.id, y, d)
					upd(f.id, r, -d)
				}
			}
			c++
		}
	}
	for _, t := range touched {
		scores[t] = 0
	}
	out := make([][]posting, nfeat)
	for f, ws := range W {
		for _, q := range ws {
			w := q.w - q.u/c
			if math.Abs(w) > p.linPrune {
				out[f] = append(out[f], posting{q.e, float32(w)})
			}
		}
	}
	return out
}
