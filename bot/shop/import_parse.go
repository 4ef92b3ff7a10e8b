package shop

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// rowView reads one row's fields through a binding.
type rowView struct {
	n     int
	cells []string
	b     *binding
}

// get returns the first non-empty cell among the field's columns and that
// column's header; "" and the preferred column's header when all are
// empty (or the field has no column).
func (r rowView) get(field string) (value, column string) {
	cols := r.b.cols[field]
	for _, c := range cols {
		if c.index < len(r.cells) && r.cells[c.index] != "" {
			return r.cells[c.index], c.name
		}
	}
	if len(cols) > 0 {
		return "", cols[0].name
	}
	return "", field
}

// parser turns rows into records.
type parser struct {
	b       *binding
	loc     *time.Location
	mapping *Mapping

	handle, title string // Shopify products: the product whose variant rows are being read
}

// pendingOrder is an order being gathered from its rows.
type pendingOrder struct {
	o         Order
	statuses  []Status
	lineTotal int64
	hasLines  bool // some row had a line total
	bad       bool
}

// order is the gathered order: its status the least advanced of its
// lines' (see combineStatus), its total the file's or its lines' sum.
func (p *pendingOrder) order() Order {
	o := p.o
	o.Status = combineStatus(p.statuses)
	if o.Total == 0 && p.hasLines {
		o.Total = p.lineTotal
	}
	return o
}

// combineStatus is an order's status from its lines' (Smartstore has one
// per 상품주문번호): the least advanced line still on its way, or, when
// every line is off the way, refunded before returned before cancelled.
func combineStatus(ss []Status) Status {
	var best Status
	for _, s := range ss {
		if r, ok := forward[s]; ok && (best == "" || r < forward[best]) {
			best = s
		}
	}
	if best != "" {
		return best
	}
	for _, want := range []Status{Refunded, Returned, Cancelled} {
		for _, s := range ss {
			if s == want {
				return s
			}
		}
	}
	return ""
}

// orderRow adds one row's fields to o, reporting what cannot be read.
func (p *parser) orderRow(r rowView, o *pendingOrder, rep *ImportReport) {
	bad := func(col, reason string) {
		rep.problem(Problem{Row: r.n, Column: col, Reason: reason})
		o.bad = true
	}
	first := func(dst *string, field string) {
		if v, _ := r.get(field); v != "" && *dst == "" {
			*dst = v
		}
	}
	first(&o.o.CustomerName, fCustomer)
	first(&o.o.Email, fEmail)
	if v, _ := r.get(fPhone); v != "" && o.o.Phone == "" {
		o.o.Phone = phone(v)
	}
	// Status.
	if p.b.format == FormatShopify {
		if fin, col := r.get(fFinancial); fin != "" {
			fulfil, _ := r.get(fFulfillment)
			cancelled, _ := r.get(fCancelledAt)
			s, err := ShopifyStatus(fin, fulfil, cancelled != "")
			if err != nil {
				bad(col, fmt.Sprintf("%s: unknown financial status", quote(fin)))
			} else {
				o.statuses = append(o.statuses, s)
			}
		}
	} else if v, col := r.get(fStatus); v != "" {
		if s, ok := p.status(v); ok {
			o.statuses = append(o.statuses, s)
		} else {
			bad(col, fmt.Sprintf("%s: unknown order status", quote(v)))
		}
	}
	// Money.
	if v, col := r.get(fTotal); v != "" && o.o.Total == 0 {
		if n, err := parseWon(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			o.o.Total = n
		}
	}
	if v, col := r.get(fLineTotal); v != "" {
		if n, err := parseWon(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			o.lineTotal += n
			o.hasLines = true
		}
	}
	// Shipment.
	if v, col := r.get(fTracking); v != "" && o.o.TrackingNumber == "" {
		if n, err := readTracking(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			o.o.TrackingNumber = n
		}
	}
	if v, col := r.get(fCarrier); v != "" && o.o.Carrier == "" {
		if code := NormalizeCarrier(v); code != "" {
			o.o.Carrier = code
		} else {
			o.o.Carrier = v
			rep.note(Problem{Row: r.n, Column: col, Reason: fmt.Sprintf("%s: unknown carrier, kept without a tracking link", quote(v))})
		}
	}
	// Times.
	for _, f := range []struct {
		field string
		dst   **time.Time
	}{{fPaidAt, &o.o.PaidAt}, {fShippedAt, &o.o.ShippedAt}, {fDelivered, &o.o.DeliveredAt}} {
		if v, col := r.get(f.field); v != "" && *f.dst == nil {
			if t, err := p.time(v); err != nil {
				bad(col, fmt.Sprintf("%s: %v", quote(v), err))
			} else {
				*f.dst = &t
			}
		}
	}
	if v, col := r.get(fOrderedAt); v != "" && o.o.OrderedAt.IsZero() {
		if t, err := p.time(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			o.o.OrderedAt = t
		}
	}
	if v, col := r.get(fCancelledAt); v != "" && p.b.format != FormatShopify {
		if _, err := p.time(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else if len(o.statuses) == 0 {
			o.statuses = append(o.statuses, Cancelled)
		}
	}
	// The line item.
	name, _ := r.get(fItem)
	sku, _ := r.get(fSKU)
	qtyS, qcol := r.get(fQty)
	if name == "" && sku == "" && qtyS == "" {
		return
	}
	it := Item{Name: name, SKU: sku, Qty: 1}
	if opt, _ := r.get(fOption); opt != "" {
		it.Name += " (" + opt + ")"
	}
	if qtyS != "" {
		n, err := parseCount(qtyS)
		switch {
		case err != nil:
			bad(qcol, fmt.Sprintf("%s: %v", quote(qtyS), err))
		case n < 0:
			bad(qcol, fmt.Sprintf("%s: a quantity cannot be negative", quote(qtyS)))
		default:
			it.Qty = n
		}
	}
	if v, col := r.get(fPrice); v != "" {
		if n, err := parseWon(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			it.Price = n
		}
	}
	if v, col := r.get(fOptionPrice); v != "" {
		if n, err := parseSignedWon(v); err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
		} else {
			it.Price += n
		}
	}
	o.o.Items = append(o.o.Items, it)
}

