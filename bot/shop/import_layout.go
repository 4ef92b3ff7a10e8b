package shop

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Format is the column layout of an import file.
type Format string

// The import formats.
const (
	FormatShopify    Format = "shopify"    // Shopify's orders and products CSV exports
	FormatCafe24     Format = "cafe24"     // Cafe24's order (and product) Excel/CSV downloads
	FormatSmartstore Format = "smartstore" // Naver Smartstore's order (and product) Excel downloads
	FormatGeneric    Format = "generic"    // shopbot's own column names, or a mapping file
)

// Formats lists the import formats.
var Formats = []Format{FormatShopify, FormatCafe24, FormatSmartstore, FormatGeneric}

// ImportKind is what an import file holds.
type ImportKind string

// What can be imported.
const (
	ImportProducts ImportKind = "products"
	ImportOrders   ImportKind = "orders"
)

// The fields an import maps columns to. They are also the column names of
// the generic format and the keys of a mapping file's columns.
const (
	fNumber      = "number"
	fStatus      = "status"
	fCustomer    = "customer_name"
	fPhone       = "phone"
	fEmail       = "email"
	fSKU         = "sku"
	fItem        = "item"
	fOption      = "option"
	fQty         = "qty"
	fPrice       = "price"
	fOptionPrice = "option_price"
	fLineTotal   = "line_total"
	fTotal       = "total"
	fCarrier     = "carrier"
	fTracking    = "tracking_number"
	fOrderedAt   = "ordered_at"
	fPaidAt      = "paid_at"
	fShippedAt   = "shipped_at"
	fDelivered   = "delivered_at"
	fCancelledAt = "cancelled_at"
	fFinancial   = "financial_status"   // Shopify
	fFulfillment = "fulfillment_status" // Shopify

	fName   = "name"
	fStock  = "stock"
	fSafety = "safety_stock"
	fHandle = "handle" // Shopify products
	fOpt1   = "option1"
	fOpt2   = "option2"
	fOpt3   = "option3"
)

var orderFields = []string{fNumber, fStatus, fCustomer, fPhone, fEmail, fSKU, fItem, fOption, fQty, fPrice, fOptionPrice,
	fLineTotal, fTotal, fCarrier, fTracking, fOrderedAt, fPaidAt, fShippedAt, fDelivered, fCancelledAt, fFinancial, fFulfillment}

var productFields = []string{fSKU, fName, fPrice, fStock, fSafety, fHandle, fOpt1, fOpt2, fOpt3}

// layout is where a format keeps each field: the header names it may have,
// preferred first (the first non-empty cell among them wins, row by row).
type layout struct {
	format   Format
	kind     ImportKind
	columns  map[string][]string
	required []string // fields without which the file is not this layout
}

