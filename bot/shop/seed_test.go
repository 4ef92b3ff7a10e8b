package shop_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

func count(t *testing.T, db *sqlx.DB, table string) int {
	t.Helper()
	var n int
	if err := db.GetContext(t.Context(), &n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeedDemo(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		seoul := mustLoad(t, "Asia/Seoul")
		now := time.Date(2025, 11, 23, 14, 30, 0, 0, seoul)
		if _, has, err := shop.DemoSeeded(ctx, db); err != nil || has {
			t.Fatalf("DemoSeeded on an empty database = %v, %v; want false", has, err)
		}
		seeded, err := shop.SeedDemo(ctx, db, now)
		if err != nil || !seeded {
			t.Fatalf("first SeedDemo = %v, %v; want true", seeded, err)
		}
		if at, has, err := shop.DemoSeeded(ctx, db); err != nil || !has || !at.Equal(now) {
			t.Fatalf("DemoSeeded after seeding = %v, %v, %v; want %v, true", at, has, err, now)
		}
		counts := map[string]int{}
		for _, table := range []string{"products", "orders", "order_items", "shop_meta"} {
			counts[table] = count(t, db, table)
		}
		seeded, err = shop.SeedDemo(ctx, db, now.Add(time.Hour))
		if err != nil || seeded {
			t.Fatalf("second SeedDemo = %v, %v; want false", seeded, err)
		}
		for table, want := range counts {
			if got := count(t, db, table); got != want {
				t.Errorf("%s: %d rows after the second seed, %d after the first", table, got, want)
			}
		}
		if got, want := counts["orders"], 200; got != want {
			t.Errorf("orders = %d, want %d", got, want)
		}
		if got := counts["products"]; got < 25 || got > 35 {
			t.Errorf("products = %d, want about 30", got)
		}

		st := shop.NewStore(db)
		var statuses []struct {
			Status string `db:"status"`
			N      int    `db:"n"`
		}
		if err := db.SelectContext(ctx, &statuses, "SELECT status, COUNT(*) AS n FROM orders GROUP BY status"); err != nil {
			t.Fatal(err)
		}
		seen := map[shop.Status]int{}
		for _, s := range statuses {
			seen[shop.Status(s.Status)] = s.N
		}
		for _, s := range shop.Statuses {
			if seen[s] == 0 {
				t.Errorf("no %s order in the demo", s)
			}
		}
		for i := 1001; i <= 1200; i++ {
			if _, err := st.Order(ctx, itoa(i)); err != nil {
				t.Fatalf("order %d: %v", i, err)
			}
		}

		o, err := st.Order(ctx, "1042")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != shop.Shipped || o.Carrier != "cj" || o.TrackingNumber != "6012345678901" || o.CustomerName != "김민지" ||
			o.Phone != "010-1234-5678" || o.Email != "minji@example.com" || o.ShippedAt == nil || len(o.Items) == 0 {
			t.Errorf("order 1042 = %+v", o)
		}
		if y := now.AddDate(0, 0, -1); o.ShippedAt.In(seoul).Format(time.DateOnly) != y.Format(time.DateOnly) {
			t.Errorf("order 1042 shipped %v, want yesterday", o.ShippedAt.In(seoul))
		}
		o, err = st.Order(ctx, "1043")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != shop.Preparing || o.Status.HasShipped() || o.PaidAt == nil || o.CustomerName != "이준호" ||
			o.Phone != "010-2222-3333" || o.Email != "junho@example.com" {
			t.Errorf("order 1043 = %+v", o)
		}
		o, err = st.Order(ctx, "1044")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != shop.Delivered || o.DeliveredAt == nil || !o.DeliveredAt.Equal(now.AddDate(0, 0, -3)) ||
			o.CustomerName != "Emily Park" || o.Phone != "010-9876-5432" || o.Email != "emily@example.com" {
			t.Errorf("order 1044 = %+v", o)
		}

		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, seoul)
		sales, err := st.Sales(ctx, today, today.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if sales.Orders < 3 || sales.Revenue == 0 || len(sales.Top) == 0 {
			t.Errorf("sales today = %+v, want at least 3 orders", sales)
		}
		month, err := st.Sales(ctx, now.AddDate(0, 0, -61), now)
		if err != nil {
			t.Fatal(err)
		}
		if month.Orders < 150 || month.Cancelled == 0 || month.Refunded == 0 || len(month.Top) != 5 {
			t.Errorf("sales over 61 days = %+v", month)
		}
		days, err := st.DailySales(ctx, today.AddDate(0, 0, -29), today.AddDate(0, 0, 1), seoul)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(days), 30; got != want {
			t.Errorf("daily sales over 30 days: %d rows, want %d", got, want)
		}

		low, err := st.LowStock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(low) < 3 || low[0].Stock != 0 {
			t.Errorf("low stock = %+v, want a few, the first sold out", low)
		}
		unshipped, err := st.UnshippedSince(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(unshipped) == 0 {
			t.Errorf("no unshipped orders in the demo")
		}
	}, shop.Schema)
}

func itoa(i int) string { return strconv.Itoa(i) }

var (
	phoneRE = regexp.MustCompile(`^010-\d{4}-\d{4}$`)
	skuRE   = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)+$`)
)

func TestSeedDemoShape(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		now := time.Date(2026, 3, 1, 0, 10, 0, 0, time.UTC) // 09:10 in Seoul
		if _, err := shop.SeedDemo(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		st := shop.NewStore(db)
		ps, err := st.Products(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if !skuRE.MatchString(p.SKU) || p.Price < 1000 || p.Price%100 != 0 || p.Name == "" {
				t.Errorf("odd demo product %+v", p)
			}
		}
		var numbers []string
		if err := db.SelectContext(ctx, &numbers, "SELECT number FROM orders"); err != nil {
			t.Fatal(err)
		}
		for _, n := range numbers {
			o, err := st.Order(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if !phoneRE.MatchString(o.Phone) || o.Email == "" || o.CustomerName == "" || len(o.Items) == 0 || o.Total <= 0 {
				t.Errorf("order %s: odd customer or items: %+v", n, o)
			}
			if o.OrderedAt.After(now) || o.OrderedAt.Before(now.AddDate(0, 0, -60)) {
				t.Errorf("order %s placed %v, not in the 60 days before %v", n, o.OrderedAt, now)
			}
			steps := []*time.Time{&o.OrderedAt, o.PaidAt, o.ShippedAt, o.DeliveredAt}
			var last time.Time
			for _, s := range steps {
				if s == nil {
					continue
				}
				if s.Before(last) || s.After(now) {
					t.Errorf("order %s: times out of order or in the future: %+v", n, o)
				}
				last = *s
			}
			shipped := o.ShippedAt != nil
			if shipped != (o.Carrier != "") || shipped != (o.TrackingNumber != "") || (shipped && shop.TrackingURL(o.Carrier, o.TrackingNumber) == "") {
				t.Errorf("order %s: shipment inconsistent: %+v", n, o)
			}
			if o.Status.HasShipped() && !shipped {
				t.Errorf("order %s is %s but has no shipment", n, o.Status)
			}
			if (o.Status == shop.PendingPayment) != (o.PaidAt == nil) && o.Status != shop.Cancelled {
				t.Errorf("order %s is %s, paid at %v", n, o.Status, o.PaidAt)
			}
		}
	}, shop.Schema)
}

// TestSeedDemoDeterministic seeds two databases at the same instant and
// expects the same orders.
func TestSeedDemoDeterministic(t *testing.T) {
	now := time.Date(2025, 11, 23, 5, 0, 0, 0, time.UTC)
	var orders [2][]*shop.Order
	for i := range orders {
		db := dbtest.Open(t, "sqlite", shop.Schema)
		if _, err := shop.SeedDemo(t.Context(), db, now); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"1001", "1100", "1041", "1045", "1199", "1200"} {
			o, err := shop.NewStore(db).Order(t.Context(), n)
			if err != nil {
				t.Fatal(err)
			}
			orders[i] = append(orders[i], o)
		}
	}
	if diff := cmp.Diff(orders[0], orders[1]); diff != "" {
		t.Errorf("two seeds differ (-first +second):\n%s", diff)
	}
}
