package hooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/hooks"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

var now = time.Date(2025, 11, 21, 5, 0, 0, 0, time.UTC)

const secret, token = "shpss_test", "hook-token"

type harness struct {
	t   *testing.T
	db  *sqlx.DB
	ob  *bot.Outbox
	mux *http.ServeMux
}

func newHarness(t *testing.T, db *sqlx.DB) *harness {
	clock := func() time.Time { return now }
	ob := bot.NewOutbox(db, clock, nil)
	h := &hooks.Handler{DB: db, ShopifySecret: secret, Token: token, Now: clock, MaxBody: 64 << 10,
		Announcer: &hooks.Announcer{Outbox: ob, Owners: &notify.Router{Destinations: []notify.Destination{{Channel: "owner"}}, Sender: ob},
			NotifyShipped: true, OwnerLang: "en", Now: clock}}
	mux := http.NewServeMux()
	h.Register(mux)
	return &harness{t: t, db: db, ob: ob, mux: mux}
}

func sign(body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// shopify posts a Shopify webhook; sig "" signs it correctly.
func (h *harness) shopify(topic, id, body, sig string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/hooks/shopify", strings.NewReader(body))
	r.Header.Set("X-Shopify-Topic", topic)
	r.Header.Set("X-Shopify-Webhook-Id", id)
	if sig == "" {
		sig = sign(body)
	}
	if sig != "none" {
		r.Header.Set("X-Shopify-Hmac-Sha256", sig)
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

func (h *harness) generic(auth, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/hooks/generic", strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

func (h *harness) expect(w *httptest.ResponseRecorder, status int, body string) {
	h.t.Helper()
	if w.Code != status || !strings.Contains(w.Body.String(), body) {
		h.t.Fatalf("got %d %s, want %d with %s", w.Code, strings.TrimSpace(w.Body.String()), status, body)
	}
}

func (h *harness) pending(channel string) []bot.Reply {
	h.t.Helper()
	rs, err := h.ob.Pending(context.Background(), channel, "", 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// link makes a customer conversation that verified order number.
func (h *harness) link(channel, chat, lang, number string) {
	h.t.Helper()
	err := bot.NewConversations(h.db).Seed(context.Background(), bot.ConversationSeed{
		Channel: channel, Chat: chat, Lang: lang, Created: now, Updated: now, Verified: []string{number}})
	if err != nil {
		h.t.Fatal(err)
	}
}

const orderCreate = `{"id": 820982911946154500, "name": "#1001", "order_number": 1001, "email": "jon@example.com",
 "created_at": "2025-11-20T10:15:00+09:00", "processed_at": "2025-11-20T10:16:00+09:00", "updated_at": "2025-11-20T10:16:00+09:00",
 "cancelled_at": null, "financial_status": "paid", "fulfillment_status": null, "total_price": "42000.00",
 "customer": {"first_name": "Jon", "last_name": "Snow", "phone": "+82 10-1234-5678"},
 "billing_address": {"name": "Jon Snow", "phone": "010-1234-5678"},
 "line_items": [{"sku": "TEE-WHT-M", "name": "Basic Tee - M", "quantity": 2, "price": "15000.00"},
                {"sku": "MUG-01", "name": "Ceramic Mug", "quantity": 1, "price": "12000.00"}]}`

const fulfillmentCreate = `{"id": 255858046, "order_id": 820982911946154500, "status": "success", "created_at": "2025-11-21T13:00:00+09:00",
 "tracking_company": "CJ Logistics", "tracking_number": "6012345678901", "tracking_numbers": ["6012345678901"], "name": "#1001.1"}`

func TestShopifySignature(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		tests := []struct {
			name, sig string
			status    int
		}{
			{"missing", "none", 401},
			{"not base64", "%%%", 401},
			{"other secret", base64.StdEncoding.EncodeToString(hmac.New(sha256.New, []byte("x")).Sum(nil)), 401},
			{"of another body", sign(orderCreate + " "), 401},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h.expect(h.shopify("orders/create", "w-"+tt.name, orderCreate, tt.sig), tt.status, "X-Shopify-Hmac-Sha256")
				if _, err := shop.NewStore(db).Order(context.Background(), "1001"); err == nil {
					t.Error("order 1001 stored from a badly signed webhook")
				}
			})
		}
		h.expect(h.shopify("orders/create", "w-good", orderCreate, ""), 200, `"inserted":1`)
		h.expect(h.shopify("orders/create", "w-big", strings.Repeat(" ", 65<<10), ""), 413, "too large")
		h.expect(h.shopify("customers/create", "w-other", `{}`, ""), 200, "ignored")
		h.expect(h.shopify("orders/create", "w-json", `{"id": "x"`, ""), 400, "bad JSON")
	}, shop.Schema, tickets.Schema, bot.Schema)
}

// TestShopifyRedelivery: each delivery lands once; the shipment tells the
// linked customer once, and an older orders/updated changes nothing.
func TestShopifyRedelivery(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		h.link("telegram", "555", "en", "1001")
		h.expect(h.shopify("orders/create", "w1", orderCreate, ""), 200, `"inserted":1`)
		h.expect(h.shopify("orders/create", "w1", orderCreate, ""), 200, `"duplicate":true`)
		h.expect(h.shopify("fulfillments/create", "w2", fulfillmentCreate, ""), 200, `"updated":1`)
		h.expect(h.shopify("fulfillments/create", "w2", fulfillmentCreate, ""), 200, `"duplicate":true`)
		// Same content, new delivery id: a replay, dropped.
		h.expect(h.shopify("fulfillments/create", "w3", fulfillmentCreate, ""), 200, `"duplicate":true`)
		// An older update of the order (say, delayed) does not undo the shipment.
		h.expect(h.shopify("orders/updated", "w4", orderCreate, ""), 200, `"unchanged":1`)

		o, err := shop.NewStore(db).Order(ctx, "1001")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != shop.Shipped || o.Carrier != "cj" || o.TrackingNumber != "6012345678901" || o.Total != 42000 || len(o.Items) != 2 {
			t.Errorf("order = %+v", o)
		}
		msgs := h.pending("telegram")
		if len(msgs) != 1 {
			t.Fatalf("%d messages to the customer, want 1: %+v", len(msgs), msgs)
		}
		if got, want := msgs[0].Text, "Your order 1001 shipped today. CJ Logistics tracking number 6012345678901\nTrack it: "+shop.TrackingURL("cj", "6012345678901"); got != want || msgs[0].Kind != bot.KindOrder {
			t.Errorf("message = %s %q, want order %q", msgs[0].Kind, got, want)
		}
	}, shop.Schema, tickets.Schema, bot.Schema)
}

