package shop_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

// cafe24Export is a Cafe24 order export of orders one-line orders, each
// line padded with a memo of memo bytes (a column the import ignores).
func cafe24Export(orders, memo int) []byte {
	var b bytes.Buffer
	b.WriteString("주문번호,주문일시,결제일시(입금확인일),주문상태,주문자명,주문자 휴대전화,자체 상품코드,상품명(한국어 쇼핑몰),수량,판매가,총 결제금액,배송업체명,송장번호,배송메시지\n")
	pad := strings.Repeat("문", memo/3)
	for i := range orders {
		fmt.Fprintf(&b, "20251120-%07d,2025-11-20 09:12:33,2025-11-20 09:13:01,배송중,김민지,010-1234-%04d,SKU-1,상품 1,1,19000,19000,CJ대한통운,60%011d,%s\n",
			i, i%10000, i, pad)
	}
	return b.Bytes()
}

// TestImportMemoryBounded: what an import keeps between batches does not
// grow with the rows' size. It imports 6,000 orders whose lines carry 4 KB
// each (24 MB of lines) and reads the live heap after each batch: it stays
// far below the file's size. (The map of order numbers seen used to keep
// every order's whole first line alive.)
func TestImportMemoryBounded(t *testing.T) {
	data := cafe24Export(6000, 4000)
	db := dbtest.Open(t, "sqlite", shop.Schema)
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	r := &sampling{r: bytes.NewReader(data)}
	rep, err := shop.Import(context.Background(), db, r, shop.ImportOptions{Kind: shop.ImportOrders, Format: shop.FormatCafe24})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Inserted != 6000 {
		t.Fatalf("report: %s", rep.Summary())
	}
	grew := int64(r.peak) - int64(base.HeapAlloc) // the file itself was in memory before
	t.Logf("%d MB of lines; the live heap grew by %d MB at its peak (%d samples)", len(data)>>20, grew>>20, r.samples)
	if r.samples < 5 {
		t.Fatalf("only %d samples of the heap", r.samples)
	}
	if limit := int64(len(data)) / 4; grew > limit {
		t.Errorf("live heap grew by %d MB during the import of %d MB of lines, want under %d MB", grew>>20, len(data)>>20, limit>>20)
	}
}

// sampling is a reader, 4 KB at a time, that reads the live heap (after a
// collection) every 256 reads.
type sampling struct {
	r       *bytes.Reader
	reads   int
	samples int
	peak    uint64
}

func (s *sampling) Read(p []byte) (int, error) {
	if s.reads++; s.reads%256 == 0 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		s.peak = max(s.peak, m.HeapAlloc)
		s.samples++
	}
	return s.r.Read(p[:min(len(p), 4096)])
}

// TestImportAnalyzes: after an import that changed something the planner
// has statistics for the shop's tables.
func TestImportAnalyzes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		query := map[string]string{
			"sqlite":   "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'orders'",
			"postgres": "SELECT CASE WHEN reltuples >= 0 THEN 1 ELSE 0 END FROM pg_class WHERE oid = 'orders'::regclass",
		}[db.DriverName()]
		rep, err := shop.Import(ctx, db, bytes.NewReader(cafe24Export(200, 0)), shop.ImportOptions{Kind: shop.ImportOrders, Format: shop.FormatCafe24})
		if err != nil || rep.Inserted != 200 {
			t.Fatalf("import: %v %+v", err, rep)
		}
		var n int
		if err := db.GetContext(ctx, &n, query); err != nil || n == 0 {
			t.Errorf("no planner statistics for orders after the import (%v)", err)
		}
	}, shop.Schema)
}
