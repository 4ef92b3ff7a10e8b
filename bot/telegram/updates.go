package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
)

// allowedUpdates are the update kinds the bot asks for.
var allowedUpdates = []string{"message", "callback_query"}

// Poll long-polls getUpdates until ctx is done. Each update is handed to
// the engine before the offset moves past it; a failed update is retried
// with backoff (HandleAttempts times) and a failed poll too. Only one
// process may poll a token: Telegram answers a second one with 409.
func (a *Adapter) Poll(ctx context.Context) error {
	// A webhook left from an earlier configuration blocks getUpdates.
	if _, err := a.call(ctx, a.RequestTimeout).Request(tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram: deleteWebhook", "err", a.clean(err))
	}
	offset := 0
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		cfg := tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: int(a.PollTimeout / time.Second), AllowedUpdates: allowedUpdates}
		updates, err := a.call(ctx, a.PollTimeout+a.RequestTimeout).GetUpdates(cfg)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures++
			d := a.backoff(failures)
			var te *tgbotapi.Error
			if errors.As(err, &te) && te.Code == http.StatusConflict {
				a.log.Error("telegram: another process polls this token (or a webhook is set); only one may", "in", d)
			} else {
				a.log.Warn("telegram: getUpdates failed", "err", a.clean(err), "attempt", failures, "in", d)
			}
			if errors.As(err, &te) && te.RetryAfter > 0 {
				d = time.Duration(te.RetryAfter) * time.Second
			}
			if err := wait(ctx, d); err != nil {
				return err
			}
			continue
		}
		failures = 0
		next, err := a.handleBatch(ctx, updates, offset)
		if err != nil {
			return err
		}
		offset = next
	}
}

