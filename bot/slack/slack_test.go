package slack_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// TestEndToEnd: a customer's cancellation on the console becomes a Slack
// alert; the owner's thread reply reaches the customer once, even when
// Slack delivers the event twice; Close resolves the ticket and updates
// the message.
func TestEndToEnd(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		rs := h.customer("junho", "주문 1043 취소해 주세요")
		if len(rs) != 1 || rs[0].Kind != bot.KindTicket {
			t.Fatalf("customer replies = %+v, want one ticket reply", rs)
		}
		id := rs[0].Ticket
		if got, want := h.pump(), 1; got != want {
			t.Fatalf("sent %d slack messages, want %d", got, want)
		}
		msgs := h.api.Messages(channel)
		if len(msgs) != 1 {
			t.Fatalf("channel has %d messages, want 1: %+v", len(msgs), msgs)
		}
		root := msgs[0]
		text := blocksText(root.Blocks)
		for _, want := range []string{"URGENT", "cancellation", "#1043", "주문 1043 취소해 주세요", "junho (console)", "2026-11-23 15:00 KST", "close", "claim"} {
			if !strings.Contains(text, want) {
				t.Errorf("alert blocks lack %q:\n%s", want, text)
			}
		}

		// The owner answers in the thread; Slack retries the event.
		ev := messageEvent("Ev1", owner, channel, "1700000100.000001", root.TS, "죄송해요, 바로 취소해 드릴게요 &amp; 환불도요", nil)
		if w := h.do(request{path: "/slack/events", body: ev}); w.Code != http.StatusOK {
			t.Fatalf("event: %d %s", w.Code, w.Body)
		}
		if w := h.do(request{path: "/slack/events", body: ev, retries: 1}); w.Code != http.StatusOK {
			t.Fatalf("retried event: %d %s", w.Code, w.Body)
		}
		got := h.inbox("junho")
		if len(got) != 1 || got[0].Kind != bot.KindOwner || got[0].Text != "죄송해요, 바로 취소해 드릴게요 & 환불도요" {
			t.Fatalf("customer got %+v, want the owner's one reply", got)
		}
		if tk := h.ticket(id); tk.FirstResponseAt == nil || tk.Status != tickets.Pending {
			t.Errorf("ticket after reply: status %s, first response %v", tk.Status, tk.FirstResponseAt)
		}
		h.pump()
		msgs = h.api.Messages(channel)
		root, _ = h.api.Message(channel, root.TS)
		if !strings.Contains(blocksText(root.Blocks), "answered") || root.Updates != 1 {
			t.Errorf("root after answer (updates %d):\n%s", root.Updates, blocksText(root.Blocks))
		}
		var thread, private []slacktest.Message
		for _, m := range msgs {
			switch {
			case m.Ephemeral:
				private = append(private, m)
			case m.ThreadTS == root.TS:
				thread = append(thread, m)
			}
		}
		if len(thread) != 1 || !strings.Contains(thread[0].Text, "answered by "+owner) {
			t.Errorf("thread = %+v, want one 'answered' post", thread)
		}
		if len(private) != 1 || private[0].User != owner || private[0].ThreadTS != root.TS || !strings.Contains(private[0].Text, "sent to ticket") {
			t.Errorf("private = %+v, want the confirmation to the owner in the thread", private)
		}

		// Close.
		w := h.do(request{path: "/slack/interactions", body: buttonForm(buttonPayload("close", id, staff, channel, root.TS, "trig-close"))})
		if w.Code != http.StatusOK {
			t.Fatalf("close: %d %s", w.Code, w.Body)
		}
		if tk := h.ticket(id); tk.Status != tickets.Resolved {
			t.Fatalf("ticket status %s after Close, want resolved", tk.Status)
		}
		h.pump()
		root, _ = h.api.Message(channel, root.TS)
		text = blocksText(root.Blocks)
		if !strings.Contains(text, "resolved by") || strings.Contains(text, "claim") || strings.Contains(text, "close\n") {
			t.Errorf("root after close still offers buttons or lacks the state:\n%s", text)
		}
		confirmed := 0
		for _, m := range h.api.Messages(channel) {
			if m.Ephemeral && m.User == staff && strings.Contains(m.Text, "resolved") {
				confirmed++
			}
		}
		if confirmed != 1 {
			t.Errorf("%d private confirmations to the closer, want 1", confirmed)
		}
	})
}

