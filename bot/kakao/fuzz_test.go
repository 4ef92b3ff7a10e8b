package kakao_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzSkill posts anything to the skill with the right secret: the answer
// is a response Kakao accepts (200, version 2.0, one to three bubbles, at
// most ten quick replies) or 400, never a 5xx or a panic. The request runs
// through the real engine on SQLite.
func FuzzSkill(f *testing.F) {
	for _, s := range []string{
		`{"userRequest":{"utterance":"배송 언제 와요?","user":{"id":"u1","type":"botUserKey"}},"action":{"clientExtra":null}}`,
		`{"userRequest":{"utterance":"退货地址是什么","user":{"id":"u2","type":"botUserKey"}},"action":{"clientExtra":{"entry":"return-how"}}}`,
		`{"userRequest":{"utterance":"","user":{"id":"u3"}},"action":{"clientExtra":{"entry":7}}}`,
		`{"userRequest":{"utterance":"주문 1042 어디쯤이에요?","callbackUrl":"http://127.0.0.1:1/cb","user":{"id":"u4"}}}`,
		`{"userRequest":{"utterance":"/reply 1 hi","user":{"id":"u5"}}}`,
		`{}`, `null`, `[]`, `{"userRequest":{"user":{"id":""}}}`, "\xff",
	} {
		f.Add(s)
	}
	h := newHarness(f, dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema, kakao.Schema))
	skill := h.a.Skill()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/hooks/kakao/"+secret, strings.NewReader(body))
		r.SetPathValue("secret", secret)
		w := httptest.NewRecorder()
		skill.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusBadRequest:
		case http.StatusOK:
			var sr kakao.SkillResponse
			if err := json.Unmarshal(w.Body.Bytes(), &sr); err != nil {
				t.Fatalf("request %.300q: response %q: %v", body, w.Body.String(), err)
			}
			if err := kakaotest.Validate(sr); err != nil {
				t.Fatalf("request %.300q: response %q: %v", body, w.Body.String(), err)
			}
		default:
			t.Fatalf("request %.300q: %d %s", body, w.Code, strings.TrimSpace(w.Body.String()))
		}
	})
}
