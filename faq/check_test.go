package faq

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []string // substrings of the warnings, in order of line
		none bool     // no warning at all
	}{
		{"one phrasing", `version: 1
entries:
  - id: fee
    questions:
      - 배송비 얼마예요?
    answer: 3,000원이에요.
  - id: refund-time
    questions:
      - 환불 언제 돼요?
      - 환불은 며칠 걸려요?
    answer: 3일 안에 돼요.
`, []string{"fee: only one phrasing"}, false},
		{"two entries of one kind", `version: 1
entries:
  - id: fridge
    questions:
      - 냉장 보관해야 하나요?
      - 보관 방법 알려주세요
    answer: 냉장 보관해 주세요.
  - id: freezer
    questions:
      - 냉동 보관 가능해요?
      - 얼려도 돼요?
    answer: 냉동하면 한 달까지 괜찮아요.
`, []string{`look like "storage" questions`}, false},
		{"clean", `version: 1
entries:
  - id: fee
    questions:
      - 배송비 얼마예요?
      - 택배비 있나요?
    answer: 3,000원이에요.
  - id: refund-time
    questions:
      - 환불 언제 돼요?
      - 환불은 며칠 걸려요?
    answer: 3일 안에 돼요.
`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("faq.yaml", []byte(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range NewMatcher(f).Check() {
				got = append(got, w.Entry+": "+w.Msg)
			}
			if tt.none && len(got) > 0 {
				t.Fatalf("warnings on a clean file:\n%s", strings.Join(got, "\n"))
			}
			all := strings.Join(got, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("no warning with %q in:\n%s", w, all)
				}
			}
		})
	}
}