func TestClaimAndLaterMessages(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		root := h.api.Messages(channel)[0]
		w := h.do(request{path: "/slack/interactions", body: buttonForm(buttonPayload("claim", id, owner, channel, root.TS, "trig-claim"))})
		if w.Code != http.StatusOK {
			t.Fatalf("claim: %d %s", w.Code, w.Body)
		}
		h.customer("minji", "언제 답 주세요?")
		h.pump()
		root, _ = h.api.Message(channel, root.TS)
		text := blocksText(root.Blocks)
		if !strings.Contains(text, "claimed by uowner") || strings.Contains(text, "claim\n") {
			t.Errorf("root after claim:\n%s", text)
		}
		var thread []string
		for _, m := range h.api.Messages(channel) {
			if m.ThreadTS == root.TS && !m.Ephemeral {
				thread = append(thread, m.Text)
			}
		}
		if len(thread) != 2 || !strings.Contains(thread[0], "claimed") || !strings.Contains(thread[1], "언제 답 주세요?") {
			t.Errorf("thread = %q, want the claim and the customer's new message", thread)
		}
	})
}

func TestThreadMessagesNotRelayed(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		h.customer("minji", "받은 컵이 깨져서 왔어요")
		h.pump()
		root := h.api.Messages(channel)[0]
		for _, tc := range []struct {
			name string
			ev   string
		}{
			{"other user", messageEvent("E1", someone, channel, "1700000200.000001", root.TS, "hi", nil)},
			{"bot", messageEvent("E2", owner, channel, "1700000200.000002", root.TS, "hi", map[string]any{"bot_id": "B1"})},
			{"bot subtype", messageEvent("E3", "", channel, "1700000200.000003", root.TS, "hi", map[string]any{"subtype": "bot_message", "bot_id": "B1"})},
			{"edit", messageEvent("E4", owner, channel, "1700000200.000004", root.TS, "hi", map[string]any{"subtype": "message_changed"})},
			{"top level", messageEvent("E5", owner, channel, "1700000200.000005", "", "hi", nil)},
			{"other channel", messageEvent("E6", owner, "COTHER", "1700000200.000006", root.TS, "hi", nil)},
			{"not a ticket thread", messageEvent("E7", owner, channel, "1700000200.000007", "1699999999.000001", "hi", nil)},
			{"unknown event", `{"type":"event_callback","event_id":"E8","event":{"type":"reaction_added","user":"UOWNER"}}`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if w := h.do(request{path: "/slack/events", body: tc.ev}); w.Code != http.StatusOK {
					t.Fatalf("status %d %s", w.Code, w.Body)
				}
				if got := h.inbox("minji"); len(got) != 0 {
					t.Errorf("customer got %+v", got)
				}
				if n := h.pump(); n != 0 {
					t.Errorf("%d slack messages sent", n)
				}
			})
		}
	})
}

func TestSignatures(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		root := h.api.Messages(channel)[0]
		bodies := []struct{ path, body string }{
			{"/slack/events", messageEvent("Ev9", owner, channel, "1700000300.000001", root.TS, "answer", nil)},
			{"/slack/commands", commandForm("/claim", "1", owner, channel, "trig-1")},
			{"/slack/interactions", buttonForm(buttonPayload("close", id, owner, channel, root.TS, "trig-2"))},
		}
		bad := []struct {
			name string
			rq   request
		}{
			{"unsigned", request{unsign: true}},
			{"wrong secret", request{secret: "other"}},
			{"stale", request{at: time.Now().Add(-10 * time.Minute)}},
			{"future", request{at: time.Now().Add(10 * time.Minute)}},
			{"tampered", request{tamper: true}},
		}
		for _, b := range bodies {
			for _, tc := range bad {
				t.Run(strings.TrimPrefix(b.path, "/slack/")+"/"+tc.name, func(t *testing.T) {
					rq := tc.rq
					rq.path, rq.body = b.path, b.body
					if w := h.do(rq); w.Code != http.StatusUnauthorized {
						t.Errorf("status %d, want 401", w.Code)
					}
				})
			}
		}
		if got := h.inbox("minji"); len(got) != 0 {
			t.Errorf("customer got %+v after bad requests", got)
		}
		if n := h.pump(); n != 0 {
			t.Errorf("%d slack messages after bad requests", n)
		}
		if tk := h.ticket(id); tk.Status != tickets.Open {
			t.Errorf("ticket %s after bad requests", tk.Status)
		}
		// The same bodies, signed, go through.
		for _, b := range bodies {
			if w := h.do(request{path: b.path, body: b.body}); w.Code != http.StatusOK {
				t.Errorf("%s signed: %d %s", b.path, w.Code, w.Body)
			}
		}
		if tk := h.ticket(id); tk.Status != tickets.Resolved || tk.FirstResponseAt == nil || tk.ClaimedBy == "" {
			t.Errorf("ticket after signed requests: %s, first response %v, claimed by %q", tk.Status, tk.FirstResponseAt, tk.ClaimedBy)
		}
	})
}

