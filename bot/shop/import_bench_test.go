package shop_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

// bigCafe24 writes a Cafe24 order export of rows rows (orders of one or two
// lines) and returns its path.
func bigCafe24(b *testing.B, rows int) string {
	path := filepath.Join(b.TempDir(), "orders.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "주문번호,주문일시,결제일시(입금확인일),주문상태,주문자명,주문자 휴대전화,자체 상품코드,상품명(한국어 쇼핑몰),수량,판매가,총 결제금액,배송업체명,송장번호")
	for i, order := 0, 0; i < rows; order++ {
		lines := 1 + order%2
		for l := 0; l < lines && i < rows; l++ {
			fmt.Fprintf(w, "20251120-%07d,2025-11-20 09:12:33,2025-11-20 09:13:01,배송중,김민지,010-1234-%04d,SKU-%d,상품 %d,1,19000,38000,CJ대한통운,60%011d\n",
				order, order%10000, l, l, order)
			i++
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// BenchmarkImport100k imports a 100,000-row export into a fresh database,
// then again (everything unchanged). Run: go test -run X -bench Import100k -benchtime 1x ./bot/shop/
func BenchmarkImport100k(b *testing.B) {
	path := bigCafe24(b, 100_000)
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			for range b.N {
				db := dbtest.Open(b, engine, shop.Schema)
				for _, pass := range []string{"first", "again"} {
					f, err := os.Open(path)
					if err != nil {
						b.Fatal(err)
					}
					var peak uint64
					done := make(chan struct{})
					go func() {
						var m runtime.MemStats
						for {
							select {
							case <-done:
								return
							case <-time.After(50 * time.Millisecond):
								runtime.ReadMemStats(&m)
								peak = max(peak, m.HeapAlloc)
							}
						}
					}()
					start := time.Now()
					rep, err := shop.Import(context.Background(), db, f, shop.ImportOptions{Kind: shop.ImportOrders, Format: shop.FormatCafe24})
					close(done)
					f.Close()
					if err != nil {
						b.Fatal(err)
					}
					b.Logf("%s %s: %d rows in %s, peak heap %d MB: %s", engine, pass, rep.Rows, time.Since(start).Round(time.Millisecond), peak>>20, rep.Summary())
				}
			}
		})
	}
}
