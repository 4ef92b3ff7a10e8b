package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/outlet"
)

// MaxText is Telegram's limit on one message's text, in UTF-16 code units.
const MaxText = 4096

// maxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const maxCallbackData = 64

// numberedPrefix marks callback_data that carries a choice's position
// instead of its entry id (an id longer than 64 bytes).
const numberedPrefix = "n:"

// errStopping refuses sends after shutdown began; the outbox keeps them.
var errStopping = errors.New("telegram: shutting down")

// progress remembers the parts of a split message already sent, so a
// retry after a failure in the middle does not send them again.
type progress struct{ ids []int }

// Send delivers one outbox reply: plain text (no parse mode, so nothing in
// it is markup), split at MaxText on line boundaries, clarify choices as
// inline buttons, a verification request with a share-phone button, owner
// alerts threaded as replies to the ticket's first message. It waits for
// the chat's and the bot's rate limits. It returns the message_id of the
// first part. Errors: a 429 is a *bot.RetryAfter, a 403 or 400 (blocked,
// chat not found, bad request) wraps bot.ErrPermanent, anything else (5xx,
// timeouts) is retried by the outbox with backoff.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) (string, error) {
	chat, err := chatID(r.Chat)
	if err != nil {
		return "", fmt.Errorf("telegram: chat %q is not a chat id: %w", r.Chat, bot.ErrPermanent)
	}
	parts := Split(r.Text, MaxText)
	if len(parts) == 0 {
		return "", nil // nothing Telegram would accept; nothing was lost
	}
	replyTo := 0
	if r.Kind == bot.KindAlert && r.Ticket != 0 {
		root, err := a.cfg.Outbox.Thread(ctx, Channel, r.Chat, r.Ticket)
		if err != nil {
			return "", err
		}
		replyTo, _ = strconv.Atoi(root)
	}
	markup, contact := a.markup(r, chat)
	p := &progress{}
	if r.ID != 0 {
		v, _ := a.parts.LoadOrStore(r.ID, p)
		p = v.(*progress)
	}
	n := len(parts)
	if len(r.Image) > 0 {
		n++ // the image (the summary chart) follows the text
	}
	for i := len(p.ids); i < n; i++ {
		var mk any
		if i == len(parts)-1 {
			mk = markup
		}
		rt := 0
		if i == 0 {
			rt = replyTo
		}
		var id int
		var err error
		if i < len(parts) {
			id, err = a.sendText(ctx, chat, parts[i], rt, mk)
		} else {
			photo := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: "chart.png", Bytes: r.Image})
			id, err = a.send(ctx, chat, photo)
		}
		if err != nil {
			if errors.Is(err, bot.ErrPermanent) {
				a.parts.Delete(r.ID)
			}
			return "", err
		}
		p.ids = append(p.ids, id)
	}
	a.parts.Delete(r.ID)
	switch {
	case contact:
		a.keyboard.Store(chat, true)
	case markup != nil:
		a.keyboard.Delete(chat)
	}
	return strconv.Itoa(p.ids[0]), nil
}

// markup is the keyboard a reply carries, if any; contact is true when it
// is the share-phone keyboard.
func (a *Adapter) markup(r bot.Reply, chat int64) (markup any, contact bool) {
	if len(r.Choices) > 0 {
		rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(r.Choices))
		for i, c := range r.Choices {
			data := c.Entry
			if data == "" || len(data) > maxCallbackData || !utf8.ValidString(data) {
				data = numberedPrefix + strconv.Itoa(i+1)
			}
			label := c.Label
			if strings.TrimSpace(label) == "" {
				label = c.Entry
			}
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(clip(label, 100), data)))
		}
		return tgbotapi.NewInlineKeyboardMarkup(rows...), false
	}
	if a.owners[chat] {
		return nil, false
	}
	if r.Ask == bot.AskVerify {
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(shareLabel(r.Text))))
		kb.OneTimeKeyboard = true
		return kb, true
	}
	if _, showing := a.keyboard.Load(chat); showing && endsDialogue(r) {
		return tgbotapi.NewRemoveKeyboard(false), false
	}
	return nil, false
}

