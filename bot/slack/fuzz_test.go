package slack_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzPayloads sends anything, correctly signed, to the three HTTP-mode
// endpoints — as an event body, a slash command form and an interaction
// payload: the answer is never a 5xx (Slack would retry it) and never a
// panic. Owners' texts run through the real engine on SQLite.
func FuzzPayloads(f *testing.F) {
	for _, s := range []string{
		messageEvent("Ev1", owner, channel, "1700000001.000100", "1700000000.000100", "내일 보내드릴게요", nil),
		messageEvent("Ev2", someone, channel, "1700000002.000100", "", "hi", map[string]any{"bot_id": "B1"}),
		messageEvent("Ev3", owner, channel, "x", "y", "", map[string]any{"subtype": "message_changed"}),
		`{"type": "url_verification", "challenge": "abc"}`,
		`{"type": "event_callback", "event": null}`,
		commandForm("/reply", "1 배송은 내일 출발해요", owner, channel, "t1"),
		commandForm("/stock", "%!d{{.}}", someone, channel, "t2"),
		commandForm("/frobnicate", "", owner, "", ""),
		buttonPayload("close", 1, owner, channel, "1700000000.000100", "t3"),
		buttonPayload("claim", -1, staff, channel, "", "t4"),
		`{"type": "view_submission", "view": {"private_metadata": "x"}}`,
		`{"type": "block_actions", "actions": [{"action_id": "close", "value": "99999999999999999999"}]}`,
		"", "\xff\xfe", "payload=%7B", "command=%2Freply&text=%FF&user_id=" + owner,
	} {
		f.Add(s)
	}
	h := newHarness(f, dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema))
	h.customer("fuzz-customer", "물건이 깨져서 왔어요")
	f.Fuzz(func(t *testing.T, body string) {
		h.t = t // the target runs one input at a time
		for _, rq := range []request{
			{path: "/slack/events", body: body},
			{path: "/slack/commands", body: body},
			{path: "/slack/interactions", body: buttonForm(body)},
			{path: "/slack/interactions", body: body},
		} {
			if w := h.do(rq); w.Code >= http.StatusInternalServerError {
				t.Fatalf("%s %.300q: %d %s", rq.path, rq.body, w.Code, strings.TrimSpace(w.Body.String()))
			}
		}
	})
}
