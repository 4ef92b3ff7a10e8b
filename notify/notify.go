// Package notify owns what shopbot tells the shop owner on its own: which
// events interrupt the owner and when (urgent alerts, coalescing, hourly
// caps, quiet hours), the watchers that raise alerts (SLA clocks, stuck
// channels, an unreachable database, stock crossings), and the daily and
// weekly summaries with their schedule and chart.
//
// notify never imports the bot or a chat SDK: it defines the small
// interfaces it needs (a Sender to owner destinations, a Poster to put an
// event on its way) and cmd/shopbot binds them to the outbox.
package notify

import (
	"context"
	"embed"
	"fmt"
	"github.com/jmoiron/sqlx"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/tickets"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the migrations of notify's tables: claims (things done once
// across instances) and the router's record of alerts.
var Schema = schema.Embedded("notify", schemaFS, "schema")

// Ticket events: what happened to a ticket, raised by the bot's engine.
// These constants are the one spelling of them (bot.Event* are these).
const (
	KindNew       = "new"       // a ticket was opened
	KindMessage   = "message"   // the customer wrote again
	KindRemark    = "remark"    // the customer said thanks or hello on a handed-off ticket: for its thread, never a page
	KindEscalated = "escalated" // the ticket became urgent
	KindAnswered  = "answered"  // an owner replied to the customer
	KindClaimed   = "claimed"   // an owner took it
	KindResolved  = "resolved"  // closed
	KindFlood     = "flood"     // a conversation sent too many messages and is muted for now (Key "flood:CHANNEL:CHAT")
	KindLockout   = "lockout"   // order verification locked after repeated failures (Key "lockout:SCOPE:KEY")
)

// Event kinds raised by notify itself.
const (
	KindStock      = "stock"       // a product reached its safety stock or zero (Key "stock:SKU")
	KindSLAWarning = "sla_warning" // 80% of a ticket's first-response time is gone (Key "ticket:N")
	KindSLAMissed  = "sla_missed"  // a ticket's first-response time has passed (Key "ticket:N")
	KindFailure    = "failure"     // the bot itself needs a person (Key "failure:CHANNEL")
	KindDigest     = "digest"      // alerts folded together by the router
	KindSummary    = "summary"     // the daily or weekly summary: to every destination
)

// Event is the one owner event: something the owner may hear of, a
// ticket event from the bot or an event notify raised itself. A ticket
// event carries the ticket as it stood (TicketEvent), so that a channel
// shows it without reading the database at send time; adapters only
// translate it. It travels in the outbox as part of bot.Reply (JSON).
type Event struct {
	// Source is the id of the outbox message that carried the event, for
	// exactly-once fan-out; 0 until the event is queued.
	Source   int64  `json:"source,omitempty"`
	Kind     string `json:"kind"`               // a Kind* constant
	Text     string `json:"text"`               // what the owner reads, in the owner's language
	Key      string `json:"key,omitempty"`      // what it is about ("ticket:12", "stock:SKU"): coalescing and threading
	Priority string `json:"priority,omitempty"` // "urgent", "high", "normal", "low"
	Image    []byte `json:"-"`                  // an optional PNG (the summary chart); travels as bot.Reply.Image

	// The ticket, when the event is about one: its snapshot at the event.
	Ticket          int64     `json:"ticket,omitempty"`           // the owner's ticket number
	Ref             string    `json:"ref,omitempty"`              // the customer's reference (tickets.Ticket.Ref)
	Category        string    `json:"category,omitempty"`         // tickets.Category
	Status          string    `json:"status,omitempty"`           // tickets.Status
	Customer        string    `json:"customer,omitempty"`         // display name (tickets.Ticket.CustomerName)
	CustomerChannel string    `json:"customer_channel,omitempty"` // where the customer writes ("telegram", "web")
	Order           string    `json:"order,omitempty"`            // the order number the ticket is about
	Subject         string    `json:"subject,omitempty"`          // the customer's first words
	Latest          string    `json:"latest,omitempty"`           // the customer's words that raised this event
	Due             time.Time `json:"due,omitzero"`               // first response due (SLA)
	Answered        bool      `json:"answered,omitempty"`         // the owner has answered the customer
	ClaimedBy       string    `json:"claimed_by,omitempty"`
	ResolvedBy      string    `json:"resolved_by,omitempty"`
}

// TicketEvent is the event kind about ticket t, with t's snapshot; latest
// is the customer's words that raised it (may be empty), text what the
// owner reads.
func TicketEvent(kind string, t *tickets.Ticket, latest, text string) Event {
	return Event{Kind: kind, Text: text, Key: "ticket:" + strconv.FormatInt(t.ID, 10), Priority: string(t.Priority),
		Ticket: t.ID, Ref: t.Ref, Category: string(t.Category), Status: string(t.Status), Customer: t.CustomerName(),
		CustomerChannel: t.Channel, Order: t.OrderNumber, Subject: t.Subject, Latest: latest, Due: t.DueAt.UTC(),
		Answered: t.FirstResponseAt != nil, ClaimedBy: t.ClaimedBy, ResolvedBy: t.ResolvedBy}
}

// HasSnapshot reports whether e carries a ticket's snapshot (TicketEvent).
func (e Event) HasSnapshot() bool { return e.Ticket != 0 && e.Status != "" }

// Overdue reports whether e's ticket was past its first-response time at
// now, unanswered and unresolved.
func (e Event) Overdue(now time.Time) bool {
	return e.HasSnapshot() && e.Status != string(tickets.Resolved) && !e.Answered && e.Due.Before(now)
}

// State is e's ticket state in the owner's words (tickets.StateLabel);
// who shows a person's id as the channel shows people.
func (e Event) State(lang string, now time.Time, who func(string) string) string {
	return tickets.StateLabel(tickets.Status(e.Status), e.ClaimedBy, e.ResolvedBy, e.Overdue(now), lang, who)
}

// Sender delivers an event to one destination. Sending the same Source to
// the same destination twice must deliver it once (bot.Outbox does this).
type Sender interface {
	Send(ctx context.Context, d Destination, e Event) error
}

// Poster puts an event on its way to the owner's destinations (in
// shopbot: the Router, or, from a command that routes nothing, the outbox
// channel "notify" that serve routes). Posting the same Source twice must
// post it once; Sources from notify are negative, so they never meet the
// outbox's own ids.
type Poster interface {
	Post(ctx context.Context, e Event) error
}

// TxPoster posts within the caller's transaction: the one way every
// raiser of an owner event (the engine's message, the Scheduler's claim,
// a stock change) hands it on, so that it leaves if and only if the
// change commits. The Scheduler claims a summary and posts it in one
// transaction: a crash leaves it either unclaimed (another tick or
// instance sends it) or claimed and on its way, never claimed and lost.
// Router.PostTx is one.
type TxPoster interface {
	PostTx(ctx context.Context, q sqlx.ExtContext, e Event) error
}

// Alert is one notification for the owner, as a terminal shows it.
type Alert struct {
	Ticket   int64
	Priority string
	Text     string
}

// Writer shows owner alerts on a terminal or log stream (standard output
// for `serve` without chat channels, standard error for `chat`).
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Send writes the alert as a framed block; it fails only if w does.
func (s *Writer) Send(_ context.Context, a Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := fmt.Fprintf(s.w, "── owner alert ──\n%s\n─────────────────\n", a.Text)
	if err != nil {
		return fmt.Errorf("notify: write alert: %w", err)
	}
	return nil
}
