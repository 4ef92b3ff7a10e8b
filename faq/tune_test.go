package faq

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// TestTune evaluates parameter variants given as JSON in FAQ_TUNE (a list of
// partial params objects) on the development data; for tuning only.
func TestTune(t *testing.T) {
	spec := os.Getenv("FAQ_TUNE")
	if spec == "" {
		t.Skip("set FAQ_TUNE to a JSON list of parameter overrides")
	}
	var variants []map[string]float64
	if err := json.Unmarshal([]byte(spec), &variants); err != nil {
		t.Fatal(err)
	}
	sets := evalSets(evalDir())
	type loaded struct {
		f     *File
		cases []Case
	}
	var data []loaded
	for _, s := range sets {
		f, c := loadEvalSet(t, s)
		data = append(data, loaded{f, c})
	}
	for _, v := range variants {
		p := defaultParams()
		applyOverrides(&p, v)
		fmt.Printf("== %v\n", v)
		for i, s := range sets {
			if only := os.Getenv("FAQ_SETS"); only != "" && !strings.Contains(only, s.name[:4]) {
				continue
			}
			m := newMatcher(data[i].f, p)
			r := Eval(m, data[i].cases)
			top1 := 0
			for _, c := range data[i].cases {
				res := m.Match(c.Text)
				if c.Expect != "" && len(res.Candidates) > 0 && res.Candidates[0].Entry.ID == c.Expect {
					top1++
				}
			}
			fmt.Printf("%-12s P %.3f A %.3f OOS %.3f clar %4d top1 %.3f p99 %.0f\n", s.name, r.Precision, r.Accuracy, r.OOSRecall, r.Clarified, float64(top1)/float64(max(1, r.InScope)), r.P99us)
		}
	}
}

func applyOverrides(p *params, v map[string]float64) {
	for k, x := range v {
		switch k {
		case "word":
			p.w.word = x
		case "bigram":
			p.w.bigram = x
		case "char":
			p.w.char = x
		case "jamo":
			p.w.jamo = x
		case "synonym":
			p.w.synonym = x
		case "pinyin":
			p.w.pinyin = x
		case "stop":
			p.w.stop = x
		case "nbW":
			p.nbW = x
		case "linPrune":
			p.linPrune = x
		case "threshold":
			p.threshold = x
		case "clarify":
			p.clarify = x
		case "closeRatio":
			p.closeRatio = x
		case "maxW":
			p.maxW = x
		case "centW":
			p.centW = x
		case "linW":
			p.linW = x
		case "epochs":
			p.epochs = int(x)
		case "paMargin":
			p.paMargin = x
		case "paC":
			p.paC = x
		case "repair":
			p.repair = x != 0
			p.repairMode = int(x)
		case "unknownDF":
			p.unknownDF = x
		case "kwBoost":
			p.kwBoost = x
		default:
			panic("unknown param " + k)
		}
	}
}

