package faq

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Case is one line of an evaluation file (design §5): a question and the
// entry id it should get, or "" when the right outcome is no answer.
type Case struct {
	Text   string `json:"text"`
	Expect string `json:"expect"`
}

// ReadCases reads JSON lines of cases. Blank lines are skipped; a bad line's
// error names its line number.
func ReadCases(r io.Reader) ([]Case, error) {
	var cases []Case
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c Case
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("faq: read cases: line %d: %w", n, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("faq: read cases: %w", err)
	}
	return cases, nil
}

// Report is the outcome of an evaluation (design §5, field names exact).
type Report struct {
	Cases        int     `json:"cases"`
	InScope      int     `json:"in_scope"`
	OutOfScope   int     `json:"out_of_scope"`
	Correct      int     `json:"correct"`
	Wrong        int     `json:"wrong"`
	Clarified    int     `json:"clarified"`
	ClarifiedHit int     `json:"clarified_hit"`
	Missed       int     `json:"missed"`
	OOSRefused   int     `json:"oos_refused"`
	Accuracy     float64 `json:"accuracy"`
	Precision    float64 `json:"precision"`
	OOSRecall    float64 `json:"oos_recall"`
	Resolved     float64 `json:"resolved"`      // (correct + clarified_hit) / in_scope
	OOSClarified int     `json:"oos_clarified"` // out-of-scope cases offered choices
	P50us        float64 `json:"p50_us"`
	P99us        float64 `json:"p99_us"`

	wrongs []wrongAnswer
}

type wrongAnswer struct{ text, expect, got string }

// Eval runs every case through m: one warm-up pass, then a timed pass.
// correct: answered with the expected entry; wrong: answered with another
// (including any answer to an out-of-scope case); clarified: offered choices
// (clarified_hit: the expected entry among them); missed: an in-scope case
// with no answer; oos_refused: an out-of-scope case not answered (clarifying
// counts as not answering).
func Eval(m *Matcher, cases []Case) Report {
	for _, c := range cases {
		m.Match(c.Text)
	}
	var r Report
	lat := make([]float64, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		res := m.Match(c.Text)
		lat = append(lat, float64(time.Since(start).Nanoseconds())/1e3)
		r.Cases++
		if c.Expect == "" {
			r.OutOfScope++
		} else {
			r.InScope++
		}
		switch res.Decision {
		case Answer:
			if c.Expect != "" && res.Best.ID == c.Expect {
				r.Correct++
			} else {
				r.Wrong++
				r.wrongs = append(r.wrongs, wrongAnswer{c.Text, c.Expect, res.Best.ID})
			}
		case Clarify:
			r.Clarified++
			for _, e := range res.Choices {
				if c.Expect != "" && e.ID == c.Expect {
					r.ClarifiedHit++
				}
			}
			if c.Expect == "" {
				r.OOSRefused++
				r.OOSClarified++
			}
		default:
			if c.Expect == "" {
				r.OOSRefused++
			} else {
				r.Missed++
			}
		}
	}
	if r.InScope > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.InScope)
		r.Resolved = float64(r.Correct+r.ClarifiedHit) / float64(r.InScope)
	}
	if r.Correct+r.Wrong > 0 {
		r.Precision = float64(r.Correct) / float64(r.Correct+r.Wrong)
	}
	if r.OutOfScope > 0 {
		r.OOSRecall = float64(r.OOSRefused) / float64(r.OutOfScope)
	}
	sort.Float64s(lat)
	r.P50us, r.P99us = percentile(lat, 0.50), percentile(lat, 0.99)
	return r
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// WriteText writes the report as plain text for `shopbot faq eval`, with up
// to ten of the wrong answers.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "cases        %d (in scope %d, out of scope %d)\n", r.Cases, r.InScope, r.OutOfScope)
	fmt.Fprintf(&b, "correct      %d\n", r.Correct)
	fmt.Fprintf(&b, "wrong        %d\n", r.Wrong)
	fmt.Fprintf(&b, "clarified    %d (expected entry offered: %d)\n", r.Clarified, r.ClarifiedHit)
	fmt.Fprintf(&b, "missed       %d\n", r.Missed)
	fmt.Fprintf(&b, "oos refused  %d\n", r.OOSRefused)
	fmt.Fprintf(&b, "accuracy     %.3f\n", r.Accuracy)
	fmt.Fprintf(&b, "precision    %.3f\n", r.Precision)
	fmt.Fprintf(&b, "oos recall   %.3f (offered choices: %d)\n", r.OOSRecall, r.OOSClarified)
	fmt.Fprintf(&b, "resolved     %.3f\n", r.Resolved)
	fmt.Fprintf(&b, "latency      p50 %.0f µs, p99 %.0f µs\n", r.P50us, r.P99us)
	for i, wa := range r.wrongs {
		if i == 0 {
			b.WriteString("wrong answers (first 10):\n")
		}
		if i == 10 {
			break
		}
		expect := wa.expect
		if expect == "" {
			expect = "(none)"
		}
		fmt.Fprintf(&b, "  %q: got %s, want %s\n", truncate(wa.text, 120), wa.got, expect)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