// handleBatch handles one getUpdates batch: the chats concurrently (up to
// Workers), each chat's updates in order. It returns the next offset once
// every update is handled; on ctx's end it returns its error and the
// offset stays, so the batch is read again (the journal drops repeats).
func (a *Adapter) handleBatch(ctx context.Context, updates []tgbotapi.Update, offset int) (int, error) {
	var order []string
	byChat := map[string][]tgbotapi.Update{}
	for _, u := range updates {
		if u.UpdateID < offset {
			continue // a redelivery of a confirmed update: the journal would drop it too
		}
		k := chatKey(u)
		if _, ok := byChat[k]; !ok {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], u)
		offset = max(offset, u.UpdateID+1)
	}
	sem := make(chan struct{}, max(a.Workers, 1))
	errc := make(chan error, len(order))
	for _, k := range order {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			for _, u := range byChat[k] {
				if err := a.handleWithRetry(ctx, u); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	var first error
	for range order {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return offset, first
}

// chatKey groups updates that must be handled in order.
func chatKey(u tgbotapi.Update) string {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return strconv.FormatInt(u.Message.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return strconv.FormatInt(u.CallbackQuery.Message.Chat.ID, 10)
	}
	return "u" + strconv.Itoa(u.UpdateID)
}

// handleWithRetry handles u, retrying a failure with backoff. It returns
// only ctx's error; an update that keeps failing is skipped and logged.
// Failures while the database does not answer are not the update's: they
// are not counted, and the update is retried as soon as the database is
// back (it stays unconfirmed meanwhile, however long that takes).
func (a *Adapter) handleWithRetry(ctx context.Context, u tgbotapi.Update) error {
	for attempt := 1; ; attempt++ {
		err := a.HandleUpdate(ctx, u)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if down, werr := a.waitStore(ctx, u, err); werr != nil {
			return werr
		} else if down {
			attempt--
			continue
		}
		if attempt >= a.HandleAttempts {
			a.log.Error("telegram: update skipped after repeated failures", "update", u.UpdateID, "attempts", attempt, "err", err)
			return nil
		}
		d := a.backoff(attempt)
		a.log.Warn("telegram: handle failed, will retry", "update", u.UpdateID, "attempt", attempt, "in", d, "err", err)
		if err := wait(ctx, d); err != nil {
			return err
		}
	}
}

// waitStore reports whether the database was down when u failed with
// err; if so it waits, pinging every Backoff, until the database answers.
// It returns ctx's error if ctx ends first.
func (a *Adapter) waitStore(ctx context.Context, u tgbotapi.Update, err error) (down bool, _ error) {
	for {
		pctx, cancel := context.WithTimeout(ctx, a.RequestTimeout)
		perr := a.cfg.Outbox.Ping(pctx)
		cancel()
		if ctx.Err() != nil {
			return down, ctx.Err()
		}
		if perr == nil {
			if down {
				a.log.Info("telegram: database back; handling the waiting update again", "update", u.UpdateID)
			}
			return down, nil
		}
		if !down {
			a.log.Warn("telegram: database unreachable; the update stays unconfirmed until it answers", "update", u.UpdateID, "err", err)
		}
		down = true
		if err := wait(ctx, a.Backoff); err != nil {
			return down, err
		}
	}
}

func (a *Adapter) backoff(attempt int) time.Duration {
	d := a.Backoff << min(attempt-1, 20)
	if d > a.MaxBackoff || d <= 0 {
		d = a.MaxBackoff
	}
	return d
}

// HandleUpdate hands one update to the engine. An update already handled
// (the journal knows it) is a success; updates the bot does not serve
// (groups, channels, edits) are ignored. A callback query is always
// answered, so the customer's button stops spinning.
func (a *Adapter) HandleUpdate(ctx context.Context, u tgbotapi.Update) error {
	m, ok, err := a.Message(ctx, u)
	if err != nil {
		return err
	}
	if ok {
		_, err = a.cfg.Engine.Handle(ctx, m)
		if errors.Is(err, bot.ErrDuplicate) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("telegram: update %d: %w", u.UpdateID, err)
		}
	}
	if q := u.CallbackQuery; q != nil {
		if _, err := a.call(ctx, a.RequestTimeout).Request(tgbotapi.NewCallback(q.ID, "")); err != nil {
			// Too old, or answered before the crash: nothing to do.
			a.log.Debug("telegram: answerCallbackQuery", "err", a.clean(err))
		}
	}
	return nil
}

// Message translates an update into the engine's message. ok is false for
// an update the bot does not serve. The platform id is message based
// ("m<chat>:<message_id>", "cb<callback id>") rather than the update_id,
// which Telegram may restart at random after a quiet week.
func (a *Adapter) Message(ctx context.Context, u tgbotapi.Update) (m bot.Message, ok bool, err error) {
	switch {
	case u.Message != nil:
		return a.fromMessage(ctx, u.Message)
	case u.CallbackQuery != nil:
		return a.fromCallback(u.CallbackQuery)
	}
	return m, false, nil
}

func (a *Adapter) fromMessage(ctx context.Context, tm *tgbotapi.Message) (m bot.Message, ok bool, err error) {
	if tm.Chat == nil || tm.From == nil || tm.From.IsBot {
		return m, false, nil
	}
	owner := a.owners[tm.Chat.ID]
	if !owner && tm.Chat.Type != "private" {
		return m, false, nil // groups and channels are not customer conversations
	}
	m = bot.Message{
		Channel: Channel,
		ID:      fmt.Sprintf("m%d:%d", tm.Chat.ID, tm.MessageID),
		Chat:    strconv.FormatInt(tm.Chat.ID, 10),
		User:    strconv.FormatInt(tm.From.ID, 10),
		Name:    strings.TrimSpace(tm.From.FirstName + " " + tm.From.LastName),
		Text:    tm.Text,
		Lang:    tm.From.LanguageCode,
		Owner:   owner,
		Time:    time.Unix(int64(tm.Date), 0).UTC(),
	}
	if m.Text == "" {
		m.Text = tm.Caption
	}
	if c := tm.Contact; c != nil && c.UserID != 0 && c.UserID == tm.From.ID {
		// Telegram vouches for a contact only when it is the sender's own
		// (the share-phone button); a forwarded or typed card proves nothing.
		m.Phone = c.PhoneNumber
	}
	if owner {
		if r := tm.ReplyToMessage; r != nil {
			t, err := a.cfg.Outbox.TicketOf(ctx, Channel, m.Chat, strconv.Itoa(r.MessageID))
			if err != nil {
				return m, false, fmt.Errorf("telegram: reply target: %w", err)
			}
			m.Ticket = t
		}
	} else if cmd, _ := splitCommand(m.Text); cmd == "/start" {
		// Telegram's "Start" button (with an optional deep-link payload):
		// an empty message, which the engine answers with a greeting.
		m.Text = ""
	}
	return m, true, nil
}

func (a *Adapter) fromCallback(q *tgbotapi.CallbackQuery) (m bot.Message, ok bool, err error) {
	if q.From == nil || q.Message == nil || q.Message.Chat == nil {
		return m, false, nil
	}
	m = bot.Message{
		Channel: Channel,
		ID:      "cb" + q.ID,
		Chat:    strconv.FormatInt(q.Message.Chat.ID, 10),
		User:    strconv.FormatInt(q.From.ID, 10),
		Name:    strings.TrimSpace(q.From.FirstName + " " + q.From.LastName),
		Lang:    q.From.LanguageCode,
		Owner:   a.owners[q.Message.Chat.ID],
	}
	if !m.Owner && q.Message.Chat.Type != "" && q.Message.Chat.Type != "private" {
		return m, false, nil
	}
	// The button's label is the text: the transcript reads naturally, and a
	// stale button whose entry is gone is still a question to answer.
	m.Text = buttonLabel(q.Message, q.Data)
	if n, isNum := strings.CutPrefix(q.Data, numberedPrefix); isNum {
		m.Text = n // an entry id too long for callback_data: its position
	} else {
		m.Choice = q.Data
	}
	return m, true, nil
}

func buttonLabel(msg *tgbotapi.Message, data string) string {
	if msg.ReplyMarkup == nil {
		return ""
	}
	for _, row := range msg.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return b.Text
			}
		}
	}
	return ""
}

