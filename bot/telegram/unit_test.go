package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
	"github.com/shopbot/shopbot/tickets"
)

func TestMessage(t *testing.T) {
	t.Parallel()
	group := &tgbotapi.Chat{ID: -100123, Type: "supergroup"}
	botUser := telegramtest.BotUser
	msg := func(from tgbotapi.User, chat *tgbotapi.Chat, text string) *tgbotapi.Message {
		return &tgbotapi.Message{MessageID: 42, Date: 1700000000, From: &from, Chat: chat, Text: text}
	}
	contact := func(owner int64) *tgbotapi.Message {
		m := msg(minji, telegramtest.Private(minji), "")
		m.Contact = &tgbotapi.Contact{PhoneNumber: "+821012345678", UserID: owner}
		return m
	}
	cb := func(data string) *tgbotapi.CallbackQuery {
		return &tgbotapi.CallbackQuery{ID: "q1", From: &emily, Data: data, Message: &tgbotapi.Message{MessageID: 7,
			Chat: telegramtest.Private(emily), ReplyMarkup: &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{
				{tgbotapi.NewInlineKeyboardButtonData("gift box price", "gift-box")},
				{tgbotapi.NewInlineKeyboardButtonData("a very long question", "n:2")}}}}}
	}
	tests := []struct {
		name string
		u    tgbotapi.Update
		want bot.Message
		ok   bool
	}{
		{"customer text", tgbotapi.Update{Message: msg(emily, telegramtest.Private(emily), "hi *there*_")},
			bot.Message{Channel: "telegram", ID: "m503:42", Chat: "503", User: "503", Name: "Emily Stone", Text: "hi *there*_", Lang: "en"}, true},
		{"start button", tgbotapi.Update{Message: msg(minji, telegramtest.Private(minji), "/start campaign42")},
			bot.Message{Channel: "telegram", ID: "m501:42", Chat: "501", User: "501", Name: "Minji", Lang: "ko"}, true},
		{"customer command is text", tgbotapi.Update{Message: msg(minji, telegramtest.Private(minji), "/sales")},
			bot.Message{Channel: "telegram", ID: "m501:42", Chat: "501", User: "501", Name: "Minji", Text: "/sales", Lang: "ko"}, true},
		{"owner", tgbotapi.Update{Message: msg(owner, telegramtest.Private(owner), "/sales today")},
			bot.Message{Channel: "telegram", ID: "m900:42", Chat: "900", User: "900", Name: "Owner", Text: "/sales today", Lang: "ko", Owner: true}, true},
		{"own contact", tgbotapi.Update{Message: contact(minji.ID)},
			bot.Message{Channel: "telegram", ID: "m501:42", Chat: "501", User: "501", Name: "Minji", Lang: "ko", Phone: "+821012345678"}, true},
		{"someone else's contact", tgbotapi.Update{Message: contact(777)},
			bot.Message{Channel: "telegram", ID: "m501:42", Chat: "501", User: "501", Name: "Minji", Lang: "ko"}, true},
		{"contact without user", tgbotapi.Update{Message: contact(0)},
			bot.Message{Channel: "telegram", ID: "m501:42", Chat: "501", User: "501", Name: "Minji", Lang: "ko"}, true},
		{"button", tgbotapi.Update{CallbackQuery: cb("gift-box")},
			bot.Message{Channel: "telegram", ID: "cbq1", Chat: "503", User: "503", Name: "Emily Stone", Text: "gift box price", Lang: "en", Choice: "gift-box"}, true},
		{"numbered button", tgbotapi.Update{CallbackQuery: cb("n:2")},
			bot.Message{Channel: "telegram", ID: "cbq1", Chat: "503", User: "503", Name: "Emily Stone", Text: "2", Lang: "en"}, true},
		{"group", tgbotapi.Update{Message: msg(emily, group, "hello")}, bot.Message{}, false},
		{"edit", tgbotapi.Update{EditedMessage: msg(emily, telegramtest.Private(emily), "x")}, bot.Message{}, false},
		{"from a bot", tgbotapi.Update{Message: msg(botUser, telegramtest.Private(emily), "x")}, bot.Message{}, false},
	}
	both(t, func(t *testing.T, db *sqlx.DB) {
		h := newHarness(t, db, nil, options{})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, ok, err := h.a.Message(context.Background(), tt.u)
				if err != nil {
					t.Fatal(err)
				}
				if ok != tt.ok {
					t.Fatalf("ok = %v, want %v", ok, tt.ok)
				}
				if ok {
					if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(bot.Message{}, "Time")); diff != "" {
						t.Errorf("message (-want +got):\n%s", diff)
					}
				}
			})
		}
	})
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		max  int
		want []string
	}{
		{"fits", "hello\nworld", 20, []string{"hello\nworld"}},
		{"empty", "", 10, nil},
		{"blank", " \n \n", 10, nil},
		{"at a line", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"at a space", "aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"hard", "abcdefghijkl", 5, []string{"abcde", "fghij", "kl"}},
		{"hangul", "가나다라마바사", 3, []string{"가나다", "라마바", "사"}},
		{"surrogates count twice", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"markup verbatim", "_*[]()~>#+-=|{}.!", 100, []string{"_*[]()~>#+-=|{}.!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, telegram.Split(tt.text, tt.max)); diff != "" {
				t.Errorf("Split(%q, %d) (-want +got):\n%s", tt.text, tt.max, diff)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello world\nsecond line", 7)
	f.Add("😀a😀b\n\n\nc", 2)
	f.Add("\xff\xfe invalid", 3)
	f.Fuzz(func(t *testing.T, text string, max int) {
		if max < 2 || max > 5000 || len(text) > 1<<16 {
			t.Skip()
		}
		parts := telegram.Split(text, max)
		var joined strings.Builder
		for _, p := range parts {
			if n := len(utf16.Encode([]rune(p))); n > max {
				t.Fatalf("part of %d units > %d", n, max)
			}
			if strings.TrimSpace(p) == "" {
				t.Fatalf("blank part")
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("invalid UTF-8 part %q", p)
			}
			joined.WriteString(p)
		}
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if got, want := strip(joined.String()), strip(text); got != want {
			t.Fatalf("content changed:\n got %q\nwant %q", got, want)
		}
	})
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := telegramtest.New(t)
	dead := srv.Endpoint()
	srv.Close()
	db := dbtest.Open(t, "sqlite", shop.Schema, tickets.Schema, bot.Schema)
	h := newHarness(t, db, nil, options{})
	for _, tc := range []struct{ name, token, endpoint string }{
		{"unreachable", telegramtest.Token, dead},
		{"unauthorized", "999:wrong-token-secret", h.srv.Endpoint()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := telegram.New(ctx, telegram.Config{Token: tc.token, Endpoint: tc.endpoint, Engine: h.eng, Outbox: h.ob})
			if err == nil {
				t.Fatal("New succeeded")
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
	// A send that fails on the network does not show it either.
	h.a.RequestTimeout = 1
	_, err := h.a.Send(ctx, bot.Reply{Channel: "telegram", Chat: "503", Kind: bot.KindFAQ, Text: "hi"})
	if err == nil || strings.Contains(err.Error(), telegramtest.Token) || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("send error = %v, want a retryable error without the token", err)
	}
}
