package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// EventSummary is the event of the daily summary (package notify), shown
// with a header.
const EventSummary = notify.KindSummary

// Send is the outbox's SendFunc for the "slack" channel; it returns the
// Slack ts of the message it posted.
//
//   - A ticket event (an alert whose notify.Event carries its ticket's
//     snapshot) whose ticket has no message in the chat yet becomes that
//     ticket's message: Block Kit with priority, number and reference,
//     category, customer, order number, the customer's words, the SLA due
//     time and the Close and Claim buttons. Later events are posted in its
//     thread (an escalation also in the channel), and the message is
//     updated to the ticket's state as the event saw it (claimed,
//     answered, resolved, overdue). notify's SLA events (sla_warning,
//     sla_missed) take the same path, so an overdue ticket's message says
//     so. An alert without a snapshot (its ticket was erased) is a plain
//     message.
//   - A reply to "ephemeral:<channel>:<user>" (the answer to an owner's
//     command, button or thread reply) is shown to that user only, in the
//     ticket's thread when it is about one; where the bot is not in the
//     channel it arrives as a direct message instead.
//   - Anything else (the daily summary, stock alerts) is a plain message,
//     with Reply.Image uploaded after it when there is one.
//
// Errors: a rate limit is a *bot.RetryAfter with Slack's Retry-After; a
// channel the bot cannot reach or a rejected token wraps bot.ErrPermanent;
// anything else is retried by the outbox. A step that succeeded is safe to
// repeat: the message is updated before its thread is posted to, and a
// failed image upload does not fail the message.
func (a *Adapter) Send(ctx context.Context, r bot.Reply) (string, error) {
	if channel, user, ok := parseEphemeral(r.Chat); ok {
		return a.sendEphemeral(ctx, channel, user, r)
	}
	if r.Kind == bot.KindAlert && r.Alert != nil && r.Alert.HasSnapshot() {
		return a.sendTicketEvent(ctx, r, *r.Alert)
	}
	return a.sendPlain(ctx, r)
}

func (a *Adapter) sendEphemeral(ctx context.Context, channel, user string, r bot.Reply) (string, error) {
	if r.Return != "" {
		// A slash command's answer: through its response_url, which reaches
		// the owner wherever the command was typed. Used up or expired
		// (5 posts, 30 minutes): a direct message instead.
		msg := &slackapi.WebhookMessage{ResponseType: "ephemeral", Text: r.Text, Blocks: &slackapi.Blocks{BlockSet: textBlocks(r.Text)}}
		err := slackapi.PostWebhookCustomHTTPContext(ctx, r.Return, a.cfg.HTTPClient, msg)
		if err == nil {
			return "", nil
		}
		var se slackapi.StatusCodeError
		if !errors.As(err, &se) || se.Code < 400 || se.Code >= 500 || se.Code == http.StatusTooManyRequests {
			return "", fmt.Errorf("slack: response_url: %w", err) // the outbox retries
		}
		a.log.Info("slack: response_url refused; answering by direct message", "status", se.Code)
		_, ts, err := a.api.PostMessageContext(ctx, user, fallback(r.Text), slackapi.MsgOptionBlocks(textBlocks(r.Text)...))
		return ts, sendError(err)
	}
	opts := []slackapi.MsgOption{fallback(r.Text), slackapi.MsgOptionBlocks(textBlocks(r.Text)...)}
	if r.Ticket != 0 && channel == a.cfg.Channel {
		root, err := a.cfg.Outbox.Thread(ctx, Channel, channel, r.Ticket)
		if err != nil {
			return "", err
		}
		if root != "" {
			opts = append(opts, slackapi.MsgOptionTS(root))
		}
	}
	ts, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
	if err == nil {
		return ts, nil
	}
	if !unreachable(err) {
		return "", sendError(err)
	}
	// The command was typed where the bot is not a member: answer in the
	// user's direct messages with the app.
	_, ts, err = a.api.PostMessageContext(ctx, user, fallback(r.Text), slackapi.MsgOptionBlocks(textBlocks(r.Text)...))
	return ts, sendError(err)
}

