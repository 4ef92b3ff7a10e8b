package tickets_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopbot/shopbot/tickets"
)

// classifyCase is one line of testdata/classify.jsonl. Category "" means
// the message is not a ticket (the FAQ matcher answers it).
type classifyCase struct {
	Text     string `json:"text"`
	Category string `json:"category"`
	Note     string `json:"note,omitempty"`
	line     int
}

func readCases(t testing.TB) []classifyCase {
	t.Helper()
	f, err := os.Open("testdata/classify.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []classifyCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c classifyCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("testdata/classify.jsonl:%d: %v", line, err)
		}
		c.line = line
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestClassify(t *testing.T) {
	cases := readCases(t)
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d", c.line), func(t *testing.T) {
			got, ok := tickets.Classify(c.Text)
			if !ok {
				got = tickets.Classification{}
			}
			if got, want := string(got.Category), c.Category; got != want {
				t.Errorf("classify.jsonl:%d: Classify(%q) = %q, want %q (%s)", c.line, c.Text, got, want, c.Note)
			}
			if ok != (c.Category != "") {
				t.Errorf("classify.jsonl:%d: ok = %v with category %q", c.line, ok, got.Category)
			}
			if ok {
				if got, want := got.Priority, tickets.CategoryPriority(got.Category); got != want {
					t.Errorf("priority = %q, want %q", got, want)
				}
				if got.Reason == "" {
					t.Error("empty Reason")
				}
			}
		})
	}
}

func TestClassifyReasonAndPriority(t *testing.T) {
	tests := []struct {
		text string
		want tickets.Classification
	}{
		{"상품이 파손되어 왔어요", tickets.Classification{Category: tickets.Complaint, Priority: tickets.High, Reason: "damaged: 파손"}},
		{"소비자원에 신고할게요", tickets.Classification{Category: tickets.Escalation, Priority: tickets.Urgent, Reason: "legal: 소비자원"}},
		{"환불해 주세요", tickets.Classification{Category: tickets.Refund, Priority: tickets.High, Reason: "refund request: 환불…해주"}},
		{"ＣＡＮＣＥＬ ＭＹ ＯＲＤＥＲ", tickets.Classification{Category: tickets.Cancellation, Priority: tickets.High, Reason: "cancel request: cancel my order"}},
		{"꺼져", tickets.Classification{Category: tickets.Abuse, Priority: tickets.Low, Reason: "abuse: 꺼져"}},
		{"건의합니다", tickets.Classification{Category: tickets.Feedback, Priority: tickets.Low, Reason: "feedback: 건의"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := tickets.Classify(tt.text)
			if !ok || got != tt.want {
				t.Errorf("Classify(%q) = %+v, %v; want %+v", tt.text, got, ok, tt.want)
			}
		})
	}
}

func TestClassifyHostile(t *testing.T) {
	tests := map[string]string{
		"invalid utf-8":       "\xff\xfe환불\xc3해 주세요\x00",
		"1 MB":                strings.Repeat("배송 언제 와요 ", 1<<16),
		"1 MB, cue at start":  "파손 " + strings.Repeat("a", 1<<20),
		"cut inside a rune":   strings.Repeat("a", 16<<10-1) + "가나다",
		"only punctuation":    "?!?!...",
		"only spaces":         "   \t\n",
		"combining marks":     "e\u0301\u0301\u0301",
		"hangul jamo":         "환불",
		"lone surrogate-ish":  "\xed\xa0\x80",
		"truncated multibyte": "환\xeb",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			tickets.Classify(text) // must not panic
		})
	}
	if c, ok := tickets.Classify("파손 " + strings.Repeat("a", 1<<20)); !ok || c.Category != tickets.Complaint {
		t.Errorf("cue before 1 MB of text: %+v, %v", c, ok)
	}
}

func FuzzClassify(f *testing.F) {
	for _, c := range readCases(f) {
		f.Add(c.Text)
	}
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, text string) {
		c, ok := tickets.Classify(text)
		if ok != (c.Category != "") {
			t.Fatalf("ok = %v with %+v", ok, c)
		}
		if ok && (!c.Priority.Valid() || c.Reason == "" || !utf8.ValidString(c.Reason)) {
			t.Fatalf("bad classification %+v", c)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	cases := readCases(b)
	b.Run("cases", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			tickets.Classify(cases[i%len(cases)].Text)
		}
	})
	long := strings.Repeat("배송 언제 와요 how long does shipping take ", 1<<15)
	b.Run("1MB", func(b *testing.B) {
		for b.Loop() {
			tickets.Classify(long)
		}
	})
}

func ExampleClassify() {
	for _, text := range []string{"상품이 파손되어 왔어요", "환불 얼마나 걸려요?", "I want a refund"} {
		if c, ok := tickets.Classify(text); ok {
			fmt.Printf("%s (%s) — %s\n", c.Category, c.Priority, c.Reason)
		} else {
			fmt.Println("no ticket: the FAQ answers")
		}
	}
	// Output:
	// complaint (high) — damaged: 파손
	// no ticket: the FAQ answers
	// refund (high) — refund request: i want a refund
}
