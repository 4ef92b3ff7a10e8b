package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
	"github.com/shopbot/shopbot/tickets"
)

func TestFAQAndVerification(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		m := h.say(minji, "배송 언제 와요?")
		if m.ParseMode != "" || m.Inline != nil || m.Keyboard != nil {
			t.Errorf("FAQ answer = %+v, want plain text without markup", m)
		}
		if strings.TrimSpace(m.Text) == "" {
			t.Fatal("empty FAQ answer")
		}

		ask := h.say(minji, "주문 1042 어디쯤이에요?")
		if len(ask.Keyboard) != 1 || len(ask.Keyboard[0]) != 1 || !ask.Keyboard[0][0].RequestContact {
			t.Fatalf("verification question keyboard = %+v, want one share-phone button", ask.Keyboard)
		}
		contains(t, ask, "1042")

		// Someone else's contact card proves nothing.
		forged := h.next(minji, func() { h.srv.Contact(minji, 777, "+82 10-1234-5678") })
		if strings.Contains(forged.Text, "6012345678901") {
			t.Fatalf("a forged contact verified the order: %q", forged.Text)
		}
		if forged.RemoveKeyboard {
			t.Errorf("the share-phone button was removed while verification waits")
		}
		typed := h.next(minji, func() { h.srv.Contact(minji, 0, "+82 10-1234-5678") })
		if strings.Contains(typed.Text, "6012345678901") {
			t.Fatalf("a typed contact verified the order: %q", typed.Text)
		}
		// Her own, by the button.
		ok := h.next(minji, func() { h.srv.Contact(minji, minji.ID, "+82 10-1234-5678") })
		contains(t, ok, "6012345678901")
		if !ok.RemoveKeyboard {
			t.Errorf("after verification the share-phone keyboard stays: %+v", ok)
		}
		h.settle()
		if got := h.srv.SentTo(minji.ID); len(got) != 5 {
			t.Errorf("minji received %d messages, want 5", len(got))
		}
	})
}

func TestTicketAlertAndOwnerReply(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		ack := h.say(junho, "주문 1043 취소해 주세요")
		contains(t, ack, "#")
		alerts := h.srv.WaitSent(t, owner.ID, 1)
		first := alerts[0]
		if first.ReplyTo != 0 {
			t.Errorf("first alert replies to %d, want a message of its own", first.ReplyTo)
		}
		contains(t, first, "1043")

		// The customer writes again: the owner's alert continues the chain.
		h.srv.Text(junho, "빨리 확인 부탁드려요")
		alerts = h.srv.WaitSent(t, owner.ID, 2)
		if alerts[1].ReplyTo != first.MessageID || !alerts[1].AllowWithoutReply {
			t.Errorf("second alert replies to %d (allow without reply %v), want %d", alerts[1].ReplyTo, alerts[1].AllowWithoutReply, first.MessageID)
		}

		// The owner answers by replying to the alert (once it is recorded).
		h.srv.Wait(t, "the alert recorded as sent", func() bool {
			tk, err := h.ob.TicketOf(context.Background(), telegram.Channel, fmt.Sprint(owner.ID), fmt.Sprint(first.MessageID))
			return err == nil && tk != 0
		})
		relay := h.next(junho, func() { h.srv.Reply(owner, first.MessageID, "취소 처리했어요. 감사합니다!") })
		if relay.Text != "취소 처리했어요. 감사합니다!" {
			t.Errorf("relayed text = %q", relay.Text)
		}
		confirm := h.srv.WaitSent(t, owner.ID, 3)[2]
		contains(t, confirm, "#")

		// A customer cannot run owner commands.
		got := h.say(emily, "/tickets")
		if strings.Contains(got.Text, "1043") {
			t.Errorf("a customer's /tickets showed tickets: %q", got.Text)
		}
		h.settle()
	})
}

