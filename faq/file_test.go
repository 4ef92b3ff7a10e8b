package faq

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseValid(t *testing.T) {
	src := `version: 1
language: en
threshold: 0.4
synonyms: [[parcel, package]]
entries:
  - id: hours
    questions: [when are you open, opening hours]
    keywords: [hours]
    answer: "We are open {{.Shop.Hours}}."
    answers:
      ko: "{{.Shop.Hours}}에 열어요."
    action: human
`
	f, err := Parse("faq.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &File{
		Name: "faq.yaml", Version: 1, Language: "en", Threshold: 0.4,
		Synonyms: [][]string{{"parcel", "package"}},
		Entries: []*Entry{{
			ID: "hours", Questions: []string{"when are you open", "opening hours"}, Keywords: []string{"hours"},
			Answer: "We are open {{.Shop.Hours}}.", Answers: map[string]string{"ko": "{{.Shop.Hours}}에 열어요."},
			Action: ActionHuman, Line: 6,
		}},
	}
	if diff := cmp.Diff(want, f, cmpopts.IgnoreUnexported(Entry{})); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if got := f.Entry("hours"); got != f.Entries[0] {
		t.Errorf("Entry(hours) = %v", got)
	}
	if got := f.Entry("nope"); got != nil {
		t.Errorf("Entry(nope) = %v, want nil", got)
	}
}

