package hooks

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
)

// The Shopify webhook payloads, as Shopify's Admin REST API documents
// its Order, Fulfillment, InventoryLevel and Product resources (only the
// fields used here).
type (
	shopifyOrder struct {
		ID                int64                `json:"id"`
		Name              string               `json:"name"` // "#1001"
		OrderNumber       int64                `json:"order_number"`
		Email             string               `json:"email"`
		Phone             string               `json:"phone"`
		CreatedAt         *time.Time           `json:"created_at"`
		ProcessedAt       *time.Time           `json:"processed_at"`
		UpdatedAt         *time.Time           `json:"updated_at"`
		CancelledAt       *time.Time           `json:"cancelled_at"`
		FinancialStatus   string               `json:"financial_status"`
		FulfillmentStatus *string              `json:"fulfillment_status"`
		TotalPrice        string               `json:"total_price"`
		Customer          *shopifyPerson       `json:"customer"`
		BillingAddress    *shopifyAddress      `json:"billing_address"`
		ShippingAddress   *shopifyAddress      `json:"shipping_address"`
		LineItems         []shopifyLineItem    `json:"line_items"`
		Fulfillments      []shopifyFulfillment `json:"fulfillments"`
	}
	shopifyPerson struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Phone     string `json:"phone"`
		Email     string `json:"email"`
	}
	shopifyAddress struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	}
	shopifyLineItem struct {
		SKU      string `json:"sku"`
		Name     string `json:"name"`
		Quantity int    `json:"quantity"`
		Price    string `json:"price"`
	}
	shopifyFulfillment struct {
		ID              int64      `json:"id"`
		OrderID         int64      `json:"order_id"`
		Name            string     `json:"name"` // "#1001.1"
		Status          string     `json:"status"`
		CreatedAt       *time.Time `json:"created_at"`
		TrackingCompany string     `json:"tracking_company"`
		TrackingNumber  string     `json:"tracking_number"`
		TrackingNumbers []string   `json:"tracking_numbers"`
		ShipmentStatus  *string    `json:"shipment_status"`
	}
	shopifyInventoryLevel struct {
		InventoryItemID int64      `json:"inventory_item_id"`
		LocationID      int64      `json:"location_id"`
		Available       *int       `json:"available"`
		UpdatedAt       *time.Time `json:"updated_at"`
	}
	shopifyProduct struct {
		Title    string `json:"title"`
		Variants []struct {
			SKU             string `json:"sku"`
			Title           string `json:"title"`
			Price           string `json:"price"`
			InventoryItemID int64  `json:"inventory_item_id"`
		} `json:"variants"`
	}
)

// shopifyShapes are the fields that tell Shopify's resources apart: a
// topic's body must have every field of need and none of deny.
var shopifyShapes = map[string]struct{ need, deny []string }{
	"orders":           {need: []string{"order_number", "line_items", "financial_status"}, deny: []string{"order_id", "inventory_item_id", "variants"}},
	"fulfillments":     {need: []string{"order_id", "status"}, deny: []string{"order_number", "financial_status", "inventory_item_id", "variants"}},
	"inventory_levels": {need: []string{"inventory_item_id", "location_id"}, deny: []string{"order_number", "order_id", "variants"}},
	"products":         {need: []string{"variants", "title"}, deny: []string{"order_number", "order_id", "inventory_item_id"}},
}

// shopifyShape checks that body has the shape of topic's resource. A
// topic shopbot does not handle passes (it is acknowledged and ignored).
func shopifyShape(topic string, body []byte) error {
	family, _, _ := strings.Cut(topic, "/")
	shape, ok := shopifyShapes[family]
	if !ok {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil // the topic's own decoding says what is wrong
	}
	for _, f := range shape.need {
		if v, ok := fields[f]; !ok || string(v) == "null" {
			return fmt.Errorf("body does not match topic %s: no %s", topic, f)
		}
	}
	for _, f := range shape.deny {
		if _, ok := fields[f]; ok {
			return fmt.Errorf("body does not match topic %s: it has %s", topic, f)
		}
	}
	return nil
}

// Keys in the shop's meta table.
const (
	metaShopifyOrder = "shopify:order:" // + order id → "NUMBER UPDATED_AT"
	metaShopifyItem  = "shopify:item:"  // + inventory item id → SKU
	metaShopifyLevel = "shopify:level:" // + item id + ":" + location id → "AVAILABLE UPDATED_AT"
)

