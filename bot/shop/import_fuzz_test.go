package shop

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// FuzzImportRows reads any bytes as an import file through every layout's
// row parsers: nothing may panic, whatever the encoding or the cells.
func FuzzImportRows(f *testing.F) {
	f.Add([]byte("Name,Financial Status,Lineitem name,Lineitem quantity,Lineitem price,Created at,Total\n#1,paid,Tee,2,15000.00,2025-11-20 10:15:00 +0900,30000\n#1,,Mug,x,1e400,,\n"))
	f.Add([]byte("주문번호,주문상태,상품명,수량,판매가,택배사,송장번호,결제일\n1,배송중,티,1,\"1,000원\",CJ,6.01E+12,45983.5\n"))
	f.Add([]byte("\xEF\xBB\xBFsku,name,price,stock\nA,B,-1,-5\n"))
	f.Add([]byte("\xb9\xe8\xbc\xdb,\xc1\xd6\xb9\xae\xb9\xf8\xc8\xa3\n\"unterminated\n"))
	f.Add([]byte("Handle,Title,Variant SKU,Option1 Value,Variant Price,Variant Inventory Qty\nh,,,,,\nh,T,,L,1,99999999999999\n"))
	loc := time.FixedZone("KST", 9*3600)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, l := range layouts {
			tb, _, err := openTable(bytes.NewReader(data))
			if err != nil {
				return
			}
			header, err := tb.next()
			if err != nil {
				tb.close()
				return
			}
			b, _ := bind(l, header)
			p := parser{b: b, loc: loc}
			rep := &ImportReport{}
			po := &pendingOrder{}
			for n := 2; n < 50; n++ {
				cells, err := tb.next()
				if errors.Is(err, io.EOF) || err != nil {
					break
				}
				r := rowView{n: n, cells: cells, b: b}
				if l.kind == ImportOrders {
					p.orderRow(r, po, rep)
				} else {
					p.product(r, rep)
				}
			}
			po.order()
			tb.close()
		}
	})
}

func FuzzParseWon(f *testing.F) {
	for _, s := range []string{"32,000원", "₩1,000", "12.50", "3.2E+4", "-1", "", "1e400", "NaN", "９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := parseWon(s); err == nil && n < 0 {
			t.Errorf("parseWon(%q) = %d", s, n)
		}
		parseCount(s)
		ParseStatus(s)
		(&parser{loc: time.UTC}).time(s)
	})
}