// sendTicketEvent posts or threads one ticket event e, which r carries.
func (a *Adapter) sendTicketEvent(ctx context.Context, r bot.Reply, e notify.Event) (string, error) {
	root, err := a.cfg.Outbox.Thread(ctx, Channel, r.Chat, e.Ticket)
	if err != nil {
		return "", err
	}
	now := a.now()
	if root == "" {
		note := ""
		if e.Kind != notify.KindNew {
			note = r.Text // the first we hear of it is a later event
		}
		_, ts, err := a.api.PostMessageContext(ctx, r.Chat, fallback(r.Text),
			slackapi.MsgOptionBlocks(a.ticketBlocks(e, now, note)...))
		return ts, sendError(err)
	}
	_, _, _, err = a.api.UpdateMessageContext(ctx, r.Chat, root, fallback(a.ticketTitle(e)),
		slackapi.MsgOptionBlocks(a.ticketBlocks(e, now, "")...))
	if err != nil {
		err = sendError(err)
		if !errors.Is(err, bot.ErrPermanent) {
			return "", err
		}
		// Deleted or too old to edit: the thread still gets the event.
		a.log.Warn("slack: ticket message not updated", "ticket", e.Ticket, "err", err)
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionTS(root), fallback(r.Text), slackapi.MsgOptionBlocks(textBlocks(r.Text)...)}
	if e.Kind == notify.KindEscalated || e.Kind == notify.KindSLAMissed {
		opts = append(opts, slackapi.MsgOptionBroadcast()) // shown in the channel too
	}
	_, ts, err := a.api.PostMessageContext(ctx, r.Chat, opts...)
	return ts, sendError(err)
}

// sendPlain posts r as a message of its own, then its image.
func (a *Adapter) sendPlain(ctx context.Context, r bot.Reply) (string, error) {
	blocks := textBlocks(r.Text)
	if r.Event == EventSummary {
		title, rest, _ := strings.Cut(strings.TrimSpace(r.Text), "\n")
		if strings.TrimSpace(rest) == "" {
			title, rest = label(a.cfg.Lang, "summary"), title
		}
		blocks = append([]slackapi.Block{header(title)}, textBlocks(rest)...)
	}
	_, ts, err := a.api.PostMessageContext(ctx, r.Chat, fallback(r.Text), slackapi.MsgOptionBlocks(blocks...))
	if err != nil {
		return "", sendError(err)
	}
	if len(r.Image) > 0 {
		// Best effort: the text stands alone, and retrying the reply
		// would post it twice.
		_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Reader: bytes.NewReader(r.Image), FileSize: len(r.Image), Filename: imageName(r),
			Title: imageName(r), Channel: r.Chat, ThreadTimestamp: ts,
		})
		if err != nil {
			a.log.Warn("slack: image not uploaded", "id", r.ID, "err", err)
		}
	}
	return ts, nil
}

func imageName(r bot.Reply) string {
	if r.Event != "" {
		return r.Event + ".png"
	}
	return "image.png"
}

// ticketTitle is the ticket message's first line, in the owner's
// language: "🔴 URGENT #3 K7Q2XM · cancellation", "🔴 긴급 #3 K7Q2XM · 취소".
func (a *Adapter) ticketTitle(e notify.Event) string {
	p := tickets.Priority(e.Priority)
	return label(a.cfg.Lang, "ticket", priorityMark(p)+" "+strings.ToUpper(p.Label(a.cfg.Lang)), tickets.Number(e.Ticket, e.Ref),
		tickets.Category(e.Category).Label(a.cfg.Lang))
}

// ticketBlocks renders the ticket of e, as e saw it, as its Block Kit
// message at now. note, if not empty, is shown under the customer's words.
func (a *Adapter) ticketBlocks(e notify.Event, now time.Time, note string) []slackapi.Block {
	lang := a.cfg.Lang
	customer := e.Customer + " (" + e.CustomerChannel + ")"
	order := label(lang, "none")
	if e.Order != "" {
		order = "#" + e.Order
	}
	due := e.Due.In(a.cfg.Location).Format("2006-01-02 15:04 MST")
	if e.Answered {
		due = "~" + due + "~"
	}
	if e.Overdue(now) {
		due = "⏰ *" + due + "*"
	}
	field := func(key, value string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.MarkdownType, "*"+label(lang, key)+"*\n"+value, false, false)
	}
	blocks := []slackapi.Block{
		header(a.ticketTitle(e)),
		slackapi.NewSectionBlock(nil, []*slackapi.TextBlockObject{
			field("customer", escape(customer)),
			field("order", escape(order)),
			field("status", e.State(lang, now, mention)),
			field("due", due),
		}, nil),
		slackapi.NewSectionBlock(plain(clip(e.Subject, 2900)), nil, nil),
	}
	if note != "" {
		blocks = append(blocks, slackapi.NewSectionBlock(plain(clip(note, 2900)), nil, nil))
	}
	if e.Status != string(tickets.Resolved) {
		id := strconv.FormatInt(e.Ticket, 10)
		closeBtn := slackapi.NewButtonBlockElement(actionClose, id, plain(label(lang, "close")))
		closeBtn.Style = slackapi.StyleDanger
		closeBtn.Confirm = slackapi.NewConfirmationBlockObject(plain(label(lang, "close")), plain(label(lang, "confirm", e.Ticket)),
			plain(label(lang, "yes")), plain(label(lang, "no")))
		elems := []slackapi.BlockElement{closeBtn}
		if e.ClaimedBy == "" {
			claim := slackapi.NewButtonBlockElement(actionClaim, id, plain(label(lang, "claim")))
			claim.Style = slackapi.StylePrimary
			elems = append(elems, claim)
		}
		blocks = append(blocks, slackapi.NewActionBlock(fmt.Sprintf("ticket:%d", e.Ticket), elems...),
			slackapi.NewContextBlock("", plain(label(lang, "hint"))))
	}
	return blocks
}

