package faq

import (
	"os"
	"strings"
	"testing"
)

// TestMatchCases runs testdata/cases.jsonl against the built-in example FAQ:
// a case list a shop owner can extend. A wrong answer fails its case (a wrong
// answer costs more than a ticket); an in-scope case that gets no answer is a
// miss, logged, and misses must stay rare.
func TestMatchCases(t *testing.T) {
	r, err := os.Open("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cases, err := ReadCases(r)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(ExampleFile())
	inScope, correct := 0, 0
	for _, c := range cases {
		if c.Expect != "" {
			inScope++
		}
		t.Run(c.Text, func(t *testing.T) {
			res := m.Match(c.Text)
			var b strings.Builder
			WriteExplain(&b, c.Text, res)
			switch {
			case res.Decision == Answer && res.Best.ID == c.Expect:
				correct++
			case res.Decision == Answer:
				t.Errorf("Match(%q) answered %q, want %q\n%s", c.Text, res.Best.ID, c.Expect, b.String())
			case c.Expect != "":
				t.Logf("miss: %s", b.String())
			}
		})
	}
	if got, want := float64(correct)/float64(inScope), 0.80; got < want {
		t.Errorf("answered %d of %d in-scope cases correctly (%.2f), want at least %.2f", correct, inScope, got, want)
	}
}