// The layouts, written from the platforms' documentation and the headers
// of their downloads as we know them (no platform was queried while
// writing this):
//
//   - Shopify orders: Shopify Help Center, "Exporting orders" (orders CSV:
//     one row per line item; the order's own columns only on its first row).
//   - Shopify products: Shopify Help Center, "Using CSV files to import and
//     export products" (one row per variant; extra image rows).
//   - Cafe24 orders: the 주문조회 → 엑셀 다운로드 default fields of the Cafe24
//     admin, statuses as in the Cafe24 Admin API order_status codes
//     (N00 입금전 … N40 배송완료, C 취소, R 반품, E 교환).
//   - Smartstore orders: the 스마트스토어센터 주문통합검색 / 발주발송관리
//     Excel download (one row per 상품주문번호, 주문번호 repeated).
//   - Cafe24 and Smartstore products: their product downloads' code, name,
//     price and stock columns (best effort: least certain of all).
var layouts = []layout{
	{format: FormatShopify, kind: ImportOrders, required: []string{fNumber, fItem, fFinancial}, columns: map[string][]string{
		fNumber: {"Name"}, fEmail: {"Email"}, fFinancial: {"Financial Status"}, fFulfillment: {"Fulfillment Status"},
		fPaidAt: {"Paid at"}, fShippedAt: {"Fulfilled at"}, fOrderedAt: {"Created at"}, fCancelledAt: {"Cancelled at"},
		fTotal: {"Total"}, fQty: {"Lineitem quantity"}, fItem: {"Lineitem name"}, fPrice: {"Lineitem price"},
		fSKU: {"Lineitem sku"}, fCustomer: {"Billing Name", "Shipping Name"},
		fPhone: {"Phone", "Billing Phone", "Shipping Phone"},
	}},
	{format: FormatShopify, kind: ImportProducts, required: []string{fHandle, fSKU}, columns: map[string][]string{
		fHandle: {"Handle"}, fName: {"Title"}, fSKU: {"Variant SKU"}, fPrice: {"Variant Price"},
		fStock: {"Variant Inventory Qty", "Inventory quantity"},
		fOpt1:  {"Option1 Value"}, fOpt2: {"Option2 Value"}, fOpt3: {"Option3 Value"},
	}},
	{format: FormatCafe24, kind: ImportOrders, required: []string{fNumber, fItem}, columns: map[string][]string{
		fNumber: {"주문번호"}, fStatus: {"주문상태", "주문 상태", "처리상태"},
		fCustomer: {"주문자명", "주문자", "수령인", "수령인명"},
		fPhone:    {"주문자 휴대전화", "주문자 휴대폰", "주문자 전화번호", "수령인 휴대전화", "수령인 휴대폰", "수령인 전화번호"},
		fEmail:    {"주문자 이메일", "주문자 E-mail", "이메일"},
		fItem:     {"상품명(한국어 쇼핑몰)", "상품명", "주문상품명"}, fOption: {"상품옵션", "옵션"},
		fSKU: {"자체 상품코드", "자체상품코드", "상품코드", "품목코드"}, fQty: {"수량", "주문수량"},
		fPrice: {"판매가", "상품가격", "상품 판매가"}, fTotal: {"총 결제금액", "총 결제금액(KRW)", "결제금액", "실결제금액", "총 주문금액"},
		fCarrier: {"배송업체", "배송업체명", "택배사"}, fTracking: {"송장번호", "운송장번호"},
		fOrderedAt: {"주문일시", "주문일"}, fPaidAt: {"결제일시(입금확인일)", "결제일시", "입금확인일", "결제일"},
		fShippedAt: {"배송시작일", "발송일"}, fDelivered: {"배송완료일"},
	}},
	{format: FormatCafe24, kind: ImportProducts, required: []string{fSKU, fName}, columns: map[string][]string{
		fSKU: {"자체 상품코드", "자체상품코드", "상품코드", "품목코드"}, fName: {"상품명", "상품명(한국어 쇼핑몰)"},
		fPrice: {"판매가", "상품가"}, fStock: {"재고수량", "재고"}, fSafety: {"안전재고수량", "안전재고"},
	}},
	{format: FormatSmartstore, kind: ImportOrders, required: []string{fNumber, fItem, fStatus}, columns: map[string][]string{
		fNumber: {"주문번호"}, fStatus: {"주문상태", "주문세부상태"}, fCustomer: {"구매자명", "수취인명"},
		fPhone: {"구매자연락처", "수취인연락처1", "수취인연락처2"}, fItem: {"상품명"}, fOption: {"옵션정보"},
		fSKU: {"판매자 상품코드", "옵션관리코드", "상품번호"}, fQty: {"수량"}, fPrice: {"상품가격"}, fOptionPrice: {"옵션가격"},
		fLineTotal: {"최종 상품별 총 주문금액", "상품별 총 주문금액"}, fTotal: {"결제금액", "총 결제금액"},
		fCarrier: {"택배사"}, fTracking: {"송장번호"}, fOrderedAt: {"주문일시"}, fPaidAt: {"결제일"},
		fShippedAt: {"발송처리일", "발송일"}, fDelivered: {"배송완료일"},
	}},
	{format: FormatSmartstore, kind: ImportProducts, required: []string{fSKU, fName}, columns: map[string][]string{
		fSKU: {"판매자상품코드", "판매자 상품코드", "상품번호(스마트스토어)", "상품번호"}, fName: {"상품명"},
		fPrice: {"판매가"}, fStock: {"재고수량"},
	}},
	{format: FormatGeneric, kind: ImportOrders, required: []string{fNumber}, columns: identity(orderFields)},
	{format: FormatGeneric, kind: ImportProducts, required: []string{fSKU}, columns: identity(productFields)},
}

// identity maps each field to a column of its own name.
func identity(fields []string) map[string][]string {
	m := make(map[string][]string, len(fields))
	for _, f := range fields {
		m[f] = []string{f}
	}
	return m
}

