package shop_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/import")

var importNow = time.Date(2025, 11, 23, 3, 0, 0, 0, time.UTC)

type importCase struct {
	name    string // golden file: testdata/import/NAME.golden
	file    string // fixture in testdata/import; "smartstore_orders.xlsx" is made from the CSV
	kind    shop.ImportKind
	format  shop.Format
	mapping string
}

var importCases = []importCase{
	{"shopify_orders", "shopify_orders.csv", shop.ImportOrders, shop.FormatShopify, ""},
	{"shopify_products", "shopify_products.csv", shop.ImportProducts, shop.FormatShopify, ""},
	{"cafe24_orders", "cafe24_orders.csv", shop.ImportOrders, shop.FormatCafe24, ""},
	{"cafe24_orders_cp949", "cafe24_orders_cp949.csv", shop.ImportOrders, shop.FormatCafe24, ""},
	{"cafe24_orders_bom", "cafe24_orders_bom.csv", shop.ImportOrders, shop.FormatCafe24, ""},
	{"smartstore_orders", "smartstore_orders.csv", shop.ImportOrders, shop.FormatSmartstore, ""},
	{"smartstore_orders_cp949", "smartstore_orders_cp949.csv", shop.ImportOrders, shop.FormatSmartstore, ""},
	{"smartstore_orders_xlsx", "smartstore_orders.xlsx", shop.ImportOrders, shop.FormatSmartstore, ""},
	{"generic_orders", "generic_orders.csv", shop.ImportOrders, shop.FormatGeneric, "generic_orders.map.yaml"},
	{"generic_products", "generic_products.csv", shop.ImportProducts, shop.FormatGeneric, ""},
	{"detect_smartstore", "smartstore_orders.csv", shop.ImportOrders, "", ""},
}

// fixture opens a file of testdata/import; the XLSX is made from the
// Smartstore CSV, with a title row above the header as the platform
// writes one, and numbers as numbers.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	if name == "smartstore_orders.xlsx" {
		return smartstoreXLSX(t)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func smartstoreXLSX(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "import", "smartstore_orders.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	f.SetSheetRow(sheet, "A1", &[]any{"주문내역 (2025.11.23 다운로드)"})
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, c := range rec {
			row[j] = c
			if n, err := strconv.Atoi(c); err == nil && i > 0 && recs[0][j] == "수량" {
				row[j] = n // a numeric cell
			}
		}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importFixture(t *testing.T, db *sqlx.DB, c importCase, opts shop.ImportOptions) *shop.ImportReport {
	t.Helper()
	opts.Kind, opts.Format = c.kind, c.format
	if opts.Now == nil {
		opts.Now = func() time.Time { return importNow }
	}
	if c.mapping != "" {
		m, err := shop.LoadMapping(filepath.Join("testdata", "import", c.mapping))
		if err != nil {
			t.Fatal(err)
		}
		opts.Mapping = m
	}
	rep, err := shop.Import(context.Background(), db, bytes.NewReader(fixture(t, c.file)), opts)
	if err != nil {
		t.Fatalf("import %s: %v", c.file, err)
	}
	return rep
}

// TestImportGolden imports each fixture into a fresh database, compares
// the report with its golden file, and imports it again: nothing changes.
func TestImportGolden(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			for _, c := range importCases {
				t.Run(c.name, func(t *testing.T) {
					db := dbtest.Open(t, engine, shop.Schema)
					rep := importFixture(t, db, c, shop.ImportOptions{BatchSize: 2})
					var got bytes.Buffer
					rep.WriteText(&got)
					again := importFixture(t, db, c, shop.ImportOptions{})
					fmt.Fprintf(&got, "again: %s\n", again.Summary())
					golden := filepath.Join("testdata", "import", c.name+".golden")
					if *update && engine == "sqlite" {
						if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
							t.Fatal(err)
						}
					}
					want, err := os.ReadFile(golden)
					if err != nil {
						t.Fatalf("%v (run with -update)", err)
					}
					if diff := cmp.Diff(string(want), got.String()); diff != "" {
						t.Errorf("report (-want +got):\n%s", diff)
					}
					if again.Inserted != 0 || again.Updated != 0 || again.Unchanged != rep.Inserted+rep.Updated {
						t.Errorf("second import: %s, want everything unchanged", again.Summary())
					}
				})
			}
		})
	}
}

