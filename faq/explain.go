package faq

import (
	"fmt"
	"io"
	"strings"
)

// WriteExplain writes, for a person, what the matcher decided for a question:
// the decision, then the top candidates with their scores and why they matched.
// It returns the first write error.
func WriteExplain(w io.Writer, question string, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "question: %q\n", truncate(question, 200))
	switch r.Decision {
	case Answer:
		fmt.Fprintf(&b, "decision: answer %s\n", r.Best.ID)
	case Clarify:
		ids := make([]string, len(r.Choices))
		for i, e := range r.Choices {
			ids[i] = e.ID
		}
		fmt.Fprintf(&b, "decision: clarify (%s)\n", strings.Join(ids, ", "))
	default:
		b.WriteString("decision: none (a person answers)\n")
	}
	if len(r.Candidates) == 0 {
		b.WriteString("no candidates\n")
	}
	for i, c := range r.Candidates {
		fmt.Fprintf(&b, "%d. %-24s %.3f", i+1, c.Entry.ID, c.Score)
		if len(c.Why) > 0 {
			fmt.Fprintf(&b, "  %s", strings.Join(c.Why, ", "))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