func TestClarifyButtons(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		q := h.say(emily, "gift price")
		var datas []string
		for _, row := range q.Inline {
			for _, b := range row {
				datas = append(datas, *b.CallbackData)
			}
		}
		if diff := cmp.Diff([]string{"gift-card", "gift-box", bot.ChoiceNone}, datas); diff != "" {
			t.Fatalf("buttons (-want +got):\n%s", diff)
		}
		tap := func(m telegramtest.Sent, data string) (telegramtest.Sent, string) {
			var id string
			got := h.next(emily, func() { id = h.srv.Tap(emily, m, data) })
			return got, id
		}
		got, id := tap(q, "gift-box")
		contains(t, got, "2,000")
		// Another button of the same question, after it was answered: a
		// stale button, still answered.
		got, id2 := tap(q, "gift-card")
		contains(t, got, "10,000")
		// A button whose entry no longer exists: its label is the question.
		gone := q
		gone.Inline = [][]tgbotapi.InlineKeyboardButton{{tgbotapi.NewInlineKeyboardButtonData("gift card price", "retired-entry")}}
		got, id3 := tap(gone, "retired-entry")
		contains(t, got, "10,000")
		h.srv.Wait(t, "three callback answers", func() bool { return len(h.srv.Answers()) >= 3 })
		var answered []string
		for _, a := range h.srv.Answers() {
			answered = append(answered, a.ID)
		}
		if diff := cmp.Diff([]string{id, id2, id3}, answered); diff != "" {
			t.Errorf("answered callbacks (-want +got):\n%s", diff)
		}
		h.settle()
	})
}

func TestTextArrivesVerbatim(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		m := h.say(emily, "which characters are special")
		if want := "Specials: " + specials + " stay as typed."; m.Text != want || m.ParseMode != "" {
			t.Errorf("got %q (parse mode %q), want %q as plain text", m.Text, m.ParseMode, want)
		}
		// A long answer is split on line boundaries, nothing lost.
		n := len(h.srv.SentTo(emily.ID))
		h.srv.Text(emily, "full care guide please")
		h.srv.WaitSent(t, emily.ID, n+2)
		h.settle()
		parts := h.srv.SentTo(emily.ID)[n:]
		if len(parts) < 2 {
			t.Fatalf("long answer in %d part, want it split", len(parts))
		}
		var lines int
		for _, p := range parts {
			if u := len(utf16.Encode([]rune(p.Text))); u > telegram.MaxText {
				t.Errorf("part of %d UTF-16 units", u)
			}
			for _, l := range strings.Split(strings.TrimSpace(p.Text), "\n") {
				if !strings.HasSuffix(l, "every detail.") {
					t.Errorf("line cut in the middle: %q", l)
				}
				lines++
			}
		}
		if lines != 150 {
			t.Errorf("%d lines arrived, want 150", lines)
		}
	})
}

