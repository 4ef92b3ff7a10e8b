package shop

import "testing"

func TestFormatWon(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0원"}, {900, "900원"}, {1000, "1,000원"}, {32000, "32,000원"}, {999999, "999,999원"},
		{1350000, "1,350,000원"}, {-32000, "-32,000원"}, {-100, "-100원"},
		{-9223372036854775808, "-9,223,372,036,854,775,808원"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatWon(tt.n); got != tt.want {
				t.Errorf("FormatWon(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"010-1234-5678", "010-****-5678"},
		{"01012345678", "010-****-5678"},
		{"010-123-5678", "010-***-5678"},
		{"02-123-4567", "02-1**-4567"},
		{"+82 10-1234-5678", "+82 1*-****-5678"},
		{"5678", "****"},
		{"12345", "*2345"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskPhone(tt.in); got != tt.want {
				t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"minji@example.com", "m***@example.com"},
		{" Minji@Example.com ", "M***@Example.com"},
		{"a@b.c", "a***@b.c"},
		{"민지@example.kr", "민***@example.kr"},
		{"@example.com", "***@example.com"},
		{"no-at-sign", "***"},
		{"\xff@example.com", "***@example.com"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskEmail(tt.in); got != tt.want {
				t.Errorf("MaskEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPhoneLast4Matches(t *testing.T) {
	tests := []struct {
		phone, given string
		want         bool
	}{
		{"010-1234-5678", "5678", true},
		{"010-1234-5678", " 56-78 ", true},
		{"01012345678", "5678", true},
		{"010-1234-5678", "５６７８", true},
		{"010-1234-5678", "5679", false},
		{"010-1234-5678", "678", false},
		{"010-1234-5678", "45678", false},
		{"010-1234-5678", "56a78", false},
		{"010-1234-5678", "", false},
		{"", "5678", false},
		{"567", "0567", false},
	}
	for _, tt := range tests {
		t.Run(tt.phone+"/"+tt.given, func(t *testing.T) {
			if got := PhoneLast4Matches(tt.phone, tt.given); got != tt.want {
				t.Errorf("PhoneLast4Matches(%q, %q) = %v, want %v", tt.phone, tt.given, got, tt.want)
			}
		})
	}
}

func TestEmailMatches(t *testing.T) {
	tests := []struct {
		email, given string
		want         bool
	}{
		{"minji@example.com", "minji@example.com", true},
		{"minji@example.com", "  MinJi@Example.COM\n", true},
		{"minji@example.com", "minji@example.co", false},
		{"minji@example.com", "", false},
		{"", "", false},
		{"", " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.email+"/"+tt.given, func(t *testing.T) {
			if got := EmailMatches(tt.email, tt.given); got != tt.want {
				t.Errorf("EmailMatches(%q, %q) = %v, want %v", tt.email, tt.given, got, tt.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		s                Status
		shipped, counted bool
		ko, en, zh       string
	}{
		{PendingPayment, false, false, "입금 대기", "awaiting payment", "待付款"},
		{Paid, false, true, "결제 완료", "paid", "已付款"},
		{Preparing, false, true, "상품 준비 중", "preparing", "备货中"},
		{Shipped, true, true, "배송 중", "shipped", "运输中"},
		{Delivered, true, true, "배송 완료", "delivered", "已送达"},
		{Cancelled, false, false, "주문 취소", "cancelled", "已取消"},
		{Refunded, false, false, "환불 완료", "refunded", "已退款"},
		{Returned, true, true, "반품 완료", "returned", "已退货"},
	}
	if got, want := len(tests), len(Statuses); got != want {
		t.Fatalf("%d statuses tested, %d exist", got, want)
	}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			if !tt.s.Valid() {
				t.Errorf("Valid() = false")
			}
			if got := tt.s.HasShipped(); got != tt.shipped {
				t.Errorf("HasShipped() = %v, want %v", got, tt.shipped)
			}
			if got := tt.s.counted(); got != tt.counted {
				t.Errorf("counted() = %v, want %v", got, tt.counted)
			}
			for lang, want := range map[string]string{"ko": tt.ko, "": tt.ko, "fr": tt.ko, "en": tt.en, "en-US": tt.en, "zh": tt.zh, "zh_CN": tt.zh} {
				if got := tt.s.Label(lang); got != want {
					t.Errorf("Label(%q) = %q, want %q", lang, got, want)
				}
			}
		})
	}
	if got, want := Status("lost").Label("ko"), "lost"; got != want {
		t.Errorf("unknown status label = %q, want %q", got, want)
	}
	if Status("lost").Valid() {
		t.Errorf("unknown status is valid")
	}
}

func TestProductLow(t *testing.T) {
	tests := []struct {
		stock, safety int
		want          bool
	}{{0, 0, true}, {3, 5, true}, {5, 5, true}, {6, 5, false}}
	for _, tt := range tests {
		if got := (Product{Stock: tt.stock, SafetyStock: tt.safety}).Low(); got != tt.want {
			t.Errorf("Product{Stock: %d, SafetyStock: %d}.Low() = %v, want %v", tt.stock, tt.safety, got, tt.want)
		}
	}
}