// TestShopifyTopicReplay: Shopify signs the body only. A validly signed
// order replayed under a fulfillment topic (with a new webhook id) is
// refused and ships nothing; so is a fulfillment sent as an order, an
// inventory level as a product; the same body under its own topic with a
// new id is a duplicate.
func TestShopifyTopicReplay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		h.link("telegram", "555", "en", "1001")
		h.expect(h.shopify("orders/create", "w1", orderCreate, ""), 200, `"inserted":1`)
		tests := []struct{ topic, body, why string }{
			{"fulfillments/create", orderCreate, "no order_id"},
			{"fulfillments/update", orderCreate, "no order_id"},
			{"orders/updated", fulfillmentCreate, "no order_number"},
			{"orders/cancelled", fulfillmentCreate, "no order_number"},
			{"products/update", `{"inventory_item_id": 1, "location_id": 2, "available": 0}`, "no variants"},
			{"inventory_levels/update", `{"title": "Tee", "variants": [{"sku": "TEE-WHT-M", "inventory_item_id": 1}]}`, "no inventory_item_id"},
		}
		for i, tt := range tests {
			h.expect(h.shopify(tt.topic, "replay-"+strconv.Itoa(i), tt.body, ""), 422, tt.why)
		}
		o, err := shop.NewStore(db).Order(ctx, "1001")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == shop.Shipped || o.TrackingNumber != "" {
			t.Errorf("order after the replays = %s %q, want it unshipped", o.Status, o.TrackingNumber)
		}
		if msgs := h.pending("telegram"); len(msgs) != 0 {
			t.Errorf("the customer was told %+v", msgs)
		}
		h.expect(h.shopify("orders/create", "w-new-id", orderCreate, ""), 200, `"duplicate":true`)
	}, shop.Schema, tickets.Schema, bot.Schema)
}

