package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot/dbtest"
)

func TestImportCommand(t *testing.T) {
	fixture := func(name string) string { return filepath.Join("..", "..", "bot", "shop", "testdata", "import", name) }
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := dbtest.URL(t, engine)
			getenv := func(string) string { return "" }
			imp := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				err := runFrozen(context.Background(), append([]string{"import"}, append(args, "--db", db)...), getenv, strings.NewReader(""), &out, &errOut)
				return out.String(), err
			}
			out, err := imp("orders", fixture("cafe24_orders_cp949.csv"), "--format", "cafe24")
			if err != nil {
				t.Fatal(err)
			}
			if want := "orders (cafe24, cp949): 6 inserted, 0 updated, 0 unchanged, 1 rejected\n"; !strings.HasSuffix(out, want) {
				t.Errorf("first import:\n%s\nwant it to end with %q", out, want)
			}
			if !strings.Contains(out, `rejected: row 7, 주문상태: "알수없음": unknown order status`) {
				t.Errorf("first import does not name the bad row:\n%s", out)
			}
			out, err = imp("--format", "cafe24", "orders", fixture("cafe24_orders.csv"))
			if err != nil || !strings.Contains(out, "0 inserted, 0 updated, 6 unchanged, 1 rejected") {
				t.Errorf("second import: %v\n%s", err, out)
			}
			out, err = imp("orders", fixture("generic_orders.csv"), "--format", "generic", "--map", fixture("generic_orders.map.yaml"), "--strict")
			if err == nil || !strings.Contains(out, "nothing imported (strict)") {
				t.Errorf("strict import with a bad row: %v\n%s", err, out)
			}
			out, err = imp("products", fixture("shopify_products.csv"))
			if err != nil || !strings.Contains(out, "products (shopify, utf-8): 5 inserted") {
				t.Errorf("products, format recognised: %v\n%s", err, out)
			}
		})
	}
	for _, args := range [][]string{{"import"}, {"import", "stock", "x.csv"}, {"import", "orders", "x.csv", "--format", "amazon"}} {
		err := runFrozen(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("run %q = %v, want a usage error", args, err)
		}
	}
}