func TestURLVerification(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
		w := h.do(request{path: "/slack/events", body: body})
		if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Errorf("got %d %q", w.Code, w.Body)
		}
		if w := h.do(request{path: "/slack/events", body: body, unsign: true}); w.Code != http.StatusUnauthorized {
			t.Errorf("unsigned verification: %d, want 401", w.Code)
		}
	})
}

func TestSlashCommands(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		tests := []struct {
			name, cmd, text, user, ch string
			refused                   bool
			want                      string // in the private answer
		}{
			{"stock", "/stock", "텀블러", owner, channel, false, "텀블러"},
			{"tickets", "/tickets", "", staff, channel, false, "1 ticket"},
			{"ticket", "/ticket", "1", owner, channel, false, "받은 컵이 깨져서 왔어요"},
			{"faq", "/faq", "배송 언제 와요", owner, channel, false, "shipping"},
			{"sales", "/sales", "today", owner, channel, false, ""},
			{"summary", "/summary", "", owner, channel, false, ""},
			{"reply", "/reply", "1 곧 연락드릴게요", owner, channel, false, "sent to ticket #1"},
			{"stranger", "/stock", "", someone, channel, true, ""},
			{"stranger close", "/close", "1", someone, channel, true, ""},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := len(h.api.Messages(""))
				w := h.do(request{path: "/slack/commands", body: h.command(tc.cmd, tc.text, tc.user, tc.ch, "trig-cmd-"+tc.name, 5)})
				if w.Code != http.StatusOK {
					t.Fatalf("status %d %s", w.Code, w.Body)
				}
				if tc.refused {
					if !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) || !strings.Contains(w.Body.String(), "only the shop's owners") {
						t.Errorf("refusal body %s", w.Body)
					}
					if n := h.pump(); n != 0 {
						t.Errorf("%d messages sent for a refused command", n)
					}
					return
				}
				if w.Body.Len() != 0 {
					t.Errorf("body %q, want an empty acknowledgement", w.Body)
				}
				h.pump()
				var private []slacktest.Message
				for _, m := range h.api.Messages("")[before:] {
					if m.Ephemeral {
						private = append(private, m)
					}
				}
				if len(private) != 1 || private[0].User != tc.user || private[0].Channel != tc.ch || !private[0].Response || !strings.Contains(blocksText(private[0].Blocks), tc.want) {
					t.Errorf("command %d: private answers %+v, want one to %s containing %q", i, private, tc.user, tc.want)
				}
			})
		}
		if got := h.inbox("minji"); len(got) != 1 || got[0].Text != "곧 연락드릴게요" {
			t.Errorf("customer got %+v, want the /reply", got)
		}
		if tk := h.ticket(id); tk.Status == tickets.Resolved {
			t.Errorf("a stranger's /close resolved the ticket")
		}
	})
}

// A command typed where the bot is not a member is answered by direct
// message.
func TestCommandOutsideChannel(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		h.api.FailNext("chat.postEphemeral", "channel_not_found")
		if w := h.do(request{path: "/slack/commands", body: commandForm("/tickets", "", owner, "CELSEWHERE", "trig-x")}); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		h.pump()
		msgs := h.api.Messages(owner)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "no tickets") {
			t.Errorf("direct messages = %+v", msgs)
		}
	})
}