// TestDump writes, per development case, the top scores for offline analysis.
func TestDump(t *testing.T) {
	out := os.Getenv("FAQ_DUMP")
	if out == "" {
		t.Skip("set FAQ_DUMP to an output file")
	}
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, s := range append(evalSets(evalDir()), exampleSet()) {
		f, cases := loadEvalSet(t, s)
		m := NewMatcher(f)
		idx := m.idx.Load()
		for _, c := range cases {
			rk := m.rank(idx, c.Text)
			var sc [3]float64
			top, cov, mx, ce, nb := "", 0.0, 0.0, 0.0, 0.0
			nbTop, nbBest := "", -1.0
			for _, cd := range rk.top {
				if cd.nb > nbBest {
					nbBest, nbTop = cd.nb, idx.entries[cd.e].ID
				}
			}
			for i, cd := range rk.top {
				if i < 3 {
					sc[i] = cd.score
				}
			}
			if len(rk.top) > 0 {
				top = idx.entries[rk.top[0].e].ID
				cov, mx, ce, nb = rk.top[0].cov, rk.top[0].max, rk.top[0].c, rk.top[0].nb
			}
			label := "oos"
			if c.Expect != "" {
				label = "wrong"
				if top == c.Expect {
					label = "right"
				}
			}
			nbLabel := "oos"
			if c.Expect != "" {
				nbLabel = "wrong"
				if nbTop == c.Expect {
					nbLabel = "right"
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.4f\n", s.name, label, sc[0], sc[1], sc[2], cov, rk.known, mx, ce, nb, nbLabel, nbBest)
		}
	}
}

// TestMiss prints the in-scope cases whose right entry is not ranked first
// (FAQ_MISS=set name prefix, FAQ_TUNE=one params object); for analysis only.
func TestMiss(t *testing.T) {
	only := os.Getenv("FAQ_MISS")
	if only == "" {
		t.Skip("set FAQ_MISS")
	}
	var v map[string]float64
	json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &v)
	p := defaultParams()
	applyOverrides(&p, v)
	for _, s := range evalSets(evalDir()) {
		if !strings.HasPrefix(s.name, only) {
			continue
		}
		f, cases := loadEvalSet(t, s)
		m := newMatcher(f, p)
		for _, c := range cases {
			res := m.Explain(c.Text)
			if c.Expect == "" || len(res.Candidates) == 0 || res.Candidates[0].Entry.ID == c.Expect {
				continue
			}
			rank := -1
			for i, cd := range res.Candidates {
				if cd.Entry.ID == c.Expect {
					rank = i
				}
			}
			fmt.Printf("%q want %s (rank %d) got %s %.2f %v\n", c.Text, c.Expect, rank, res.Candidates[0].Entry.ID, res.Candidates[0].Score, res.Candidates[0].Why)
		}
	}
}

// TestSizes shows how the default threshold holds across FAQ sizes: it
// keeps the first n entries of each development FAQ and evaluates on the
// cases of those entries, with the cases of the dropped entries as
// out-of-scope questions: close in style and topic to the kept ones, so
// harder than general out-of-scope ones, and many more of them on a small
// FAQ (FAQ_SIZES=1; for analysis only).
func TestSizes(t *testing.T) {
	if os.Getenv("FAQ_SIZES") == "" {
		t.Skip("set FAQ_SIZES")
	}
	for _, s := range evalSets(evalDir())[:3] {
		f, cases := loadEvalSet(t, s)
		for _, n := range []int{5, 10, 20, 50, 100, 500, 1000, 2000} {
			if n >= len(f.Entries) {
				break
			}
			sub := *f
			sub.Entries = f.Entries[:n]
			kept := map[string]bool{}
			for _, e := range sub.Entries {
				kept[e.ID] = true
			}
			cs := make([]Case, 0, len(cases))
			for _, c := range cases {
				if c.Expect != "" && !kept[c.Expect] {
					c.Expect = ""
				}
				cs = append(cs, c)
			}
			var ov map[string]float64
			json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &ov)
			p := defaultParams()
			applyOverrides(&p, ov)
			r := Eval(newMatcher(&sub, p), cs)
			fmt.Printf("%-12s %5d entries: P %.3f A %.3f OOS %.3f (in-scope %d, out-of-scope %d, wrong answers to out-of-scope %d) clarified %d\n",
				s.name, n, r.Precision, r.Accuracy, r.OOSRecall, r.InScope, r.OutOfScope, r.OutOfScope-r.OOSRefused, r.Clarified)
		}
	}
}

// TestNoise measures robustness to how customers really type: each
// development case is rewritten with typos (one letter of a word of four or
// more letters swapped with its neighbour, dropped or doubled, for about
// every fourth word) or with its spaces removed (Korean written without
// spacing), and evaluated like the original (FAQ_NOISE=1; for analysis).
func TestNoise(t *testing.T) {
	if os.Getenv("FAQ_NOISE") == "" {
		t.Skip("set FAQ_NOISE")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	typo := func(s string) string {
		words := strings.Fields(s)
		for i, w := range words {
			r := []rune(w)
			if len(r) < 4 || rng.IntN(4) != 0 {
				continue
			}
			j := 1 + rng.IntN(len(r)-2)
			switch rng.IntN(3) {
			case 0:
				r[j], r[j+1] = r[j+1], r[j]
			case 1:
				r = append(r[:j], r[j+1:]...)
			default:
				r = append(r[:j+1], r[j:]...)
			}
			words[i] = string(r)
		}
		return strings.Join(words, " ")
	}
	nospace := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	for _, s := range evalSets(evalDir())[:3] {
		f, cases := loadEvalSet(t, s)
		var ov map[string]float64
		json.Unmarshal([]byte(os.Getenv("FAQ_TUNE")), &ov)
		p := defaultParams()
		applyOverrides(&p, ov)
		m := newMatcher(f, p)
		for _, v := range []struct {
			name string
			fn   func(string) string
		}{{"as written", func(s string) string { return s }}, {"typos", typo}, {"no spaces", nospace}} {
			cs := make([]Case, len(cases))
			for i, c := range cases {
				cs[i] = Case{v.fn(c.Text), c.Expect}
			}
			r := Eval(m, cs)
			fmt.Printf("%-12s %-10s P %.3f A %.3f OOS %.3f clarified %d\n", s.name, v.name, r.Precision, r.Accuracy, r.OOSRecall, r.Clarified)
		}
	}
}
