package faq

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// evalDir holds the development data (../shared/eval beside the repository).
func evalDir() string {
	if d := os.Getenv("FAQ_EVAL_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "eval")
}

type evalSet struct {
	name, faq, cases string
}

func evalSets(dir string) []evalSet {
	return []evalSet{
		{"bitext-en", filepath.Join(dir, "bitext-en", "faq.yaml"), filepath.Join(dir, "bitext-en", "dev.jsonl")},
		{"clinc150-en", filepath.Join(dir, "clinc150-en", "faq.yaml"), filepath.Join(dir, "clinc150-en", "dev.jsonl")},
		{"ko-pairs", filepath.Join(dir, "ko-pairs", "faq.yaml"), filepath.Join(dir, "ko-pairs", "dev.jsonl")},
		{"ko-oos", "", filepath.Join(dir, "ko-oos", "dev.jsonl")}, // against the built-in example FAQ
	}
}

// exampleSet is the owner-extendable case list against the built-in FAQ.
func exampleSet() evalSet {
	return evalSet{"example", "", filepath.Join("testdata", "cases.jsonl")}
}

func loadEvalSet(t testing.TB, s evalSet) (*File, []Case) {
	t.Helper()
	f := ExampleFile()
	if s.faq != "" {
		var err error
		if f, err = Load(s.faq); err != nil {
			t.Fatal(err)
		}
	}
	r, err := os.Open(s.cases)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases, err := ReadCases(r)
	if err != nil {
		t.Fatal(err)
	}
	return f, cases
}

// TestEvalDev runs the four development evaluations with default settings
// and prints the table. It runs only with FAQ_EVAL=1 (go test -run EvalDev
// -v ./faq with FAQ_EVAL=1), because the data lives outside the repository.
func TestEvalDev(t *testing.T) {
	if os.Getenv("FAQ_EVAL") == "" {
		t.Skip("set FAQ_EVAL=1 to run the development evaluations")
	}
	dir := evalDir()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no eval data: %v", err)
	}
	fmt.Printf("%-12s %9s %9s %10s %9s %8s %8s\n", "file", "precision", "accuracy", "oos_recall", "clarified", "p50_us", "p99_us")
	for _, s := range evalSets(dir) {
		f, cases := loadEvalSet(t, s)
		r := Eval(NewMatcher(f), cases)
		answered := 1 - r.OOSRecall
		fmt.Printf("%-12s %9.3f %9.3f %10.3f %9d %8.0f %8.0f  (wrong %d, answered-oos %.4f, clarified hit %d, oos clarified %d, resolved %.3f)\n", s.name, r.Precision, r.Accuracy, r.OOSRecall, r.Clarified, r.P50us, r.P99us, r.Wrong, answered, r.ClarifiedHit, r.OOSClarified, r.Resolved)
	}
}

// shopSets are the small real-style shops: an owner's FAQ with 2–3
// phrasings per entry and customers' chat.
func shopSets(dir string) []evalSet {
	var out []evalSet
	for _, s := range []string{"ko-fashion", "ko-food", "zh-wholesale", "en-gifts"} {
		d := filepath.Join(dir, "shops", s)
		out = append(out, evalSet{s, filepath.Join(d, "faq.yaml"), filepath.Join(d, "cases.jsonl")})
	}
	return out
}

// TestEvalShops runs the shop evaluations with default settings and prints
// each shop's figures and the pooled ones (FAQ_EVAL=1).
func TestEvalShops(t *testing.T) {
	if os.Getenv("FAQ_EVAL") == "" {
		t.Skip("set FAQ_EVAL=1 to run the development evaluations")
	}
	dir := evalDir()
	if _, err := os.Stat(filepath.Join(dir, "shops")); err != nil {
		t.Skipf("no eval data: %v", err)
	}
	var pool Report
	fmt.Printf("%-13s %8s %8s %9s %10s %8s %6s %8s\n", "shop", "accuracy", "resolved", "precision", "oos_recall", "oos_clar", "wrong", "p99_us")
	for _, s := range shopSets(dir) {
		f, cases := loadEvalSet(t, s)
		m := NewMatcher(f)
		r := Eval(m, cases)
		top1 := 0
		for _, c := range cases {
			if res := m.Match(c.Text); c.Expect != "" && len(res.Candidates) > 0 && res.Candidates[0].Entry.ID == c.Expect {
				top1++
			}
		}
		fmt.Printf("%-13s %8.3f %8.3f %9.3f %10.3f %8.3f %6d %8.0f top1 %.3f\n", s.name, r.Accuracy, r.Resolved, r.Precision, r.OOSRecall, float64(r.OOSClarified)/float64(r.OutOfScope), r.Wrong, r.P99us, float64(top1)/float64(r.InScope))
		if os.Getenv("FAQ_VERBOSE") != "" {
			r.WriteText(os.Stdout)
		}
		pool.add(r)
	}
	fmt.Printf("%-13s %8.3f %8.3f %9.3f %10.3f %8.3f %6d\n", "pooled",
		float64(pool.Correct)/float64(pool.InScope), float64(pool.Correct+pool.ClarifiedHit)/float64(pool.InScope),
		float64(pool.Correct)/float64(max(1, pool.Correct+pool.Wrong)), float64(pool.OOSRefused)/float64(pool.OutOfScope),
		float64(pool.OOSClarified)/float64(pool.OutOfScope), pool.Wrong)
}

// add pools o's counts into r (the rates are left for the caller).
func (r *Report) add(o Report) {
	r.Cases += o.Cases
	r.InScope += o.InScope
	r.OutOfScope += o.OutOfScope
	r.Correct += o.Correct
	r.Wrong += o.Wrong
	r.Clarified += o.Clarified
	r.ClarifiedHit += o.ClarifiedHit
	r.Missed += o.Missed
	r.OOSRefused += o.OOSRefused
	r.OOSClarified += o.OOSClarified
}