func TestImportContent(t *testing.T) {
	ctx := context.Background()
	paid := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	tests := []struct {
		c    importCase
		want shop.Order
	}{
		{importCases[0], shop.Order{Number: "2001", CustomerName: "Kim Minji", Phone: "+821012345678", Email: "minji@example.com",
			Status: shop.Shipped, Total: 42000, OrderedAt: paid("2025-11-20T01:15:00Z").UTC(),
			PaidAt: paid("2025-11-20T01:16:02Z"), ShippedAt: paid("2025-11-21T00:00:00Z"),
			Items: []shop.Item{{SKU: "TEE-WHT-M", Name: "Basic Tee - M / White", Qty: 2, Price: 15000}, {SKU: "MUG-01", Name: "Ceramic Mug", Qty: 1, Price: 12000}}}},
		{importCases[2], shop.Order{Number: "20251121-0000014", CustomerName: "최유나", Phone: "010-5555-1111", Status: shop.Preparing,
			Total: 31000, OrderedAt: paid("2025-11-20T23:00:00Z").UTC(), PaidAt: paid("2025-11-20T23:01:00Z"),
			Items: []shop.Item{{SKU: "TEE-BLK-L", Name: "반팔 티셔츠 (색상=블랙, 사이즈=L)", Qty: 1, Price: 19000}, {SKU: "TEA-GRN-20", Name: "녹차 티백 20입", Qty: 1, Price: 8900}}}},
		{importCases[3], shop.Order{Number: "20251122-0000018", CustomerName: "문가영", Phone: "010-6666-7777", Status: shop.Shipped,
			Total: 15000, Carrier: "경동택배", TrackingNumber: "3012345678", OrderedAt: paid("2025-11-22T03:00:00Z").UTC(),
			PaidAt: paid("2025-11-22T03:01:00Z"), ShippedAt: paid("2025-11-22T08:00:00Z"),
			Items: []shop.Item{{SKU: "MUG-01", Name: "머그컵", Qty: 1, Price: 12000}}}},
		{importCases[7], shop.Order{Number: "2025112098765401", CustomerName: "이서준", Phone: "010-5555-6666", Status: shop.Shipped,
			Total: 30800, Carrier: "cj", TrackingNumber: "6012345678902", OrderedAt: paid("2025-11-20T12:03:05Z").UTC(),
			PaidAt: paid("2025-11-20T12:03:11Z"), ShippedAt: paid("2025-11-21T01:00:00Z"),
			Items: []shop.Item{{SKU: "TEA-GRN-20", Name: "녹차 티백 20입", Qty: 2, Price: 8900}, {SKU: "MUG-01", Name: "머그컵 (색상: 화이트)", Qty: 1, Price: 13000}}}},
		{importCases[8], shop.Order{Number: "A-100", CustomerName: "Hong Gildong", Phone: "010-1357-2468", Status: shop.Shipped,
			Total: 15000, Carrier: "hanjin", TrackingNumber: "512345678901", OrderedAt: paid("2025-11-21T05:30:00Z").UTC(),
			Items: []shop.Item{{SKU: "TEE-WHT-M", Name: "Basic Tee", Qty: 1, Price: 15000}}}},
	}
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		for _, tt := range tests {
			t.Run(tt.c.name+"/"+tt.want.Number, func(t *testing.T) {
				importFixture(t, db, tt.c, shop.ImportOptions{})
				got, err := shop.NewStore(db).Order(ctx, tt.want.Number)
				if err != nil {
					t.Fatal(err)
				}
				got.UpdatedAt = time.Time{}
				if diff := cmp.Diff(tt.want, *got); diff != "" {
					t.Errorf("order (-want +got):\n%s", diff)
				}
			})
		}
		st := shop.NewStore(db)
		for sku, want := range map[string]shop.Product{
			"TEE-WHT-L": {SKU: "TEE-WHT-L", Name: "Basic Tee - L / White", Price: 15000, Stock: 3},
			"sticker":   {SKU: "sticker", Name: "Sticker", Price: 3000},
			"PEN-01":    {SKU: "PEN-01", Name: "Gel Pen", Price: 2500},
		} {
			importFixture(t, db, importCases[1], shop.ImportOptions{})
			got, err := st.Product(ctx, sku)
			if err != nil {
				t.Fatal(err)
			}
			got.UpdatedAt = time.Time{}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("product %s (-want +got):\n%s", sku, diff)
			}
		}
	}, shop.Schema)
}