func priorityMark(p tickets.Priority) string {
	switch p {
	case tickets.Urgent:
		return "🔴"
	case tickets.High:
		return "🟠"
	case tickets.Normal:
		return "🔵"
	}
	return "⚪"
}

// mention shows a Slack user id as a mention, anything else as text.
func mention(who string) string {
	if isUserID(who) {
		return "<@" + who + ">"
	}
	return escape(who)
}

func isUserID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, c := range s[1:] {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// plain is a plain_text object: customer words are never parsed as markup.
func plain(s string) *slackapi.TextBlockObject {
	if s == "" {
		s = " "
	}
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

func header(s string) slackapi.Block {
	return slackapi.NewHeaderBlock(plain(clip(strings.Join(strings.Fields(s), " "), 150)))
}

// Block Kit limits: a section's text, and the blocks of a message.
const (
	maxSectionRunes = 2900
	maxBlocks       = 45
)

// textBlocks renders text as plain_text sections, split at line breaks to
// fit Slack's limits.
func textBlocks(text string) []slackapi.Block {
	text = strings.ToValidUTF8(strings.TrimSpace(text), "\uFFFD")
	var blocks []slackapi.Block
	var cur strings.Builder
	n := 0 // runes in cur
	flush := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, slackapi.NewSectionBlock(plain(cur.String()), nil, nil))
		}
		cur.Reset()
		n = 0
	}
	for line := range strings.Lines(text) {
		if len(blocks) >= maxBlocks {
			break
		}
		line = strings.TrimSuffix(line, "\n")
		ln := utf8.RuneCountInString(line)
		for ln > maxSectionRunes {
			flush()
			head := clip(line, maxSectionRunes)
			cur.WriteString(head)
			flush()
			line, ln = line[len(head):], ln-maxSectionRunes
		}
		if n+ln+1 > maxSectionRunes {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(line)
		n += ln
	}
	flush()
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	if len(blocks) == 0 {
		blocks = append(blocks, slackapi.NewSectionBlock(plain(" "), nil, nil))
	}
	return blocks
}

// fallback is a message's notification text: escaped, so that customer
// words cannot ping the channel.
func fallback(text string) slackapi.MsgOption {
	return slackapi.MsgOptionText(escape(clip(strings.TrimSpace(text), 3000)), false)
}

// clip shortens s to at most n runes, whole runes only.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if n == 0 {
			i = k
			break
		}
		n--
	}
	return s[:i]
}

// Slack errors that retrying cannot fix.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "invalid_auth": true,
	"not_authed": true, "account_inactive": true, "token_revoked": true, "token_expired": true,
	"no_permission": true, "missing_scope": true, "user_not_in_channel": true, "user_not_found": true,
	"msg_too_long": true, "no_text": true, "invalid_blocks": true, "invalid_blocks_format": true,
	"message_not_found": true, "cant_update_message": true, "edit_window_closed": true,
	"thread_not_found": true, "restricted_action": true, "ekm_access_denied": true, "team_access_not_granted": true,
}

// unreachable reports whether err says the bot cannot post in a channel.
func unreachable(err error) bool {
	var se slackapi.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "channel_not_found" || se.Err == "not_in_channel" || se.Err == "user_not_in_channel")
}

// sendError sorts a Web API error for the outbox.
func sendError(err error) error {
	if err == nil {
		return nil
	}
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryAfter{After: rl.RetryAfter, Err: fmt.Errorf("slack: %w", err)}
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && permanentErrors[se.Err] {
		return fmt.Errorf("slack: %w: %v", bot.ErrPermanent, err)
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 400 && sc.Code < 500 && sc.Code != 408 && sc.Code != 429 {
		return fmt.Errorf("slack: %w: %v", bot.ErrPermanent, err)
	}
	return fmt.Errorf("slack: %w", err)
}