// product reads one product row. ok is false when the row is rejected;
// a nil update with ok is a row with nothing to land (a Shopify image row).
func (p *parser) product(r rowView, rep *ImportReport) (u *ProductUpdate, ok bool) {
	ok = true
	bad := func(col, reason string) {
		rep.problem(Problem{Row: r.n, Column: col, Reason: reason})
		ok = false
	}
	sku, skuCol := r.get(fSKU)
	name, _ := r.get(fName)
	price, priceCol := r.get(fPrice)
	if p.b.format == FormatShopify {
		handle, hcol := r.get(fHandle)
		if handle == "" {
			bad(hcol, "no handle")
			return nil, false
		}
		if handle != p.handle {
			p.handle, p.title = handle, ""
		}
		if name != "" {
			p.title = name
		}
		o1, _ := r.get(fOpt1)
		o2, _ := r.get(fOpt2)
		o3, _ := r.get(fOpt3)
		if sku == "" && price == "" && o1 == "" {
			return nil, true // an extra image of the product
		}
		if sku == "" {
			if o1 != "" && o1 != "Default Title" {
				bad(skuCol, "empty: a variant needs a SKU")
				return nil, false
			}
			sku = handle
		}
		name = cmp.Or(p.title, handle)
		var opts []string
		for _, o := range []string{o1, o2, o3} {
			if o != "" && o != "Default Title" {
				opts = append(opts, o)
			}
		}
		if len(opts) > 0 {
			name += " - " + strings.Join(opts, " / ")
		}
	}
	if sku == "" {
		bad(skuCol, "no SKU")
		return nil, false
	}
	u = &ProductUpdate{SKU: sku, Name: name}
	if price != "" {
		if n, err := parseWon(price); err != nil {
			bad(priceCol, fmt.Sprintf("%s: %v", quote(price), err))
		} else {
			u.Price = &n
		}
	}
	for _, f := range []struct {
		field string
		dst   **int
	}{{fStock, &u.Stock}, {fSafety, &u.SafetyStock}} {
		v, col := r.get(f.field)
		if v == "" {
			continue
		}
		n, err := parseCount(v)
		if err != nil {
			bad(col, fmt.Sprintf("%s: %v", quote(v), err))
			continue
		}
		if n < 0 {
			rep.note(Problem{Row: r.n, Column: col, Reason: fmt.Sprintf("%s: below zero, counted as 0", quote(v))})
			n = 0
		}
		*f.dst = &n
	}
	if !ok {
		return nil, false
	}
	return u, true
}