// TestSendFailures drives the outbox sender through Telegram's failures.
// The cases share one database and engine (each has its own fake Bot API
// and adapter, and starts once the previous one's message is settled).
func TestSendFailures(t *testing.T) {
	t.Parallel()
	quick := func(a *telegram.Adapter) { a.RequestTimeout = 500 * time.Millisecond }
	tests := []struct {
		name   string
		fault  telegramtest.Fault
		tune   func(a *telegram.Adapter)
		block  bool
		sent   int // messages that arrive
		status string
	}{
		{"429 retry_after", telegramtest.Fault{Method: "sendMessage", Code: 429, RetryAfter: 1}, nil, false, 1, "sent"},
		{"500", telegramtest.Fault{Method: "sendMessage", Code: 500, Times: 2}, nil, false, 1, "sent"},
		{"502 html", telegramtest.Fault{Method: "sendMessage", Code: 502, Message: "<html>bad gateway</html>"}, nil, false, 1, "sent"},
		// Slow but within the request timeout (the harness's 5 s): one
		// message. (A timeout that ends after Telegram accepted a message
		// sends it again: Telegram has no idempotency key. So the margin is
		// wide, or a loaded machine makes this case that one.)
		{"slow", telegramtest.Fault{Method: "sendMessage", Delay: 300 * time.Millisecond}, nil, false, 1, "sent"},
		// No answer within the timeout: the fake gives up with the client
		// (it never accepts the message), and the retry sends it.
		{"timeout", telegramtest.Fault{Method: "sendMessage", Delay: 10 * time.Second}, quick, false, 1, "sent"},
		{"403 blocked", telegramtest.Fault{}, nil, true, 0, "failed"},
		{"400 chat not found", telegramtest.Fault{Method: "sendMessage", Code: 400, Message: "Bad Request: chat not found"}, nil, false, 0, "failed"},
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel() // the engines side by side; the cases of one in turn
			base := newHarness(t, dbtest.Open(t, engine, shop.Schema, tickets.Schema, bot.Schema), nil, options{})
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					h := base.on(t, telegramtest.New(t), options{tune: tt.tune})
					if tt.fault.Method != "" {
						h.srv.Inject(tt.fault)
					}
					if tt.block {
						h.srv.Block(emily.ID)
					}
					r, err := h.ob.Enqueue(context.Background(), bot.Reply{Channel: telegram.Channel, Chat: fmt.Sprint(emily.ID), Kind: bot.KindFAQ, Text: "hello " + tt.name})
					if err != nil {
						t.Fatal(err)
					}
					h.start()
					h.settle()
					h.stop()
					if got := len(h.srv.SentTo(emily.ID)); got != tt.sent {
						t.Errorf("%d messages arrived, want %d", got, tt.sent)
					}
					var status, pid string
					if err := h.db.QueryRowx(h.db.Rebind(`SELECT status, platform_id FROM outbox WHERE id = ?`), r.ID).Scan(&status, &pid); err != nil {
						t.Fatal(err)
					}
					if status != tt.status {
						t.Errorf("outbox status %q, want %q", status, tt.status)
					}
					if sent := h.srv.SentTo(emily.ID); len(sent) == 1 && pid != fmt.Sprint(sent[0].MessageID) {
						t.Errorf("platform id %q, want message_id %d", pid, sent[0].MessageID)
					}
				})
			}
		})
	}
}

func TestDuplicateUpdates(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		id := h.srv.Text(emily, "how long does delivery take")
		h.srv.WaitSent(t, emily.ID, 1)
		h.srv.Redeliver(id) // the same update again
		// The same message in a new update.
		u, _ := h.srv.Update(id)
		u.UpdateID = 0
		h.srv.Push(u)
		h.say(emily, "payment methods?") // handled after both
		h.settle()
		if got := len(h.srv.SentTo(emily.ID)); got != 2 {
			t.Errorf("emily received %d messages, want 2 (one per distinct message)", got)
		}
	})
}

