// Package bot is shopbot's core: the Engine that turns one customer or
// owner Message into Replies, the conversations and their state, the inbound
// journal, the outbox every reply passes through, and the owner commands.
//
// Adapters (bot/console, bot/telegram, bot/slack, bot/web) own their loops:
// they turn platform updates into a Message, call Engine.Handle, and send
// what the Outbox hands them. The core never imports a chat SDK.
package bot

import (
	"embed"
	"errors"
	"time"

	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/notify"
)

//go:embed migrations
var migrationsFS embed.FS

// Schema is the bot package's tables: conversations, the inbound journal,
// the outbox, order verifications and learned FAQ phrasings.
var Schema = schema.Embedded("bot", migrationsFS, "migrations")

// ErrDuplicate is returned by Engine.Handle for a message already journaled
// (the same channel and platform id): it was handled before and must not be
// answered again.
var ErrDuplicate = errors.New("bot: duplicate message")

// Message is one inbound message from a customer or an owner.
type Message struct {
	Channel string    // adapter name: "console", "telegram", "web", "slack"
	ID      string    // the platform's message id, unique per channel: the dedupe key
	Chat    string    // the conversation on that channel (chat id, visitor id)
	User    string    // the sender's platform id
	Name    string    // the sender's display name, if known
	Text    string    // what they wrote, as sent: data, never a template
	Lang    string    // the platform's language hint ("ko", "en-US"), may be empty
	Owner   bool      // set by the adapter from its configuration, never from the text
	Time    time.Time // when the platform received it; zero: now
	// Network is the sender's network when the adapter knows it (web:
	// NetworkOf the client address): failed order verifications are
	// counted per network too.
	Network string
	// Phone is a phone number the platform vouches for (Telegram's shared
	// contact of the sender), used for order verification.
	Phone string
	// Choice is a clarify choice the customer tapped: a FAQ entry id.
	Choice string
	// Ticket is the ticket an owner message answers, when the adapter knows
	// it from a thread or a reply chain (0: none).
	Ticket int64
	// Standby: a person answers this conversation on the platform itself
	// (TalkTalk's Partner Center holds the thread). The message is
	// journaled and added to the open ticket; the bot answers nothing.
	Standby bool
	// Return is the adapter's own way back to the sender, opaque to the
	// engine (Slack: a slash command's response_url). The replies to this
	// message carry it (Reply.Return).
	Return string
}

// Kind tells what a reply is. The values are part of `shopbot chat --json`.
type Kind string

// Reply kinds.
const (
	KindFAQ     Kind = "faq"     // an answer from the FAQ
	KindClarify Kind = "clarify" // close candidates offered as choices
	KindOrder   Kind = "order"   // an order lookup, or a step of its verification
	KindTicket  Kind = "ticket"  // a ticket was opened for a complaint, cancellation, refund…
	KindHandoff Kind = "handoff" // no answer: a person will answer
	KindCommand Kind = "command" // the answer to an owner command
	KindError   Kind = "error"   // the bot could not do what was asked
	KindOwner   Kind = "owner"   // the owner's own words, relayed to the customer
	KindAlert   Kind = "alert"   // a notification to the owner
)

// Choice is one clarify option.
type Choice struct {
	Entry string `json:"entry"` // FAQ entry id
	Label string `json:"label"` // the text to show on the button
}

