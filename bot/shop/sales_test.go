package shop_test

import (
	"testing"
	"time"
	_ "time/tzdata" // Asia/Seoul on machines without a zone database

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// salesFixture stores a small fixed set of orders around the three Seoul
// days from 2025-11-20 and returns that period.
func salesFixture(t *testing.T, st *shop.Store) (from, to time.Time) {
	t.Helper()
	seoul := mustLoad(t, "Asia/Seoul")
	from = time.Date(2025, 11, 20, 0, 0, 0, 0, seoul)
	to = from.AddDate(0, 0, 3)
	at := func(day, hour, minute int) time.Time {
		return from.Add(time.Duration(day*24+hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	a := func(qty int) shop.Item { return shop.Item{SKU: "A", Name: "에이", Qty: qty, Price: 10000} }
	b := func(qty int) shop.Item { return shop.Item{SKU: "B", Name: "비", Qty: qty, Price: 50000} }
	c := func(qty int) shop.Item { return shop.Item{SKU: "C", Name: "씨", Qty: qty, Price: 5000} }
	for _, o := range []shop.Order{
		{Number: "1", Status: shop.Paid, OrderedAt: at(0, 10, 0), Items: []shop.Item{a(2)}, Total: 23000},
		{Number: "2", Status: shop.Delivered, OrderedAt: at(0, 23, 30), Items: []shop.Item{b(1)}, Total: 50000},
		{Number: "3", Status: shop.Cancelled, OrderedAt: at(1, 9, 0), Items: []shop.Item{a(5)}, Total: 50000},
		{Number: "4", Status: shop.Refunded, OrderedAt: at(1, 12, 0), Items: []shop.Item{b(2)}, Total: 100000},
		{Number: "5", Status: shop.Returned, OrderedAt: at(2, 9, 0), Items: []shop.Item{a(1)}, Total: 13000},
		{Number: "6", Status: shop.PendingPayment, OrderedAt: at(2, 10, 0), Items: []shop.Item{b(1)}, Total: 50000},
		{Number: "7", Status: shop.Shipped, OrderedAt: at(0, 0, -1), Items: []shop.Item{b(9)}, Total: 450000},
		{Number: "8", Status: shop.Preparing, OrderedAt: to, Items: []shop.Item{b(9)}, Total: 450000},
		{Number: "9", Status: shop.Preparing, OrderedAt: from, Items: []shop.Item{c(3)}, Total: 18000},
	} {
		if err := st.UpsertOrder(t.Context(), o, t0); err != nil {
			t.Fatal(err)
		}
	}
	return from, to
}

func TestSales(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		st := shop.NewStore(db)
		from, to := salesFixture(t, st)
		got, err := st.Sales(t.Context(), from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := shop.Sales{
			Orders: 4, Revenue: 104000, Units: 7, Cancelled: 1, Refunded: 1, AverageOrder: 26000,
			Top: []shop.ProductSales{
				{SKU: "B", Name: "비", Units: 1, Revenue: 50000},
				{SKU: "A", Name: "에이", Units: 3, Revenue: 30000},
				{SKU: "C", Name: "씨", Units: 3, Revenue: 15000},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Sales (-want +got):\n%s", diff)
		}

		// An empty period.
		got, err = st.Sales(t.Context(), to.AddDate(1, 0, 0), to.AddDate(1, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(shop.Sales{}, got); diff != "" {
			t.Errorf("empty Sales (-want +got):\n%s", diff)
		}
	}, shop.Schema)
}

func TestSalesTopFive(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		st := shop.NewStore(db)
		var items []shop.Item
		for i, sku := range []string{"A", "B", "C", "D", "E", "F", "G"} {
			items = append(items, shop.Item{SKU: sku, Name: sku, Qty: 1, Price: int64(1000 * (i + 1))})
		}
		items = append(items, shop.Item{Name: "포장 서비스", Qty: 2, Price: 5000}) // no SKU: told apart by name
		if err := st.UpsertOrder(t.Context(), shop.Order{Number: "1", Status: shop.Paid, OrderedAt: t0, Items: items}, t0); err != nil {
			t.Fatal(err)
		}
		got, err := st.Sales(t.Context(), t0, t0.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		want := []shop.ProductSales{
			{Name: "포장 서비스", Units: 2, Revenue: 10000},
			{SKU: "G", Name: "G", Units: 1, Revenue: 7000},
			{SKU: "F", Name: "F", Units: 1, Revenue: 6000},
			{SKU: "E", Name: "E", Units: 1, Revenue: 5000},
			{SKU: "D", Name: "D", Units: 1, Revenue: 4000},
		}
		if diff := cmp.Diff(want, got.Top); diff != "" {
			t.Errorf("Top (-want +got):\n%s", diff)
		}
		if got, want := got.Units, 9; got != want {
			t.Errorf("Units = %d, want %d", got, want)
		}
		if got, want := got.Revenue, int64(38000); got != want {
			t.Errorf("Revenue = %d, want %d", got, want)
		}
	}, shop.Schema)
}

func TestDailySales(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		st := shop.NewStore(db)
		from, to := salesFixture(t, st)
		seoul := mustLoad(t, "Asia/Seoul")
		day := func(loc *time.Location, m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, loc) }
		tests := []struct {
			name string
			loc  *time.Location
			want []shop.DaySales
		}{
			{"seoul", seoul, []shop.DaySales{
				{Day: day(seoul, 11, 20), Orders: 3, Revenue: 91000},
				{Day: day(seoul, 11, 21)},
				{Day: day(seoul, 11, 22), Orders: 1, Revenue: 13000},
			}},
			// Seoul's midnight is 15:00 UTC the day before.
			{"utc", time.UTC, []shop.DaySales{
				{Day: day(time.UTC, 11, 19), Orders: 1, Revenue: 18000},
				{Day: day(time.UTC, 11, 20), Orders: 2, Revenue: 73000},
				{Day: day(time.UTC, 11, 21)},
				{Day: day(time.UTC, 11, 22), Orders: 1, Revenue: 13000},
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := st.DailySales(t.Context(), from, to, tt.loc)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("DailySales (-want +got):\n%s", diff)
				}
			})
		}
		if got, err := st.DailySales(t.Context(), to, from, seoul); err != nil || len(got) != 0 {
			t.Errorf("DailySales over an empty period = %v, %v", got, err)
		}
		if _, err := st.DailySales(t.Context(), time.Time{}, to, seoul); err == nil {
			t.Errorf("DailySales over 2,000 years: no error")
		}
	}, shop.Schema)
}
