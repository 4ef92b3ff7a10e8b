package shop

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Changes are what a write of platform data changed that someone may need
// to hear about: stock levels (for the safety-stock alert) and shipments
// (for the customer's "your parcel shipped" message).
type Changes struct {
	Stock   []StockChange // existing products whose stock changed
	Shipped []Order       // existing orders that have just shipped, or just got their tracking number
}

// Add appends o's changes to c.
func (c *Changes) Add(o Changes) {
	c.Stock = append(c.Stock, o.Stock...)
	c.Shipped = append(c.Shipped, o.Shipped...)
}

// Empty reports whether nothing changed that anyone needs to hear about.
func (c Changes) Empty() bool { return len(c.Stock) == 0 && len(c.Shipped) == 0 }

// StockChange is a product before and after a change of its stock.
type StockChange struct {
	Before, After Product
}

// Crossed reports whether the change took the product down across its
// safety stock or down to zero: the moment the owner should hear of it,
// once; a later drop while it stays low is no new crossing, and a refill
// above the line arms it again.
func (c StockChange) Crossed() bool {
	if c.After.Stock >= c.Before.Stock {
		return false
	}
	return (!c.Before.Low() && c.After.Low()) || (c.Before.Stock > 0 && c.After.Stock <= 0)
}

// ApplyResult counts what a write of platform data did.
type ApplyResult struct {
	Inserted, Updated, Unchanged int
	Changes                      Changes
}

// add adds o's counts and changes to r.
func (r *ApplyResult) add(o ApplyResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Changes.Add(o.Changes)
}

// ProductUpdate is what a platform says about a product. Empty or nil
// fields keep what the shop has (a new product gets its SKU as name and
// zeros).
type ProductUpdate struct {
	SKU         string
	Name        string
	Price       *int64
	Stock       *int
	SafetyStock *int
}

// productsBySKU returns the products with these SKUs that exist.
func (s *Store) productsBySKU(ctx context.Context, skus []string) (map[string]Product, error) {
	m := make(map[string]Product, len(skus))
	for part := range slices.Chunk(skus, readChunk) {
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		ps, err := s.products(ctx, "apply products", "sku IN ("+placeholders(len(part))+")", args...)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			m[p.SKU] = p
		}
	}
	return m, nil
}

