package faq

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"
)

// calibInputs is the calibration input of the best candidate of a ranking.
func calibInputs(rk *ranking) []float64 {
	sc := rk.top[0]
	rival, linRival := 0.0, 0.0
	if len(rk.top) > 1 {
		rival = rk.top[1].score
		linRival = rk.top[1].lin
		for _, o := range rk.top[1:] {
			linRival = math.Max(linRival, o.lin)
		}
	}
	rel := 0.0
	if sc.score > 0 {
		rel = math.Max(0, sc.score-rival) / sc.score
	}
	return []float64{1, sc.score, rival, rel, math.Sqrt(sc.cov), rk.known, sc.max, sc.c, sc.nb, sc.lin, sc.lin - linRival, sc.agree, sc.linAgree, logit(sc.nb) / 10}
}

// fitSet is one development set the confidence models are fitted on.
type fitSet struct {
	f     *File
	cases []Case
}

// loadFitSets loads the fitting data: bitext, clinc and ko-pairs with
// their cases, and the example FAQ with its cases plus every fourth line
// of Korean small talk (ko-oos alone has no in-scope case to fit).
func loadFitSets(t *testing.T) []fitSet {
	sets := evalSets(evalDir())
	_, oos := loadEvalSet(t, sets[3])
	var out []fitSet
	for _, s := range append(sets[:3:3], exampleSet()) {
		f, cases := loadEvalSet(t, s)
		if s.name == "example" {
			for j := 0; j < len(oos); j += 4 {
				cases = append(cases, oos[j])
			}
		}
		out = append(out, fitSet{f, cases})
	}
	return out
}

// TestFit fits the confidence model on the development data and reports
// leave-one-dataset-out results (FAQ_FIT=1, FAQ_TUNE one params object).
func TestFit(t *testing.T) {
	if os.Getenv("FAQ_FIT") == "" {
		t.Skip("set FAQ_FIT")
	}
	var v map[string]float64
	json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &v)
	p := defaultParams()
	applyOverrides(&p, v)
	type sample struct {
		x    []float64
		y    float64
		inSc bool
	}
	data := make([][]sample, 0)
	for _, s := range loadFitSets(t) {
		f, cases := s.f, s.cases
		m := newMatcher(f, p)
		idx := m.idx.Load()
		var ds []sample
		for _, c := range cases {
			rk := m.rank(idx, c.Text)
			if len(rk.top) == 0 || rk.choseong != nil {
				ds = append(ds, sample{nil, 0, c.Expect != ""})
				continue
			}
			y := 0.0
			if c.Expect != "" && idx.entries[rk.top[0].e].ID == c.Expect {
				y = 1
			}
			ds = append(ds, sample{calibInputs(&rk), y, c.Expect != ""})
		}
		data = append(data, ds)
	}
	names := []string{"bitext", "clinc", "ko-pairs", "example+oos"}
	var reportAt func(w []float64, k int, th float64)
	fit := func(skip int) []float64 {
		d := len(data[0][0].x)
		for _, s := range data[0] {
			if s.x != nil {
				d = len(s.x)
				break
			}
		}
		w := make([]float64, d)
		for it := 0; it < 3000; it++ {
			g := make([]float64, d)
			for k, ds := range data {
				if k == skip {
					continue
				}
				n := 0
				for _, s := range ds {
					if s.x != nil {
						n++
					}
				}
				for _, s := range ds {
					if s.x == nil {
						continue
					}
					z := 0.0
					for j := range w {
						z += w[j] * s.x[j]
					}
					pr := 1 / (1 + math.Exp(-z))
					for j := range w {
						g[j] += (pr - s.y) * s.x[j] / float64(n)
					}
				}
			}
			for j := range w {
				w[j] -= 1.0 * (g[j] + 1e-4*w[j])
			}
		}
		return w
	}
	report := func(w []float64, k int) { reportAt(w, k, p.threshold) }
	_ = report
	reportAt = func(w []float64, k int, th float64) {
		corr, wrong, ins, oos, oosAns := 0, 0, 0, 0, 0
		for _, s := range data[k] {
			if s.inSc {
				ins++
			} else {
				oos++
			}
			if s.x == nil {
				continue
			}
			z := 0.0
			for j := range w {
				z += w[j] * s.x[j]
			}
			if 1/(1+math.Exp(-z)) >= th {
				if s.y == 1 {
					corr++
				} else {
					wrong++
					if !s.inSc {
						oosAns++
					}
				}
			}
		}
		fmt.Printf("  %-12s th %.2f P %.3f A %.3f OOS %.3f\n", names[k], th, float64(corr)/float64(max(1, corr+wrong)), float64(corr)/float64(max(1, ins)), 1-float64(oosAns)/float64(max(1, oos)))
	}
	w := fit(-1)
	fmt.Printf("all: %.4f\n", w)
	for _, th := range []float64{0.9, 0.92, 0.94} {
		for k := range data {
			reportAt(w, k, th)
		}
	}
	for k := range data {
		wk := fit(k)
		fmt.Printf("without %s:\n", names[k])
		report(wk, k)
	}
}

