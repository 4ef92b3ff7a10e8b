package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/tickets"
)

// acks records Socket Mode acknowledgements.
type acks struct {
	ids      []string
	payloads []any
}

func (a *acks) Ack(req socketmode.Request, payload ...any) error {
	a.ids = append(a.ids, req.EnvelopeID)
	var p any
	if len(payload) > 0 {
		p = payload[0]
	}
	a.payloads = append(a.payloads, p)
	return nil
}

// socketEvent builds the event socketmode.Client hands its consumer for a
// raw envelope, the way the client parses it.
func socketEvent(t *testing.T, kind, envelope string, retry int, payload string) socketmode.Event {
	t.Helper()
	req := &socketmode.Request{Type: kind, EnvelopeID: envelope, Payload: json.RawMessage(payload), RetryAttempt: retry}
	switch kind {
	case "events_api":
		ev, err := slackevents.ParseEvent(json.RawMessage(payload), slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: req}
	case "slash_commands":
		var cmd slackapi.SlashCommand
		if err := json.Unmarshal([]byte(payload), &cmd); err != nil {
			t.Fatal(err)
		}
		return socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd, Request: req}
	case "interactive":
		var cb slackapi.InteractionCallback
		if err := json.Unmarshal([]byte(payload), &cb); err != nil {
			t.Fatal(err)
		}
		return socketmode.Event{Type: socketmode.EventTypeInteractive, Data: cb, Request: req}
	}
	t.Fatalf("unknown kind %s", kind)
	return socketmode.Event{}
}

func TestSocketMode(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		id := h.customer("minji", "받은 컵이 깨져서 왔어요")[0].Ticket
		h.pump()
		root := h.api.Messages(channel)[0]
		reply := messageEvent("EvS1", owner, channel, "1700000400.000001", root.TS, "교환해 드릴게요", nil)
		command := func(user string) string {
			b, _ := json.Marshal(map[string]string{"command": "/ticket", "text": "1", "user_id": user, "user_name": "u",
				"channel_id": channel, "trigger_id": "trig-s-" + user})
			return string(b)
		}
		tests := []struct {
			name    string
			evt     socketmode.Event
			payload string // in the ack, "" for none
			inbox   int    // customer messages relayed
		}{
			{"hello", socketmode.Event{Type: socketmode.EventTypeHello, Request: &socketmode.Request{Type: "hello"}}, "-", 0},
			{"thread reply", socketEvent(t, "events_api", "env-1", 0, reply), "", 1},
			{"retried thread reply", socketEvent(t, "events_api", "env-2", 1, reply), "", 0},
			{"bot message", socketEvent(t, "events_api", "env-3", 0, messageEvent("EvS2", "", channel, "1700000400.000002", root.TS, "x", map[string]any{"bot_id": "B1", "subtype": "bot_message"})), "", 0},
			{"owner command", socketEvent(t, "slash_commands", "env-4", 0, command(owner)), "", 0},
			{"stranger command", socketEvent(t, "slash_commands", "env-5", 0, command(someone)), "only the shop's owners", 0},
			{"claim", socketEvent(t, "interactive", "env-6", 0, buttonPayload("claim", id, staff, channel, root.TS, "trig-s-claim")), "", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var a acks
				h.ad.HandleSocketEvent(ctx, tc.evt, &a)
				if tc.payload == "-" {
					if len(a.ids) != 0 {
						t.Errorf("acked %v", a.ids)
					}
					return
				}
				if len(a.ids) != 1 || a.ids[0] != tc.evt.Request.EnvelopeID {
					t.Fatalf("acks %v, want %s", a.ids, tc.evt.Request.EnvelopeID)
				}
				b, _ := json.Marshal(a.payloads[0])
				if tc.payload == "" && a.payloads[0] != nil || !strings.Contains(string(b), tc.payload) {
					t.Errorf("ack payload %s, want %q", b, tc.payload)
				}
				if got := h.inbox("minji"); len(got) != tc.inbox {
					t.Errorf("customer got %d messages, want %d: %+v", len(got), tc.inbox, got)
				}
			})
		}
		h.pump()
		tk := h.ticket(id)
		if tk.ClaimedBy != staff && tk.ClaimedBy != "ustaff" || tk.Status != tickets.Pending {
			t.Errorf("ticket claimed by %q, status %s", tk.ClaimedBy, tk.Status)
		}
		private := 0
		for _, m := range h.api.Messages(channel) {
			if m.Ephemeral && m.User == owner && strings.Contains(blocksText(m.Blocks), "교환해 드릴게요") {
				private++ // the /ticket answer shows the owner's reply
			}
		}
		if private != 1 {
			t.Errorf("%d private /ticket answers with the reply, want 1", private)
		}
	})
}

// A failed event is not acknowledged, so that Slack delivers it again.
func TestSocketModeNoAckOnFailure(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		h.customer("minji", "받은 컵이 깨져서 왔어요")
		h.pump()
		root := h.api.Messages(channel)[0]
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the database is unreachable in a cancelled context
		var a acks
		h.ad.HandleSocketEvent(ctx, socketEvent(t, "events_api", "env-x", 0, messageEvent("EvX", owner, channel, "1700000500.000001", root.TS, "hi", nil)), &a)
		if len(a.ids) != 0 {
			t.Errorf("acked a failed event")
		}
		var b acks
		h.ad.HandleSocketEvent(context.Background(), socketEvent(t, "events_api", "env-y", 1, messageEvent("EvX", owner, channel, "1700000500.000001", root.TS, "hi", nil)), &b)
		if len(b.ids) != 1 {
			t.Errorf("redelivery not acked")
		}
		if got := h.inbox("minji"); len(got) != 1 || got[0].Kind != bot.KindOwner {
			t.Errorf("customer got %+v", got)
		}
	})
}

var _ slack.Acker = (*socketmode.Client)(nil)
