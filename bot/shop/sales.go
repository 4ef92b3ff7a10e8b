package shop

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ProductSales is what one product sold over a period.
type ProductSales struct {
	SKU     string
	Name    string
	Units   int
	Revenue int64 // won
}

// Sales are the figures for the orders placed over a period. Orders,
// Revenue, Units, AverageOrder and Top count the orders that are paid or
// later and not cancelled or refunded; Cancelled and Refunded count those.
type Sales struct {
	Orders       int
	Revenue      int64 // won: the orders' totals
	Units        int
	Cancelled    int
	Refunded     int
	AverageOrder int64          // won, rounded
	Top          []ProductSales // the five products with the most revenue
}

// countedStatuses are the statuses that count towards sales, as query
// arguments.
var countedStatuses = []any{string(Paid), string(Preparing), string(Shipped), string(Delivered), string(Returned)}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Sales returns the figures for the orders placed in [from, to).
func (s *Store) Sales(ctx context.Context, from, to time.Time) (Sales, error) {
	var byStatus []struct {
		Status  string `db:"status"`
		N       int    `db:"n"`
		Revenue int64  `db:"revenue"`
	}
	err := sqlx.SelectContext(ctx, s.q, &byStatus, s.rebind(`SELECT status, COUNT(*) AS n,
		CAST(COALESCE(SUM(total), 0) AS BIGINT) AS revenue
		FROM orders WHERE ordered_at >= ? AND ordered_at < ? GROUP BY status`), from.UTC(), to.UTC())
	if err != nil {
		return Sales{}, fmt.Errorf("shop: sales: %w", err)
	}
	var out Sales
	for _, r := range byStatus {
		switch st := Status(r.Status); {
		case st.counted():
			out.Orders += r.N
			out.Revenue += r.Revenue
		case st == Cancelled:
			out.Cancelled += r.N
		case st == Refunded:
			out.Refunded += r.N
		}
	}
	if out.Orders > 0 {
		out.AverageOrder = (out.Revenue + int64(out.Orders)/2) / int64(out.Orders)
	}

	var products []struct {
		Key     string `db:"k"`
		SKU     string `db:"sku"`
		Name    string `db:"name"`
		Units   int    `db:"units"`
		Revenue int64  `db:"revenue"`
	}
	// Items without a SKU (some imports) are told apart by name.
	args := append([]any{from.UTC(), to.UTC()}, countedStatuses...)
	err = sqlx.SelectContext(ctx, s.q, &products, s.rebind(`SELECT
			CASE WHEN i.sku = '' THEN i.name ELSE i.sku END AS k, MAX(i.sku) AS sku, MAX(i.name) AS name,
			CAST(COALESCE(SUM(i.qty), 0) AS BIGINT) AS units,
			CAST(COALESCE(SUM(i.qty * i.price), 0) AS BIGINT) AS revenue
		FROM order_items i JOIN orders o ON o.number = i.order_number
		WHERE o.ordered_at >= ? AND o.ordered_at < ? AND o.status IN (`+placeholders(len(countedStatuses))+`)
		GROUP BY CASE WHEN i.sku = '' THEN i.name ELSE i.sku END`), args...)
	if err != nil {
		return Sales{}, fmt.Errorf("shop: sales by product: %w", err)
	}
	top := make([]ProductSales, 0, len(products))
	for _, p := range products {
		out.Units += p.Units
		top = append(top, ProductSales{SKU: p.SKU, Name: p.Name, Units: p.Units, Revenue: p.Revenue})
	}
	slices.SortFunc(top, func(a, b ProductSales) int {
		return cmp.Or(cmp.Compare(b.Revenue, a.Revenue), cmp.Compare(b.Units, a.Units),
			strings.Compare(a.SKU, b.SKU), strings.Compare(a.Name, b.Name))
	})
	if len(top) > 5 {
		top = top[:5]
	}
	if len(top) > 0 {
		out.Top = top
	}
	return out, nil
}

// DaySales are the counted orders (see Sales) placed on one local day.
type DaySales struct {
	Day     time.Time // midnight that day, in the location asked for
	Orders  int
	Revenue int64 // won
}

// DailySales returns one row per day in loc (nil: UTC) from the day of from
// up to the day of the instant before to, days without orders included,
// for the orders placed in [from, to).
func (s *Store) DailySales(ctx context.Context, from, to time.Time, loc *time.Location) ([]DaySales, error) {
	if loc == nil {
		loc = time.UTC
	}
	if !from.Before(to) {
		return nil, nil
	}
	var rows []struct {
		OrderedAt time.Time `db:"ordered_at"`
		Total     int64     `db:"total"`
	}
	args := append([]any{from.UTC(), to.UTC()}, countedStatuses...)
	err := sqlx.SelectContext(ctx, s.q, &rows, s.rebind(`SELECT ordered_at, total FROM orders
		WHERE ordered_at >= ? AND ordered_at < ? AND status IN (`+placeholders(len(countedStatuses))+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("shop: daily sales: %w", err)
	}
	var days []DaySales
	index := map[string]int{}
	last := startOfDay(to.Add(-time.Nanosecond), loc)
	if n := last.Sub(startOfDay(from, loc)).Hours() / 24; n > maxDays {
		return nil, fmt.Errorf("shop: daily sales: %.0f days asked for, at most %d", n+1, maxDays)
	}
	for d := startOfDay(from, loc); !d.After(last); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		index[d.Format(time.DateOnly)] = len(days)
		days = append(days, DaySales{Day: d})
	}
	for _, r := range rows {
		if i, ok := index[r.OrderedAt.In(loc).Format(time.DateOnly)]; ok {
			days[i].Orders++
			days[i].Revenue += r.Total
		}
	}
	return days, nil
}

// maxDays bounds DailySales: ten years of rows.
const maxDays = 3660

// startOfDay is midnight of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}