func TestShopifyInventory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		h.expect(h.shopify("products/create", "p1", `{"title": "Basic Tee", "variants": [
			{"sku": "TEE-WHT-M", "title": "M", "price": "15000.00", "inventory_item_id": 777}]}`, ""), 200, `"inserted":1`)
		h.expect(h.generic("Bearer "+token, `{"products": [{"sku": "TEE-WHT-M", "stock": 10, "safety_stock": 3}]}`), 200, `"updated":1`)
		level := func(loc, n int, at string) string {
			return `{"inventory_item_id": 777, "location_id": ` + strconv.Itoa(loc) + `, "available": ` + strconv.Itoa(n) + `, "updated_at": "` + at + `"}`
		}
		h.expect(h.shopify("inventory_levels/update", "i1", level(1, 2, "2025-11-21T10:00:00+09:00"), ""), 200, `"updated":1`)
		h.expect(h.shopify("inventory_levels/update", "i1", level(1, 2, "2025-11-21T10:00:00+09:00"), ""), 200, `"duplicate":true`)
		h.expect(h.shopify("inventory_levels/update", "i2", level(1, 9, "2025-11-21T09:00:00+09:00"), ""), 200, `"unchanged":1`)
		h.expect(h.shopify("inventory_levels/update", "i3", level(2, 1, "2025-11-21T10:05:00+09:00"), ""), 200, `"updated":1`)
		p, err := shop.NewStore(db).Product(ctx, "TEE-WHT-M")
		if err != nil {
			t.Fatal(err)
		}
		if p.Stock != 3 || p.Name != "Basic Tee - M" || p.Price != 15000 {
			t.Errorf("product = %+v, want stock 2+1 across two locations", p)
		}
		alerts := h.pending("owner")
		if len(alerts) != 1 || alerts[0].Key != "stock:TEE-WHT-M" || alerts[0].Kind != bot.KindAlert || alerts[0].Event != "stock" {
			t.Fatalf("alerts = %+v, want one stock alert", alerts)
		}
		// Down to zero: the second crossing.
		h.expect(h.generic("Bearer "+token, `{"id": "g1", "stock": [{"sku": "TEE-WHT-M", "delta": -3}]}`), 200, `"updated":1`)
		h.expect(h.generic("Bearer "+token, `{"id": "g1", "stock": [{"sku": "TEE-WHT-M", "delta": -3}]}`), 200, `"duplicate":true`)
		if alerts := h.pending("owner"); len(alerts) != 2 || alerts[1].Priority != "urgent" {
			t.Fatalf("alerts = %+v, want a second, urgent one", alerts)
		}
	}, shop.Schema, tickets.Schema, bot.Schema)
}

func TestGeneric(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		h.link("web", "v-1", "ko", "1042")
		order := `{"id": "evt-1", "orders": [{"number": "1042", "status": "결제완료", "customer_name": "김민지", "phone": "010-1234-5678",
			"total": 32000, "ordered_at": "2025-11-20T09:00:00+09:00", "items": [{"sku": "TEE", "name": "티셔츠", "qty": 1, "price": 32000}]}]}`
		tests := []struct {
			name, auth, body string
			status           int
			want             string
		}{
			{"no token", "", order, 401, "bearer"},
			{"wrong token", "Bearer nope", order, 401, "bearer"},
			{"basic auth", "Basic " + token, order, 401, "bearer"},
			{"unknown field", "Bearer " + token, `{"order": []}`, 400, "unknown field"},
			{"unknown status", "Bearer " + token, `{"orders": [{"number": "1042", "status": "lost"}]}`, 422, "unknown status"},
			{"no number", "Bearer " + token, `{"orders": [{"status": "paid"}]}`, 422, "without a number"},
			{"no such product", "Bearer " + token, `{"stock": [{"sku": "NOPE", "delta": 1}]}`, 422, "no such product"},
			{"good", "Bearer " + token, order, 200, `"inserted":1`},
			{"again", "Bearer " + token, order, 200, `"duplicate":true`},
			{"shipped", "Bearer " + token, `{"id": "evt-2", "orders": [{"number": "1042", "status": "배송중", "carrier": "CJ대한통운",
				"tracking_number": "6012345678901"}]}`, 200, `"updated":1`},
			{"shipped again", "Bearer " + token, `{"id": "evt-3", "orders": [{"number": "1042", "status": "shipped", "carrier": "cj",
				"tracking_number": "6012345678901"}]}`, 200, `"unchanged":1`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h.expect(h.generic(tt.auth, tt.body), tt.status, tt.want)
				if tt.status != 200 {
					if _, err := shop.NewStore(db).Order(ctx, "1042"); err == nil && tt.name != "unknown status" {
						// Only bodies after "good" may find the order.
						t.Error("a rejected body stored order 1042")
					}
				}
			})
		}
		msgs := h.pending("web")
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "주문 1042 상품이 오늘 출고되었어요. CJ대한통운 운송장 6012345678901") {
			t.Fatalf("customer messages = %+v, want one shipment message", msgs)
		}
	}, shop.Schema, tickets.Schema, bot.Schema)
}

func TestShippedOptIn(t *testing.T) {
	db := dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema)
	ob := bot.NewOutbox(db, func() time.Time { return now }, nil)
	a := &hooks.Announcer{Outbox: ob, Now: func() time.Time { return now }}
	h := &harness{t: t, db: db, ob: ob}
	h.link("web", "v-1", "en", "1")
	old := now.Add(-72 * time.Hour)
	o := shop.Order{Number: "1", Status: shop.Shipped, TrackingNumber: "1"}
	if err := a.Announce(context.Background(), db, shop.Changes{Shipped: []shop.Order{o}}); err != nil {
		t.Fatal(err)
	}
	a.NotifyShipped = true
	o.ShippedAt = &old
	if err := a.Announce(context.Background(), db, shop.Changes{Shipped: []shop.Order{o}}); err != nil {
		t.Fatal(err)
	}
	if msgs := h.pending("web"); len(msgs) != 0 {
		t.Errorf("messages = %+v, want none (off by default; then a shipment 3 days old)", msgs)
	}
}
