package faq

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestKindDev(t *testing.T) {
	if os.Getenv("FAQ_KIND") == "" {
		t.Skip("set FAQ_KIND")
	}
	start := time.Now()
	km := builtinKinds()
	fmt.Println("build", time.Since(start), len(km.kinds))
	kidx := km.m.idx.Load()
	fmt.Println("phrases", len(kidx.phrases), "features", len(kidx.keys))
	for _, s := range shopSets(evalDir()) {
		if only := os.Getenv("FAQ_SHOP"); only != "" && only != s.name {
			continue
		}
		f, cases := loadEvalSet(t, s)
		fmt.Println("==", s.name)
		for _, e := range f.Entries {
			fmt.Printf("%s\n", e.ID)
			for _, q := range append(append([]string{}, e.Questions...), e.Answer) {
				rk := km.m.rank(kidx, q)
				r := km.m.candidates(kidx, &rk)
				fmt.Printf("   %-40.40s", q)
				for i, c := range r.Candidates {
					if i >= 3 {
						break
					}
					fmt.Printf(" %s %.2f/%.2f", c.Entry.ID, rk.top[i].score, c.Score)
				}
				fmt.Println()
			}
		}
		if os.Getenv("FAQ_CASES") != "" {
			for _, c := range cases {
				rk := km.m.rank(kidx, c.Text)
				r := km.m.candidates(kidx, &rk)
				fmt.Printf("%-20s %-40.40s", c.Expect, c.Text)
				for i, c := range r.Candidates {
					if i >= 3 {
						break
					}
					fmt.Printf(" %s %.2f/%.2f", c.Entry.ID, rk.top[i].score, c.Score)
				}
				fmt.Println()
			}
		}
	}
}

// TestDumpKinds writes every candidate's evidence as JSON lines for
// analysis (FAQ_DUMP=file).
func TestDumpKinds(t *testing.T) {
	out := os.Getenv("FAQ_DUMP")
	if out == "" {
		t.Skip("set FAQ_DUMP")
	}
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sets := shopSets(evalDir())
	if os.Getenv("FAQ_PUBLIC") != "" {
		sets = append(sets, evalSets(evalDir())...)
	}
	if os.Getenv("FAQ_SPARSE") != "" {
		sets = append(sets, evalSet{"bitext-3", "", ""}, evalSet{"clinc-3", "", ""})
	}
	for _, s := range sets {
		var f *File
		var cases []Case
		switch s.name {
		case "bitext-3", "clinc-3":
			f, cases = loadEvalSet(t, evalSets(evalDir())[map[string]int{"bitext-3": 0, "clinc-3": 1}[s.name]])
			for _, e := range f.Entries {
				e.Questions = e.Questions[:min(3, len(e.Questions))]
			}
			if s.name == "clinc-3" { // a third of the cases: enough to fit on
				var c3 []Case
				for i := 0; i < len(cases); i += 3 {
					c3 = append(c3, cases[i])
				}
				cases = c3
			}
		default:
			f, cases = loadEvalSet(t, s)
		}
		m := NewMatcher(f)
		idx := m.idx.Load()
		nq := 0
		for _, e := range f.Entries {
			nq += len(e.Questions)
		}
		for ci, c := range cases {
			rk := m.rank(idx, c.Text)
			if rk.choseong != nil {
				continue
			}
			r := m.candidates(idx, &rk)
			q, ev := m.kindEvidence(idx, c.Text, &rk, &r)
			kp1, kmax := 0.0, 0.0
			if len(q.kinds) > 0 {
				kp1, kmax = q.kinds[0].p, q.kinds[0].max
			}
			if len(ev) == 0 {
				fmt.Fprintf(w, `{"set":%q,"case":%d,"inscope":%t,"none":true}`+"\n", s.name, ci, c.Expect != "")
			}
			for _, x := range ev {
				var sc scored
				if x.rank < len(rk.top) {
					sc = rk.top[x.rank]
				}
				y := c.Expect != "" && idx.entries[x.e].ID == c.Expect
				fmt.Fprintf(w, `{"text":%q,"expect":%q,"entry":%q,"set":%q,"case":%d,"inscope":%t,"y":%t,"own":%g,"rank":%d,"kS":%g,"kTop":%g,"unowned":%g,"used":%t,"known":%g,"kp1":%g,"score":%g,"max":%g,"cent":%g,"nb":%g,"lin":%g,"entries":%d,"perEntry":%g,"ans":%g,"kmax":%g}`+"\n",
					c.Text, c.Expect, idx.entries[x.e].ID, s.name, ci, c.Expect != "", y, x.own, x.rank, x.kS, x.kTop, q.unowned, q.used, rk.known, kp1, sc.score, sc.max, sc.c, sc.nb, sc.lin, len(f.Entries), float64(nq)/float64(len(f.Entries)), x.ans, kmax)
			}
		}
	}
}

func TestKindCases(t *testing.T) {
	set := os.Getenv("FAQ_KCASES")
	if set == "" {
		t.Skip("set FAQ_KCASES")
	}
	all := append(shopSets(evalDir()), evalSets(evalDir())...)
	for _, s := range all {
		if s.name != set {
			continue
		}
		f, cases := loadEvalSet(t, s)
		m := NewMatcher(f)
		km := builtinKinds()
		n := 0
		for _, c := range cases {
			r := m.Explain(c.Text)
			show := os.Getenv("FAQ_SHOW")
			ok := r.Decision == Answer && r.Best.ID == c.Expect
			if show == "clarify" && r.Decision != Clarify || show == "wrong" && (r.Decision != Answer || ok) || show == "miss" && (r.Decision == Answer || c.Expect == "") {
				continue
			}
			if n++; n > 40 {
				break
			}
			fmt.Printf("%-7s %-18s %s\n", r.Decision, c.Expect, c.Text)
			for _, kp := range km.classify(c.Text) {
				fmt.Printf("      kind %-20s %.2f max %.2f\n", km.kinds[kp.k].ID, kp.p, kp.max)
			}
			for i, cd := range r.Candidates {
				if i < 3 {
					fmt.Printf("      cand %-20s %.2f %v\n", cd.Entry.ID, cd.Score, cd.Why)
				}
			}
		}
	}
}
