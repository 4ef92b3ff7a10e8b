package talktalk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/outlet"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/talktalk"
	"github.com/shopbot/shopbot/bot/talktalk/talktalktest"
	"github.com/shopbot/shopbot/tickets"
)

const (
	secret = "tt-webhook-secret"
	token  = "ct_partner_token"
)

// harness is a TalkTalk adapter on bottest's live harness behind a test
// server, and the fake platform calling it.
type harness struct {
	*bottest.Harness
	t  testing.TB
	tt *talktalktest.Platform
	ts *httptest.Server
}

func newHarness(t testing.TB, db *sqlx.DB, opt func(*talktalk.Config, *harness)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, Harness: bottest.Live(t, db, bottest.NoFlood)}
	h.tt = talktalktest.New(token)
	cfg := talktalk.Config{DB: db, Engine: h.Engine, Outbox: h.Outbox, Secret: secret, Token: token, APIURL: h.tt.URL(), PerSecond: 100}
	if opt != nil {
		opt(&cfg, h)
	}
	a, err := talktalk.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/talktalk/{secret}", a.Webhook())
	h.ts = httptest.NewServer(mux)
	h.tt.WebhookURL = h.ts.URL + "/hooks/talktalk/" + secret
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); outlet.Serve(ctx, h.Outbox, a.Run, a.Outlets()...) }()
	t.Cleanup(func() { cancel(); wg.Wait(); h.ts.Close(); h.tt.Close() })
	return h
}

func run(t *testing.T, f func(t *testing.T, db *sqlx.DB)) {
	dbtest.Run(t, f, shop.Schema, tickets.Schema, bot.Schema)
}

func (h *harness) say(user, text string) *talktalk.Event {
	h.t.Helper()
	ev, err := h.tt.Say(context.Background(), user, text)
	if err != nil {
		h.t.Fatalf("say %q: %v", text, err)
	}
	return ev
}

func text(ev *talktalk.Event) string {
	if ev == nil {
		return ""
	}
	return talktalktest.Shown{Event: *ev}.Text()
}

func ticketOf(t *testing.T, ev *talktalk.Event) string {
	t.Helper()
	return bottest.TicketRef(t, text(ev))
}

// messages are ticket id's messages by author (all: "").
func messages(t *testing.T, db *sqlx.DB, id, author string) []tickets.Message {
	t.Helper()
	st := tickets.NewStore(db, nil)
	tk, err := st.ByRef(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.Messages(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []tickets.Message
	for _, m := range ms {
		if author == "" || m.Author == author {
			out = append(out, m)
		}
	}
	return out
}

// TestConversation: FAQ answers in three languages in the webhook's
// response, choices as buttons and a tap, an order with a tracking
// button after verification, and a complaint whose owner answer (given
// through shopbot) arrives by the send API, once.
func TestConversation(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil)
		const user = "al-2eGuGr5WQOnco1_V-FQ"
		for _, c := range []struct{ q, want string }{
			{"배송 얼마나 걸려요?", "출고"}, {"how long does delivery take?", "ship"}, {"什么时候发货？", "发货"},
		} {
			if got := text(h.say(user, c.q)); !strings.Contains(got, c.want) {
				t.Errorf("%q: %q, want %q", c.q, got, c.want)
			}
		}
		ev := h.say(user, bottest.ClarifyQuery(t, h.Engine))
		buttons := talktalktest.Shown{Event: *ev}.Buttons()
		if len(buttons) < 2 || !strings.HasPrefix(buttons[1].Data.Code, "faq:") {
			t.Fatalf("clarify: %+v, want buttons with codes", ev)
		}
		ev, err := h.tt.Tap(context.Background(), user, buttons[1])
		if err != nil || text(ev) == "" || len(talktalktest.Shown{Event: *ev}.Buttons()) != 0 {
			t.Fatalf("tap: %+v %v, want an answer", ev, err)
		}
		h.say(user, "주문 1042 어디쯤이에요?")
		ev = h.say(user, "5678")
		b := talktalktest.Shown{Event: *ev}.Buttons()
		if !strings.Contains(text(ev), "6012345678901") || len(b) != 1 || b[0].Type != "LINK" || !strings.Contains(b[0].Data.URL, "6012345678901") {
			t.Fatalf("order: %+v, want a card with a tracking link", ev)
		}
		id := ticketOf(t, h.say(user, "받은 컵이 깨져서 왔어요. 환불해 주세요"))
		h.tt.FailNext(2) // the send API fails twice: retried
		h.Owner("/reply " + id + " 죄송합니다. 새 컵을 보내드릴게요.")
		bottest.WaitFor(t, "the owner's answer", func() bool { return h.tt.Sends() == 1 })
		shown := h.tt.Shown(user)
		if last := shown[len(shown)-1]; last.Via != "api" || !strings.Contains(last.Text(), "새 컵을") || last.Event.Options == nil || !last.Event.Options.Notification {
			t.Fatalf("owner's answer: %+v", last)
		}
		if got := text(h.say(user, "감사합니다")); strings.Contains(got, "새 컵을") {
			t.Fatalf("owner's answer repeated: %q", got)
		}
		time.Sleep(200 * time.Millisecond)
		if n := h.tt.Sends(); n != 1 {
			t.Fatalf("%d send API messages, want 1", n)
		}
	})
}