// layoutFor returns the layout of format for kind, with mapping's columns
// over it.
func layoutFor(format Format, kind ImportKind, m *Mapping) (layout, error) {
	for _, l := range layouts {
		if l.format != format || l.kind != kind {
			continue
		}
		if m == nil || len(m.Columns) == 0 {
			return l, nil
		}
		cols := make(map[string][]string, len(l.columns))
		for f, names := range l.columns {
			cols[f] = names
		}
		fields := orderFields
		if kind == ImportProducts {
			fields = productFields
		}
		for f, names := range m.Columns {
			if !slices.Contains(fields, f) {
				return layout{}, fmt.Errorf("mapping: columns.%s: unknown %s field (want one of %s)", f, kind, strings.Join(fields, ", "))
			}
			cols[f] = names
		}
		l.columns = cols
		return l, nil
	}
	return layout{}, fmt.Errorf("unknown format %q (want shopify, cafe24, smartstore or generic)", format)
}

// foldHeader compares headers loosely: case, spaces, underscores, a
// required-field star and invisible characters do not count.
func foldHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '_' || r == '*' || r == '\uFEFF' || r == '\u200B' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// column is one bound column: its index in the row and its header as the
// file spells it.
type column struct {
	index int
	name  string
}

// binding is a layout bound to a file's header row.
type binding struct {
	layout
	cols map[string][]column // field → columns present, preferred first
}

// bind finds the layout's columns in header. missing lists the required
// fields it has no column for.
func bind(l layout, header []string) (b *binding, missing []string) {
	at := make(map[string]int, len(header))
	for i, h := range header {
		if k := foldHeader(h); k != "" {
			if _, dup := at[k]; !dup {
				at[k] = i
			}
		}
	}
	b = &binding{layout: l, cols: make(map[string][]column)}
	for f, names := range l.columns {
		for _, n := range names {
			if i, ok := at[foldHeader(n)]; ok {
				b.cols[f] = append(b.cols[f], column{index: i, name: header[i]})
			}
		}
	}
	for _, f := range l.required {
		if len(b.cols[f]) == 0 {
			missing = append(missing, l.columns[f][0])
		}
	}
	return b, missing
}

// detect picks the layout for kind whose required columns header has and
// that knows the most of its columns (Cafe24's and Smartstore's share
// some names); format, when set, must be the one.
func detect(kind ImportKind, format Format, m *Mapping, header []string) (*binding, []string, error) {
	var best *binding
	var missing []string
	for _, f := range Formats {
		if format != "" && f != format {
			continue
		}
		l, err := layoutFor(f, kind, m)
		if err != nil {
			return nil, nil, err
		}
		b, miss := bind(l, header)
		if len(miss) > 0 {
			if missing == nil || format != "" {
				missing = miss
			}
			continue
		}
		if best == nil || len(b.cols) > len(best.cols) {
			best = b
		}
	}
	if best != nil {
		return best, nil, nil
	}
	return nil, missing, nil
}

// Mapping is a generic import's mapping file: which column holds each
// field, what the file's status words mean, and how it writes times.
//
//	columns:                 # field: column header (or a list, first non-empty wins)
//	  number: Order ID
//	  phone: [Mobile, Phone]
//	statuses:                # the file's words → shopbot statuses
//	  new: paid
//	  sent: shipped
//	time_format: "02/01/2006 15:04"   # Go layout; default: ISO-like and Korean forms
//	timezone: Asia/Seoul              # for times without a zone
type Mapping struct {
	Columns    map[string]StringList `yaml:"columns"`
	Statuses   map[string]string     `yaml:"statuses"`
	TimeFormat string                `yaml:"time_format"`
	Timezone   string                `yaml:"timezone"`

	statuses map[string]Status
	location *time.Location
}

// StringList is one string or a list of them in YAML.
type StringList []string

