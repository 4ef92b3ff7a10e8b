package shop

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExtractOrderNumber(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"korean dated", "주문 20251123-0042 어디쯤이에요?", "20251123-0042"},
		{"english", "where is my order 1042", "1042"},
		{"hash", "#1042", "1042"},
		{"hash in sentence", "order #1042 hasn't arrived", "1042"},
		{"label", "주문번호 1042", "1042"},
		{"label colon", "주문번호: 1042번 배송 언제 와요", "1042"},
		{"attached to hangul", "주문번호1042번이요", "1042"},
		{"full width", "주문번호 １０４２", "1042"},
		{"full width hash", "＃1042", "1042"},
		{"phone dashed", "제 번호는 010-1234-5678 이에요", ""},
		{"phone plain", "01012345678", ""},
		{"phone then order", "010-1234-5678 로 주문한 1042 어디있나요", "1042"},
		{"landline", "02-123-4567", ""},
		{"landline plain", "0212345678", ""},
		{"international", "+821012345678", ""},
		{"price comma", "35,000원 결제했어요", ""},
		{"price plain", "35000원 결제했는데 주문 1042 확인 부탁", "1042"},
		{"price spaced", "12000 원 입금했어요", ""},
		{"price won sign", "₩35000", ""},
		{"price dollar", "I paid $1042", ""},
		{"price big", "1,350,000원", ""},
		{"year", "2025년에 주문했어요", ""},
		{"year then order", "2025년 11월 주문 1042", "1042"},
		{"date dashed", "2025-11-23에 주문", ""},
		{"date dotted", "2025.11.23 주문했어요", ""},
		{"short", "주문 123", ""},
		{"too long", "123456789012345678901", ""},
		{"twenty digits", "12345678901234567890", "12345678901234567890"},
		{"sql", "1042'; DROP TABLE orders;--", "1042"},
		{"sql only", "'; DROP TABLE orders;--", ""},
		{"invalid utf8", "\xff\xfe1042\xc3", "1042"},
		{"invalid utf8 only", "\xff\xfe\xc3", ""},
		{"empty", "", ""},
		{"no number", "배송 언제 와요?", ""},
		{"word attached", "order1042", ""},
		{"original", "주문 1042 원래 어제 온다고 했는데", "1042"},
		{"months", "3개월 전 주문 20250801-7", "20250801-7"},
		{"count", "1500개 주문", ""},
		{"first wins", "1042 and 1043", "1042"},
		{"email", "minji1042@example.com", ""},
		{"newline", "안녕하세요\n주문번호\n1042", "1042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := ExtractOrderNumber(tt.text, nil), tt.want; got != want {
				t.Errorf("ExtractOrderNumber(%q) = %q, want %q", tt.text, got, want)
			}
		})
	}
}

func TestExtractOrderNumberHuge(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"1 MB of letters then a number", strings.Repeat("가", 1<<20/3) + " 1042", "1042"},
		{"too many numbers before", strings.Repeat("12345원 ", maxCandidates) + "1042", ""},
		{"number then 1 MB", "주문 1042 " + strings.Repeat("a", 1<<20), "1042"},
		{"1 MB of digits", strings.Repeat("7", 1<<20), ""},
		{"1 MB of short numbers", strings.Repeat("12 ", 1<<20/3), ""},
		{"1 MB of prices", strings.Repeat("35000원 ", 1<<20/9), ""},
		{"1 MB invalid", strings.Repeat("\xff", 1<<20), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := ExtractOrderNumber(tt.text, nil), tt.want; got != want {
				t.Errorf("ExtractOrderNumber(…) = %q, want %q", got, want)
			}
		})
	}
}

func TestExtractOrderNumberCustomPattern(t *testing.T) {
	tests := []struct {
		name, pattern, text, want string
	}{
		{"prefixed", `(?i)\bORD-\d{6}\b`, "my order ORD-123456 please", "ORD-123456"},
		{"group", `(?i)order\s*no\.?\s*(\d{5})`, "Order no. 55555 is late", "55555"},
		{"phone still rejected", `\d{11}`, "01012345678", ""},
		{"price still rejected", `\d{5}`, "35000원", ""},
		{"hash stripped", `#\d{4}`, "#1042", "1042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := regexp.MustCompile(tt.pattern)
			if got, want := ExtractOrderNumber(tt.text, re), tt.want; got != want {
				t.Errorf("ExtractOrderNumber(%q, %s) = %q, want %q", tt.text, tt.pattern, got, want)
			}
		})
	}
}

func FuzzExtractOrderNumber(f *testing.F) {
	for _, s := range []string{"주문 20251123-0042 어디쯤이에요?", "#1042", "010-1234-5678", "35,000원", "2025년",
		"1042'; DROP TABLE orders;--", "\xff1042", "１０４２", "+821012345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ExtractOrderNumber(s, nil)
		if got == "" {
			return
		}
		if !utf8.ValidString(got) || strings.HasPrefix(got, "#") {
			t.Fatalf("ExtractOrderNumber(%q) = %q: not a clean number", s, got)
		}
		if n := len(got); n < 4 || n > 20 {
			t.Fatalf("ExtractOrderNumber(%q) = %q: length %d", s, got, n)
		}
		if !DefaultOrderPattern.MatchString(got) {
			t.Fatalf("ExtractOrderNumber(%q) = %q: does not match the pattern", s, got)
		}
		// Stable: the number alone extracts to itself.
		if again := ExtractOrderNumber(got, nil); again != got {
			t.Fatalf("ExtractOrderNumber(%q) = %q, but alone it gives %q", s, got, again)
		}
	})
}
