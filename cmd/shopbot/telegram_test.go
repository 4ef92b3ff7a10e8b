package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// telegramService is serve's service on a fresh demo database with the
// Telegram keys of the config pointing at a fake Bot API.
func telegramService(t *testing.T, engine string, env map[string]string, api *telegramtest.Server, webhook string) *service {
	t.Helper()
	ctx := context.Background()
	e := env2(env)
	e.now = time.Now // rate limits and retries need a clock that moves
	st, err := e.open(ctx, common{db: dbtest.URL(t, engine), demo: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.db.Close() })
	st.cfg.Telegram.Owners = []int64{900}
	st.cfg.Telegram.APIEndpoint = api.Endpoint()
	st.cfg.Telegram.WebhookURL = webhook
	log := newLogger(io.Discard, 0)
	eng, ob, err := st.engine(ctx, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	ob.Poll = 20 * time.Millisecond
	return &service{st: st, eng: eng, ob: ob, log: log, mux: http.NewServeMux(), env: e}
}

func TestTelegramChannelConfig(t *testing.T) {
	token := map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token}
	tests := []struct {
		name    string
		env     map[string]string
		webhook string
		ok      bool
		err     string
		mounted bool
	}{
		{"no token", map[string]string{}, "", false, "", false},
		{"long polling", token, "", true, "", false},
		{"webhook", token, "https://shop.example/tg/hook", true, "", true},
		{"webhook over http", token, "http://shop.example/tg/hook", false, "telegram.webhook_url", false},
		{"webhook without path", token, "https://shop.example", false, "telegram.webhook_url", false},
		{"wrong token", map[string]string{"TELEGRAM_BOT_TOKEN": "1:wrong"}, "", false, "Unauthorized", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := telegramtest.New(t)
			svc := telegramService(t, "sqlite", tc.env, api, tc.webhook)
			c, ok, err := svc.telegramChannel(context.Background())
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
				if strings.Contains(err.Error(), tc.env["TELEGRAM_BOT_TOKEN"]) {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil || ok != tc.ok {
				t.Fatalf("telegramChannel = %v, %v; want ok %v", ok, err, tc.ok)
			}
			if ok && (len(c.owners) != 1 || c.owners[0].Channel != telegram.Channel || c.owners[0].Chat != "900" || c.owners[0].Every) {
				t.Errorf("owners = %+v, want the owner chat, urgent only", c.owners)
			}
			w := httptest.NewRecorder()
			svc.mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/tg/hook", strings.NewReader("{}")))
			if got := w.Code == http.StatusUnauthorized; got != tc.mounted {
				t.Errorf("POST /tg/hook without the secret: %d (mounted: %v)", w.Code, tc.mounted)
			}
		})
	}
}

// TestTelegramServe runs the Telegram channel as serve does, against the
// fake Bot API: an urgent cancellation reaches the owner's chat through
// the notify router, and the owner's reply to it reaches the customer.
func TestTelegramServe(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			api := telegramtest.New(t)
			svc := telegramService(t, engine, map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token}, api, "")
			c, ok, err := svc.telegramChannel(context.Background())
			if err != nil || !ok {
				t.Fatalf("telegramChannel: %v %v", ok, err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			svc.st.owners.Destinations = c.owners // owner events straight to the channel's owners, without serve's policy
			done := make(chan error, 1)
			go func() { done <- svc.runChannel(ctx, c) }()
			defer func() {
				cancel()
				<-done
			}()
			junho := tgbotapi.User{ID: 502, FirstName: "Junho", LanguageCode: "ko"}
			owner := tgbotapi.User{ID: 900, FirstName: "Owner"}
			api.Text(junho, "주문 1043 취소해 주세요")
			ack := api.WaitSent(t, junho.ID, 1)[0]
			alert := api.WaitSent(t, owner.ID, 1)[0]
			if !strings.Contains(alert.Text, "1043") || !strings.Contains(ack.Text, "#") {
				t.Fatalf("ack %q, alert %q", ack.Text, alert.Text)
			}
			// A normal question does not buzz the owner's phone.
			api.Text(tgbotapi.User{ID: 503, FirstName: "Emily", LanguageCode: "en"}, "what's the weather like")
			api.WaitSent(t, 503, 1)
			// The owner replies once the alert's message id is recorded.
			api.Wait(t, "the alert recorded as sent", func() bool {
				tk, err := svc.ob.TicketOf(ctx, telegram.Channel, "900", strconv.Itoa(alert.MessageID))
				return err == nil && tk != 0
			})
			api.Reply(owner, alert.MessageID, "취소해 드렸어요")
			if got := api.WaitSent(t, junho.ID, 2)[1].Text; got != "취소해 드렸어요" {
				t.Errorf("relayed %q", got)
			}
			api.WaitSent(t, owner.ID, 2) // the command's confirmation
			if got := len(api.SentTo(owner.ID)); got != 2 {
				t.Errorf("owner received %d messages, want 2 (alert, confirmation)", got)
			}
		})
	}
}
