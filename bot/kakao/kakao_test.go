package kakao_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
)

// TestConversation goes through the demo's conversations on KakaoTalk:
// FAQ answers in three languages, choices as quick replies and a tap, an
// order lookup with verification shown as a card with a tracking button,
// and a complaint whose owner answer waits for the customer's next
// message, shown once.
func TestConversation(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		const user = "botuser-a1"
		for _, c := range []struct{ text, want string }{
			{"배송 얼마나 걸려요?", "출고"},
			{"how long does delivery take?", "ship"},
			{"什么时候发货？", "发货"},
		} {
			sr := h.say(user, c.text)
			if got := joined(sr); !strings.Contains(got, c.want) || sr.Template.Outputs[0].SimpleText == nil {
				t.Errorf("%q: %q, want a simpleText with %q", c.text, got, c.want)
			}
		}

		// Choices come as quick replies; a tap carries the entry.
		sr := h.say(user, bottest.ClarifyQuery(t, h.Engine))
		if n := len(sr.Template.QuickReplies); n < 2 {
			t.Fatalf("clarify: %d quick replies in %+v", n, sr.Template)
		}
		q := sr.Template.QuickReplies[1]
		if q.Extra["entry"] == nil {
			t.Fatalf("quick reply without its entry: %+v", q)
		}
		sr, err := h.kk.Tap(context.Background(), user, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(sr.Template.QuickReplies) != 0 || len(kakaotest.ResponseTexts(sr)) == 0 {
			t.Fatalf("after a tap: %+v, want an answer", sr.Template)
		}

		// Order lookup: verification first, then a card with the tracking link.
		sr = h.say(user, "주문 1042 어디쯤이에요?")
		if got := joined(sr); !strings.Contains(got, "본인 확인") && !strings.Contains(got, "4") {
			t.Fatalf("order question: %q, want a verification ask", got)
		}
		sr = h.say(user, "5678")
		card := sr.Template.Outputs[0].TextCard
		if card == nil || !strings.Contains(card.Description, "6012345678901") || len(card.Buttons) != 1 ||
			card.Buttons[0].Action != "webLink" || !strings.Contains(card.Buttons[0].WebLinkURL, "6012345678901") {
			t.Fatalf("order: %+v, want a card with a tracking button", sr.Template.Outputs)
		}

		// A complaint opens a ticket; the customer is told the answer comes
		// with their next message.
		sr = h.say(user, "받은 컵이 깨져서 왔어요. 환불해 주세요")
		id := ticketOf(t, sr)
		if got := joined(sr); !strings.Contains(got, "다음에 아무 메시지나") {
			t.Fatalf("ticket: %q, want the held-answer notice", got)
		}
		h.Owner("/reply " + id + " 죄송합니다. 새 컵을 오늘 보내드릴게요.")
		time.Sleep(100 * time.Millisecond)
		if n := h.kk.Events(); n != 0 {
			t.Fatalf("%d Event API messages without event_api", n)
		}
		sr = h.say(user, "네 알겠습니다")
		texts := kakaotest.ResponseTexts(sr)
		if len(texts) == 0 || !strings.Contains(texts[0], "사장님 답변이 도착했어요") || !strings.Contains(texts[0], "새 컵을 오늘") {
			t.Fatalf("next message: %q, want the owner's answer first", texts)
		}
		sr = h.say(user, "배송비는 얼마예요?")
		if got := joined(sr); strings.Contains(got, "새 컵을 오늘") {
			t.Fatalf("the owner's answer shown twice: %q", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOwnerHeadingInCustomersLanguage: the owner answers an English
// customer in Korean; the heading around it is in the customer's
// language (the conversation's), not the answer's.
func TestOwnerHeadingInCustomersLanguage(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		const user = "bu-en-1"
		id := ticketOf(t, h.say(user, "the mug arrived broken, I want a refund"))
		h.Owner("/reply " + id + " 죄송합니다, 새 컵을 보내드릴게요")
		texts := kakaotest.ResponseTexts(h.say(user, "ok thanks"))
		if len(texts) == 0 || !strings.Contains(texts[0], "The shop owner replied") {
			t.Fatalf("next message: %q, want the owner's answer under an English heading", texts)
		}
	})
}

// TestEventAPI: with the Event API on, the owner's answer is pushed at
// once, once, with the REST API key; a failing API keeps it for a retry;
// the next skill response does not repeat it.
func TestEventAPI(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *kakao.Config, h *harness) { c.EventAPI = true })
		const user = "botuser-e1"
		sr := h.say(user, "배송이 너무 늦어요. 일주일째 안 와요")
		id := ticketOf(t, sr)
		if got := joined(sr); !strings.Contains(got, "이 채팅방으로 바로") {
			t.Fatalf("ticket: %q, want the push notice", got)
		}
		h.kk.SetEventStatus(http.StatusInternalServerError)
		h.Owner("/reply " + id + " 오늘 출발했어요!")
		time.Sleep(300 * time.Millisecond)
		if n := h.kk.Events(); n != 0 {
			t.Fatalf("%d events while the API fails", n)
		}
		h.kk.SetEventStatus(0)
		bottest.WaitFor(t, "the pushed answer", func() bool { return h.kk.Events() == 1 })
		shown := h.kk.Shown(user)
		last := shown[len(shown)-1]
		if last.Via != "event" || !strings.Contains(last.Text, "오늘 출발했어요") {
			t.Fatalf("pushed: %+v", last)
		}
		sr = h.say(user, "감사합니다")
		if got := joined(sr); strings.Contains(got, "오늘 출발했어요") {
			t.Fatalf("pushed answer repeated in the next response: %q", got)
		}
		time.Sleep(200 * time.Millisecond)
		if n := h.kk.Events(); n != 1 {
			t.Fatalf("%d events, want 1", n)
		}
	})
}

