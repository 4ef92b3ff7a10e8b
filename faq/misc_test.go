package faq

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"배송 언제 와요", "ko"},
		{"order 배송", "ko"},
		{"什么时候发货", "zh"},
		{"where is my order", "en"},
		{"いつ届きますか", ""},
		{"12345 😀", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := DetectLanguage(tt.text); got != tt.want {
				t.Errorf("DetectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ＨＥＬＬＯ！！！ World", "hello world"},
		{"배송   언제?? 와요~~ 😀", "배송 언제 와요"},
		{"can't", "cant"},
		{"a\xffb", "a b"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRender(t *testing.T) {
	f := ExampleFile()
	tr := f.Entry("tracking")
	d := Data{Order: &Order{Number: "1001", Carrier: "CJ대한통운", TrackingNumber: "6543", TrackingURL: "https://t.example/6543"}}
	tests := []struct {
		name, lang string
		data       Data
		want       []string
	}{
		{"ko with order", "ko", d, []string{"1001", "CJ대한통운", "6543", "https://t.example/6543"}},
		{"en with order", "en", d, []string{"Order 1001", "6543"}},
		{"unknown language falls back", "fr", d, []string{"송장번호는 6543"}},
		{"no order", "ko", Data{}, []string{"주문번호를 알려 주시면"}},
		{"not shipped", "en", Data{Order: &Order{Number: "7"}}, []string{"has not shipped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tr.Render(tt.lang, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render = %q, want it to contain %q", got, w)
				}
			}
		})
	}
	// Customer text in data is never executed as a template.
	e := &Entry{ID: "x", Answer: "안녕하세요 {{.Customer.Name}}님"}
	got, err := e.Render("ko", Data{Customer: Customer{Name: "{{.Shop.Phone}}"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "안녕하세요 {{.Shop.Phone}}님"; got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
	// A nil order used directly is an error, never a panic.
	e = &Entry{ID: "y", Answer: "{{.Order.Number}}"}
	if _, err := e.Render("ko", Data{}); err == nil {
		t.Error("Render with nil order: want an error")
	}
}

func TestReadCases(t *testing.T) {
	in := "{\"text\":\"a\",\"expect\":\"x\"}\n\n{\"text\":\"b\",\"expect\":\"\"}\n"
	got, err := ReadCases(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Case{{"a", "x"}, {"b", ""}}, got); diff != "" {
		t.Errorf("ReadCases (-want +got):\n%s", diff)
	}
	_, err = ReadCases(strings.NewReader(in + "{bad\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("ReadCases(bad line 4) = %v, want an error naming line 4", err)
	}
}

func TestEval(t *testing.T) {
	m := NewMatcher(ExampleFile())
	cases := []Case{
		{"배송비 얼마예요?", "shipping-fee"},
		{"배송비 얼마예요?", "tax-invoice"},
		{"오늘 날씨 좋다", ""},
		{"배송비 얼마예요?", ""},
		{"xyzzy plugh", "contact"},
	}
	r := Eval(m, cases)
	r.P50us, r.P99us = 0, 0
	want := Report{Cases: 5, InScope: 3, OutOfScope: 2, Correct: 1, Wrong: 2, Missed: 1, OOSRefused: 1,
		Accuracy: 1.0 / 3, Precision: 1.0 / 3, OOSRecall: 0.5, Resolved: 1.0 / 3}
	if diff := cmp.Diff(want, r, cmp.AllowUnexported(Report{}), cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".wrongs"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("Eval (-want +got):\n%s", diff)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"precision    0.333", "got shipping-fee, want tax-invoice", "want (none)"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("WriteText missing %q:\n%s", w, b.String())
		}
	}
}

// TestWriteExplainGolden pins the explanation format (go test -update to
// rewrite testdata/explain.golden).
func TestWriteExplainGolden(t *testing.T) {
	m := NewMatcher(ExampleFile())
	var b bytes.Buffer
	for _, q := range []string{"배송비 얼마예요?", "반품 주소가 어디예요", "오늘 날씨 좋다", "ㅂㅅㅂ", "where is my package"} {
		if err := WriteExplain(&b, q, m.Explain(q)); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
	}
	golden := filepath.Join("testdata", "explain.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("WriteExplain mismatch (-want +got):\n%s", diff)
	}
}

func TestLearn(t *testing.T) {
	m := NewMatcher(ExampleFile())
	q := "택배 박스 재활용 되나요 뽁뽁이" // no keyword of any entry: "포장" is gift-wrap's
	if r := m.Match(q); r.Decision == Answer && r.Best.ID == "gift-wrap" {
		t.Fatalf("already answered before learning")
	}
	before := m.idx.Load()
	if err := m.Learn("gift-wrap", q); err != nil {
		t.Fatal(err)
	}
	if m.idx.Load() != before {
		t.Error("one learned phrasing rebuilt the index; want it on top of it")
	}
	for _, ask := range []string{q, "택배 박스 재활용 되나요?? 뽁뽁이"} { // as learned; punctuation apart
		if r := m.Match(ask); r.Decision != Answer || r.Best.ID != "gift-wrap" {
			t.Errorf("after Learn, %q: %v %v", ask, r.Decision, r.Candidates)
		}
	}
	// Past maxRecent phrasings one rebuild takes them all in, and the
	// learned question is still answered from the rebuilt index.
	for i := 0; i <= maxRecent; i++ {
		if err := m.Learn("contact", fmt.Sprintf("담당자 %d번 연결해 주세요", i)); err != nil {
			t.Fatal(err)
		}
	}
	if m.idx.Load() == before || len(*m.recent.Load()) > maxRecent {
		t.Errorf("after %d learned phrasings: no rebuild (%d on top)", maxRecent+2, len(*m.recent.Load()))
	}
	if r := m.Match(q); r.Decision != Answer || r.Best.ID != "gift-wrap" {
		t.Errorf("after the rebuild: %v %v", r.Decision, r.Candidates)
	}
	if err := m.Learn("no-such-entry", q); err == nil {
		t.Error("Learn(unknown id): want an error")
	}
	if err := m.Learn("gift-wrap", " !! "); err == nil {
		t.Error("Learn(empty): want an error")
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := NewMatcher(ExampleFile())
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				m.Match("배송 언제 와요")
				if i == 0 && j%10 == 0 {
					m.Learn("shipping-time", "배송 언제쯤 받아 볼 수 있죠")
				}
			}
		}()
	}
	wg.Wait()
}

func TestMatchHugeAndOddInput(t *testing.T) {
	m := NewMatcher(ExampleFile())
	inputs := []string{
		"", " ", "\x00\xff\xfe", strings.Repeat("배송", 500000), strings.Repeat("a", 1<<20),
		strings.Repeat("😀", 300000), strings.Repeat("ㅂ", 100000), strings.Repeat("abcdefghij ", 100000),
	}
	for _, in := range inputs {
		start := time.Now()
		r := m.Match(in)
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("Match(len %d) took %v", len(in), d)
		}
		if r.Decision == Answer && r.Best == nil {
			t.Errorf("Answer without Best")
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Example())
	f.Add([]byte("version: 1\nentries:\n  - {id: a, questions: [x], answer: \"{{.Order.Number}}\"}\n"))
	f.Add([]byte("version: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.yaml", data)
		if err != nil {
			return
		}
		m := NewMatcher(file)
		m.Match("배송 언제 와요")
		for _, e := range file.Entries {
			e.Render("ko", Data{})
		}
	})
}

