package shop_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

// bulkOrders is a Cafe24 export of n orders (one or two lines each). Its
// second version (newer) moves some orders on, ships some with a
// tracking number, changes some orders' items, says an older status for
// some (which must not move them back), leaves the rest as they were and
// adds n/4 new orders.
func bulkOrders(n int, newer bool) []byte {
	var b bytes.Buffer
	b.WriteString("주문번호,주문일시,결제일시(입금확인일),주문상태,주문자명,주문자 휴대전화,자체 상품코드,상품명(한국어 쇼핑몰),수량,판매가,총 결제금액,배송업체명,송장번호\n")
	statuses := []string{"입금전", "상품준비중", "배송중", "배송완료"}
	total := n
	if newer {
		total = n + n/4
	}
	for i := range total {
		status, carrier, tracking, qty := statuses[i%4], "", "", 1
		if status == "배송중" || status == "배송완료" {
			carrier, tracking = "CJ대한통운", fmt.Sprintf("60%011d", i)
		}
		if newer {
			switch {
			case i%3 == 0 && i%4 < 2: // shipped now
				status, carrier, tracking = "배송중", "한진택배", fmt.Sprintf("51%010d", i)
			case i%4 == 3 && i%7 == 0: // an older status: stays delivered
				status = "상품준비중"
			}
			if i%5 == 0 {
				qty = 3
			}
		}
		lines := 1 + i%2
		for l := range lines {
			fmt.Fprintf(&b, "20251120-%07d,2025-11-%02d 09:12:33,,%s,김민지,010-1234-%04d,SKU-%d,상품 %d,%d,19000,,%s,%s\n",
				i, 1+i%28, status, i%10000, l, l, qty, carrier, tracking)
		}
	}
	return b.Bytes()
}

// bulkProducts is a generic products export of n products; newer changes
// the stock of every third and adds n/4.
func bulkProducts(n int, newer bool) []byte {
	var b bytes.Buffer
	b.WriteString("sku,name,price,stock,safety_stock\n")
	total := n
	if newer {
		total = n + n/4
	}
	for i := range total {
		stock := 10 + i%7
		if newer && i%3 == 0 {
			stock = i % 4
		}
		fmt.Fprintf(&b, "P-%05d,Product %d,%d,%d,3\n", i, i, 1000+i, stock)
	}
	return b.Bytes()
}

// shopRows is everything the shop's tables hold, in order.
func shopRows(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT number, customer_name, phone, status, total, carrier, tracking_number, ordered_at, paid_at, shipped_at, delivered_at FROM orders ORDER BY number`,
		`SELECT order_number, line, sku, name, qty, price FROM order_items ORDER BY order_number, line`,
		`SELECT sku, name, price, stock, safety_stock FROM products ORDER BY sku`,
	} {
		rows, err := db.Queryx(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				switch v := c.(type) {
				case time.Time:
					cols[i] = v.UTC().Format(time.RFC3339)
				case []byte:
					cols[i] = string(v)
				}
			}
			out = append(out, fmt.Sprint(cols...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// TestImportLargeBatches: batches larger than one statement's rows (COPY
// into a staging table on PostgreSQL, a prepared multi-row INSERT on
// SQLite) land exactly what batches of a few rows (one multi-row INSERT
// each) land: the same rows, reports and news, through a first import, a
// newer export and the newer export again, and in one strict transaction.
func TestImportLargeBatches(t *testing.T) {
	const n = 1200
	type step struct {
		kind shop.ImportKind
		data []byte
	}
	steps := []step{
		{shop.ImportOrders, bulkOrders(n, false)},
		{shop.ImportOrders, bulkOrders(n, true)},
		{shop.ImportOrders, bulkOrders(n, true)},
		{shop.ImportProducts, bulkProducts(n, false)},
		{shop.ImportProducts, bulkProducts(n, true)},
	}
	now := time.Date(2025, 11, 30, 12, 0, 0, 0, time.UTC)
	run := func(t *testing.T, db *sqlx.DB, batch int, strict bool) (reports []string, news []string) {
		for _, s := range steps {
			opts := shop.ImportOptions{Kind: s.kind, BatchSize: batch, Strict: strict, Now: func() time.Time { return now },
				Changed: func(_ context.Context, _ sqlx.ExtContext, c shop.Changes) error {
					for _, o := range c.Shipped {
						news = append(news, fmt.Sprintf("shipped %s %s %s", o.Number, o.Carrier, o.TrackingNumber))
					}
					for _, c := range c.Stock {
						news = append(news, fmt.Sprintf("stock %s %d→%d", c.After.SKU, c.Before.Stock, c.After.Stock))
					}
					return nil
				}}
			rep, err := shop.Import(context.Background(), db, bytes.NewReader(s.data), opts)
			if err != nil {
				t.Fatalf("batch %d: %v", batch, err)
			}
			reports = append(reports, rep.Summary())
		}
		slices.Sort(news)
		return reports, news
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			small := dbtest.Open(t, engine, shop.Schema)
			wantReports, wantNews := run(t, small, 50, false)
			want := shopRows(t, small)
			if got := wantReports[1]; got != "orders (cafe24, utf-8): 300 inserted, 400 updated, 800 unchanged, 0 rejected" {
				t.Errorf("newer export: %s", got)
			}
			if !strings.Contains(wantReports[2], " 0 inserted, 0 updated, 1500 unchanged") {
				t.Errorf("the newer export again: %s", wantReports[2])
			}
			if len(wantNews) < 100 {
				t.Fatalf("only %d shipments and stock changes told: %q", len(wantNews), wantNews)
			}
			for _, c := range []struct {
				name   string
				batch  int
				strict bool
			}{{"large", 1000, false}, {"one transaction", 700, true}} {
				t.Run(c.name, func(t *testing.T) {
					db := dbtest.Open(t, engine, shop.Schema)
					reports, news := run(t, db, c.batch, c.strict)
					if diff := cmp.Diff(wantReports, reports); diff != "" {
						t.Errorf("reports (-batches of 50 +batches of %d):\n%s", c.batch, diff)
					}
					if diff := cmp.Diff(wantNews, news); diff != "" {
						t.Errorf("news (-batches of 50 +batches of %d):\n%s", c.batch, diff)
					}
					if diff := cmp.Diff(want, shopRows(t, db)); diff != "" {
						t.Errorf("rows (-batches of 50 +batches of %d):\n%s", c.batch, diff)
					}
				})
			}
			// A strict import whose last row is rejected lands none of its
			// (large) batches.
			db := dbtest.Open(t, engine, shop.Schema)
			bad := append(bulkOrders(n, false), ",2025-11-01 09:00:00,,배송중,김,010,SKU-1,상품,1,1000,,,\n"...)
			rep, err := shop.Import(context.Background(), db, bytes.NewReader(bad), shop.ImportOptions{Kind: shop.ImportOrders, Strict: true, BatchSize: 1000})
			if err != nil || rep.Committed || rep.Rejected != 1 {
				t.Fatalf("strict import with a bad last row: %v %+v", err, rep)
			}
			if rows := shopRows(t, db); len(rows) != 0 {
				t.Errorf("a rejected strict import left %d rows, first %q", len(rows), rows[0])
			}
		})
	}
}