// shopify is POST /hooks/shopify.
func (h *Handler) shopify(w http.ResponseWriter, r *http.Request) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	if !ValidShopifyHMAC(h.ShopifySecret, body, r.Header.Get("X-Shopify-Hmac-Sha256")) {
		h.log().Warn("webhook: bad signature", "source", "shopify", "topic", r.Header.Get("X-Shopify-Topic"))
		reply(w, http.StatusUnauthorized, map[string]any{"error": "bad or missing X-Shopify-Hmac-Sha256"})
		return
	}
	topic := r.Header.Get("X-Shopify-Topic")
	// Shopify signs the body, not the topic: a body must look like the
	// resource its topic names, or a signed order could be replayed as a
	// fulfillment.
	if err := shopifyShape(topic, body); err != nil {
		h.log().Warn("webhook rejected", "source", "shopify", "topic", topic, "reason", err)
		reply(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error()})
		return
	}
	var apply applyFunc
	switch topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled":
		var o shopifyOrder
		if err := json.Unmarshal(body, &o); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
			return
		}
		apply = o.apply
	case "fulfillments/create", "fulfillments/update":
		var f shopifyFulfillment
		if err := json.Unmarshal(body, &f); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
			return
		}
		apply = f.apply
	case "inventory_levels/update":
		var l shopifyInventoryLevel
		if err := json.Unmarshal(body, &l); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
			return
		}
		apply = l.apply
	case "products/create", "products/update":
		var p shopifyProduct
		if err := json.Unmarshal(body, &p); err != nil {
			reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
			return
		}
		apply = p.apply
	default:
		// Acknowledge: Shopify drops a subscription that keeps failing.
		reply(w, http.StatusOK, map[string]any{"ignored": topic})
		return
	}
	// The same body under the same topic with a new webhook id is a replay
	// (Shopify keeps the id across its own retries): remembered as long as
	// the ids.
	digest := sha256.Sum256(body)
	res, dup, err := h.land(r.Context(), "shopify", apply, r.Header.Get("X-Shopify-Webhook-Id"),
		"body:"+topic+":"+hex.EncodeToString(digest[:]))
	h.answer(w, "shopify", topic, res, dup, err)
}

// number is the order's number as customers know it: "#1001" → "1001".
func (o shopifyOrder) number() string {
	if n := strings.TrimPrefix(strings.TrimSpace(o.Name), "#"); n != "" {
		return n
	}
	if o.OrderNumber != 0 {
		return strconv.FormatInt(o.OrderNumber, 10)
	}
	return ""
}

func (o shopifyOrder) apply(ctx context.Context, _ *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error) {
	var res shop.ApplyResult
	number := o.number()
	if number == "" {
		return res, rejectf("order without a name or number")
	}
	// Deliveries can arrive out of order: an older update of the order
	// than the one already landed changes nothing.
	key := metaShopifyOrder + strconv.FormatInt(o.ID, 10)
	if o.ID != 0 {
		prev, err := st.Meta(ctx, key)
		if err != nil {
			return res, err
		}
		if _, at, ok := strings.Cut(prev, " "); ok && o.UpdatedAt != nil {
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil && o.UpdatedAt.Before(t) {
				res.Unchanged++
				return res, nil
			}
		}
		at := ""
		if o.UpdatedAt != nil {
			at = o.UpdatedAt.UTC().Format(time.RFC3339Nano)
		}
		if err := st.SetMeta(ctx, key, number+" "+at); err != nil {
			return res, err
		}
	}
	fulfillment := ""
	if o.FulfillmentStatus != nil {
		fulfillment = *o.FulfillmentStatus
	}
	status, err := shop.ShopifyStatus(o.FinancialStatus, fulfillment, o.CancelledAt != nil)
	if err != nil {
		return res, rejectf("order %s: financial status %q: %v", number, o.FinancialStatus, err)
	}
	so := shop.Order{Number: number, Status: status, Email: o.Email, Phone: o.Phone}
	if o.CreatedAt != nil {
		so.OrderedAt = *o.CreatedAt
	}
	if status != shop.PendingPayment && status != shop.Cancelled && o.ProcessedAt != nil {
		so.PaidAt = o.ProcessedAt
	}
	if o.TotalPrice != "" {
		if so.Total, err = shop.ParseWon(o.TotalPrice); err != nil {
			return res, rejectf("order %s: total_price %q: %v", number, o.TotalPrice, err)
		}
	}
	for _, a := range []*shopifyAddress{o.BillingAddress, o.ShippingAddress} {
		if a != nil {
			so.CustomerName = cmp.Or(so.CustomerName, a.Name)
			so.Phone = cmp.Or(so.Phone, a.Phone)
		}
	}
	if c := o.Customer; c != nil {
		so.CustomerName = cmp.Or(so.CustomerName, strings.TrimSpace(c.FirstName+" "+c.LastName))
		so.Phone = cmp.Or(so.Phone, c.Phone)
		so.Email = cmp.Or(so.Email, c.Email)
	}
	for _, li := range o.LineItems {
		price, err := shop.ParseWon(li.Price)
		if err != nil {
			return res, rejectf("order %s: line item price %q: %v", number, li.Price, err)
		}
		so.Items = append(so.Items, shop.Item{SKU: li.SKU, Name: li.Name, Qty: li.Quantity, Price: price})
	}
	for _, f := range o.Fulfillments {
		f.merge(&so)
	}
	return st.ApplyOrders(ctx, []shop.Order{so}, now)
}