// TestPartnerHandover: with handover partner, a complaint passes the
// thread to the Partner Center; the customer's standby messages get no
// bot answer but join the ticket; the owner's words there are recorded on
// the ticket from their echo; after "상담 완료" the bot answers again.
func TestPartnerHandover(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *talktalk.Config, _ *harness) { c.Handover = talktalk.HandoverPartner })
		const user = "user-partner-1"
		ev := h.say(user, "배송이 너무 늦어요. 일주일째 안 와요")
		id := ticketOf(t, ev)
		if !strings.Contains(text(ev), "상담원에게 연결") {
			t.Fatalf("ticket: %q, want the partner notice", text(ev))
		}
		bottest.WaitFor(t, "passThread", func() bool { return h.tt.WithPartner(user) })
		before := len(messages(t, db, id, ""))
		if ev := h.say(user, "언제 와요? 배송비도 궁금해요"); ev != nil {
			t.Fatalf("standby message answered: %+v", ev)
		}
		if n := len(messages(t, db, id, "")); n != before+1 {
			t.Fatalf("ticket messages %d -> %d, want the standby message added", before, n)
		}
		if err := h.tt.PartnerSays(context.Background(), user, "오늘 출고했어요. 죄송합니다."); err != nil {
			t.Fatal(err)
		}
		if n := len(messages(t, db, id, "owner")); n != 1 {
			t.Fatalf("%d owner messages on the ticket, want the echoed one", n)
		}
		if err := h.tt.Complete(context.Background(), user); err != nil {
			t.Fatal(err)
		}
		if got := text(h.say(user, "배송비는 얼마예요?")); !strings.Contains(got, "3,000") {
			t.Fatalf("after the hand-back: %q, want an answer", got)
		}
		if n := h.tt.Sends(); n != 0 {
			t.Fatalf("%d send API messages: the owner answered in the Partner Center", n)
		}
	})
}

// TestPartnerKeepsQuestions: with the Partner Center hand-over, a question
// the bot cannot answer opens a ticket without passing the thread (the
// policy: the bot answers what it can until the owner replies), and the
// customer's next question is answered; asking for a person passes it.
func TestPartnerKeepsQuestions(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, func(c *talktalk.Config, _ *harness) { c.Handover = talktalk.HandoverPartner })
		const user = "user-partner-2"
		ev := h.say(user, "혹시 반려견 동반 입장 되나요?")
		ticketOf(t, ev)
		if strings.Contains(text(ev), "상담원에게 연결") {
			t.Errorf("unanswered question: %q, want no partner notice", text(ev))
		}
		if got := text(h.say(user, "배송비는 얼마예요?")); !strings.Contains(got, "3,000") {
			t.Fatalf("next question: %q, want an answer", got)
		}
		if h.tt.WithPartner(user) {
			t.Fatal("an unanswered question passed the thread to the Partner Center")
		}
		ev = h.say(user, "상담원 연결해 주세요")
		if !strings.Contains(text(ev), "상담원에게 연결") {
			t.Fatalf("asking for a person: %q, want the partner notice", text(ev))
		}
		bottest.WaitFor(t, "passThread", func() bool { return h.tt.WithPartner(user) })
	})
}

// TestRefused: wrong or missing secret 404 with nothing stored; over 64 KB
// 413; not an event 400.
func TestRefused(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil)
		good, _ := json.Marshal(talktalk.Event{Event: "send", User: "u1", TextContent: &talktalk.TextContent{Text: "배송 언제 와요"}})
		h.Refused(h.ts.URL, []bottest.Call{
			{Name: "wrong secret", Path: "/hooks/talktalk/nope", Body: good, Want: 404},
			{Name: "no secret", Path: "/hooks/talktalk/", Body: good, Want: 404},
			{Name: "too big", Path: "/hooks/talktalk/" + secret, Body: append(bytes.Repeat([]byte(" "), talktalk.MaxBody), good...), Want: 413},
			{Name: "not json", Path: "/hooks/talktalk/" + secret, Body: []byte("{"), Want: 400},
			{Name: "no user", Path: "/hooks/talktalk/" + secret, Body: []byte(`{"event":"send"}`), Want: 400},
		})
	})
}

// TestLateAndToken: an answer not ready within the budget goes by the
// send API; with a token Naver refuses nothing is delivered and the reply
// stays queued.
func TestLateAndToken(t *testing.T) {
	run(t, func(t *testing.T, db *sqlx.DB) {
		t.Run("late", func(t *testing.T) {
			h := newHarness(t, db, func(c *talktalk.Config, h *harness) {
				c.Engine, c.Budget = bottest.Slow(h.Engine, 300*time.Millisecond), 50*time.Millisecond
			})
			if ev := h.say("late-1", "배송 얼마나 걸려요?"); ev != nil {
				t.Fatalf("answered in the response: %+v", ev)
			}
			bottest.WaitFor(t, "the send API answer", func() bool { return h.tt.Sends() == 1 })
			if s := h.tt.Shown("late-1"); !strings.Contains(s[0].Text(), "출고") {
				t.Fatalf("late answer: %+v", s)
			}
		})
		t.Run("token", func(t *testing.T) {
			h := newHarness(t, db, func(c *talktalk.Config, _ *harness) { c.Token = "wrong" })
			id := ticketOf(t, h.say("tok-1", "환불해 주세요 불량이에요"))
			h.Owner("/reply " + id + " 확인했습니다")
			time.Sleep(300 * time.Millisecond)
			depth, _ := h.Outbox.Depth(context.Background())
			if h.tt.Sends() != 0 || depth[talktalk.Channel] != 1 {
				t.Fatalf("sends %d, outbox %v: want none sent, the answer kept", h.tt.Sends(), depth)
			}
		})
	})
}
