package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/shopbot/shopbot/bot"
)

// ephemeralPrefix starts the outbox chat of an answer only one user sees:
// "ephemeral:<channel>:<user>" (the channel the command was typed in).
const ephemeralPrefix = "ephemeral:"

func ephemeralChat(channel, user string) string { return ephemeralPrefix + channel + ":" + user }

// parseEphemeral splits an ephemeral chat into its channel and user.
func parseEphemeral(chat string) (channel, user string, ok bool) {
	rest, ok := strings.CutPrefix(chat, ephemeralPrefix)
	if !ok {
		return "", "", false
	}
	channel, user, ok = strings.Cut(rest, ":")
	return channel, user, ok && user != ""
}

// Button action ids on ticket alerts; their value is the ticket id.
const (
	actionClose = "close"
	actionClaim = "claim"
)

// maxBody caps a request body from Slack; real ones are a few kilobytes.
const maxBody = 1 << 20

// Handler serves Slack's HTTP mode: POST /slack/events (the Events API,
// including its url_verification), /slack/commands (slash commands) and
// /slack/interactions (buttons). Every request's signature and timestamp
// are checked over the raw body first: a missing, bad or stale one is
// answered 401 and nothing is processed. A request is acknowledged once
// the message is journaled (within Slack's 3 seconds); a failure answers
// 500 so that Slack retries the event, and the journal drops the retry if
// the first attempt got through after all.
func (a *Adapter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.verified(a.serveEvents))
	mux.HandleFunc("POST /slack/commands", a.verified(a.serveCommand))
	mux.HandleFunc("POST /slack/interactions", a.verified(a.serveInteraction))
	return mux
}

// verified reads the body and checks Slack's signature before next runs.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.SigningSecret == "" {
			http.Error(w, "slack: HTTP mode is not configured (SLACK_SIGNING_SECRET)", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			a.log.Warn("slack: rejected unsigned request", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	}
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if ev.Type == slackevents.URLVerification {
		if ch, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, ch.Challenge)
			return
		}
	}
	if err != nil {
		// An event type we do not subscribe to or cannot read: retrying
		// it would not help.
		a.log.Debug("slack: ignored event", "type", ev.Type, "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Info("slack: event redelivered", "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
	defer cancel()
	if err := a.handleEvent(ctx, ev); err != nil {
		a.log.Error("slack: event", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cmd := slackapi.SlashCommand{Command: form.Get("command"), Text: form.Get("text"), UserID: form.Get("user_id"),
		UserName: form.Get("user_name"), ChannelID: form.Get("channel_id"), TriggerID: form.Get("trigger_id"),
		ResponseURL: form.Get("response_url")}
	ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
	defer cancel()
	answer := a.command(ctx, cmd)
	if answer == nil {
		w.WriteHeader(http.StatusOK) // the answer comes from the outbox
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), ackBudget)
	defer cancel()
	if err := a.interaction(ctx, cb); err != nil {
		a.log.Error("slack: interaction", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// Acker acknowledges a Socket Mode request (socketmode.Client does).
type Acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// HandleSocketEvent handles one event from the Socket Mode connection and
// acknowledges it through ack once its message is journaled. An event that
// failed is not acknowledged, so Slack delivers it again; the journal drops
// a second delivery of one that did get through.
func (a *Adapter) HandleSocketEvent(ctx context.Context, evt socketmode.Event, ack Acker) {
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		a.log.Debug("slack: socket mode", "state", string(evt.Type))
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError,
		socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack: socket mode", "state", string(evt.Type), "data", fmt.Sprint(evt.Data))
		return
	}
	if evt.Request == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	var payload []any
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		if evt.Request.RetryAttempt > 0 {
			a.log.Info("slack: event redelivered", "retry", evt.Request.RetryAttempt, "reason", evt.Request.RetryReason)
		}
		if err := a.handleEvent(ctx, data); err != nil {
			a.log.Error("slack: event", "err", err)
			return
		}
	case slackapi.SlashCommand:
		if answer := a.command(ctx, data); answer != nil {
			payload = append(payload, answer)
		}
	case slackapi.InteractionCallback:
		if err := a.interaction(ctx, data); err != nil {
			a.log.Error("slack: interaction", "err", err)
			return
		}
	default:
		return // a disconnect notice or a request we do not handle: nothing to acknowledge
	}
	if err := ack.Ack(*evt.Request, payload...); err != nil {
		a.log.Warn("slack: ack", "err", err)
	}
}

// handleEvent hands an owner's thread reply to the engine; every other
// event is ignored.
func (a *Adapter) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	me, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		return nil
	}
	m, ok, err := a.fromMessage(ctx, me)
	if err != nil || !ok {
		return err
	}
	return a.handle(ctx, m)
}

// fromMessage turns a message event into the owner's answer to a ticket:
// a reply, by a configured owner, in the thread of a ticket alert in the
// owners' channel. Anything else (bots, other users, other channels,
// top-level chatter, edits) is not a message for the engine: ok is false.
func (a *Adapter) fromMessage(ctx context.Context, ev *slackevents.MessageEvent) (m bot.Message, ok bool, err error) {
	switch ev.SubType {
	case "", "thread_broadcast", "file_share":
	default:
		return m, false, nil // edits, deletions, joins, bot_message…
	}
	if ev.BotID != "" || ev.User == "" || a.isSelf(ev.User) || !a.isOwner(ev.User) {
		return m, false, nil
	}
	if ev.Channel != a.cfg.Channel || ev.ThreadTimeStamp == "" || ev.ThreadTimeStamp == ev.TimeStamp || ev.TimeStamp == "" {
		return m, false, nil
	}
	ticket, err := a.cfg.Outbox.TicketOf(ctx, Channel, a.cfg.Channel, ev.ThreadTimeStamp)
	if err != nil || ticket == 0 {
		return m, false, err
	}
	text := strings.TrimSpace(PlainText(ev.Text))
	if text == "" {
		return m, false, nil
	}
	switch strings.ToLower(text) { // a bare command in a ticket's thread is about that ticket
	case "/close", "/claim", "/ticket":
		text += " " + strconv.FormatInt(ticket, 10)
	}
	return bot.Message{
		Channel: Channel,
		ID:      ev.Channel + ":" + ev.TimeStamp, // stable across Slack's retries
		Chat:    ephemeralChat(ev.Channel, ev.User),
		User:    ev.User,
		Owner:   true,
		Ticket:  ticket,
		Text:    text,
	}, true, nil
}

// commandAnswer is an immediate answer to a slash command.
type commandAnswer struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// command hands an owner's slash command to the engine; its answer comes
// from the outbox, privately. It returns an immediate answer for Slack only
// when the engine is not asked: a refusal, or a failure.
func (a *Adapter) command(ctx context.Context, cmd slackapi.SlashCommand) *commandAnswer {
	if !a.isOwner(cmd.UserID) {
		a.log.Info("slack: command refused", "user", cmd.UserID, "command", cmd.Command)
		return &commandAnswer{ResponseType: "ephemeral", Text: label(a.cfg.Lang, "refused")}
	}
	id := cmd.TriggerID
	if id == "" {
		id = fmt.Sprintf("%s:%d", cmd.UserID, a.now().UnixNano())
	}
	m := bot.Message{
		Channel: Channel,
		ID:      "cmd:" + id,
		Chat:    ephemeralChat(cmd.ChannelID, cmd.UserID),
		User:    cmd.UserID,
		Name:    cmd.UserName,
		Owner:   true,
		Text:    strings.TrimSpace(cmd.Command + " " + PlainText(cmd.Text)),
		// The answer goes to the command's response_url: it reaches the
		// owner in a DM with the app or a channel the bot is not in.
		Return: a.responseURL(cmd.ResponseURL),
	}
	if err := a.handle(ctx, m); err != nil {
		a.log.Error("slack: command", "command", cmd.Command, "err", err)
		return &commandAnswer{ResponseType: "ephemeral", Text: label(a.cfg.Lang, "failed")}
	}
	return nil
}

// responseURL returns u if it is a response_url Slack could have sent
// (https://hooks.slack.com/…, or the configured API's host in tests), else
// "": the answer then goes by chat.postEphemeral or DM.
func (a *Adapter) responseURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || u == "" {
		return ""
	}
	if p.Scheme == "https" && p.Host == "hooks.slack.com" {
		return u
	}
	if a.cfg.APIURL != "" {
		if api, err := url.Parse(a.cfg.APIURL); err == nil && api.Scheme == p.Scheme && api.Host == p.Host {
			return u
		}
	}
	a.log.Warn("slack: response_url ignored: not Slack's", "host", p.Host)
	return ""
}