// status reads a status word through the mapping file's words, then the
// platforms'.
func (p *parser) status(v string) (Status, bool) {
	if p.mapping != nil {
		if s, ok := p.mapping.statuses[foldStatus(v)]; ok {
			return s, true
		}
	}
	return ParseStatus(v)
}

// quote shows a cell in a problem, cut to a readable length.
func quote(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strconv.Quote(s)
}

var (
	errNotNumber = errors.New("not a number")
	errFraction  = errors.New("has a fraction: shopbot keeps whole won")
	errNegative  = errors.New("cannot be negative")
)

// parseWon reads an amount of money as exports write it: "32000",
// "32,000", "32,000원", "₩32,000", "32000.00", "3.2E+4" (Excel).
func parseWon(s string) (int64, error) {
	n, err := parseSignedWon(s)
	if err == nil && n < 0 {
		return 0, errNegative
	}
	return n, err
}

// parseSignedWon is parseWon allowing a minus sign (option prices).
func parseSignedWon(s string) (int64, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ',', ' ', '₩', '￦', '원', '\u00a0':
			return -1
		}
		return foldDigits(r)
	}, s)
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "KRW"), "$"), "KRW")
	if s == "" {
		return 0, errNotNumber
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
		return 0, errNotNumber
	}
	if f != math.Trunc(f) {
		return 0, errFraction
	}
	return int64(f), nil
}

// parseCount reads a whole number of things: "3", "1,200", "3.0" (Excel).
func parseCount(s string) (int, error) {
	n, err := parseSignedWon(s)
	if errors.Is(err, errFraction) {
		return 0, errors.New("not a whole number")
	}
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, errors.New("too large")
	}
	return int(n), nil
}

// phone repairs a Korean mobile number a spreadsheet stored as a number
// ("1012345678" was 010-1234-5678).
func phone(s string) string {
	d := digits(s)
	if d == s && (len(d) == 9 || len(d) == 10) && d[0] == '1' {
		return "0" + d
	}
	return s
}

// readTracking reads a tracking number; one a spreadsheet turned into a
// number in scientific notation has lost its digits.
func readTracking(s string) (string, error) {
	if strings.ContainsAny(s, "eE") && strings.Contains(s, "+") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "", errors.New("in scientific notation, its digits are lost: format the column as text")
		}
	}
	s = strings.Join(strings.Fields(s), "")
	if len(s) > 64 {
		return "", errors.New("too long for a tracking number")
	}
	return s, nil
}

// timeLayouts are the ways exports write times, with a zone first.
var timeLayouts = []string{
	"2006-01-02 15:04:05 -0700", // Shopify
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006.01.02 15:04:05",
	"2006.01.02 15:04",
	"2006.01.02",
	"2006. 1. 2. 15:04:05",
	"2006. 1. 2. 15:04",
	"2006. 1. 2.",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"20060102150405",
	"20060102",
}

// time reads a time in the mapping's layout or one of timeLayouts; times
// without a zone are in p.loc. A number is an Excel date serial.
func (p *parser) time(s string) (time.Time, error) {
	t, err := p.parseTime(s)
	if err == nil && (t.Before(earliest) || !t.Before(latest)) {
		return time.Time{}, errors.New("a date outside 1970–2199")
	}
	return t, err
}

func (p *parser) parseTime(s string) (time.Time, error) {
	if p.mapping != nil && p.mapping.TimeFormat != "" {
		if t, err := time.ParseInLocation(p.mapping.TimeFormat, s, p.loc); err == nil {
			return t.UTC(), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, p.loc); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 100000 && !strings.ContainsAny(s, "eE") {
		// Excel's serial day number, in wall-clock time.
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, p.loc).UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a date and time")
}

// ParseWon reads an amount of money as shop platforms write it ("32,000",
// "32000.00", "₩32,000", "32,000원"); a fraction or a negative amount is an
// error.
func ParseWon(s string) (int64, error) { return parseWon(s) }