// splitCommand splits "/cmd rest" into "/cmd" and " rest"; cmd is "" for
// text that is not a command.
func splitCommand(text string) (cmd, rest string) {
	if !strings.HasPrefix(text, "/") {
		return "", text
	}
	i := strings.IndexAny(text, " \n\t")
	if i < 0 {
		return text, ""
	}
	return text[:i], text[i:]
}

// maxWebhookBody bounds one webhook request (an update is a few KB).
const maxWebhookBody = 1 << 20

// Webhook is the handler Telegram posts updates to in webhook mode. A
// request without the right X-Telegram-Bot-Api-Secret-Token gets 401 and
// is not processed; an update the engine could not store gets 500, so
// Telegram delivers it again.
func (a *Adapter) Webhook() http.Handler {
	secret := []byte(a.cfg.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWebhookBody)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		// Finish the update even if Telegram hangs up: the journal makes a
		// redelivery harmless, a half-done one is only slower.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.RequestTimeout)
		defer cancel()
		if err := a.HandleUpdate(ctx, u); err != nil {
			a.log.Warn("telegram: webhook update failed; Telegram will retry", "update", u.UpdateID, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// SetWebhook registers the webhook URL with its secret token (set through
// raw parameters: the library predates secret_token).
func (a *Adapter) SetWebhook(ctx context.Context) error {
	updates, _ := json.Marshal(allowedUpdates)
	_, err := a.call(ctx, a.RequestTimeout).MakeRequest("setWebhook", tgbotapi.Params{
		"url":             a.cfg.WebhookURL,
		"secret_token":    a.cfg.WebhookSecret,
		"allowed_updates": string(updates),
	})
	if err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", a.clean(err))
	}
	return nil
}

// ownerCommands is the menu the owner chats show, in the owner's
// language (Config.Lang; English when it is not ko or zh).
var ownerCommands = map[string][]tgbotapi.BotCommand{
	"en": {
		{Command: "tickets", Description: "open tickets (open|urgent|overdue)"},
		{Command: "ticket", Description: "one ticket: /ticket N"},
		{Command: "reply", Description: "answer a customer: /reply N text"},
		{Command: "claim", Description: "take a ticket: /claim N"},
		{Command: "close", Description: "resolve a ticket: /close N"},
		{Command: "stock", Description: "stock of a product: /stock query"},
		{Command: "sales", Description: "sales: today|yesterday|7d|30d|month"},
		{Command: "summary", Description: "today's summary"},
		{Command: "faq", Description: "what the bot would answer: /faq question"},
		{Command: "learn", Description: "teach the bot a phrasing"},
		{Command: "help", Description: "all commands"},
	},
	"ko": {
		{Command: "tickets", Description: "답변을 기다리는 문의 (open|urgent|overdue)"},
		{Command: "ticket", Description: "문의 보기: /ticket 번호"},
		{Command: "reply", Description: "고객에게 답장: /reply 번호 내용"},
		{Command: "claim", Description: "내가 맡기: /claim 번호"},
		{Command: "close", Description: "해결 처리: /close 번호"},
		{Command: "stock", Description: "상품 재고: /stock 검색어"},
		{Command: "sales", Description: "매출: today|yesterday|7d|30d|month"},
		{Command: "summary", Description: "오늘 요약"},
		{Command: "faq", Description: "봇이 뭐라고 답할지: /faq 질문"},
		{Command: "learn", Description: "봇에게 새 표현 가르치기"},
		{Command: "help", Description: "모든 명령"},
	},
	"zh": {
		{Command: "tickets", Description: "待处理的工单 (open|urgent|overdue)"},
		{Command: "ticket", Description: "查看工单：/ticket 编号"},
		{Command: "reply", Description: "回复顾客：/reply 编号 内容"},
		{Command: "claim", Description: "认领工单：/claim 编号"},
		{Command: "close", Description: "关闭工单：/close 编号"},
		{Command: "stock", Description: "商品库存：/stock 关键词"},
		{Command: "sales", Description: "销售额：today|yesterday|7d|30d|month"},
		{Command: "summary", Description: "今日摘要"},
		{Command: "faq", Description: "机器人会如何回答：/faq 问题"},
		{Command: "learn", Description: "教机器人新的说法"},
		{Command: "help", Description: "全部命令"},
	},
}

// SetCommands removes any command menu customers could see and shows the
// owner commands in the owner chats only.
func (a *Adapter) SetCommands(ctx context.Context) error {
	api := a.call(ctx, a.RequestTimeout)
	if _, err := api.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		return fmt.Errorf("telegram: deleteMyCommands: %w", a.clean(err))
	}
	for _, o := range a.cfg.Owners {
		menu, ok := ownerCommands[a.cfg.Lang]
		if !ok {
			menu = ownerCommands["en"]
		}
		if _, err := api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(o), menu...)); err != nil {
			return fmt.Errorf("telegram: setMyCommands for owner chat %d: %w", o, a.clean(err))
		}
	}
	return nil
}

// awaitWebhook registers the webhook and then waits for ctx. While
// Telegram cannot be reached (a network failure, a 5xx, a 429) it retries
// with backoff; a webhook Telegram refuses (another 4xx: a bad URL, a
// revoked token) is a configuration error and returned.
func (a *Adapter) awaitWebhook(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := a.SetWebhook(ctx)
		if err == nil {
			<-ctx.Done()
			return ctx.Err()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := a.backoff(attempt)
		var te *tgbotapi.Error
		if errors.As(err, &te) {
			if te.Code >= 400 && te.Code < 500 && te.Code != http.StatusTooManyRequests {
				return err
			}
			if te.RetryAfter > 0 {
				d = time.Duration(te.RetryAfter) * time.Second
			}
		}
		a.log.Warn("telegram: setWebhook failed, will retry", "attempt", attempt, "in", d, "err", err)
		if err := wait(ctx, d); err != nil {
			return err
		}
	}
}