// interaction turns a Close or Claim button into "/close N" or "/claim N"
// from the user who pressed it. A user who is not an owner is told so,
// privately.
func (a *Adapter) interaction(ctx context.Context, cb slackapi.InteractionCallback) error {
	if cb.Type != slackapi.InteractionTypeBlockActions {
		return nil
	}
	channel := cmp.Or(cb.Channel.ID, cb.Container.ChannelID)
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil || (act.ActionID != actionClose && act.ActionID != actionClaim) {
			continue
		}
		ticket, err := strconv.ParseInt(act.Value, 10, 64)
		if err != nil || ticket <= 0 {
			continue
		}
		chat := ephemeralChat(channel, cb.User.ID)
		if !a.isOwner(cb.User.ID) {
			a.log.Info("slack: button refused", "user", cb.User.ID, "action", act.ActionID)
			_, err := a.cfg.Outbox.Enqueue(ctx, bot.Reply{Channel: Channel, Chat: chat, Kind: bot.KindError, Text: label(a.cfg.Lang, "refused")})
			return err
		}
		id := cmp.Or(cb.TriggerID, cb.ActionTs+":"+cb.User.ID)
		m := bot.Message{
			Channel: Channel,
			ID:      "act:" + id + ":" + act.ActionID,
			Chat:    chat,
			User:    cb.User.ID,
			Name:    cmp.Or(cb.User.Name, cb.User.ID),
			Owner:   true,
			Ticket:  ticket,
			Text:    fmt.Sprintf("/%s %d", act.ActionID, ticket),
		}
		if err := a.handle(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// handle gives m to the engine. A message handled before is success.
func (a *Adapter) handle(ctx context.Context, m bot.Message) error {
	_, err := a.cfg.Engine.Handle(ctx, m)
	if errors.Is(err, bot.ErrDuplicate) {
		a.log.Debug("slack: duplicate dropped", "id", m.ID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("slack: handle: %w", err)
	}
	return nil
}