// TestEventAPIKeyChecked: a wrong REST API key is refused by the platform;
// the answer is kept (not dropped) and goes out to nobody.
func TestEventAPIKeyChecked(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *kakao.Config, h *harness) { c.EventAPI, c.APIKey = true, "wrong" })
		sr := h.say("botuser-k1", "환불해 주세요. 물건이 불량이에요")
		h.Owner("/reply " + ticketOf(t, sr) + " 확인했습니다")
		time.Sleep(300 * time.Millisecond)
		if n := h.kk.Events(); n != 0 {
			t.Fatalf("%d events with a wrong key", n)
		}
		depth, err := h.Outbox.Depth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if depth[kakao.Channel] != 1 {
			t.Fatalf("outbox %v: the refused answer must stay pending", depth)
		}
	})
}

// TestRetries: the platform (or an impatient customer) sends the same
// utterance again within seconds, even concurrently: one message is
// journaled, one ticket opened, and every copy gets the same answer.
func TestRetries(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		const user = "botuser-r1"
		var wg sync.WaitGroup
		out := make([]string, 4)
		for i := range out {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sr, err := h.kk.Say(context.Background(), user, "포장이 찢어져서 왔어요 교환해 주세요")
				if err != nil {
					t.Error(err)
					return
				}
				out[i] = joined(sr)
			}()
		}
		wg.Wait()
		for i := range out {
			if out[i] != out[0] || out[i] == "" {
				t.Fatalf("answers differ: %q", out)
			}
		}
		// One ticket: the next complaint-free message shows no second one.
		if n := h.OpenTickets(); n != 1 {
			t.Fatalf("%d tickets, want 1", n)
		}
		if n := bottest.Count(t, db, `SELECT COUNT(*) FROM kakao_requests WHERE user_key = ?`, user); n != 1 {
			t.Fatalf("%d requests recorded", n)
		}
	})
}

// TestRefused: a wrong or missing secret is 404 and stores nothing; a body
// over 64 KB is 413; a body that is not a skill request is 400.
func TestRefused(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		req, _ := h.kk.Request("botuser-x", "배송 언제 와요", nil)
		good, _ := json.Marshal(req)
		big := append(bytes.Repeat([]byte(" "), kakao.MaxBody), good...)
		h.Refused(h.ts.URL, []bottest.Call{
			{Name: "wrong secret", Path: "/hooks/kakao/nope", Body: good, Want: http.StatusNotFound},
			{Name: "no secret", Path: "/hooks/kakao/", Body: good, Want: http.StatusNotFound},
			{Name: "too big", Path: "/hooks/kakao/" + secret, Body: big, Want: http.StatusRequestEntityTooLarge},
			{Name: "not json", Path: "/hooks/kakao/" + secret, Body: []byte("{"), Want: http.StatusBadRequest},
			{Name: "no user", Path: "/hooks/kakao/" + secret, Body: []byte(`{"userRequest":{"utterance":"hi"}}`), Want: http.StatusBadRequest},
		})
		if n := bottest.Count(t, db, `SELECT COUNT(*) FROM kakao_requests`); n != 0 {
			t.Fatalf("%d requests stored from refused calls", n)
		}
	})
}

