package telegram_test

import (
	"fmt"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// TestGlobalFloodWait: Telegram refuses every 7th message with a 429 and
// retry_after 1 s, and the fake counts every message that arrives before a
// retry_after has passed, to any chat. With Telegram's own limits (1 a
// second per chat, 30 a second in all) and four senders, 20 customers
// get each of their replies exactly once, none early, none over a limit.
func TestGlobalFloodWait(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, db *sqlx.DB) {
		srv := telegramtest.New(t)
		srv.Ban(7, 1)
		srv.Limit(time.Second, 30)
		h := newHarness(t, db, srv, options{tune: func(a *telegram.Adapter) {
			a.ChatInterval, a.SendInterval, a.PerSecond, a.Senders = time.Second, time.Second/30, 30, 4
		}})
		h.start()
		const customers, each = 20, 2
		var users []tgbotapi.User
		for i := range customers {
			users = append(users, tgbotapi.User{ID: int64(9000 + i), FirstName: fmt.Sprint("손님", i), LanguageCode: "ko"})
		}
		for range each {
			for _, u := range users {
				srv.Text(u, "배송비 얼마예요?")
			}
		}
		for _, u := range users {
			srv.WaitSent(t, u.ID, each)
		}
		h.settle()
		time.Sleep(200 * time.Millisecond) // nothing more may arrive; not a timing assertion
		for _, u := range users {
			if got := len(srv.SentTo(u.ID)); got != each {
				t.Errorf("chat %d got %d replies, want %d", u.ID, got, each)
			}
		}
		bans, early := srv.Bans()
		if bans == 0 {
			t.Fatal("no 429 was given: the test tested nothing")
		}
		if early != 0 {
			t.Errorf("%d messages arrived while a 429's retry_after ran (after %d 429s)", early, bans)
		}
		if v := srv.Violations(); v != 0 {
			t.Errorf("%d messages over Telegram's per-chat or per-second limit", v)
		}
		t.Logf("%d replies to %d chats: %d 429s, %d early sends, %d over a limit", len(srv.Sent()), customers, bans, early, srv.Violations())
	})
}
