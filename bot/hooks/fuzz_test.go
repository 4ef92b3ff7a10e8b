package hooks_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/hooks"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzWebhookBodies posts anything, correctly signed, to both webhooks under
// every topic: the answer is a 2xx or a 4xx that names the problem, never a
// 5xx or a panic, and the server keeps serving.
func FuzzWebhookBodies(f *testing.F) {
	for _, s := range []string{orderCreate, fulfillmentCreate,
		`{"inventory_item_id": 1, "location_id": 2, "available": -5}`,
		`{"id": 1, "title": "Tee", "variants": [{"sku": "TEE-WHT-M", "price": "1e400", "inventory_quantity": 9223372036854775807}]}`,
		`{"products": [{"sku": "TEE-WHT-M", "stock": 10, "safety_stock": 3}]}`,
		`{"id": "g1", "stock": [{"sku": "TEE-WHT-M", "delta": -3}]}`,
		`{"orders": [{"number": "", "status": "shipped", "total": -1}]}`,
		`null`, `[]`, `{"line_items": null}`, "\xff\xfe", `{"name": "#` + strings.Repeat("9", 400) + `"}`,
	} {
		f.Add(uint8(0), s)
	}
	topics := []string{"orders/create", "orders/updated", "orders/cancelled", "fulfillments/create",
		"inventory_levels/update", "products/update", "app/uninstalled"}
	db := dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema)
	clock := func() time.Time { return now }
	var logs bytes.Buffer
	h := &hooks.Handler{DB: db, ShopifySecret: secret, Token: token, Now: clock, MaxBody: 64 << 10,
		Log:       slog.New(slog.NewTextHandler(&logs, nil)),
		Announcer: &hooks.Announcer{NotifyShipped: true, OwnerLang: "ko", Now: clock}}
	mux := http.NewServeMux()
	h.Register(mux)
	f.Fuzz(func(t *testing.T, topic uint8, body string) {
		logs.Reset()
		shopify := httptest.NewRequest("POST", "/hooks/shopify", strings.NewReader(body))
		shopify.Header.Set("X-Shopify-Topic", topics[int(topic)%len(topics)])
		shopify.Header.Set("X-Shopify-Hmac-Sha256", sign(body))
		generic := httptest.NewRequest("POST", "/hooks/generic", strings.NewReader(body))
		generic.Header.Set("Authorization", "Bearer "+token)
		for _, r := range []*http.Request{shopify, generic} {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			if w.Code >= 500 || w.Code < 200 {
				t.Fatalf("%s %s %.200q: %d %s\nlog: %s", r.URL.Path, r.Header.Get("X-Shopify-Topic"), body, w.Code, w.Body, &logs)
			}
		}
	})
}