// endsDialogue tells a reply that moves the conversation past the
// verification (the order shown, a ticket, a FAQ answer) from a prompt
// within it ("how can I help?"), which keeps the share-phone button.
func endsDialogue(r bot.Reply) bool {
	switch r.Kind {
	case bot.KindFAQ:
		return r.Entry != ""
	case bot.KindOrder, bot.KindTicket, bot.KindHandoff, bot.KindOwner:
		return true
	}
	return false
}

// shareLabel is the share-phone button in the reply's language.
func shareLabel(text string) string {
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hangul, r):
			return "📱 전화번호 공유하기"
		case unicode.Is(unicode.Han, r):
			return "📱 分享手机号码"
		}
	}
	return "📱 Share my phone number"
}

// sendText sends one text message within the rate limits and returns its id.
func (a *Adapter) sendText(ctx context.Context, chat int64, text string, replyTo int, markup any) (int, error) {
	msg := tgbotapi.NewMessage(chat, text)
	msg.ReplyToMessageID = replyTo
	msg.AllowSendingWithoutReply = replyTo != 0 // the thread root may be deleted
	msg.ReplyMarkup = markup
	return a.send(ctx, chat, msg)
}

// send sends one message (text or photo) within the rate limits and
// returns its id.
func (a *Adapter) send(ctx context.Context, chat int64, msg tgbotapi.Chattable) (int, error) {
	// A 429 pauses the whole bot, not one chat: Telegram answers a bot
	// that keeps sending elsewhere with longer bans. The message goes back
	// to the outbox until the pause ends.
	if d := a.pace.paused(time.Now()); d > 0 {
		return 0, &bot.RetryAfter{After: d, Err: fmt.Errorf("telegram: paused by a 429 (%s left)", d.Round(time.Millisecond))}
	}
	if d := a.pace.chatWait(chat); d > a.MaxWait {
		return 0, &bot.RetryAfter{After: d, Err: fmt.Errorf("telegram: chat %d paced (%s until its next message)", chat, d.Round(time.Millisecond))}
	}
	if err := a.pace.waitChat(ctx, chat); err != nil {
		return 0, &bot.RetryAfter{After: time.Millisecond, Err: errStopping}
	}
	release, err := a.pace.window(ctx, a.PerSecond)
	if err != nil {
		return 0, &bot.RetryAfter{After: time.Millisecond, Err: errStopping}
	}
	defer release()
	if err := a.pace.waitAny(ctx, a.SendInterval); err != nil {
		return 0, &bot.RetryAfter{After: time.Millisecond, Err: errStopping}
	}
	// One request at a time: a 429 is known, and pauses every sender,
	// before the next request starts, so none goes out during its
	// retry_after (several in flight would already be on their way).
	a.pace.gate.Lock()
	defer a.pace.gate.Unlock()
	if d := a.pace.paused(time.Now()); d > 0 {
		return 0, &bot.RetryAfter{After: d, Err: fmt.Errorf("telegram: paused by a 429 (%s left)", d.Round(time.Millisecond))}
	}
	// The request itself outlives a shutdown (bounded by RequestTimeout):
	// its outcome is recorded, so it is neither lost nor sent twice.
	sent, err := a.call(context.WithoutCancel(ctx), a.RequestTimeout).Send(msg)
	a.pace.done(chat, time.Now(), a.ChatInterval)
	if err != nil {
		return 0, a.sendError(chat, err)
	}
	return sent.MessageID, nil
}

// sendError sorts a send failure for the outbox. A 429 pauses every send
// of the bot for its retry_after.
func (a *Adapter) sendError(chat int64, err error) error {
	err = a.clean(err)
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		switch {
		case te.Code == http.StatusTooManyRequests:
			after := max(time.Duration(te.RetryAfter)*time.Second, time.Second)
			now := time.Now()
			a.pace.done(chat, now, after)
			a.pace.pause(now.Add(after))
			a.log.Warn("telegram: 429: every send paused", "chat", chat, "retry_after", after)
			return &bot.RetryAfter{After: after, Err: fmt.Errorf("telegram: %d %s", te.Code, te.Message)}
		case te.Code == http.StatusForbidden, te.Code == http.StatusBadRequest, te.MigrateToChatID != 0:
			// Blocked, chat gone, a request Telegram will never accept.
			return fmt.Errorf("telegram: %w: %d %s", bot.ErrPermanent, te.Code, te.Message)
		}
		return fmt.Errorf("telegram: send: %d %s", te.Code, te.Message)
	}
	return fmt.Errorf("telegram: send: %w", err)
}