// TestImportNewer: a newer export moves statuses on and brings tracking
// numbers and stock; its shipments and stock crossings are told once; an
// older export after it changes nothing.
func TestImportNewer(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		var told shop.Changes
		opts := shop.ImportOptions{Changed: func(_ context.Context, _ sqlx.ExtContext, c shop.Changes) error { told.Add(c); return nil }}
		old := importCase{"", "cafe24_orders.csv", shop.ImportOrders, shop.FormatCafe24, ""}
		newer := importCase{"", "cafe24_orders_newer.csv", shop.ImportOrders, shop.FormatCafe24, ""}
		importFixture(t, db, old, opts)
		rep := importFixture(t, db, newer, opts)
		if got, want := rep.Summary(), "orders (cafe24, utf-8): 0 inserted, 2 updated, 1 unchanged, 0 rejected"; got != want {
			t.Errorf("newer: %q, want %q", got, want)
		}
		if len(told.Shipped) != 1 || told.Shipped[0].Number != "20251120-0000013" || told.Shipped[0].Carrier != "hanjin" {
			t.Errorf("shipped = %+v, want order 20251120-0000013 by hanjin", told.Shipped)
		}
		rep = importFixture(t, db, old, opts)
		if rep.Updated != 0 || rep.Inserted != 0 {
			t.Errorf("older export after newer: %s, want nothing changed", rep.Summary())
		}
		o, err := shop.NewStore(db).Order(context.Background(), "20251120-0000012")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != shop.Delivered || o.DeliveredAt == nil {
			t.Errorf("order 12 = %s delivered %v, want delivered with a time", o.Status, o.DeliveredAt)
		}

		told = shop.Changes{}
		products := importCase{"", "generic_products.csv", shop.ImportProducts, shop.FormatGeneric, ""}
		importFixture(t, db, products, opts)
		importFixture(t, db, importCase{"", "generic_products_newer.csv", shop.ImportProducts, shop.FormatGeneric, ""}, opts)
		importFixture(t, db, importCase{"", "generic_products_newer.csv", shop.ImportProducts, shop.FormatGeneric, ""}, opts)
		var crossed []string
		for _, c := range told.Stock {
			if c.Crossed() {
				crossed = append(crossed, fmt.Sprintf("%s %d→%d", c.After.SKU, c.Before.Stock, c.After.Stock))
			}
		}
		if diff := cmp.Diff([]string{"MUG-01 40→4"}, crossed); diff != "" {
			t.Errorf("crossings (-want +got):\n%s", diff)
		}
		if got, want := len(told.Stock), 2; got != want {
			t.Errorf("%d stock changes told, want %d (TEE-WHT-M and MUG-01 once)", got, want)
		}
	}, shop.Schema)
}

func TestImportStrict(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		rep := importFixture(t, db, importCases[0], shop.ImportOptions{Strict: true, BatchSize: 1})
		if rep.Committed || rep.Rejected == 0 {
			t.Errorf("strict import with bad rows: %s", rep.Summary())
		}
		if _, err := shop.NewStore(db).Order(context.Background(), "2001"); err == nil {
			t.Error("order 2001 landed from a strict import with rejected rows")
		}
		rep = importFixture(t, db, importCase{"", "cafe24_orders_newer.csv", shop.ImportOrders, shop.FormatCafe24, ""}, shop.ImportOptions{Strict: true})
		if !rep.Committed || rep.Inserted != 3 {
			t.Errorf("strict import of a clean file: %s", rep.Summary())
		}
	}, shop.Schema)
}