func FuzzMatch(f *testing.F) {
	m := NewMatcher(ExampleFile())
	for _, s := range []string{"배송 언제 와요", "ㅂㅅㅂ", "where is my package", "什么时候发货", "\xff", "ＡＢＣ！！"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := m.Match(s)
		if r.Decision == Answer && r.Best == nil {
			t.Fatal("answer without best")
		}
		if r.Decision == Clarify && (len(r.Choices) < 2 || len(r.Choices) > 3) {
			t.Fatalf("clarify with %d choices", len(r.Choices))
		}
		if len(r.Candidates) > 5 {
			t.Fatalf("%d candidates", len(r.Candidates))
		}
		for _, c := range r.Candidates {
			if c.Score < 0 || c.Score > 1 || c.Score != c.Score {
				t.Fatalf("score %v out of range", c.Score)
			}
		}
		if n := normalize(s); !utf8.ValidString(n) {
			t.Fatalf("normalize gave invalid UTF-8")
		}
	})
}

func TestIrregularForms(t *testing.T) {
	tests := []struct{ a, b string }{
		{"bought", "buy"}, {"paid", "pays"}, {"sent", "sending"}, {"children", "child"}, {"went", "go"},
	}
	for _, tt := range tests {
		a, b := tokenize(normalize(tt.a)), tokenize(normalize(tt.b))
		if a[0].stem != b[0].stem {
			t.Errorf("%q stems to %q, %q to %q: want the same", tt.a, a[0].stem, tt.b, b[0].stem)
		}
	}
}

// TestSynonymCovers checks which words a synonym group covers whole: such a
// word, when the FAQ lacks it, counts only through its group.
func TestSynonymCovers(t *testing.T) {
	ti := newTermIndex()
	for _, g := range builtinSynonyms {
		ti.add(g, true)
	}
	tests := []struct {
		text string
		want []bool
	}{
		{"where is my parcel", []bool{false, false, false, true}},
		{"money back please", []bool{true, true, false}},
		{"택배는 언제", []bool{true, false}},
		{"돈 돌려 주세요", []bool{true, true, false}},
		{"배송비 얼마", []bool{true, false}}, // the shipping-fee group, not 배송 inside it
		{"运费多少", []bool{false}},         // a Han run is a phrase
	}
	for _, tt := range tests {
		_, got := ti.match(tokenize(normalize(tt.text)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("match(%q) covered (-want +got):\n%s", tt.text, diff)
		}
	}
	m := NewMatcher(ExampleFile()) // its phrasings say package, never parcel
	if r := m.Match("where is my parcel"); r.Decision != Answer || r.Best.ID != "tracking" {
		t.Errorf(`Match("where is my parcel") = %v %v, want an answer from tracking`, r.Decision, r.Candidates)
	}
}