// TestRestartMidBurst stops the adapter in the middle of a burst and starts
// a new process' adapter: every message is answered exactly once.
//
// Both processes keep serve's outbox lease (a minute), not the harness's
// 5 s: an outcome SQLite is too busy to record at once is retried through
// a shutdown for one lease (Outbox.recordSent), and when the retries run
// out the next process sends the reply again. The test holds the product
// to serve's margin, not to 5 s of retries on a loaded machine.
func TestRestartMidBurst(t *testing.T) {
	t.Parallel()
	questions := []string{"배송 언제 와요?", "배송비 얼마예요?", "교환 가능해요?"}
	const customers = 12
	serveLease := options{outbox: func(ob *bot.Outbox) { ob.Lease = time.Minute }}
	both(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil, serveLease)
		m := h.eng.Matcher()
		var want []string
		for _, q := range questions {
			if r := m.Match(q); r.Best == nil {
				t.Fatalf("%q is not a confident FAQ question", q)
			}
		}
		for i := range customers {
			u := tgbotapi.User{ID: int64(7000 + i), FirstName: fmt.Sprint("C", i), LanguageCode: "ko"}
			for _, q := range questions {
				h.srv.Text(u, q)
			}
		}
		h.start()
		h.srv.Wait(t, "a third of the answers", func() bool { return len(h.srv.Sent()) >= customers })
		h.stop()
		if n := len(h.srv.Sent()); n >= customers*len(questions) {
			t.Fatalf("all %d answers were sent before the restart: the test restarted nothing", n)
		}
		// A new process: new engine, outbox and adapter on the same database.
		h.build(serveLease)
		h.start()
		h.srv.Wait(t, "every answer", func() bool { return len(h.srv.Sent()) >= customers*len(questions) })
		h.settle()
		for i := range customers {
			got := h.srv.SentTo(int64(7000 + i))
			var texts []string
			for _, s := range got {
				texts = append(texts, s.Text)
			}
			if i == 0 {
				want = texts
			}
			if len(got) != len(questions) {
				t.Errorf("customer %d received %d answers, want %d: %q", i, len(got), len(questions), texts)
			} else if diff := cmp.Diff(want, texts); diff != "" {
				t.Errorf("customer %d answers differ from customer 0's (-want +got):\n%s", i, diff)
			}
		}
	})
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil, options{webhookURL: "https://shop.example/telegram/webhook", secret: "s3cret_-token"})
		h.start()
		h.srv.Wait(t, "setWebhook", func() bool { return h.srv.Webhook().URL != "" })
		if got, want := h.srv.Webhook(), (telegramtest.Webhook{URL: "https://shop.example/telegram/webhook", SecretToken: "s3cret_-token",
			AllowedUpdates: []string{"message", "callback_query"}}); !cmp.Equal(got, want) {
			t.Errorf("webhook = %+v, want %+v", got, want)
		}
		if n := h.srv.Calls("getUpdates"); n != 0 {
			t.Errorf("getUpdates called %d times in webhook mode", n)
		}
		hook := httptest.NewServer(h.a.Webhook())
		defer hook.Close()
		body := `{"update_id":9001,"message":{"message_id":77,"date":1700000000,"from":{"id":503,"first_name":"Emily","language_code":"en"},"chat":{"id":503,"type":"private"},"text":"how long does delivery take"}}`
		post := func(secret string) int {
			req, _ := http.NewRequest("POST", hook.URL, strings.NewReader(body))
			if secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, tc := range []struct {
			secret string
			want   int
		}{{"", 401}, {"wrong", 401}, {"s3cret_-token", 200}, {"s3cret_-token", 200}} {
			if got := post(tc.secret); got != tc.want {
				t.Errorf("POST with secret %q: %d, want %d", tc.secret, got, tc.want)
			}
		}
		// Only the authenticated request was processed (the refused ones
		// were not journaled: the first good one was answered), and its
		// redelivery was dropped.
		h.srv.WaitSent(t, emily.ID, 1)
		h.settle()
		if got := len(h.srv.SentTo(emily.ID)); got != 1 {
			t.Errorf("%d answers, want 1", got)
		}
	})
}

func TestOwnerCommandsScoped(t *testing.T) {
	t.Parallel()
	run(t, func(t *testing.T, h *harness) {
		h.srv.Wait(t, "setMyCommands", func() bool { return len(h.srv.Commands()) >= 2 })
		cs := h.srv.Commands()
		if cs[0].Method != "deleteMyCommands" || cs[0].Scope != nil {
			t.Errorf("first call %+v, want deleteMyCommands of the default scope", cs[0])
		}
		if got, want := cs[1].Scope, (&tgbotapi.BotCommandScope{Type: "chat", ChatID: owner.ID}); !cmp.Equal(got, want) {
			t.Errorf("setMyCommands scope = %+v, want %+v", got, want)
		}
		if len(cs) != 2 || cs[1].Method != "setMyCommands" || len(cs[1].Commands) < 5 {
			t.Errorf("commands calls = %+v", cs)
		}
		// In the owner's language (Korean here).
		if d := cs[1].Commands[0].Description; !strings.Contains(d, "문의") {
			t.Errorf("menu %q, want it in Korean", d)
		}
		// The owner's commands work, with or without the bot's @name.
		r := h.say(owner, "/help@"+telegramtest.BotUser.UserName)
		contains(t, r, "/reply")
	})
}
