package shop

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Store reads and writes the shop's products and orders. It is a cheap
// value: make one per transaction with NewStore.
type Store struct {
	q sqlx.ExtContext
}

// NewStore returns a store that runs its queries on q, a *sqlx.DB or a
// *sqlx.Tx.
func NewStore(q sqlx.ExtContext) *Store { return &Store{q: q} }

func (s *Store) rebind(query string) string { return s.q.Rebind(query) }

type productRow struct {
	SKU         string    `db:"sku"`
	Name        string    `db:"name"`
	Price       int64     `db:"price"`
	Stock       int       `db:"stock"`
	SafetyStock int       `db:"safety_stock"`
	UpdatedAt   time.Time `db:"updated_at"`
}

func (r productRow) product() Product {
	return Product{SKU: r.SKU, Name: r.Name, Price: r.Price, Stock: r.Stock, SafetyStock: r.SafetyStock, UpdatedAt: r.UpdatedAt.UTC()}
}

const productColumns = `sku, name, price, stock, safety_stock, updated_at`

// UpsertProduct adds a product or replaces the one with the same SKU.
func (s *Store) UpsertProduct(ctx context.Context, p Product, now time.Time) error {
	if strings.TrimSpace(p.SKU) == "" {
		return errors.New("shop: upsert product: empty sku")
	}
	_, err := s.q.ExecContext(ctx, s.rebind(`INSERT INTO products (`+productColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, stock = excluded.stock,
			safety_stock = excluded.safety_stock, updated_at = excluded.updated_at`),
		p.SKU, p.Name, p.Price, p.Stock, p.SafetyStock, now.UTC())
	if err != nil {
		return fmt.Errorf("shop: upsert product %s: %w", p.SKU, err)
	}
	return nil
}

// Product returns the product with this SKU, or ErrNotFound.
func (s *Store) Product(ctx context.Context, sku string) (*Product, error) {
	var r productRow
	err := sqlx.GetContext(ctx, s.q, &r, s.rebind(`SELECT `+productColumns+` FROM products WHERE sku = ?`), sku)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("shop: product %s: %w", sku, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("shop: product %s: %w", sku, err)
	}
	p := r.product()
	return &p, nil
}

// products returns the products matching where (with args), unordered.
func (s *Store) products(ctx context.Context, op, where string, args ...any) ([]Product, error) {
	var rows []productRow
	q := `SELECT ` + productColumns + ` FROM products`
	if where != "" {
		q += ` WHERE ` + where
	}
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.rebind(q), args...); err != nil {
		return nil, fmt.Errorf("shop: %s: %w", op, err)
	}
	ps := make([]Product, len(rows))
	for i, r := range rows {
		ps[i] = r.product()
	}
	return ps, nil
}

// byName orders products by name, then SKU. Sorting in Go rather than SQL
// gives the same order on every database whatever its collation.
func byName(a, b Product) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.SKU, b.SKU))
}

// lowestFirst orders products by stock left, then by name.
func lowestFirst(a, b Product) int {
	return cmp.Or(cmp.Compare(a.Stock, b.Stock), byName(a, b))
}

// Products returns every product, by name.
func (s *Store) Products(ctx context.Context) ([]Product, error) {
	ps, err := s.products(ctx, "products", "")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ps, byName)
	return ps, nil
}

// LowStock returns the products at or below their safety stock, lowest
// stock first.
func (s *Store) LowStock(ctx context.Context) ([]Product, error) {
	ps, err := s.products(ctx, "low stock", "stock <= safety_stock")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ps, lowestFirst)
	return ps, nil
}

// AdjustStock adds delta (negative to take away) to a product's stock in
// one statement and returns the product before and after. It returns
// ErrNotFound for an unknown SKU and ErrNegativeStock, changing nothing,
// when the stock would drop below zero.
func (s *Store) AdjustStock(ctx context.Context, sku string, delta int, now time.Time) (before, after Product, err error) {
	cur, err := s.Product(ctx, sku)
	if err != nil {
		return Product{}, Product{}, fmt.Errorf("shop: adjust stock: %w", errors.Unwrap(err))
	}
	var r productRow
	// One statement, so concurrent adjustments add up instead of
	// overwriting each other.
	err = sqlx.GetContext(ctx, s.q, &r, s.rebind(`UPDATE products SET stock = stock + ?, updated_at = ?
		WHERE sku = ? AND stock + ? >= 0 RETURNING `+productColumns), delta, now.UTC(), sku, delta)
	if errors.Is(err, sql.ErrNoRows) {
		return *cur, *cur, fmt.Errorf("shop: adjust stock %s by %d (have %d): %w", sku, delta, cur.Stock, ErrNegativeStock)
	}
	if err != nil {
		return Product{}, Product{}, fmt.Errorf("shop: adjust stock %s: %w", sku, err)
	}
	after = r.product()
	before = *cur
	before.Stock = after.Stock - delta
	return before, after, nil
}