// Split cuts text into messages of at most max UTF-16 code units
// (Telegram's measure): at the last line break that fits, else the last
// space, else between two characters. The break itself is dropped, and so
// are pieces with nothing but white space (Telegram refuses them).
func Split(text string, max int) []string {
	var parts []string
	for text != "" {
		cut, next := len(text), len(text)
		n, lastNL, lastSP := 0, -1, -1
		for i, r := range text {
			w := 1
			if r >= 0x10000 {
				w = 2 // a surrogate pair
			}
			if n+w > max {
				cut, next = i, i
				break
			}
			n += w
			switch r {
			case '\n':
				lastNL = i
			case ' ':
				lastSP = i
			}
		}
		if cut < len(text) {
			switch {
			case lastNL > 0:
				cut, next = lastNL, lastNL+1
			case lastSP > 0:
				cut, next = lastSP, lastSP+1
			case cut == 0: // max smaller than one character
				_, size := utf8.DecodeRuneInString(text)
				cut, next = size, size
			}
		}
		if p := text[:cut]; strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
		text = text[next:]
	}
	return parts
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// pacer spaces messages: per chat, from the end of the previous request
// (the server saw it before it answered); in total, by evenly spaced start
// times and a window: a request starts at least a second after the end of
// the request n before it, so whatever the network's jitter Telegram never
// sees more than n messages in one second.
type pacer struct {
	mu          sync.Mutex
	next        map[int64]time.Time // chat → earliest next send
	nextAny     time.Time
	pausedUntil time.Time  // a 429's retry_after: no send of the bot before
	gate        sync.Mutex // held for each send request: one at a time

	once   sync.Once
	tokens chan time.Time // n tokens, each the end time of its last use
}

// window takes one of n tokens, waiting until a second after its last
// use ended; release returns it. n <= 0: no window.
func (p *pacer) window(ctx context.Context, n int) (release func(), err error) {
	if n <= 0 {
		return func() {}, nil
	}
	p.once.Do(func() {
		p.tokens = make(chan time.Time, n)
		for range n {
			p.tokens <- time.Time{}
		}
	})
	var last time.Time
	select {
	case last = <-p.tokens:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := wait(ctx, time.Until(last.Add(time.Second))); err != nil {
		p.tokens <- last
		return nil, err
	}
	return func() { p.tokens <- time.Now() }, nil
}

// pause stops every send until until.
func (p *pacer) pause(until time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
}

// paused is how long the bot's sends are still paused at now.
func (p *pacer) paused(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(p.pausedUntil.Sub(now), 0)
}

// chatWait is how long chat must wait for its next message.
func (p *pacer) chatWait(chat int64) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Until(p.next[chat])
}

func (p *pacer) waitChat(ctx context.Context, chat int64) error {
	p.mu.Lock()
	t := p.next[chat]
	p.mu.Unlock()
	return wait(ctx, time.Until(t))
}

// waitAny reserves the next free slot of the whole bot and waits for it.
func (p *pacer) waitAny(ctx context.Context, interval time.Duration) error {
	p.mu.Lock()
	now := time.Now()
	slot := now
	if p.nextAny.After(now) {
		slot = p.nextAny
	}
	p.nextAny = slot.Add(interval)
	p.mu.Unlock()
	return wait(ctx, slot.Sub(now))
}

// done records a request to chat that ended at t: the chat's next message
// waits hold.
func (p *pacer) done(chat int64, t time.Time, hold time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next == nil {
		p.next = map[int64]time.Time{}
	}
	if len(p.next) > 10000 {
		for c, n := range p.next {
			if n.Before(t) {
				delete(p.next, c)
			}
		}
	}
	if n := t.Add(hold); n.After(p.next[chat]) {
		p.next[chat] = n
	}
}

// Outlets is how the adapter sends (outlet.Serve runs them): Send, on
// Senders loops at once, paced by the chat's and the bot's limits, with
// Drain for the outcome of the last sends to be recorded at shutdown.
// Send needs no database for an alert without a ticket, so the outage
// alert can go through it.
func (a *Adapter) Outlets() []outlet.Outlet {
	return []outlet.Outlet{{Channel: Channel, Send: a.Send, Runners: a.Senders, Drain: a.Drain, Direct: true, Log: a.log}}
}