// TestParseErrors checks that each kind of problem names the file, the line
// and, for entries, the entry id.
func TestParseErrors(t *testing.T) {
	const head = "version: 1\nentries:\n"
	tests := []struct {
		name, src string
		want      []string // each must appear in the error text
	}{
		{"yaml syntax", "version: 1\nentries:\n  - id: a\n   questions: [x\n", []string{"faq.yaml:", "yaml:"}},
		{"empty", "", []string{"faq.yaml:1: empty file"}},
		{"version", "version: 2\nentries:\n  - {id: a, questions: [x], answer: y}\n", []string{"faq.yaml:1: version must be 1"}},
		{"no version", "entries:\n  - {id: a, questions: [x], answer: y}\n", []string{"faq.yaml:1: version is required"}},
		{"no entries", "version: 1\n", []string{"entries are required"}},
		{"unknown top key", "version: 1\nlanguage: ko\nthreshhold: 0.5\nentries:\n  - {id: a, questions: [x], answer: y}\n", []string{`faq.yaml:3: unknown key "threshhold" (did you mean "threshold"?)`}},
		{"threshold range", "version: 1\nthreshold: 1.5\nentries:\n  - {id: a, questions: [x], answer: y}\n", []string{"faq.yaml:2: threshold must be a number from 0 to 1"}},
		{"language", "version: 1\nlanguage: jp\nentries:\n  - {id: a, questions: [x], answer: y}\n", []string{"faq.yaml:2: language must be one of ko, en, zh"}},
		{"missing id", head + "  - questions: [x]\n    answer: y\n", []string{"faq.yaml:3: id is required"}},
		{"bad id", head + "  - id: Shipping Time\n    questions: [x]\n    answer: y\n", []string{`faq.yaml:3: entry "Shipping Time": id must use only`}},
		{"duplicate id", head + "  - id: a\n    questions: [x]\n    answer: y\n  - id: a\n    questions: [z]\n    answer: w\n", []string{`faq.yaml:6: entry "a": duplicate id (first at line 3)`}},
		{"no questions", head + "  - id: a\n    questions: [\"  \"]\n    answer: y\n", []string{`faq.yaml:3: entry "a": at least one non-empty question`}},
		{"no answer", head + "  - id: a\n    questions: [x]\n    answers: {en: y}\n", []string{`faq.yaml:3: entry "a": answer is required`}},
		{"typo key", head + "  - id: a\n    questions: [x]\n    anwser: y\n", []string{`faq.yaml:5: entry "a": unknown key "anwser" (did you mean "answer"?)`, `entry "a": answer is required`}},
		{"unknown action", head + "  - id: a\n    questions: [x]\n    answer: y\n    action: refund\n", []string{`faq.yaml:6: entry "a": unknown action "refund"`}},
		{"template syntax", head + "  - id: a\n    questions: [x]\n    answer: \"{{.Order.Number\"\n", []string{`faq.yaml:5: entry "a": answer: template:`}},
		{"template field", head + "  - id: a\n    questions: [x]\n    answer: |\n      hello\n      {{.Ordr.Number}}\n", []string{`faq.yaml:7: entry "a": answer: template:`, "Ordr"}},
		{"answers field", head + "  - id: a\n    questions: [x]\n    answer: y\n    answers:\n      en: \"{{.Shop.Phon}}\"\n", []string{`faq.yaml:7: entry "a": answers.en: template:`}},
		{"answers language", head + "  - id: a\n    questions: [x]\n    answer: y\n    answers:\n      jp: z\n", []string{`faq.yaml:7: entry "a": answers: unknown language "jp"`}},
		{"duplicate key", head + "  - id: a\n    questions: [x]\n    answer: y\n    answer: z\n", []string{`faq.yaml:6: entry "a": duplicate key "answer"`}},
		{"entry not mapping", head + "  - just text\n", []string{"faq.yaml:3: an entry must be a mapping"}},
		{"synonyms shape", "version: 1\nsynonyms: [[a]]\nentries:\n  - {id: a, questions: [x], answer: y}\n", []string{"faq.yaml:2: synonyms: a group needs at least two words"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("faq.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error %v is not a *Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseAllErrorsJoined(t *testing.T) {
	src := "version: 3\nentries:\n  - id: a\n    questions: [x]\n  - id: a\n    questions: [y]\n    answer: z\n    action: nope\n"
	_, err := Parse("f.yaml", []byte(src))
	if err == nil {
		t.Fatal("want errors")
	}
	if got, want := strings.Count(err.Error(), "\n")+1, 4; got != want {
		t.Errorf("got %d problems, want %d:\n%v", got, want, err)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "faq.yaml", Line: 12, Entry: "shipping", Msg: "duplicate id (first at line 4)"}, `faq.yaml:12: entry "shipping": duplicate id (first at line 4)`},
		{Error{File: "faq.yaml", Line: 1, Msg: "version must be 1"}, "faq.yaml:1: version must be 1"},
		{Error{File: "faq.yaml", Msg: "x"}, "faq.yaml: x"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "faq.yaml")
	if err := os.WriteFile(path, Example(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Name, path; got != want {
		t.Errorf("Name = %q, want %q", got, want)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

func TestExampleFile(t *testing.T) {
	f := ExampleFile()
	if got := len(f.Entries); got < 25 {
		t.Errorf("example has %d entries, want at least 25", got)
	}
	if got, want := f.Language, "ko"; got != want {
		t.Errorf("Language = %q, want %q", got, want)
	}
	for _, id := range []string{"shipping-time", "shipping-fee", "free-shipping", "tracking", "order-status", "remote-area",
		"exchange-policy", "return-policy", "return-how", "refund-timing", "payment-methods", "deposit-confirm", "cash-receipt",
		"tax-invoice", "size-guide", "restock", "gift-wrap", "bulk-order", "store-hours", "contact", "address-change",
		"cancel-policy", "coupon-points", "overseas-shipping", "product-care", "sold-out", "exchange-size-cost"} {
		e := f.Entry(id)
		if e == nil {
			t.Errorf("example lacks %q", id)
			continue
		}
		if e.Answers["en"] == "" {
			t.Errorf("%s: no English answer", id)
		}
	}
	if got, want := f.Entry("tracking").Action, ActionDelivery; got != want {
		t.Errorf("tracking action = %q, want %q", got, want)
	}
	if got, want := f.Entry("order-status").Action, ActionOrderStatus; got != want {
		t.Errorf("order-status action = %q, want %q", got, want)
	}
	// Every answer renders with and without an order, in every language.
	for _, e := range f.Entries {
		for _, lang := range []string{"ko", "en", "zh", ""} {
			for _, d := range []Data{{}, {Order: &Order{Number: "1001", TrackingNumber: "123"}, Shop: Shop{Name: "하루상점", Phone: "02-000-0000"}}} {
				out, err := e.Render(lang, d)
				if err != nil || out == "" {
					t.Errorf("%s Render(%q) = %q, %v", e.ID, lang, out, err)
				}
			}
		}
	}
}
