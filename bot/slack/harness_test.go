package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

const (
	token   = "xoxb-test"
	secret  = "s3cret"
	channel = "COWNERS"
	owner   = "UOWNER"
	staff   = "USTAFF"
	someone = "USOMEONE"
)

var seoul = bottest.Seoul

// harness is the engine on a demo shop, a fake Slack and the adapter in
// HTTP mode, wired the way `shopbot serve` wires them.
type harness struct {
	t     testing.TB
	db    *sqlx.DB
	eng   *bot.Engine
	ob    *bot.Outbox
	clock *bottest.Clock
	api   *slacktest.Server
	ad    *slack.Adapter
	route bot.SendFunc
	seq   int
}

func newHarness(t testing.TB, db *sqlx.DB) *harness {
	t.Helper()
	// The engine speaks English to the owner; owner events go to notify.
	bh := bottest.New(t, db, func(c *bot.Config) {
		c.Shop = faq.Shop{Name: "하루상점"}
		c.Owners = []bot.Address{{Channel: "notify"}}
		c.OwnerLang = "en"
	})
	c, ob, eng := bh.Clock, bh.Outbox, bh.Engine
	api := slacktest.NewServer(t, token)
	ad, err := slack.New(slack.Config{
		BotToken: token, SigningSecret: secret, APIURL: api.URL,
		Channel: channel, Owners: []string{owner, staff},
		Engine: eng, Outbox: ob, Location: seoul, Now: c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	rt := &notify.Router{Destinations: []notify.Destination{{Channel: slack.Channel, Chat: channel, Every: true}}, Sender: forwarder{ob}}
	route := func(ctx context.Context, r bot.Reply) (string, error) {
		return "", rt.Route(ctx, r.OwnerEvent())
	}
	return &harness{t: t, db: db, eng: eng, ob: ob, clock: c, api: api, ad: ad, route: route}
}

// forwarder is cmd/shopbot's forwardSender.
type forwarder struct{ ob *bot.Outbox }

func (f forwarder) Send(ctx context.Context, d notify.Destination, e notify.Event) error {
	return f.ob.Forward(ctx, e.Source, bot.AlertReply(d.Channel, d.Chat, e))
}

func run(t *testing.T, f func(t *testing.T, h *harness)) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) { f(t, newHarness(t, db)) }, shop.Schema, tickets.Schema, bot.Schema)
}

// customer says text on the console channel and takes the answers.
func (h *harness) customer(chat, text string) []bot.Reply {
	h.t.Helper()
	h.seq++
	h.clock.Advance(time.Second)
	if _, err := h.eng.Handle(context.Background(), bot.Message{Channel: "console", ID: fmt.Sprint("c", h.seq), Chat: chat, User: chat, Text: text}); err != nil {
		h.t.Fatal(err)
	}
	return h.inbox(chat)
}

// pump routes the owner events and sends Slack's outbox until nothing is
// due; it returns how many Slack messages were sent.
func (h *harness) pump() int {
	h.t.Helper()
	ctx := context.Background()
	total := 0
	for range 10 {
		if _, err := h.ob.Deliver(ctx, "notify", "", h.route); err != nil {
			h.t.Fatal(err)
		}
		n, err := h.ob.Deliver(ctx, slack.Channel, "", h.ad.Send)
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	return total
}

// inbox takes the pending replies to a console chat.
func (h *harness) inbox(chat string) []bot.Reply {
	h.t.Helper()
	var got []bot.Reply
	_, err := h.ob.Deliver(context.Background(), "console", chat, func(_ context.Context, r bot.Reply) (string, error) {
		got = append(got, r)
		return "", nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// ticket reads ticket id.
func (h *harness) ticket(id int64) *tickets.Ticket {
	h.t.Helper()
	tk, err := tickets.NewStore(h.db, nil).Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return tk
}

// request is a request as Slack sends it to HTTP mode.
type request struct {
	path    string
	body    string
	unsign  bool      // no signature at all
	secret  string    // sign with this instead of the right one
	at      time.Time // signing time; zero: now
	tamper  bool      // change the body after signing
	retries int       // X-Slack-Retry-Num
}

func (h *harness) do(rq request) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, rq.path, strings.NewReader(rq.body))
	if strings.HasPrefix(rq.body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if !rq.unsign {
		at, key := rq.at, rq.secret
		if at.IsZero() {
			at = time.Now() // Slack's timestamp check uses the wall clock
		}
		if key == "" {
			key = secret
		}
		body := []byte(rq.body)
		if rq.tamper {
			body = append([]byte(nil), body...)
			body = append(body, ' ')
		}
		slacktest.Sign(req.Header, key, at, body)
	}
	if rq.retries > 0 {
		req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(rq.retries))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	w := httptest.NewRecorder()
	h.ad.Handler().ServeHTTP(w, req)
	return w
}

// messageEvent is an Events API callback carrying a message event.
func messageEvent(eventID, user, ch, ts, threadTS, text string, extra map[string]any) string {
	ev := map[string]any{"type": "message", "user": user, "channel": ch, "ts": ts, "text": text, "channel_type": "group", "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	for k, v := range extra {
		ev[k] = v
	}
	b, _ := json.Marshal(map[string]any{"type": "event_callback", "token": "x", "team_id": "T1", "api_app_id": "A1",
		"event_id": eventID, "event_time": 1700000000, "event": ev})
	return string(b)
}

// commandForm is a slash command's form body, with a response_url that is
// not Slack's (the adapter ignores it and answers by chat.postEphemeral).
func commandForm(cmd, text, user, ch, trigger string) string {
	return commandFormURL(cmd, text, user, ch, trigger, "https://hooks.example.invalid/x")
}

func commandFormURL(cmd, text, user, ch, trigger, responseURL string) string {
	return url.Values{"command": {cmd}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"channel_id": {ch}, "trigger_id": {trigger}, "team_id": {"T1"}, "response_url": {responseURL}}.Encode()
}

// command is a slash command's form body with a response_url of the fake,
// good for uses posts.
func (h *harness) command(cmd, text, user, ch, trigger string, uses int) string {
	return commandFormURL(cmd, text, user, ch, trigger, h.api.ResponseURL(ch, user, uses))
}

// buttonPayload is a block_actions interaction's JSON.
func buttonPayload(action string, ticket int64, user, ch, msgTS, trigger string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": trigger, "action_ts": "1700000099.000001",
		"user":      map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":   map[string]any{"id": ch},
		"container": map[string]any{"type": "message", "channel_id": ch, "message_ts": msgTS},
		"actions": []map[string]any{{"type": "button", "action_id": action, "block_id": fmt.Sprintf("ticket:%d", ticket),
			"value": fmt.Sprint(ticket), "action_ts": "1700000099.000001"}},
	})
	return string(b)
}

func buttonForm(payload string) string { return url.Values{"payload": {payload}}.Encode() }

// blocksText is every text in a message's blocks, for containment checks.
func blocksText(raw json.RawMessage) string {
	var v any
	json.Unmarshal(raw, &v)
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && (k == "text" || k == "action_id") {
					b.WriteString(s + "\n")
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
