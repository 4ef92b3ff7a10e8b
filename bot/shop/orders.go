package shop

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

type orderRow struct {
	Number         string       `db:"number"`
	CustomerName   string       `db:"customer_name"`
	Phone          string       `db:"phone"`
	Email          string       `db:"email"`
	Status         string       `db:"status"`
	Total          int64        `db:"total"`
	Carrier        string       `db:"carrier"`
	TrackingNumber string       `db:"tracking_number"`
	OrderedAt      time.Time    `db:"ordered_at"`
	PaidAt         sql.NullTime `db:"paid_at"`
	ShippedAt      sql.NullTime `db:"shipped_at"`
	DeliveredAt    sql.NullTime `db:"delivered_at"`
	UpdatedAt      time.Time    `db:"updated_at"`
}

const orderColumns = `number, customer_name, phone, email, status, total, carrier, tracking_number,
	ordered_at, paid_at, shipped_at, delivered_at, updated_at`

func (r orderRow) order() Order {
	return Order{
		Number: r.Number, CustomerName: r.CustomerName, Phone: r.Phone, Email: r.Email,
		Status: Status(r.Status), Total: r.Total, Carrier: r.Carrier, TrackingNumber: r.TrackingNumber,
		OrderedAt: r.OrderedAt.UTC(), PaidAt: timePtr(r.PaidAt), ShippedAt: timePtr(r.ShippedAt),
		DeliveredAt: timePtr(r.DeliveredAt), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

type itemRow struct {
	OrderNumber string `db:"order_number"`
	Line        int    `db:"line"`
	SKU         string `db:"sku"`
	Name        string `db:"name"`
	Qty         int    `db:"qty"`
	Price       int64  `db:"price"`
}

// UpsertOrder adds an order or replaces the one with the same number,
// items included. An unset status is PendingPayment; an unknown one is an
// error. A zero Total with items is the sum of the items; a zero OrderedAt
// is now.
func (s *Store) UpsertOrder(ctx context.Context, o Order, now time.Time) error {
	if strings.TrimSpace(o.Number) == "" {
		return errors.New("shop: upsert order: empty number")
	}
	if o.Status == "" {
		o.Status = PendingPayment
	}
	if !o.Status.Valid() {
		return fmt.Errorf("shop: upsert order %s: unknown status %q", o.Number, o.Status)
	}
	if o.Total == 0 {
		for _, it := range o.Items {
			o.Total += int64(it.Qty) * it.Price
		}
	}
	if o.OrderedAt.IsZero() {
		o.OrderedAt = now
	}
	_, err := s.q.ExecContext(ctx, s.rebind(`INSERT INTO orders (`+orderColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET customer_name = excluded.customer_name, phone = excluded.phone,
			email = excluded.email, status = excluded.status, total = excluded.total, carrier = excluded.carrier,
			tracking_number = excluded.tracking_number, ordered_at = excluded.ordered_at, paid_at = excluded.paid_at,
			shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at, updated_at = excluded.updated_at`),
		o.Number, o.CustomerName, o.Phone, o.Email, string(o.Status), o.Total, o.Carrier, o.TrackingNumber,
		o.OrderedAt.UTC(), nullTime(o.PaidAt), nullTime(o.ShippedAt), nullTime(o.DeliveredAt), now.UTC())
	if err != nil {
		return fmt.Errorf("shop: upsert order %s: %w", o.Number, err)
	}
	if _, err := s.q.ExecContext(ctx, s.rebind(`DELETE FROM order_items WHERE order_number = ?`), o.Number); err != nil {
		return fmt.Errorf("shop: upsert order %s: items: %w", o.Number, err)
	}
	for i, it := range o.Items {
		_, err := s.q.ExecContext(ctx, s.rebind(`INSERT INTO order_items (order_number, line, sku, name, qty, price)
			VALUES (?, ?, ?, ?, ?, ?)`), o.Number, i+1, it.SKU, it.Name, it.Qty, it.Price)
		if err != nil {
			return fmt.Errorf("shop: upsert order %s: item %d: %w", o.Number, i+1, err)
		}
	}
	return nil
}

// Order returns the order with this number and its items, or ErrNotFound.
func (s *Store) Order(ctx context.Context, number string) (*Order, error) {
	var r orderRow
	err := sqlx.GetContext(ctx, s.q, &r, s.rebind(`SELECT `+orderColumns+` FROM orders WHERE number = ?`), number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shop: order %s: %w", number, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("shop: order %s: %w", number, err)
	}
	o := r.order()
	var items []itemRow
	if err := sqlx.SelectContext(ctx, s.q, &items, s.rebind(`SELECT order_number, line, sku, name, qty, price
		FROM order_items WHERE order_number = ? ORDER BY line`), number); err != nil {
		return nil, fmt.Errorf("shop: order %s: items: %w", number, err)
	}
	for _, it := range items {
		o.Items = append(o.Items, Item{SKU: it.SKU, Name: it.Name, Qty: it.Qty, Price: it.Price})
	}
	return &o, nil
}

// UnshippedSince returns the paid or preparing orders paid before before,
// oldest payment first, without their items: the ones to chase.
func (s *Store) UnshippedSince(ctx context.Context, before time.Time) ([]Order, error) {
	var rows []orderRow
	err := sqlx.SelectContext(ctx, s.q, &rows, s.rebind(`SELECT `+orderColumns+` FROM orders
		WHERE status IN (?, ?) AND paid_at IS NOT NULL AND paid_at < ? ORDER BY paid_at, number`),
		string(Paid), string(Preparing), before.UTC())
	if err != nil {
		return nil, fmt.Errorf("shop: unshipped orders: %w", err)
	}
	os := make([]Order, len(rows))
	for i, r := range rows {
		os[i] = r.order()
	}
	return os, nil
}

// OrderNumbers returns the numbers of the orders whose contact matches:
// match is called with each order's phone and email as stored (a
// customer's erasure request names them in any format).
func (s *Store) OrderNumbers(ctx context.Context, match func(phone, email string) bool) ([]string, error) {
	var orders []struct {
		Number string `db:"number"`
		Phone  string `db:"phone"`
		Email  string `db:"email"`
	}
	if err := sqlx.SelectContext(ctx, s.q, &orders, `SELECT number, phone, email FROM orders`); err != nil {
		return nil, fmt.Errorf("shop: order numbers: %w", err)
	}
	var numbers []string
	for _, o := range orders {
		if match(o.Phone, o.Email) {
			numbers = append(numbers, o.Number)
		}
	}
	return numbers, nil
}

// PurgeOrders deletes the orders placed before before, with their items
// (contracts and payment records past their legal period), and reports
// how many orders it deleted. Run it in the caller's transaction to make
// it part of a larger purge.
func (s *Store) PurgeOrders(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC()
	if _, err := s.q.ExecContext(ctx, s.rebind(`DELETE FROM order_items WHERE order_number IN
		(SELECT number FROM orders WHERE ordered_at < ?)`), before); err != nil {
		return 0, fmt.Errorf("shop: purge orders: %w", err)
	}
	res, err := s.q.ExecContext(ctx, s.rebind(`DELETE FROM orders WHERE ordered_at < ?`), before)
	if err != nil {
		return 0, fmt.Errorf("shop: purge orders: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("shop: purge orders: %w", err)
	}
	return n, nil
}
