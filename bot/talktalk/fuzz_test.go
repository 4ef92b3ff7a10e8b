package talktalk_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/talktalk"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzWebhook posts anything as an event to the webhook with the right
// secret: the answer is 200 (with nothing, or one send event with exactly
// one content) or 400, never a 5xx or a panic. Events run through the real
// engine on SQLite.
func FuzzWebhook(f *testing.F) {
	for _, s := range []string{
		`{"event":"send","user":"al-1","textContent":{"text":"배송 언제 와요?"}}`,
		`{"event":"send","user":"al-1","textContent":{"text":"退货地址是什么","code":"faq:return-how"}}`,
		`{"event":"send","user":"al-2","standby":true,"textContent":{"text":"환불해 주세요"}}`,
		`{"event":"echo","echoedEvent":"send","user":"al-2","textContent":{"text":"네"},"options":{"sourceId":1,"threadOwnerId":1}}`,
		`{"event":"handover","user":"al-2","options":{"control":"passThread","metadata":"{}"}}`,
		`{"event":"open","user":"al-3","options":{"inflow":"list","friend":false}}`,
		`{"event":"send","user":"al-4","imageContent":{"imageUrl":"http://x"}}`,
		`{}`, `null`, `[]`, `{"event":"send"}`, "\xff",
	} {
		f.Add(s)
	}
	h := newHarness(f, dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema), nil)
	tcfg := talktalk.Config{DB: h.DB, Engine: h.Engine, Outbox: h.Outbox, Secret: secret, Token: token, APIURL: h.tt.URL(), Handover: talktalk.HandoverPartner}
	a, err := talktalk.New(tcfg)
	if err != nil {
		f.Fatal(err)
	}
	hook := a.Webhook()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/hooks/talktalk/"+secret, strings.NewReader(body))
		r.SetPathValue("secret", secret)
		w := httptest.NewRecorder()
		hook.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusBadRequest:
		case http.StatusOK:
			if strings.TrimSpace(w.Body.String()) == "" {
				return
			}
			var ev talktalk.Event
			if err := json.Unmarshal(w.Body.Bytes(), &ev); err != nil || ev.Event != "send" || (ev.TextContent == nil) == (ev.CompositeContent == nil) {
				t.Fatalf("event %.300q: answer %q (%v)", body, w.Body.String(), err)
			}
		default:
			t.Fatalf("event %.300q: %d %s", body, w.Code, strings.TrimSpace(w.Body.String()))
		}
	})
}
