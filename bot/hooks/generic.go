package hooks

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
)

// GenericBody is the JSON of POST /hooks/generic, for any system that can
// send one (sent with "Authorization: Bearer $SHOPBOT_HOOK_TOKEN"):
//
//	{"id": "evt-123",
//	 "orders": [{"number": "1042", "status": "shipped", "carrier": "CJ대한통운",
//	             "tracking_number": "6012345678901", "shipped_at": "2025-11-21T14:00:00+09:00"}],
//	 "products": [{"sku": "TEE-WHT-M", "name": "Basic Tee", "price": 15000, "stock": 12, "safety_stock": 3}],
//	 "stock": [{"sku": "MUG-01", "stock": 4}, {"sku": "TEA-GRN-20", "delta": -1}]}
//
// Every part is optional. An order or product carries only what changed:
// absent fields keep what the shop has. "id", when set, makes a
// redelivery change nothing. A body is landed whole or not at all (422
// names what is wrong).
type GenericBody struct {
	ID       string           `json:"id"`
	Orders   []GenericOrder   `json:"orders"`
	Products []GenericProduct `json:"products"`
	Stock    []GenericStock   `json:"stock"`
}

// GenericOrder is an order in a generic webhook. Status is a shopbot
// status or a platform's word for one ("배송중", "N30"); Carrier a name
// NormalizeCarrier knows or any other; times RFC 3339.
type GenericOrder struct {
	Number         string        `json:"number"`
	Status         string        `json:"status"`
	CustomerName   string        `json:"customer_name"`
	Phone          string        `json:"phone"`
	Email          string        `json:"email"`
	Total          int64         `json:"total"`
	Carrier        string        `json:"carrier"`
	TrackingNumber string        `json:"tracking_number"`
	OrderedAt      *time.Time    `json:"ordered_at"`
	PaidAt         *time.Time    `json:"paid_at"`
	ShippedAt      *time.Time    `json:"shipped_at"`
	DeliveredAt    *time.Time    `json:"delivered_at"`
	Items          []GenericItem `json:"items"`
}

// GenericItem is one line of a generic order.
type GenericItem struct {
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Qty   int    `json:"qty"`
	Price int64  `json:"price"`
}

// GenericProduct is a product in a generic webhook.
type GenericProduct struct {
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Price       *int64 `json:"price"`
	Stock       *int   `json:"stock"`
	SafetyStock *int   `json:"safety_stock"`
}

// GenericStock sets a product's stock ("stock") or moves it ("delta").
type GenericStock struct {
	SKU   string `json:"sku"`
	Stock *int   `json:"stock"`
	Delta *int   `json:"delta"`
}

// order is g as a shop order to merge.
func (g GenericOrder) order() (shop.Order, error) {
	o := shop.Order{Number: g.Number, CustomerName: g.CustomerName, Phone: g.Phone, Email: g.Email, Total: g.Total,
		TrackingNumber: g.TrackingNumber, PaidAt: g.PaidAt, ShippedAt: g.ShippedAt, DeliveredAt: g.DeliveredAt}
	if g.Number == "" {
		return o, rejectf("orders: an order without a number")
	}
	if g.Total < 0 {
		return o, rejectf("order %s: negative total", g.Number)
	}
	if g.Status != "" {
		s, ok := shop.ParseStatus(g.Status)
		if !ok {
			return o, rejectf("order %s: unknown status %q", g.Number, g.Status)
		}
		o.Status = s
	}
	if g.Carrier != "" {
		o.Carrier = shop.NormalizeCarrier(g.Carrier)
		if o.Carrier == "" {
			o.Carrier = g.Carrier
		}
	}
	if g.OrderedAt != nil {
		o.OrderedAt = *g.OrderedAt
	}
	for _, it := range g.Items {
		if it.Qty < 0 || it.Price < 0 {
			return o, rejectf("order %s: negative quantity or price", g.Number)
		}
		o.Items = append(o.Items, shop.Item{SKU: it.SKU, Name: it.Name, Qty: it.Qty, Price: it.Price})
	}
	return o, nil
}

func (in GenericBody) apply(ctx context.Context, _ *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error) {
	var res shop.ApplyResult
	var orders []shop.Order
	for _, g := range in.Orders {
		o, err := g.order()
		if err != nil {
			return res, err
		}
		orders = append(orders, o)
	}
	var ups []shop.ProductUpdate
	for _, p := range in.Products {
		if p.SKU == "" {
			return res, rejectf("products: a product without a sku")
		}
		ups = append(ups, shop.ProductUpdate{SKU: p.SKU, Name: p.Name, Price: p.Price, Stock: p.Stock, SafetyStock: p.SafetyStock})
	}
	for _, s := range in.Stock {
		if s.SKU == "" || (s.Stock == nil) == (s.Delta == nil) {
			return res, rejectf("stock: each entry needs a sku and either stock or delta")
		}
		if s.Stock != nil {
			if *s.Stock < 0 {
				return res, rejectf("stock %s: below zero", s.SKU)
			}
			ups = append(ups, shop.ProductUpdate{SKU: s.SKU, Stock: s.Stock})
		}
	}
	if len(orders) > 0 {
		r, err := st.ApplyOrders(ctx, orders, now)
		if err != nil {
			return res, err
		}
		add(&res, r)
	}
	if len(ups) > 0 {
		r, err := st.ApplyProducts(ctx, ups, now)
		if err != nil {
			return res, err
		}
		add(&res, r)
	}
	for _, s := range in.Stock {
		if s.Delta == nil {
			continue
		}
		before, after, err := st.AdjustStock(ctx, s.SKU, *s.Delta, now)
		switch {
		case errors.Is(err, shop.ErrNotFound):
			return res, rejectf("stock %s: no such product", s.SKU)
		case errors.Is(err, shop.ErrNegativeStock):
			return res, rejectf("stock %s: %d would leave fewer than zero", s.SKU, *s.Delta)
		case err != nil:
			return res, err
		}
		res.Updated++
		res.Changes.Stock = append(res.Changes.Stock, shop.StockChange{Before: before, After: after})
	}
	return res, nil
}

func add(r *shop.ApplyResult, o shop.ApplyResult) {
	r.Inserted += o.Inserted
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Changes.Add(o.Changes)
}
