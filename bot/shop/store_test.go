package shop_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
)

var t0 = time.Date(2025, 11, 23, 3, 4, 5, 123456000, time.UTC)

func mustUpsertProducts(t *testing.T, st *shop.Store, now time.Time, ps ...shop.Product) {
	t.Helper()
	for _, p := range ps {
		if err := st.UpsertProduct(t.Context(), p, now); err != nil {
			t.Fatal(err)
		}
	}
}

func skus(ps []shop.Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.SKU
	}
	return out
}

func TestProducts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		st := shop.NewStore(db)
		mustUpsertProducts(t, st, t0,
			shop.Product{SKU: "TEE-WHT-M", Name: "오버핏 티셔츠 화이트 M", Price: 29000, Stock: 3, SafetyStock: 5},
			shop.Product{SKU: "TEA-GRN-20", Name: "녹차 티백", Price: 12000, Stock: 40, SafetyStock: 8},
			shop.Product{SKU: "CRD-BEI-F", Name: "가디건 베이지", Price: 69000, Stock: 0, SafetyStock: 3},
			shop.Product{SKU: "MUG-1", Name: "Mug", Price: 14000, Stock: 5, SafetyStock: 5},
		)
		got, err := st.Product(ctx, "TEE-WHT-M")
		if err != nil {
			t.Fatal(err)
		}
		want := &shop.Product{SKU: "TEE-WHT-M", Name: "오버핏 티셔츠 화이트 M", Price: 29000, Stock: 3, SafetyStock: 5, UpdatedAt: t0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Product (-want +got):\n%s", diff)
		}
		if _, err := st.Product(ctx, "NOPE"); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("Product(NOPE) error = %v, want ErrNotFound", err)
		}

		// Upsert replaces.
		t1 := t0.Add(time.Hour)
		mustUpsertProducts(t, st, t1, shop.Product{SKU: "TEE-WHT-M", Name: "오버핏 티셔츠 화이트 M", Price: 31000, Stock: 9, SafetyStock: 5})
		if got, err := st.Product(ctx, "TEE-WHT-M"); err != nil || got.Price != 31000 || got.Stock != 9 || !got.UpdatedAt.Equal(t1) {
			t.Errorf("after upsert: %+v, %v", got, err)
		}
		if err := st.UpsertProduct(ctx, shop.Product{Name: "no sku"}, t0); err == nil {
			t.Errorf("UpsertProduct without SKU: no error")
		}

		all, err := st.Products(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"MUG-1", "CRD-BEI-F", "TEA-GRN-20", "TEE-WHT-M"}, skus(all)); diff != "" {
			t.Errorf("Products by name (-want +got):\n%s", diff)
		}
		low, err := st.LowStock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"CRD-BEI-F", "MUG-1"}, skus(low)); diff != "" {
			t.Errorf("LowStock (-want +got):\n%s", diff)
		}
	}, shop.Schema)
}

func TestAdjustStock(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		st := shop.NewStore(db)
		mustUpsertProducts(t, st, t0, shop.Product{SKU: "A", Name: "에이", Price: 1000, Stock: 10, SafetyStock: 3})
		t1 := t0.Add(time.Minute)
		tests := []struct {
			name          string
			delta         int
			before, after int
			err           error
		}{
			{"take", -4, 10, 6, nil},
			{"take to safety", -3, 6, 3, nil},
			{"too many", -4, 3, 3, shop.ErrNegativeStock},
			{"restock", 20, 3, 23, nil},
			{"zero", 0, 23, 23, nil},
			{"all", -23, 23, 0, nil},
		}
		for _, tt := range tests {
			before, after, err := st.AdjustStock(ctx, "A", tt.delta, t1)
			if !errors.Is(err, tt.err) {
				t.Fatalf("%s: error = %v, want %v", tt.name, err, tt.err)
			}
			if before.Stock != tt.before || after.Stock != tt.after {
				t.Errorf("%s: stock %d → %d, want %d → %d", tt.name, before.Stock, after.Stock, tt.before, tt.after)
			}
		}
		p, err := st.Product(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.Stock, 0; got != want {
			t.Errorf("stock = %d, want %d", got, want)
		}
		if !p.UpdatedAt.Equal(t1) || !p.Low() {
			t.Errorf("after adjust: %+v", p)
		}
		if _, _, err := st.AdjustStock(ctx, "NOPE", 1, t1); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("AdjustStock(NOPE) error = %v, want ErrNotFound", err)
		}
	}, shop.Schema)
}

func TestAdjustStockInTransaction(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		mustUpsertProducts(t, shop.NewStore(db), t0, shop.Product{SKU: "A", Name: "에이", Stock: 10})
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := shop.NewStore(tx).AdjustStock(ctx, "A", -5, t0); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		p, err := shop.NewStore(db).Product(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := p.Stock, 10; got != want {
			t.Errorf("stock after rollback = %d, want %d", got, want)
		}
	}, shop.Schema)
}

func ptr(t time.Time) *time.Time { return &t }