// TestCommandAnswersThroughResponseURL: a command typed in a DM with the
// app, or in a channel the bot is not in (where chat.postEphemeral fails),
// is answered through its response_url; once that is used up, by direct
// message.
func TestCommandAnswersThroughResponseURL(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		tests := []struct {
			name, ch string
			uses     int
			response bool // answered through the response_url, else by DM
		}{
			{"DM with the app", "DAPPDM", 5, true},
			{"channel without the bot", "CELSEWHERE", 5, true},
			{"response_url used up", "CELSEWHERE", 0, false},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := len(h.api.Messages(""))
				h.api.FailNext("chat.postEphemeral", "channel_not_found") // were it asked
				if w := h.do(request{path: "/slack/commands", body: h.command("/tickets", "", owner, tc.ch, "trig-ru-"+tc.name, tc.uses)}); w.Code != http.StatusOK {
					t.Fatalf("status %d", w.Code)
				}
				h.pump()
				got := h.api.Messages("")[before:]
				if len(got) != 1 || !strings.Contains(got[0].Text, "no tickets") {
					t.Fatalf("messages %+v, want one answer", got)
				}
				m := got[0]
				switch {
				case tc.response && (!m.Response || !m.Ephemeral || m.Channel != tc.ch || m.User != owner):
					t.Errorf("answer %+v, want it through the response_url, to %s in %s", m, owner, tc.ch)
				case !tc.response && (m.Response || m.Channel != owner):
					t.Errorf("answer %+v, want a direct message to %s", m, owner)
				}
			})
		}
	})
}

func TestButtonFromStranger(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		root := h.api.Messages(channel)[0]
		if w := h.do(request{path: "/slack/interactions", body: buttonForm(buttonPayload("close", id, someone, channel, root.TS, "t1"))}); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if tk := h.ticket(id); tk.Status != tickets.Open {
			t.Errorf("ticket %s after a stranger's Close", tk.Status)
		}
		h.pump()
		msgs := h.api.Messages(channel)
		if m := msgs[len(msgs)-1]; !m.Ephemeral || m.User != someone || !strings.Contains(m.Text, "only the shop's owners") {
			t.Errorf("last message %+v, want a private refusal", m)
		}
	})
}

func TestRateLimited(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		h.customer("minji", "받은 컵이 깨져서 왔어요")
		h.api.RateLimitNext("chat.postMessage", 7)
		if n := h.pump(); n != 0 {
			t.Fatalf("sent %d while rate limited", n)
		}
		h.clock.Advance(6 * time.Second)
		if n := h.pump(); n != 0 {
			t.Fatalf("sent %d before Retry-After passed", n)
		}
		h.clock.Advance(2 * time.Second)
		if n := h.pump(); n != 1 {
			t.Fatalf("sent %d after Retry-After, want 1", n)
		}
		if got := len(h.api.Messages(channel)); got != 1 {
			t.Errorf("%d messages, want 1", got)
		}
		if got := len(h.api.Calls("chat.postMessage")); got != 2 {
			t.Errorf("%d chat.postMessage calls, want 2", got)
		}
	})
}

func TestSendErrors(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		r := bot.Reply{Channel: slack.Channel, Chat: channel, Kind: bot.KindAlert, Text: "low stock: TEE-WHT-M", Event: "stock", Key: "stock:TEE-WHT-M"}
		tests := []struct {
			name      string
			fail      func()
			permanent bool
			after     time.Duration
		}{
			{"ok", func() {}, false, 0},
			{"rate limited", func() { h.api.RateLimitNext("chat.postMessage", 30) }, false, 30 * time.Second},
			{"channel not found", func() { h.api.FailNext("chat.postMessage", "channel_not_found") }, true, 0},
			{"not in channel", func() { h.api.FailNext("chat.postMessage", "not_in_channel") }, true, 0},
			{"invalid auth", func() { h.api.FailNext("chat.postMessage", "invalid_auth") }, true, 0},
			{"internal error", func() { h.api.FailNext("chat.postMessage", "internal_error") }, false, 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.fail()
				ts, err := h.ad.Send(ctx, r)
				var ra *bot.RetryAfter
				switch {
				case tc.name == "ok":
					if err != nil || ts == "" {
						t.Errorf("Send = %q, %v", ts, err)
					}
				case tc.after > 0:
					if !errors.As(err, &ra) || ra.After != tc.after {
						t.Errorf("err = %v, want RetryAfter %s", err, tc.after)
					}
				case tc.permanent != errors.Is(err, bot.ErrPermanent) || err == nil:
					t.Errorf("err = %v, permanent = %v, want %v", err, errors.Is(err, bot.ErrPermanent), tc.permanent)
				}
			})
		}
	})
}