func TestImportErrors(t *testing.T) {
	db := dbtest.Open(t, "sqlite", shop.Schema)
	tests := []struct {
		name, data string
		kind       shop.ImportKind
		format     shop.Format
		want       string
	}{
		{"empty", "", shop.ImportOrders, "", "the file is empty"},
		{"no header", "a,b\n1,2\n", shop.ImportOrders, shop.FormatShopify, `no column "Name", "Lineitem name", "Financial Status"`},
		{"products header for orders", "sku,name\nA,B\n", shop.ImportOrders, shop.FormatGeneric, "this is a products export (generic products): import it with `shopbot import products FILE`"},
		{"shopify products for orders", "Handle,Title,Variant SKU,Variant Price\nt,T,A,1\n", shop.ImportOrders, "", "this is a products export (shopify products)"},
		{"cafe24 orders for products", "주문번호,주문상태,상품명,상품코드,수량\n1,배송중,티,A,1\n", shop.ImportProducts, "", `this is an orders export (cafe24 orders, with columns "상품명", "수량", "주문번호", "주문상태")`},
		{"shopify orders for products", "Name,Email,Financial Status,Lineitem name,Lineitem sku\n#1,a@b.c,paid,T,A\n", shop.ImportProducts, "", "this is an orders export (shopify orders"},
		{"unknown layout", "foo,bar\n1,2\n", shop.ImportOrders, "", `the columns of row 1 are "foo", "bar"; known layouts: shopify (needs "Name", "Lineitem name", "Financial Status"); cafe24 (needs "주문번호"`},
		{"unknown layout, products", "foo,bar\n1,2\n", shop.ImportProducts, "", `the columns of row 1 are "foo", "bar"; known layouts: shopify (needs "Handle", "Variant SKU")`},
		{"unknown format", "x\n", shop.ImportOrders, "amazon", `unknown format "amazon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shop.Import(context.Background(), db, strings.NewReader(tt.data), shop.ImportOptions{Kind: tt.kind, Format: tt.format})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"columns: {number: A}\n", ""},
		{"columns: {numbr: A}\n", "columns.numbr: unknown field"},
		{"statuses: {sent: gone}\n", `statuses.sent: "gone" is not a status`},
		{"timezone: Mars/Base\n", "timezone: unknown time zone"},
		{"colums: {}\n", "field colums not found"},
	}
	for _, tt := range tests {
		_, err := shop.ParseMapping([]byte(tt.yaml))
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ParseMapping(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want shop.Status
	}{
		{"배송중", shop.Shipped}, {"배송 중", shop.Shipped}, {"N30", shop.Shipped}, {"DELIVERING", shop.Shipped},
		{"구매확정", shop.Delivered}, {"입금전", shop.PendingPayment}, {"신규주문", shop.Paid}, {"발주확인", shop.Preparing},
		{"취소처리중-환불전", shop.Cancelled}, {"입금전취소-관리자", shop.Cancelled}, {"반품완료", shop.Returned},
		{"환불완료", shop.Refunded}, {"shipped", shop.Shipped}, {"취소요청", shop.Paid}, {"반품요청", shop.Delivered},
	}
	for _, tt := range tests {
		if got, ok := shop.ParseStatus(tt.in); !ok || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := shop.ParseStatus("알수없음"); ok {
		t.Error("ParseStatus(알수없음) ok")
	}
}

func TestShopifyStatus(t *testing.T) {
	tests := []struct {
		financial, fulfillment string
		cancelled              bool
		want                   shop.Status
	}{
		{"paid", "fulfilled", false, shop.Shipped},
		{"paid", "", false, shop.Paid},
		{"pending", "unfulfilled", false, shop.PendingPayment},
		{"refunded", "", true, shop.Refunded},
		{"paid", "", true, shop.Cancelled},
		{"voided", "", false, shop.Cancelled},
		{"partially_paid", "", false, shop.PendingPayment},
		{"paid", "partial", false, shop.Shipped},
	}
	for _, tt := range tests {
		if got, err := shop.ShopifyStatus(tt.financial, tt.fulfillment, tt.cancelled); err != nil || got != tt.want {
			t.Errorf("ShopifyStatus(%q, %q, %v) = %q, %v; want %q", tt.financial, tt.fulfillment, tt.cancelled, got, err, tt.want)
		}
	}
}

// TestImportTellFails: when what a batch calls for cannot be queued, the
// batch does not land either, so importing again tells it then.
func TestImportTellFails(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		importFixture(t, db, importCase{"", "cafe24_orders.csv", shop.ImportOrders, shop.FormatCafe24, ""}, shop.ImportOptions{})
		newer := importCase{"", "cafe24_orders_newer.csv", shop.ImportOrders, shop.FormatCafe24, ""}
		failing := shop.ImportOptions{Kind: newer.kind, Format: newer.format, Now: func() time.Time { return importNow },
			Changed: func(context.Context, sqlx.ExtContext, shop.Changes) error { return errors.New("outbox down") }}
		_, err := shop.Import(context.Background(), db, bytes.NewReader(fixture(t, newer.file)), failing)
		if err == nil || !strings.Contains(err.Error(), "outbox down") {
			t.Fatalf("import with a failing announcement: err = %v, want it", err)
		}
		var told shop.Changes
		opts := shop.ImportOptions{Changed: func(_ context.Context, _ sqlx.ExtContext, c shop.Changes) error { told.Add(c); return nil }}
		rep := importFixture(t, db, newer, opts)
		if rep.Updated == 0 || len(told.Shipped) != 1 {
			t.Errorf("second import: %s, shipped told %d; want the updates landing now and the shipment told", rep.Summary(), len(told.Shipped))
		}
	}, shop.Schema)
}

// TestImportRequiredFacts: a new order without an order date, and a new
// product without a name, are row errors (they would count as today's
// sales, or show as a nameless product sold out); an existing one may be
// updated without them.
func TestImportRequiredFacts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		now := func() time.Time { return time.Date(2025, 11, 23, 12, 0, 0, 0, time.UTC) }
		imp := func(kind shop.ImportKind, data string) *shop.ImportReport {
			t.Helper()
			rep, err := shop.Import(ctx, db, strings.NewReader(data), shop.ImportOptions{Kind: kind, Now: now})
			if err != nil {
				t.Fatalf("import %s: %v", kind, err)
			}
			return rep
		}
		rep := imp(shop.ImportOrders, "number,status,total,ordered_at\n9001,paid,1000,2025-11-01 10:00\n9002,paid,2000,\n")
		if got, want := rep.Summary(), "orders (generic, utf-8): 1 inserted, 0 updated, 0 unchanged, 1 rejected"; got != want {
			t.Errorf("summary = %q, want %q", got, want)
		}
		if len(rep.Problems) != 1 || rep.Problems[0].Row != 3 || rep.Problems[0].Column != "ordered_at" || !strings.Contains(rep.Problems[0].Reason, "without an order date") {
			t.Errorf("problems = %+v, want row 3, ordered_at", rep.Problems)
		}
		if _, err := shop.NewStore(db).Order(ctx, "9002"); err == nil {
			t.Error("order 9002 landed without an order date")
		}
		before, err := shop.NewStore(db).Order(ctx, "9001")
		if err != nil {
			t.Fatal(err)
		}
		// An update of a known order needs no date, and keeps its own.
		rep = imp(shop.ImportOrders, "number,status,carrier,tracking_number\n9001,shipped,cj,512345678901\n")
		if rep.Rejected != 0 || rep.Updated != 1 {
			t.Errorf("update without dates: %s %+v", rep.Summary(), rep.Problems)
		}
		if o, err := shop.NewStore(db).Order(ctx, "9001"); err != nil || !o.OrderedAt.Equal(before.OrderedAt) || o.OrderedAt.Day() != 1 {
			t.Errorf("order 9001 after the update: ordered %v, %v; want %v", o.OrderedAt, err, before.OrderedAt)
		}

		rep = imp(shop.ImportProducts, "sku,name,stock\nA-1,Tee,5\nA-2,,7\n")
		if rep.Inserted != 1 || rep.Rejected != 1 || len(rep.Problems) != 1 || rep.Problems[0].Row != 3 || rep.Problems[0].Column != "name" {
			t.Errorf("products: %s %+v", rep.Summary(), rep.Problems)
		}
		rep = imp(shop.ImportProducts, "sku,stock\nA-1,9\n")
		if rep.Rejected != 0 || rep.Updated != 1 {
			t.Errorf("stock update without names: %s %+v", rep.Summary(), rep.Problems)
		}
	}, shop.Schema)
}