// UnmarshalYAML reads a scalar or a sequence of scalars.
func (l *StringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = StringList{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// ParseMapping reads a mapping file's contents. Errors name the key.
func ParseMapping(data []byte) (*Mapping, error) {
	var m Mapping
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	for f, names := range m.Columns {
		if !slices.Contains(orderFields, f) && !slices.Contains(productFields, f) {
			return nil, fmt.Errorf("mapping: columns.%s: unknown field", f)
		}
		if len(names) == 0 || slices.Contains(names, "") {
			return nil, fmt.Errorf("mapping: columns.%s: empty column name", f)
		}
	}
	m.statuses = make(map[string]Status, len(m.Statuses))
	for word, s := range m.Statuses {
		st := Status(s)
		if !st.Valid() {
			return nil, fmt.Errorf("mapping: statuses.%s: %q is not a status (want one of %s)", word, s, statusList())
		}
		m.statuses[foldStatus(word)] = st
	}
	if m.Timezone != "" {
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			return nil, fmt.Errorf("mapping: timezone: unknown time zone %q", m.Timezone)
		}
		m.location = loc
	}
	return &m, nil
}

// LoadMapping reads a mapping file.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	m, err := ParseMapping(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func statusList() string {
	s := make([]string, len(Statuses))
	for i, st := range Statuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

// foldStatus compares status words loosely: case, spaces and punctuation
// do not count ("배송 중" = "배송중", "Partially_Paid" = "partiallypaid").
func foldStatus(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// statusWords are the status words of Korean shop platforms (Cafe24 and
// Smartstore, in words and as API codes) and shopbot's own names. A
// request (취소요청, 반품신청) is where the order still is: paid, or
// delivered, until the platform completes it.
var statusWords = func() map[string]Status {
	m := map[string]Status{}
	add := func(s Status, words ...string) {
		for _, w := range words {
			m[foldStatus(w)] = s
		}
	}
	for _, s := range Statuses {
		add(s, string(s))
	}
	add(PendingPayment, "입금전", "입금대기", "결제대기", "미입금", "N00", "PAYMENT_WAITING", "pending", "unpaid")
	add(Paid, "결제완료", "입금완료", "입금확인", "신규주문", "PAYED", "취소신청", "취소요청", "취소접수", "C00", "C10")
	add(Preparing, "상품준비중", "배송준비중", "배송준비", "배송대기", "배송보류", "발주확인", "발송대기", "출고대기",
		"N10", "N20", "N21", "N22", "preparing")
	add(Shipped, "배송중", "발송완료", "출고완료", "N30", "DELIVERING", "shipping", "fulfilled")
	add(Delivered, "배송완료", "구매확정", "N40", "DELIVERED", "PURCHASE_DECIDED",
		"반품신청", "반품요청", "반품접수", "반품보류", "반품수거", "반품처리중", "교환신청", "교환요청", "교환접수", "교환완료",
		"R00", "R10", "R12", "R13", "R20", "R30", "E00", "E10", "E12", "E13", "E20", "E30", "E32", "E34", "E36", "E40", "EXCHANGED")
	add(Cancelled, "취소", "취소완료", "취소처리중", "입금전취소", "미결제취소", "주문취소", "C34", "C35", "C36", "C40", "C47", "C48", "C49",
		"CANCELED", "CANCELED_BY_NOPAYMENT", "canceled", "voided")
	add(Returned, "반품", "반품완료", "R34", "R36", "R40", "RETURNED")
	add(Refunded, "환불", "환불완료", "refunded")
	return m
}()

// ParseStatus reads an order status as shop platforms write it: shopbot's
// names ("shipped"), Korean words of Cafe24 and Smartstore ("배송중",
// "구매확정", "입금전취소-관리자" by its prefix) and their API codes ("N30",
// "DELIVERING"). It reports false for a word it does not know.
func ParseStatus(s string) (Status, bool) {
	k := foldStatus(s)
	if k == "" {
		return "", false
	}
	if st, ok := statusWords[k]; ok {
		return st, true
	}
	// Cafe24 writes details after a dash or in parentheses:
	// "취소처리중-환불전", "반품접수(수거완료)".
	if i := strings.IndexAny(s, "-(/"); i > 0 {
		return ParseStatus(s[:i])
	}
	return "", false
}

// ShopifyStatus is the shopbot status of a Shopify order from its
// financial and fulfillment statuses and whether it was cancelled. An
// unknown financial status is an error.
func ShopifyStatus(financial, fulfillment string, cancelled bool) (Status, error) {
	financial, fulfillment = foldStatus(financial), foldStatus(fulfillment)
	switch {
	case financial == "refunded":
		return Refunded, nil
	case cancelled, financial == "voided":
		return Cancelled, nil
	}
	switch fulfillment {
	case "fulfilled", "shipped", "partial", "partiallyfulfilled":
		return Shipped, nil
	case "restocked":
		return Returned, nil
	}
	switch financial {
	case "paid", "authorized", "partiallyrefunded":
		return Paid, nil
	case "pending", "partiallypaid", "unpaid", "expired", "":
		return PendingPayment, nil
	}
	return "", errors.New("unknown financial status")
}