func TestSummaryWithImage(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		png := []byte("\x89PNG\r\n\x1a\nfake")
		r := bot.Reply{Channel: slack.Channel, Chat: channel, Kind: bot.KindAlert, Event: slack.EventSummary,
			Text: "하루상점 11-23 요약\n주문 3건 · 매출 ₩89,000\n<!channel> 티켓 2건", Image: png}
		ts, err := h.ad.Send(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		m, ok := h.api.Message(channel, ts)
		if !ok {
			t.Fatalf("no message %s", ts)
		}
		if !strings.Contains(string(m.Blocks), `"type":"header"`) || !strings.Contains(blocksText(m.Blocks), "하루상점 11-23 요약") {
			t.Errorf("summary blocks %s", m.Blocks)
		}
		if strings.Contains(m.Text, "<!channel>") {
			t.Errorf("fallback text %q pings the channel", m.Text)
		}
		files := h.api.Files()
		if len(files) != 1 || string(files[0].Data) != string(png) || files[0].Channel != channel || files[0].ThreadTS != ts {
			t.Errorf("files = %+v", files)
		}
		// A failed upload does not fail (and so double) the message.
		h.api.FailNext("files.getUploadURLExternal", "internal_error")
		if _, err := h.ad.Send(context.Background(), r); err != nil {
			t.Errorf("Send with a failed upload: %v", err)
		}
	})
}

func TestRun(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if err := h.ad.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run in HTTP mode = %v, want it to wait for ctx", err)
		}
		if got := len(h.api.Calls("auth.test")); got != 1 {
			t.Errorf("%d auth.test calls, want 1", got)
		}
		h.api.FailNext("auth.test", "invalid_auth")
		if err := h.ad.Run(context.Background()); !errors.Is(err, bot.ErrPermanent) && (err == nil || !strings.Contains(err.Error(), "invalid_auth")) {
			t.Errorf("Run with a rejected token = %v", err)
		}
	})
}

func TestNewConfig(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		base := slack.Config{BotToken: token, SigningSecret: secret, Channel: channel, Owners: []string{owner}, Engine: h.eng, Outbox: h.ob}
		tests := []struct {
			name string
			edit func(c *slack.Config)
			want string
		}{
			{"ok", func(c *slack.Config) {}, ""},
			{"no token", func(c *slack.Config) { c.BotToken = "" }, "SLACK_BOT_TOKEN"},
			{"no mode", func(c *slack.Config) { c.SigningSecret = "" }, "SLACK_APP_TOKEN"},
			{"no channel", func(c *slack.Config) { c.Channel = "" }, "slack.channel"},
			{"no owners", func(c *slack.Config) { c.Owners = nil }, "slack.owners"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := base
				tc.edit(&c)
				_, err := slack.New(c)
				if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
					t.Errorf("New = %v, want %q", err, tc.want)
				}
			})
		}
	})
}

// An SLA event marks the ticket's message overdue and is broadcast.
func TestOverdue(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		root := h.api.Messages(channel)[0]
		h.clock.Advance(5 * time.Hour) // high: 4 h
		// The event as notify's Watcher raises it: with the ticket's snapshot.
		tk, err := tickets.NewStore(h.db, nil).Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		e := notify.TicketEvent(notify.KindSLAMissed, tk, "", "#1 is past its first-response time")
		if _, err := h.ob.Enqueue(context.Background(), bot.AlertReply(slack.Channel, channel, e)); err != nil {
			t.Fatal(err)
		}
		h.pump()
		root, _ = h.api.Message(channel, root.TS)
		if !strings.Contains(blocksText(root.Blocks), "OVERDUE") {
			t.Errorf("root not overdue:\n%s", blocksText(root.Blocks))
		}
		msgs := h.api.Messages(channel)
		if m := msgs[len(msgs)-1]; m.ThreadTS != root.TS || !m.Broadcast {
			t.Errorf("sla post %+v, want a broadcast thread reply", m)
		}
	})
}