func TestOrderRoundTrip(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		st := shop.NewStore(db)
		full := shop.Order{
			Number: "1042", CustomerName: "김민지", Phone: "010-1234-5678", Email: "minji@example.com",
			Status: shop.Shipped, Total: 51000, Carrier: "cj", TrackingNumber: "6012345678901",
			Items: []shop.Item{
				{SKU: "TEE-WHT-M", Name: "티셔츠", Qty: 1, Price: 29000},
				{SKU: "BAG-ECO-F", Name: "에코백", Qty: 1, Price: 19000},
			},
			OrderedAt: t0.Add(-72 * time.Hour), PaidAt: ptr(t0.Add(-71 * time.Hour)), ShippedAt: ptr(t0.Add(-24 * time.Hour)),
			UpdatedAt: t0,
		}
		if err := st.UpsertOrder(ctx, full, t0); err != nil {
			t.Fatal(err)
		}
		got, err := st.Order(ctx, "1042")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&full, got); diff != "" {
			t.Errorf("Order (-want +got):\n%s", diff)
		}

		// Replacing: fewer items, delivered, in another time zone.
		seoul := time.FixedZone("KST", 9*3600)
		t1 := t0.Add(time.Hour)
		full.Items = full.Items[:1]
		full.Status = shop.Delivered
		full.DeliveredAt = ptr(t1.In(seoul))
		full.UpdatedAt = t1
		if err := st.UpsertOrder(ctx, full, t1.In(seoul)); err != nil {
			t.Fatal(err)
		}
		got, err = st.Order(ctx, "1042")
		if err != nil {
			t.Fatal(err)
		}
		full.DeliveredAt = ptr(t1)
		if diff := cmp.Diff(&full, got); diff != "" {
			t.Errorf("Order after replace (-want +got):\n%s", diff)
		}

		// Minimal: no items, no optional times, status and total defaulted.
		if err := st.UpsertOrder(ctx, shop.Order{Number: "20251123-0042", OrderedAt: t0}, t0); err != nil {
			t.Fatal(err)
		}
		got, err = st.Order(ctx, "20251123-0042")
		if err != nil {
			t.Fatal(err)
		}
		want := &shop.Order{Number: "20251123-0042", Status: shop.PendingPayment, OrderedAt: t0, UpdatedAt: t0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("minimal order (-want +got):\n%s", diff)
		}

		if _, err := st.Order(ctx, "9999"); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("Order(9999) error = %v, want ErrNotFound", err)
		}
		if _, err := st.Order(ctx, "1042'; DROP TABLE orders;--"); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("Order(injection) error = %v, want ErrNotFound", err)
		}
		if err := st.UpsertOrder(ctx, shop.Order{Number: "1", Status: "lost"}, t0); err == nil {
			t.Errorf("UpsertOrder with unknown status: no error")
		}
		if err := st.UpsertOrder(ctx, shop.Order{Number: " "}, t0); err == nil {
			t.Errorf("UpsertOrder without number: no error")
		}
		// Total from items when not given.
		if err := st.UpsertOrder(ctx, shop.Order{Number: "7", OrderedAt: t0, Items: []shop.Item{{Qty: 3, Price: 1500}}}, t0); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Order(ctx, "7"); err != nil || got.Total != 4500 {
			t.Errorf("computed total: %+v, %v", got, err)
		}
	}, shop.Schema)
}

func TestUnshippedSince(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		st := shop.NewStore(db)
		h := func(n int) *time.Time { return ptr(t0.Add(time.Duration(n) * time.Hour)) }
		for _, o := range []shop.Order{
			{Number: "1", Status: shop.Paid, PaidAt: h(-50)},
			{Number: "2", Status: shop.Preparing, PaidAt: h(-72)},
			{Number: "3", Status: shop.Paid, PaidAt: h(-2)},
			{Number: "4", Status: shop.Shipped, PaidAt: h(-90), ShippedAt: h(-80)},
			{Number: "5", Status: shop.PendingPayment},
			{Number: "6", Status: shop.Cancelled, PaidAt: h(-90)},
		} {
			o.OrderedAt = t0.Add(-100 * time.Hour)
			if err := st.UpsertOrder(ctx, o, t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.UnshippedSince(ctx, t0.Add(-48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, o := range got {
			numbers = append(numbers, o.Number)
		}
		if diff := cmp.Diff([]string{"2", "1"}, numbers); diff != "" {
			t.Errorf("UnshippedSince (-want +got):\n%s", diff)
		}
	}, shop.Schema)
}

func TestOrderNumbersAndPurge(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := t.Context()
		st := shop.NewStore(db)
		for i, o := range []shop.Order{
			{Number: "old", Phone: "010-1111-2222", Email: "a@example.com"},
			{Number: "new", Phone: "010 1111 2222"},
			{Number: "other", Email: "b@example.com"},
		} {
			o.Status = shop.Paid
			o.OrderedAt = t0.Add(time.Duration(i-2) * 24 * time.Hour)
			o.Items = []shop.Item{{SKU: "TEE", Name: "tee", Qty: 1, Price: 1000}}
			if err := st.UpsertOrder(ctx, o, t0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.OrderNumbers(ctx, func(phone, email string) bool { return strings.HasPrefix(phone, "010") })
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if diff := cmp.Diff([]string{"new", "old"}, got); diff != "" {
			t.Errorf("OrderNumbers (-want +got):\n%s", diff)
		}
		for _, tc := range []struct {
			before time.Time
			want   int64
		}{{t0.Add(-48 * time.Hour), 0}, {t0.Add(-47 * time.Hour), 1}, {t0.Add(-47 * time.Hour), 0}} {
			if n, err := st.PurgeOrders(ctx, tc.before); err != nil || n != tc.want {
				t.Errorf("PurgeOrders(%s) = %d, %v; want %d", tc.before.Sub(t0), n, err, tc.want)
			}
		}
		if _, err := st.Order(ctx, "old"); !errors.Is(err, shop.ErrNotFound) {
			t.Errorf("a purged order: %v, want ErrNotFound", err)
		}
		var items int
		if err := db.GetContext(ctx, &items, `SELECT COUNT(*) FROM order_items`); err != nil || items != 2 {
			t.Errorf("%d order items left (%v), want 2", items, err)
		}
		if o, err := st.Order(ctx, "new"); err != nil || len(o.Items) != 1 {
			t.Errorf("a kept order: %+v, %v", o, err)
		}
	}, shop.Schema)
}
