package shop

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// DefaultOrderPattern finds order numbers in customer text: "20251123-0042"
// (a date, a dash and a sequence), "#1042", "1042" and "주문번호 1042"; 4 to
// 20 characters. The first capture group, when the pattern has one, is the
// number. ExtractOrderNumber then rejects candidates that are really phone
// numbers, prices, years or parts of a longer number.
var DefaultOrderPattern = regexp.MustCompile(`#?\b(\d{8}-\d{1,8}|\d{4,20})\b`)

// maxCandidates bounds the work on a huge message full of numbers.
const maxCandidates = 64

// ExtractOrderNumber returns the first order number in text found by
// pattern (DefaultOrderPattern when nil), without a leading '#', or "" when
// there is none. Phone numbers (010-1234-5678, 01012345678), prices
// (35,000원, ₩35000), years and dates (2025년, 2025-11-23) and parts of longer
// numbers are skipped. Any input is safe: invalid UTF-8, megabytes of text.
func ExtractOrderNumber(text string, pattern *regexp.Regexp) string {
	if pattern == nil {
		pattern = DefaultOrderPattern
	}
	text = strings.Map(foldDigits, text)
	for _, m := range pattern.FindAllStringSubmatchIndex(text, maxCandidates) {
		start, end := m[0], m[1]
		if len(m) >= 4 && m[2] >= 0 {
			start, end = m[2], m[3]
		}
		cand := text[start:end]
		if strings.HasPrefix(cand, "#") {
			cand, start = cand[1:], start+1
		}
		if n := utf8.RuneCountInString(cand); n < 4 || n > 20 {
			continue
		}
		if !plausibleOrderNumber(text, cand, start, end) {
			continue
		}
		return cand
	}
	return ""
}

// plausibleOrderNumber rejects a candidate text[start:end] that is part of
// a longer number, a phone number, an amount of money or a date.
func plausibleOrderNumber(text, cand string, start, end int) bool {
	before, after := text[:start], text[end:]
	// Part of a longer number: "010-[1234]-5678", "1,[350],000", "2025.[11].23".
	if len(before) >= 2 && strings.ContainsRune("-,.", rune(before[len(before)-1])) && isDigit(before[len(before)-2]) {
		return false
	}
	if len(after) >= 2 && strings.ContainsRune("-,.", rune(after[0])) && isDigit(after[1]) {
		return false
	}
	if isDigit(lastByte(before)) || isDigit(firstByte(after)) {
		return false
	}
	// Phone numbers: Korean numbers start with 0 and have 9 to 11 digits;
	// "+82…" is international.
	d := digits(cand)
	if strings.HasPrefix(d, "0") && len(d) >= 9 && len(d) <= 11 {
		return false
	}
	if strings.HasSuffix(strings.TrimRight(before, " "), "+") {
		return false
	}
	// Money before the number: "₩35000", "$1042", "KRW 35000".
	b := strings.TrimRight(before, " ")
	for _, p := range []string{"₩", "￦", "$", "krw", "usd", "won"} {
		if hasSuffixFold(b, p) {
			return false
		}
	}
	// Units right after the number: "35000원", "2025년", "3개월".
	for _, s := range []string{"원", "₩", "년", "월", "일", "시", "분", "초", "개", "명", "%", "만", "천", "달러", "불"} {
		if strings.HasPrefix(after, s) {
			return false
		}
	}
	// Money after a space: "35000 원", "1200 won", "35000 KRW", but not
	// "1042 원래" (원래: originally) or "1042 wonder".
	a := strings.TrimLeft(after, " ")
	if rest, ok := strings.CutPrefix(a, "원"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		if !isHangul(r) || strings.HasPrefix(rest, "이") || strings.HasPrefix(rest, "을") || strings.HasPrefix(rest, "짜리") || strings.HasPrefix(rest, "입") {
			return false
		}
	}
	for _, s := range []string{"won", "krw", "usd"} {
		if hasPrefixFold(a, s) && !isASCIILetter(firstByte(a[len(s):])) {
			return false
		}
	}
	return true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

func lastByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[len(s)-1]
}

func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
