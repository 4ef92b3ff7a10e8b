package faq

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestSignals reports, per development set, the top-1 accuracy of each
// scorer and the best accuracy each confidence signal reaches at the set's
// precision target (FAQ_P overrides it) with a threshold tuned on the set
// itself: an upper bound of what a signal can give. For analysis only
// (FAQ_EXP=1, FAQ_TUNE one params object, FAQ_SETS name prefixes).
func TestSignals(t *testing.T) {
	if os.Getenv("FAQ_EXP") == "" {
		t.Skip("set FAQ_EXP")
	}
	var v map[string]float64
	json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &v)
	p := defaultParams()
	applyOverrides(&p, v)
	targets := map[string]float64{"bitext-en": 0.97, "clinc150-en": 0.93, "ko-pairs": 0.92, "ko-oos": 0.99}
	if v := os.Getenv("FAQ_P"); v != "" {
		var x float64
		fmt.Sscan(v, &x)
		for k := range targets {
			targets[k] = x
		}
	}
	for _, s := range evalSets(evalDir()) {
		if only := os.Getenv("FAQ_SETS"); only != "" && !strings.Contains(only, s.name[:4]) {
			continue
		}
		f, cases := loadEvalSet(t, s)
		m := newMatcher(f, p)
		idx := m.idx.Load()
		type row struct {
			sig   map[string]float64
			right bool
		}
		var rows []row
		inScope := 0
		top1 := map[string]int{}
		for _, c := range cases {
			if c.Expect != "" {
				inScope++
			}
			rk := m.rank(idx, c.Text)
			if len(rk.top) == 0 || rk.choseong != nil {
				continue
			}
			top := rk.top[0]
			for _, by := range []string{"score", "nb", "lin", "max", "c"} {
				best, bv := rk.top[0], math.Inf(-1)
				for _, o := range rk.top {
					x := map[string]float64{"score": o.score, "nb": o.nb, "lin": o.lin, "max": o.max, "c": o.c}[by]
					if x > bv {
						best, bv = o, x
					}
				}
				if c.Expect != "" && idx.entries[best.e].ID == c.Expect {
					top1[by]++
				}
			}
			sig := map[string]float64{}
			rival, linRival := 0.0, 0.0
			if len(rk.top) > 1 {
				rival, linRival = rk.top[1].score, rk.top[1].lin
				for _, o := range rk.top[2:] {
					linRival = math.Max(linRival, o.lin)
				}
			}
			sig["conf"] = confidence(top, rival, linRival, rk.known)
			sig["score"] = top.score
			sig["margin"] = top.score - rival
			sig["lin"] = top.lin
			sig["linMargin"] = top.lin - linRival
			sig["max"] = top.max
			sig["nb"] = top.nb
			for _, T := range []float64{5, 10, 20} {
				z := 0.0
				for _, o := range rk.top {
					z += math.Exp(T * (o.score - top.score))
				}
				sig[fmt.Sprintf("soft%g", T)] = 1 / z
			}
			rows = append(rows, row{sig, c.Expect != "" && idx.entries[top.e].ID == c.Expect})
		}
		fmt.Printf("%s (in scope %d, oos %d) top1 score %.3f nb %.3f lin %.3f max %.3f cent %.3f\n", s.name, inScope, len(cases)-inScope,
			float64(top1["score"])/float64(inScope), float64(top1["nb"])/float64(inScope), float64(top1["lin"])/float64(inScope), float64(top1["max"])/float64(inScope), float64(top1["c"])/float64(inScope))
		var names []string
		for k := range rows[0].sig {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			sort.SliceStable(rows, func(i, j int) bool { return rows[i].sig[k] > rows[j].sig[k] })
			best, bestAt, right := 0, 0.0, 0
			for i, r := range rows {
				if r.right {
					right++
				}
				if float64(right) >= targets[s.name]*float64(i+1) && right > best {
					best, bestAt = right, r.sig[k]
				}
			}
			if s.name == "ko-oos" {
				// answered share at a threshold that answers ≤1%: n/a
				continue
			}
			fmt.Printf("  %-10s acc %.3f at threshold %.4f\n", k, float64(best)/float64(inScope), bestAt)
		}
	}
}

// BenchmarkMatchOld is BenchmarkMatch1000 and 10000 with the previous
// defaults (no linear model, no naive Bayes in the ranking), for comparison.
func BenchmarkMatchOld(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f, queries := synthFile(n)
			p := defaultParams()
			p.linW, p.nbW, p.w.stop = 0, 0, 0.2
			m := newMatcher(f, p)
			for i := 0; b.Loop(); i++ {
				m.Match(queries[i%len(queries)])
			}
		})
	}
}

// TestPostingWork reports the postings a query visits per list: a
// load-independent measure of Match cost (FAQ_EXP=1).
func TestPostingWork(t *testing.T) {
	if os.Getenv("FAQ_EXP") == "" {
		t.Skip("set FAQ_EXP")
	}
	f10k, q10k := synthFile(10000)
	fc, cc := loadEvalSet(t, evalSets(evalDir())[1])
	var qc []string
	for _, c := range cc {
		qc = append(qc, c.Text)
	}
	fk, ck := loadEvalSet(t, evalSets(evalDir())[2])
	var qk []string
	for _, c := range ck {
		qk = append(qk, c.Text)
	}
	for _, tc := range []struct {
		name string
		f    *File
		qs   []string
	}{{"synth10000", f10k, q10k}, {"clinc", fc, qc}, {"ko-pairs", fk, qk}} {
		var v map[string]float64
		json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &v)
		p := defaultParams()
		applyOverrides(&p, v)
		m := newMatcher(tc.f, p)
		idx := m.idx.Load()
		var pp, ep, nb, lin int
		var per []int
		for _, q := range tc.qs {
			before := pp + ep + nb + lin
			a := analyze(q, idx.terms, idx.lex, &m.p.w, idx.knows)
			for k := range a.bag {
				if id, ok := idx.fid[k]; ok {
					pp += len(idx.ppost.of(id))
					ep += len(idx.epost.of(id))
					nb += len(idx.nbpost.of(id))
					lin += len(idx.lin.of(id))
				}
			}
			per = append(per, pp+ep+nb+lin-before)
		}
		sort.Ints(per)
		n := float64(len(tc.qs))
		fmt.Printf("%s: per query phrasing %.0f centroid %.0f nb %.0f lin %.0f; entries %d; p99 total %d\n", tc.name, float64(pp)/n, float64(ep)/n, float64(nb)/n, float64(lin)/n, len(idx.entries), per[len(per)*99/100])
	}
}

// BenchmarkEvalSet runs Match over the cases of the development set named
// by FAQ_BENCH_SET (for profiling).
func BenchmarkEvalSet(b *testing.B) {
	name := os.Getenv("FAQ_BENCH_SET")
	if name == "" {
		b.Skip("set FAQ_BENCH_SET")
	}
	for _, s := range evalSets(evalDir()) {
		if s.name != name {
			continue
		}
		f, cases := loadEvalSet(b, s)
		m := NewMatcher(f)
		for i := 0; b.Loop(); i++ {
			m.Match(cases[i%len(cases)].Text)
		}
	}
}
