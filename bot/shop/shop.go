// Package shop owns the shop's data the bot looks up: products and stock,
// orders, shipments and carriers' tracking links, and sales figures.
package shop

import (
	"crypto/subtle"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNotFound reports that the product or order asked for does not exist.
var ErrNotFound = errors.New("shop: not found")

// ErrInvalid marks data that can never be stored (an empty order number, an
// unknown status, a date outside 1970–2199): the sender's mistake, not a
// failure to retry.
var ErrInvalid = errors.New("invalid")

// ErrNegativeStock reports a stock adjustment that would leave fewer than
// zero units; the stock is left unchanged.
var ErrNegativeStock = errors.New("shop: stock would go below zero")

// Product is one item the shop sells and how many are in stock.
type Product struct {
	SKU         string
	Name        string
	Price       int64 // won
	Stock       int
	SafetyStock int // at or below this the product is low on stock
	UpdatedAt   time.Time
}

// Low reports whether the product is at or below its safety stock.
func (p Product) Low() bool { return p.Stock <= p.SafetyStock }

// Status is where an order is in its life.
type Status string

// The order statuses.
const (
	PendingPayment Status = "pending_payment"
	Paid           Status = "paid"
	Preparing      Status = "preparing"
	Shipped        Status = "shipped"
	Delivered      Status = "delivered"
	Cancelled      Status = "cancelled"
	Refunded       Status = "refunded"
	Returned       Status = "returned"
)

// Statuses lists every status in the order of an order's life.
var Statuses = []Status{PendingPayment, Paid, Preparing, Shipped, Delivered, Cancelled, Refunded, Returned}

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	_, ok := statusLabels[s]
	return ok
}

// HasShipped reports whether the order has left the shop: shipped,
// delivered or returned.
func (s Status) HasShipped() bool {
	return s == Shipped || s == Delivered || s == Returned
}

// counted reports whether an order in this status counts towards sales:
// paid or later, and not cancelled or refunded.
func (s Status) counted() bool {
	switch s {
	case Paid, Preparing, Shipped, Delivered, Returned:
		return true
	}
	return false
}

var statusLabels = map[Status][3]string{ // ko, en, zh
	PendingPayment: {"입금 대기", "awaiting payment", "待付款"},
	Paid:           {"결제 완료", "paid", "已付款"},
	Preparing:      {"상품 준비 중", "preparing", "备货中"},
	Shipped:        {"배송 중", "shipped", "运输中"},
	Delivered:      {"배송 완료", "delivered", "已送达"},
	Cancelled:      {"주문 취소", "cancelled", "已取消"},
	Refunded:       {"환불 완료", "refunded", "已退款"},
	Returned:       {"반품 완료", "returned", "已退货"},
}

// langIndex maps a language tag ("ko", "en-US", "zh_CN") to 0 (ko, the
// default), 1 (en) or 2 (zh).
func langIndex(lang string) int {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch lang {
	case "en":
		return 1
	case "zh":
		return 2
	}
	return 0
}

// Label is the status in words for a customer, in Korean ("ko", the
// default), English ("en") or Chinese ("zh"). An unknown status is returned
// as it is.
func (s Status) Label(lang string) string {
	l, ok := statusLabels[s]
	if !ok {
		return string(s)
	}
	return l[langIndex(lang)]
}

// Item is one line of an order.
type Item struct {
	SKU   string
	Name  string
	Qty   int
	Price int64 // won, per unit
}

// Order is a customer's order with its items and shipment.
type Order struct {
	Number         string
	CustomerName   string
	Phone          string
	Email          string
	Status         Status
	Items          []Item
	Total          int64  // won
	Carrier        string // carrier code (see NormalizeCarrier); empty until shipped
	TrackingNumber string
	OrderedAt      time.Time
	PaidAt         *time.Time
	ShippedAt      *time.Time
	DeliveredAt    *time.Time
	UpdatedAt      time.Time
}

// TrackingURL is the carrier's public tracking page for the order, or ""
// when it has no known carrier or tracking number.
func (o Order) TrackingURL() string { return TrackingURL(o.Carrier, o.TrackingNumber) }

// FormatWon formats an amount of won with thousands separators: "32,000원".
func FormatWon(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString("원")
	return b.String()
}

// foldDigits maps full-width digits and punctuation customers type on
// phones to ASCII, so "１０４２" reads as "1042".
func foldDigits(r rune) rune {
	switch {
	case r >= '０' && r <= '９':
		return r - '０' + '0'
	case r == '＃':
		return '#'
	case r == '－', r == '‐', r == '‑', r == '–', r == '—':
		return '-'
	}
	return r
}

// digits returns the ASCII digits of s (full-width ones folded), dropping
// everything else.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r = foldDigits(r); r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PhoneLast4Matches reports whether given is exactly four digits (spaces
// and dashes ignored) equal to the last four digits of orderPhone. The
// comparison takes the same time whether or not the digits match.
func PhoneLast4Matches(orderPhone, given string) bool {
	var g []byte
	for _, r := range given {
		r = foldDigits(r)
		switch {
		case r >= '0' && r <= '9':
			g = append(g, byte(r))
		case r == ' ', r == '-', r == '\t', r == '\u3000':
		default:
			return false
		}
	}
	d := digits(orderPhone)
	if len(g) != 4 || len(d) < 4 {
		return false
	}
	return subtle.ConstantTimeCompare(g, []byte(d[len(d)-4:])) == 1
}

// EmailMatches reports whether given is the order's email address, ignoring
// surrounding space and case. An empty address never matches.
func EmailMatches(orderEmail, given string) bool {
	a := strings.ToLower(strings.TrimSpace(orderEmail))
	b := strings.ToLower(strings.TrimSpace(given))
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// MaskPhone hides the middle of a phone number: "010-1234-5678" →
// "010-****-5678". Korean numbers without dashes get them; other numbers
// keep their separators, their first three and last four digits.
func MaskPhone(s string) string {
	d := digits(s)
	if len(d) < 8 {
		if len(d) <= 4 {
			return strings.Repeat("*", len(d))
		}
		return strings.Repeat("*", len(d)-4) + d[len(d)-4:]
	}
	if strings.HasPrefix(d, "0") && (len(d) == 10 || len(d) == 11) && len(d) == len(strings.TrimSpace(s)) {
		return d[:3] + "-" + strings.Repeat("*", len(d)-7) + "-" + d[len(d)-4:]
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if f := foldDigits(r); f >= '0' && f <= '9' {
			if n < 3 || n >= len(d)-4 {
				b.WriteRune(f)
			} else {
				b.WriteByte('*')
			}
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaskEmail hides an address's local part but its first character:
// "minji@example.com" → "m***@example.com".
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		if s == "" {
			return ""
		}
		return "***"
	}
	local, domain := s[:at], s[at:]
	if local == "" {
		return "***" + domain
	}
	r, size := utf8.DecodeRuneInString(local)
	if r == utf8.RuneError && size <= 1 {
		return "***" + domain
	}
	return string(r) + "***" + domain
}