// TestFitClarify fits setCalibration: for the cases the matcher does not
// answer, whether the right entry is among the choices it would offer; it
// reports the clarifications and their hit rate per development set, pooled
// and leave-one-set-out (FAQ_FIT=1).
func TestFitClarify(t *testing.T) {
	if os.Getenv("FAQ_FIT") == "" {
		t.Skip("set FAQ_FIT")
	}
	p := defaultParams()
	type sample struct {
		x []float64
		y float64
	}
	names := []string{"bitext", "clinc", "ko-pairs", "example+oos"}
	var data [][]sample
	for _, s := range loadFitSets(t) {
		f, cases := s.f, s.cases
		m := newMatcher(f, p)
		idx := m.idx.Load()
		var ds []sample
		for _, c := range cases {
			rk := m.rank(idx, c.Text)
			if len(rk.top) == 0 || rk.choseong != nil {
				continue
			}
			r := m.candidates(idx, &rk)
			if r.Candidates[0].Score >= p.threshold {
				continue
			}
			n := m.choices(&r, &rk)
			if n < 2 {
				continue
			}
			y := 0.0
			for _, i := range rk.choice[:n] {
				if c.Expect != "" && r.Candidates[i].Entry.ID == c.Expect {
					y = 1
				}
			}
			x := setInputs(&r, &rk, n)
			ds = append(ds, sample{x[:], y})
		}
		data = append(data, ds)
	}
	fit := func(skip int) []float64 {
		w := make([]float64, 6)
		for it := 0; it < 3000; it++ {
			g := make([]float64, len(w))
			for k, ds := range data {
				if k == skip || len(ds) == 0 {
					continue
				}
				for _, s := range ds {
					z := 0.0
					for j := range w {
						z += w[j] * s.x[j]
					}
					pr := 1 / (1 + math.Exp(-z))
					for j := range w {
						g[j] += (pr - s.y) * s.x[j] / float64(len(ds))
					}
				}
			}
			for j := range w {
				w[j] -= 1.0 * (g[j] + 1e-4*w[j])
			}
		}
		return w
	}
	report := func(w []float64, k int, th float64) {
		n, hit, pos := 0, 0, 0
		for _, s := range data[k] {
			if s.y == 1 {
				pos++
			}
			z := 0.0
			for j := range w {
				z += w[j] * s.x[j]
			}
			if 1/(1+math.Exp(-z)) >= th {
				n++
				if s.y == 1 {
					hit++
				}
			}
		}
		fmt.Printf("  %-12s th %.2f candidates %d (right inside %d) clarified %d hit %d (%.3f)\n", names[k], th, len(data[k]), pos, n, hit, float64(hit)/float64(max(1, n)))
	}
	w := fit(-1)
	fmt.Printf("all: %.4f\n", w)
	for _, th := range []float64{0.7, 0.8, 0.9} {
		for k := range data {
			report(w, k, th)
		}
	}
	for k := range data {
		fmt.Printf("without %s:\n", names[k])
		report(fit(k), k, p.clarify)
	}
}
