package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/tickets"
)

// slackService is serve's service on a fresh demo database, with the
// Slack keys of the config set and getenv seeing env.
func slackService(t *testing.T, engine string, env map[string]string, apiURL string) *service {
	t.Helper()
	ctx := context.Background()
	e := env2(env)
	st, err := e.open(ctx, common{db: dbtest.URL(t, engine), demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.db.Close() })
	st.cfg.Slack.Channel = "COWNERS"
	st.cfg.Slack.Owners = []string{"UOWNER"}
	st.cfg.Slack.APIURL = apiURL
	log := newLogger(io.Discard, 0)
	eng, ob, err := st.engine(ctx, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &service{st: st, eng: eng, ob: ob, log: log, mux: http.NewServeMux(), env: e}
}

func env2(m map[string]string) env {
	return env{getenv: func(k string) string { return m[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: frozenNow}
}

func TestSlackChannelConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		noChan  bool
		ok      bool
		err     string
		mounted bool
	}{
		{"no token", map[string]string{}, false, false, "", false},
		{"no mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, false, false, "SLACK_APP_TOKEN", false},
		{"no channel", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, true, false, "slack.channel", false},
		{"socket mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, false, true, "", false},
		{"http mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, false, true, "", true},
		{"both: socket mode", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}, false, true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := slackService(t, "sqlite", tc.env, "")
			if tc.noChan {
				svc.st.cfg.Slack.Channel = ""
			}
			c, ok, err := svc.slackChannel()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok {
				t.Fatalf("slackChannel = %v, %v; want ok %v", ok, err, tc.ok)
			}
			if ok && (len(c.owners) != 1 || c.owners[0].Channel != slack.Channel || c.owners[0].Chat != "COWNERS" || !c.owners[0].Every) {
				t.Errorf("owners = %+v", c.owners)
			}
			w := httptest.NewRecorder()
			svc.mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader("{}")))
			if got := w.Code == http.StatusUnauthorized; got != tc.mounted {
				t.Errorf("POST /slack/events unsigned: %d (mounted: %v)", w.Code, tc.mounted)
			}
		})
	}
}

// TestSlackServe runs the Slack channel as serve does, in HTTP mode against
// a fake Slack: a customer's complaint becomes an alert, the owner's
// thread reply reaches the customer, Close resolves the ticket.
func TestSlackServe(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			api := slacktest.NewServer(t, "xoxb-1")
			svc := slackService(t, engine, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "sekrit"}, strings.TrimSuffix(api.URL, "/"))
			c, ok, err := svc.slackChannel()
			if err != nil || !ok {
				t.Fatalf("slackChannel: %v %v", ok, err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			svc.st.owners.Destinations = c.owners // owner events straight to the channel's owners, without serve's policy
			done := make(chan error, 1)
			go func() { done <- svc.runChannel(ctx, c) }()
			defer func() {
				cancel()
				<-done
			}()

			rs, err := svc.eng.Handle(ctx, bot.Message{Channel: "console", ID: "m1", Chat: "junho", User: "junho", Text: "주문 1043 취소해 주세요"})
			if err != nil || len(rs) != 1 || rs[0].Ticket == 0 {
				t.Fatalf("customer: %+v, %v", rs, err)
			}
			id := rs[0].Ticket
			root := waitFor(t, func() (slacktest.Message, bool) {
				ms := api.Messages("COWNERS")
				if len(ms) == 0 {
					return slacktest.Message{}, false
				}
				return ms[0], true
			})
			if !strings.Contains(string(root.Blocks), "1043") {
				t.Errorf("alert blocks %s", root.Blocks)
			}
			// The alert's ts is recorded once the send is committed.
			waitFor(t, func() (int64, bool) {
				n, err := svc.ob.TicketOf(ctx, slack.Channel, "COWNERS", root.TS)
				return n, err == nil && n == id
			})

			post := func(path, body string) {
				t.Helper()
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				slacktest.Sign(req.Header, "sekrit", time.Now(), []byte(body))
				w := httptest.NewRecorder()
				svc.mux.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					t.Fatalf("%s: %d %s", path, w.Code, w.Body)
				}
			}
			ev, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev1", "event": map[string]any{
				"type": "message", "user": "UOWNER", "channel": "COWNERS", "ts": "1700000100.000001", "thread_ts": root.TS, "text": "바로 취소해 드렸어요"}})
			post("/slack/events", string(ev))
			var got []bot.Reply
			svc.ob.Deliver(ctx, "console", "junho", func(_ context.Context, r bot.Reply) (string, error) {
				got = append(got, r)
				return "", nil
			})
			if n := len(got); n == 0 || got[n-1].Kind != bot.KindOwner || got[n-1].Text != "바로 취소해 드렸어요" {
				t.Errorf("customer got %+v", got)
			}

			payload, _ := json.Marshal(map[string]any{"type": "block_actions", "trigger_id": "t1",
				"user": map[string]any{"id": "UOWNER", "name": "owner"}, "channel": map[string]any{"id": "COWNERS"},
				"actions": []map[string]any{{"action_id": "close", "block_id": fmt.Sprintf("ticket:%d", id), "value": fmt.Sprint(id), "type": "button"}}})
			post("/slack/interactions", url.Values{"payload": {string(payload)}}.Encode())
			tk, err := tickets.NewStore(svc.st.db, nil).Get(ctx, id)
			if err != nil || tk.Status != tickets.Resolved {
				t.Fatalf("ticket %+v, %v: want resolved", tk, err)
			}
			defer func() {
				if t.Failed() {
					svc.ob.Waiting(ctx, func(channel string, oldest int64, since time.Time, n int) {
						t.Logf("outbox: %d waiting on %s since %s (oldest %d)", n, channel, since, oldest)
					})
				}
			}()
			waitFor(t, func() (slacktest.Message, bool) {
				m, _ := api.Message("COWNERS", root.TS)
				// The owner language is Korean; resolved tickets lose their buttons.
				return m, strings.Contains(string(m.Blocks), "✅") && !strings.Contains(string(m.Blocks), `"action_id":"close"`)
			})
		})
	}
}

// waitFor polls f until it is done, for up to 10 seconds.
func waitFor[T any](t *testing.T, f func() (T, bool)) T {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, ok := f()
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
