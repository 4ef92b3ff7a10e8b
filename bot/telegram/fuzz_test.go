package telegram_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzWebhookUpdate posts anything as an update to the webhook, with the
// right secret: the answer is 200 (handled or ignored) or 400 (not an
// update), never a 5xx — Telegram would redeliver a 5xx forever — and never
// a panic. The update runs through the real engine on SQLite.
func FuzzWebhookUpdate(f *testing.F) {
	for _, s := range []string{
		`{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "A"}, "text": "배송 언제 와요?"}}`,
		`{"update_id": 2, "message": {"message_id": 2, "date": 1, "chat": {"id": 42, "type": "private"}, "from": {"id": 42}, "contact": {"phone_number": "+82 10-1234-5678", "user_id": 42}}}`,
		`{"update_id": 3, "message": {"message_id": 3, "date": 1, "chat": {"id": 42, "type": "private"}, "from": {"id": 43}, "contact": {"phone_number": "010", "user_id": 42}}}`,
		`{"update_id": 4, "callback_query": {"id": "q", "from": {"id": 42}, "data": "n:9", "message": {"message_id": 9, "date": 1, "chat": {"id": 42, "type": "private"}}}}`,
		`{"update_id": 5, "message": {"message_id": 5, "date": 1, "chat": {"id": -100, "type": "supergroup"}, "from": {"id": 42}, "text": "/sales"}}`,
		`{"update_id": 6, "message": {"message_id": 6, "date": 1, "chat": {"id": 0, "type": "private"}, "text": ""}}`,
		`{"update_id": 7, "edited_message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"}, "text": "x"}}`,
		`{"update_id": 8, "message": {"message_id": 8, "date": 1, "chat": {"id": 42, "type": "private"}, "from": {"id": 42}, "reply_to_message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"}}, "text": "/reply 1 hi"}}`,
		`{}`, `null`, `[]`, `{"update_id": -1}`, "\xff",
	} {
		f.Add(s)
	}
	h := newHarness(f, dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema), nil,
		options{webhookURL: "https://shop.example/telegram/webhook", secret: "fuzz-secret"})
	hook := h.a.Webhook()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/telegram/webhook", strings.NewReader(body))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", "fuzz-secret")
		w := httptest.NewRecorder()
		hook.ServeHTTP(w, r)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("update %.300q: %d %s", body, w.Code, strings.TrimSpace(w.Body.String()))
		}
	})
}