// TestSlowAnswer: an answer not ready within the budget. Without
// callbacks the customer is told to write again and the answer heads the
// next reply; with callbacks it goes to the one-shot callback URL.
func TestSlowAnswer(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		t.Run("held", func(t *testing.T) {
			h := newHarness(t, db, func(c *kakao.Config, h *harness) {
				c.Engine, c.Budget = bottest.Slow(h.Engine, 1500*time.Millisecond), 700*time.Millisecond
			})
			sr := h.say("botuser-s1", "배송 얼마나 걸려요?")
			if got := joined(sr); !strings.Contains(got, "잠시 후 아무 메시지나") {
				t.Fatalf("slow: %q, want the busy note", got)
			}
			time.Sleep(1500 * time.Millisecond)
			sr = h.say("botuser-s1", "교환 되나요?")
			if texts := kakaotest.ResponseTexts(sr); len(texts) < 2 || !strings.Contains(texts[0], "출고") {
				t.Fatalf("next: %q, want the late answer first", texts)
			}
		})
		t.Run("callback", func(t *testing.T) {
			h := newHarness(t, db, func(c *kakao.Config, h *harness) {
				c.Engine, c.Budget, c.Callback = bottest.Slow(h.Engine, 1500*time.Millisecond), 700*time.Millisecond, true
				h.kk.Callbacks = true
			})
			sr := h.say("botuser-c1", "배송 얼마나 걸려요?")
			if !sr.UseCallback || sr.Template != nil {
				t.Fatalf("slow with callbacks: %+v, want useCallback", sr)
			}
			bottest.WaitFor(t, "the callback recorded sent", func() bool {
				depth, _ := h.Outbox.Depth(context.Background())
				return depth[kakao.Channel] == 0 && len(h.kk.Shown("botuser-c1")) > 0
			})
			shown := h.kk.Shown("botuser-c1")
			if len(shown) != 1 || shown[0].Via != "callback" || !strings.Contains(joined(shown[0].Response), "출고") {
				t.Fatalf("callback: %+v", shown)
			}
		})
	})
}

// TestOutputsBounded: a turn with more replies than Kakao's three bubbles
// (held owner answers plus the answer) is folded into three.
func TestOutputsBounded(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db)
		const user = "botuser-b1"
		id := ticketOf(t, h.say(user, "환불해 주세요 불량이에요"))
		for _, s := range []string{"첫째 답변", "둘째 답변", "셋째 답변"} {
			h.Owner("/reply " + id + " " + s)
		}
		sr := h.say(user, "배송 얼마나 걸려요?")
		got := joined(sr)
		for _, s := range []string{"첫째 답변", "둘째 답변", "셋째 답변"} {
			if !strings.Contains(got, s) {
				t.Errorf("missing %q in %q", s, got)
			}
		}
	})
}

// TestRetryAfterLoss: the request was recorded but its message never
// stored (the process died mid-way); the platform's retry within seconds
// handles it under the same id: answered once, one ticket.
func TestRetryAfterLoss(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *kakao.Config, h *harness) {
			c.Engine, c.Budget = bottest.Dying(h.Engine), time.Second
		})
		const user, text = "botuser-l1", "택배 상자가 젖어서 왔어요 교환해 주세요"
		if got := joined(h.say(user, text)); !strings.Contains(got, "죄송해요, 지금") {
			t.Fatalf("first: %q, want the sorry note", got)
		}
		sr := h.say(user, text)
		ticketOf(t, sr)
		if n := h.OpenTickets(); n != 1 {
			t.Fatalf("%d tickets, want 1", n)
		}
		if again := joined(h.say(user, text)); again != joined(sr) {
			t.Fatalf("third copy: %q, want the second's answer %q", again, joined(sr))
		}
	})
}