// ApplyProducts merges each update into the shop's products in a few
// statements (call it inside a transaction for a batch): new SKUs are
// inserted, changed ones updated, identical ones left alone. Every stock
// change of an existing product is in the result's Changes.
func (s *Store) ApplyProducts(ctx context.Context, ups []ProductUpdate, now time.Time) (ApplyResult, error) {
	var res ApplyResult
	var skus []string
	for _, u := range ups {
		if strings.TrimSpace(u.SKU) == "" {
			return res, fmt.Errorf("shop: apply products: %w: empty sku", ErrInvalid)
		}
		skus = append(skus, u.SKU)
	}
	have, err := s.productsBySKU(ctx, skus)
	if err != nil {
		return res, err
	}
	orig := make(map[string]Product, len(have))
	for k, p := range have {
		orig[k] = p
	}
	var dirty []string
	isDirty := map[string]bool{}
	for _, u := range ups {
		old, exists := have[u.SKU]
		p := old
		if !exists {
			p = Product{SKU: u.SKU, Name: u.SKU}
		}
		if u.Name != "" {
			p.Name = u.Name
		}
		if u.Price != nil {
			p.Price = *u.Price
		}
		if u.Stock != nil {
			p.Stock = *u.Stock
		}
		if u.SafetyStock != nil {
			p.SafetyStock = *u.SafetyStock
		}
		switch {
		case !exists:
			res.Inserted++
		case p.Name == old.Name && p.Price == old.Price && p.Stock == old.Stock && p.SafetyStock == old.SafetyStock:
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		if !isDirty[u.SKU] {
			isDirty[u.SKU] = true
			dirty = append(dirty, u.SKU)
		}
		have[u.SKU] = p
	}
	b := &bulk{table: "products", cols: columnList(productColumns),
		conflict: `(sku) DO UPDATE SET name = excluded.name, price = excluded.price, stock = excluded.stock,
			safety_stock = excluded.safety_stock, updated_at = excluded.updated_at`}
	for _, k := range dirty {
		p := have[k]
		b.rows = append(b.rows, []any{p.SKU, p.Name, p.Price, p.Stock, p.SafetyStock, now.UTC()})
	}
	if err := s.write(ctx, "apply products", b); err != nil {
		return res, err
	}
	for _, k := range dirty {
		if before, ok := orig[k]; ok && before.Stock != have[k].Stock {
			after := have[k]
			after.UpdatedAt = now.UTC()
			res.Changes.Stock = append(res.Changes.Stock, StockChange{Before: before, After: after})
		}
	}
	return res, nil
}

// ordersByNumber returns the orders with these numbers that exist, items
// included.
func (s *Store) ordersByNumber(ctx context.Context, numbers []string) (map[string]*Order, error) {
	m := make(map[string]*Order, len(numbers))
	for part := range slices.Chunk(numbers, readChunk) {
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		var os []orderRow
		if err := sqlx.SelectContext(ctx, s.q, &os, s.rebind(`SELECT `+orderColumns+` FROM orders WHERE number IN (`+placeholders(len(part))+`)`), args...); err != nil {
			return nil, fmt.Errorf("shop: apply orders: %w", err)
		}
		if len(os) == 0 {
			continue // new orders (a first import): no items to read
		}
		args = args[:0]
		for _, r := range os {
			o := r.order()
			m[o.Number] = &o
			args = append(args, o.Number)
		}
		in := "(" + placeholders(len(args)) + ")"
		var items []itemRow
		if err := sqlx.SelectContext(ctx, s.q, &items, s.rebind(`SELECT order_number, line, sku, name, qty, price
			FROM order_items WHERE order_number IN `+in+` ORDER BY order_number, line`), args...); err != nil {
			return nil, fmt.Errorf("shop: apply orders: items: %w", err)
		}
		for _, it := range items {
			if o := m[it.OrderNumber]; o != nil {
				o.Items = append(o.Items, Item{SKU: it.SKU, Name: it.Name, Qty: it.Qty, Price: it.Price})
			}
		}
	}
	return m, nil
}

// forward is the rank of a status on an order's way to the customer; the
// others (cancelled, refunded, returned) are off that way.
var forward = map[Status]int{PendingPayment: 1, Paid: 2, Preparing: 3, Shipped: 4, Delivered: 5}

// moves reports whether an order in status from may take status to from a
// platform's data. An order never moves back along its way (an older
// export saying "paid" does not undo "shipped"), and a cancelled,
// refunded or returned order does not come back onto it.
func moves(from, to Status) bool {
	f, fromFwd := forward[from]
	t, toFwd := forward[to]
	switch {
	case fromFwd && toFwd:
		return t >= f
	case !fromFwd && toFwd:
		return false
	}
	return true
}

// earliest and latest bound the dates an order may carry: what lies outside
// is a broken export or webhook, and some years do not survive a database.
var (
	earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// mergeOrder is old (nil: none) with what in says: non-empty fields
// replace, items replace when in has any, the status moves only forward.
func mergeOrder(old *Order, in Order, now time.Time) (Order, error) {
	in.Number = strings.TrimSpace(in.Number)
	if in.Number == "" {
		return Order{}, fmt.Errorf("shop: apply orders: %w: empty number", ErrInvalid)
	}
	if in.Status != "" && !in.Status.Valid() {
		return Order{}, fmt.Errorf("shop: apply orders: order %s: %w status %q", in.Number, ErrInvalid, in.Status)
	}
	for _, t := range []*time.Time{&in.OrderedAt, in.PaidAt, in.ShippedAt, in.DeliveredAt} {
		if t != nil && !t.IsZero() && (t.Before(earliest) || !t.Before(latest)) {
			return Order{}, fmt.Errorf("shop: apply orders: order %s: %w date %s (want 1970–2199)", in.Number, ErrInvalid, t.Format(time.RFC3339))
		}
	}
	truncate := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC().Truncate(time.Second)
		return &u
	}
	in.PaidAt, in.ShippedAt, in.DeliveredAt = truncate(in.PaidAt), truncate(in.ShippedAt), truncate(in.DeliveredAt)
	in.OrderedAt = in.OrderedAt.UTC().Truncate(time.Second)
	if in.Total == 0 {
		for _, it := range in.Items {
			in.Total += int64(it.Qty) * it.Price
		}
	}
	if old == nil {
		o := in
		if o.Status == "" {
			o.Status = PendingPayment
		}
		if o.OrderedAt.IsZero() {
			o.OrderedAt = now.UTC().Truncate(time.Second)
		}
		return o, nil
	}
	o := *old
	o.Items = slices.Clone(old.Items)
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&o.CustomerName, in.CustomerName)
	set(&o.Phone, in.Phone)
	set(&o.Email, in.Email)
	set(&o.Carrier, in.Carrier)
	set(&o.TrackingNumber, in.TrackingNumber)
	if in.Status != "" && moves(o.Status, in.Status) {
		o.Status = in.Status
	}
	if len(in.Items) > 0 {
		o.Items = in.Items
	}
	if in.Total != 0 {
		o.Total = in.Total
	}
	if !in.OrderedAt.IsZero() {
		o.OrderedAt = in.OrderedAt
	}
	for _, p := range []struct{ dst, v **time.Time }{{&o.PaidAt, &in.PaidAt}, {&o.ShippedAt, &in.ShippedAt}, {&o.DeliveredAt, &in.DeliveredAt}} {
		if *p.v != nil {
			*p.dst = *p.v
		}
	}
	return o, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// sameOrder compares what an import can change.
func sameOrder(a, b Order) bool {
	return a.Number == b.Number && a.CustomerName == b.CustomerName && a.Phone == b.Phone && a.Email == b.Email &&
		a.Status == b.Status && a.Total == b.Total && a.Carrier == b.Carrier && a.TrackingNumber == b.TrackingNumber &&
		a.OrderedAt.Equal(b.OrderedAt) && sameTime(a.PaidAt, b.PaidAt) && sameTime(a.ShippedAt, b.ShippedAt) &&
		sameTime(a.DeliveredAt, b.DeliveredAt) && slices.Equal(a.Items, b.Items)
}

// justShipped reports whether the change from old to o is news for the
// customer: the order has just left the shop, or has just got its
// tracking number.
func justShipped(old, o Order) bool {
	if !old.Status.HasShipped() {
		return o.Status == Shipped
	}
	return old.Status == Shipped && o.Status == Shipped && old.TrackingNumber == "" && o.TrackingNumber != ""
}

// ApplyOrders merges each order into the shop's orders in a few
// statements (call it inside a transaction for a batch). An order's empty
// fields keep what the shop has; its items, when it has any, replace the
// shop's; its status moves the order only forward (see Status). Identical
// orders are left alone. Orders that have just shipped are in the
// result's Changes.
func (s *Store) ApplyOrders(ctx context.Context, in []Order, now time.Time) (ApplyResult, error) {
	var res ApplyResult
	numbers := make([]string, 0, len(in))
	for _, o := range in {
		numbers = append(numbers, strings.TrimSpace(o.Number))
	}
	have, err := s.ordersByNumber(ctx, numbers)
	if err != nil {
		return res, err
	}
	orig := make(map[string]*Order, len(have))
	for k, o := range have {
		orig[k] = o
	}
	var dirty, itemsDirty []string
	isDirty, itemsAreDirty := map[string]bool{}, map[string]bool{}
	for _, o := range in {
		old := have[strings.TrimSpace(o.Number)]
		m, err := mergeOrder(old, o, now)
		if err != nil {
			return res, err
		}
		switch {
		case old == nil:
			res.Inserted++
		case sameOrder(*old, m):
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		if !isDirty[m.Number] {
			isDirty[m.Number] = true
			dirty = append(dirty, m.Number)
		}
		if (old == nil || !slices.Equal(old.Items, m.Items)) && !itemsAreDirty[m.Number] {
			itemsAreDirty[m.Number] = true
			itemsDirty = append(itemsDirty, m.Number)
		}
		have[m.Number] = &m
	}
	b := &bulk{table: "orders", cols: columnList(orderColumns),
		conflict: `(number) DO UPDATE SET customer_name = excluded.customer_name, phone = excluded.phone,
			email = excluded.email, status = excluded.status, total = excluded.total, carrier = excluded.carrier,
			tracking_number = excluded.tracking_number, ordered_at = excluded.ordered_at, paid_at = excluded.paid_at,
			shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at, updated_at = excluded.updated_at`}
	for _, k := range dirty {
		o := have[k]
		b.rows = append(b.rows, []any{o.Number, o.CustomerName, o.Phone, o.Email, string(o.Status), o.Total, o.Carrier,
			o.TrackingNumber, o.OrderedAt.UTC(), nullTime(o.PaidAt), nullTime(o.ShippedAt), nullTime(o.DeliveredAt), now.UTC()})
	}
	if err := s.write(ctx, "apply orders", b); err != nil {
		return res, err
	}
	if err := s.replaceItems(ctx, itemsDirty, orig, have); err != nil {
		return res, err
	}
	for _, k := range dirty {
		if old := orig[k]; old != nil && justShipped(*old, *have[k]) {
			o := *have[k]
			o.UpdatedAt = now.UTC()
			res.Changes.Shipped = append(res.Changes.Shipped, o)
		}
	}
	return res, nil
}

// replaceItems rewrites the items of these orders; existed holds those
// that were in the database before (only they have items to delete).
func (s *Store) replaceItems(ctx context.Context, numbers []string, existed, orders map[string]*Order) error {
	var old []any
	for _, k := range numbers {
		if existed[k] != nil {
			old = append(old, k)
		}
	}
	for args := range slices.Chunk(old, readChunk) {
		if _, err := s.q.ExecContext(ctx, s.rebind(`DELETE FROM order_items WHERE order_number IN (`+placeholders(len(args))+`)`), args...); err != nil {
			return fmt.Errorf("shop: apply orders: items: %w", err)
		}
	}
	b := &bulk{table: "order_items", cols: []string{"order_number", "line", "sku", "name", "qty", "price"}}
	for _, k := range numbers {
		for i, it := range orders[k].Items {
			b.rows = append(b.rows, []any{k, i + 1, it.SKU, it.Name, it.Qty, it.Price})
		}
	}
	return s.write(ctx, "apply orders: items", b)
}

// Claim records key (a webhook delivery id) as seen and reports whether it
// was new: false means it was claimed before and must change nothing.
func (s *Store) Claim(ctx context.Context, key string, now time.Time) (bool, error) {
	var got []string
	err := sqlx.SelectContext(ctx, s.q, &got, s.rebind(`INSERT INTO shop_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO NOTHING RETURNING key`), key, now.UTC().Format(time.RFC3339))
	if err != nil {
		return false, fmt.Errorf("shop: claim %s: %w", key, err)
	}
	return len(got) == 1, nil
}

// Meta returns the value stored under key, "" when there is none.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v []string
	if err := sqlx.SelectContext(ctx, s.q, &v, s.rebind(`SELECT value FROM shop_meta WHERE key = ?`), key); err != nil {
		return "", fmt.Errorf("shop: meta %s: %w", key, err)
	}
	if len(v) == 0 {
		return "", nil
	}
	return v[0], nil
}

// MetaPrefix returns every key starting with prefix and its value.
func (s *Store) MetaPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	var rs []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	if err := sqlx.SelectContext(ctx, s.q, &rs, s.rebind(`SELECT key, value FROM shop_meta WHERE key LIKE ? ESCAPE '\'`),
		likePrefix(prefix)); err != nil {
		return nil, fmt.Errorf("shop: meta %s*: %w", prefix, err)
	}
	m := make(map[string]string, len(rs))
	for _, r := range rs {
		if strings.HasPrefix(r.Key, prefix) {
			m[r.Key] = r.Value
		}
	}
	return m, nil
}

// SetMeta stores value under key.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.q.ExecContext(ctx, s.rebind(`INSERT INTO shop_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	if err != nil {
		return fmt.Errorf("shop: set meta %s: %w", key, err)
	}
	return nil
}

// ForgetClaims removes the claims under prefix made before before, so the
// record of seen deliveries does not grow forever.
func (s *Store) ForgetClaims(ctx context.Context, prefix string, before time.Time) error {
	_, err := s.q.ExecContext(ctx, s.rebind(`DELETE FROM shop_meta WHERE key LIKE ? ESCAPE '\' AND value < ?`),
		likePrefix(prefix), before.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("shop: forget claims %s: %w", prefix, err)
	}
	return nil
}

// likePrefix is a LIKE pattern matching strings that start with prefix.
// SQLite's LIKE ignores ASCII case: callers check the prefix again.
func likePrefix(prefix string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
}