// merge puts a successful fulfillment's shipment on o.
func (f shopifyFulfillment) merge(o *shop.Order) bool {
	if f.Status != "" && f.Status != "success" && f.Status != "open" && f.Status != "pending" {
		return false // cancelled, error, failure
	}
	n := f.TrackingNumber
	if n == "" && len(f.TrackingNumbers) > 0 {
		n = f.TrackingNumbers[0]
	}
	if n != "" {
		o.TrackingNumber = n
		o.Carrier = shop.NormalizeCarrier(f.TrackingCompany)
		if o.Carrier == "" {
			o.Carrier = f.TrackingCompany
		}
	}
	if o.Status == "" || o.Status == shop.Paid || o.Status == shop.Preparing || o.Status == shop.PendingPayment {
		o.Status = shop.Shipped
	}
	if f.ShipmentStatus != nil && *f.ShipmentStatus == "delivered" && o.Status == shop.Shipped {
		o.Status = shop.Delivered
	}
	if f.CreatedAt != nil && o.ShippedAt == nil {
		t := *f.CreatedAt
		o.ShippedAt = &t
	}
	return true
}

func (f shopifyFulfillment) apply(ctx context.Context, _ *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error) {
	var res shop.ApplyResult
	number := ""
	if f.OrderID != 0 {
		v, err := st.Meta(ctx, metaShopifyOrder+strconv.FormatInt(f.OrderID, 10))
		if err != nil {
			return res, err
		}
		number, _, _ = strings.Cut(v, " ")
	}
	if number == "" {
		// "#1001.1": the order's name and the fulfillment's sequence.
		name := strings.TrimPrefix(strings.TrimSpace(f.Name), "#")
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			name = name[:i]
		}
		number = name
	}
	if number == "" {
		return res, rejectf("fulfillment %d: order unknown (no name, and no orders/create seen for order %d)", f.ID, f.OrderID)
	}
	o := shop.Order{Number: number}
	if !f.merge(&o) {
		res.Unchanged++
		return res, nil
	}
	return st.ApplyOrders(ctx, []shop.Order{o}, now)
}

func (l shopifyInventoryLevel) apply(ctx context.Context, _ *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error) {
	var res shop.ApplyResult
	item := strconv.FormatInt(l.InventoryItemID, 10)
	sku, err := st.Meta(ctx, metaShopifyItem+item)
	if err != nil {
		return res, err
	}
	if sku == "" || l.Available == nil {
		// An item we have not seen in a products webhook: nothing to
		// put it on. Acknowledge.
		res.Unchanged++
		return res, nil
	}
	// The shop's stock is the sum over Shopify's locations; each location's
	// level is kept, and an older update of a level than the kept one is
	// ignored.
	key := metaShopifyLevel + item + ":" + strconv.FormatInt(l.LocationID, 10)
	prev, err := st.Meta(ctx, key)
	if err != nil {
		return res, err
	}
	if _, at, ok := strings.Cut(prev, " "); ok && l.UpdatedAt != nil {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil && l.UpdatedAt.Before(t) {
			res.Unchanged++
			return res, nil
		}
	}
	at := now.UTC()
	if l.UpdatedAt != nil {
		at = l.UpdatedAt.UTC()
	}
	if err := st.SetMeta(ctx, key, fmt.Sprintf("%d %s", *l.Available, at.Format(time.RFC3339Nano))); err != nil {
		return res, err
	}
	levels, err := st.MetaPrefix(ctx, metaShopifyLevel+item+":")
	if err != nil {
		return res, err
	}
	total := 0
	for _, v := range levels {
		n, _, _ := strings.Cut(v, " ")
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			total += k
		}
	}
	return st.ApplyProducts(ctx, []shop.ProductUpdate{{SKU: sku, Stock: &total}}, now)
}

func (p shopifyProduct) apply(ctx context.Context, _ *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error) {
	var ups []shop.ProductUpdate
	for _, v := range p.Variants {
		if v.SKU == "" {
			continue
		}
		if v.InventoryItemID != 0 {
			if err := st.SetMeta(ctx, metaShopifyItem+strconv.FormatInt(v.InventoryItemID, 10), v.SKU); err != nil {
				return shop.ApplyResult{}, err
			}
		}
		name := p.Title
		if v.Title != "" && v.Title != "Default Title" {
			name += " - " + v.Title
		}
		u := shop.ProductUpdate{SKU: v.SKU, Name: name}
		if v.Price != "" {
			price, err := shop.ParseWon(v.Price)
			if err != nil {
				return shop.ApplyResult{}, rejectf("variant %s: price %q: %v", v.SKU, v.Price, err)
			}
			u.Price = &price
		}
		ups = append(ups, u)
	}
	if len(ups) == 0 {
		return shop.ApplyResult{}, nil
	}
	// Stock comes with inventory_levels/update, per location.
	return st.ApplyProducts(ctx, ups, now)
}