// Reply is one outbound message, to a customer or to an owner.
type Reply struct {
	ID       int64    `json:"-"`             // outbox id, set once stored
	Channel  string   `json:"-"`             // where it goes
	Chat     string   `json:"-"`             // conversation on that channel
	Kind     Kind     `json:"kind"`          // what it is
	Text     string   `json:"text"`          // plain text, never parsed as markup
	Entry    string   `json:"entry"`         // FAQ entry id, if any
	Ticket   int64    `json:"ticket"`        // ticket id, if any: the owner's number
	Ref      string   `json:"ref,omitempty"` // the ticket's reference for the customer (tickets.Ticket.Ref): random, never the id
	Priority string   `json:"priority"`      // ticket priority, if any
	Choices  []Choice `json:"choices"`       // clarify options
	// Event says what happened to the ticket, on owner alerts: EventNew,
	// EventMessage, EventRemark, EventEscalated, EventAnswered,
	// EventClaimed, EventResolved.
	Event string `json:"event,omitempty"`
	// Ask says what the bot is waiting for, so an adapter can offer a
	// better input: AskVerify (a phone-share button), AskOrderNumber.
	Ask string `json:"ask,omitempty"`
	// Key groups owner messages about one thing ("ticket:12",
	// "stock:TEE-WHT-M") so they can be coalesced and threaded.
	Key string `json:"key,omitempty"`
	// Image is an attached PNG (the summary chart), for channels that can
	// show one; the text stands alone without it.
	Image []byte `json:"image,omitempty"`
	// Link is a web address the reply is about (a shipment's tracking
	// page), for channels that can show it as a button; the text carries
	// it too.
	Link string `json:"link,omitempty"`
	// Return is Message.Return of the message this answers, for the
	// adapter that set it.
	Return string `json:"return,omitempty"`
	// Lang is the language of a customer reply (ko, en, zh): the
	// conversation's, for an adapter's own words around the text.
	Lang string `json:"lang,omitempty"`
	// Alert is the owner event an alert carries, with the snapshot of its
	// ticket (notify.TicketEvent): what a channel shows, without reading
	// the database at send time. Text, Ticket, Priority, Event and Key
	// repeat its fields for adapters that show any reply.
	Alert   *notify.Event `json:"alert,omitempty"`
	Created time.Time     `json:"-"` // when it was stored
}

// Ticket events carried by owner alerts: notify's kinds, spelled once there.
const (
	EventNew       = notify.KindNew       // a ticket was opened
	EventMessage   = notify.KindMessage   // the customer wrote again
	EventRemark    = notify.KindRemark    // the customer said thanks or hello on a handed-off ticket: for its thread, never a page
	EventEscalated = notify.KindEscalated // the ticket became urgent
	EventAnswered  = notify.KindAnswered  // an owner replied to the customer
	EventClaimed   = notify.KindClaimed   // an owner took it
	EventResolved  = notify.KindResolved  // closed
)

// AlertReply is owner event e as an alert to channel and chat: the event
// itself, and the fields of it that any reply has.
func AlertReply(channel, chat string, e notify.Event) Reply {
	return Reply{Channel: channel, Chat: chat, Kind: KindAlert, Text: e.Text, Ticket: e.Ticket, Ref: e.Ref,
		Priority: e.Priority, Event: e.Kind, Key: e.Key, Image: e.Image, Alert: &e}
}

// OwnerEvent is the owner event alert r carries, its Source r's outbox id
// and its Image r's. An alert without one (queued by an older version, or
// by a hook) is read from r's fields.
func (r Reply) OwnerEvent() notify.Event {
	e := notify.Event{Ticket: r.Ticket, Ref: r.Ref, Priority: r.Priority, Kind: r.Event, Text: r.Text, Key: r.Key}
	if r.Alert != nil {
		e = *r.Alert
	}
	e.Source, e.Image = r.ID, r.Image
	return e
}

// What a reply asks the customer for.
const (
	AskVerify      = "verify"       // the last 4 phone digits, an email, or a shared contact
	AskOrderNumber = "order_number" // an order number
)

// Address is where owner notifications go: a channel and a chat on it.
type Address struct {
	Channel string
	Chat    string
}

// Language is the language of r for an adapter's own words around its
// text ("the owner replied:"): Lang, or else what its text is written in.
func (r Reply) Language() string {
	if r.Lang != "" {
		return r.Lang
	}
	return TextLanguage(r.Text)
}

// TextLanguage is the language a customer's text is written in (ko, en,
// zh), leaving out email addresses, links and digits; ko when it has no
// letters.
func TextLanguage(text string) string {
	if l := messageLanguage(text); l != "" {
		return l
	}
	return "ko"
}
