// Package tickets owns the conversations a person must answer: the Ticket,
// its priority, category and SLA, Classify (which customer messages need a
// person) and the ticket store.
package tickets

import (
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot/schema"
)

// Priority orders tickets by how soon a person must answer.
type Priority string

// The priorities, most urgent first.
const (
	Urgent Priority = "urgent" // legal threat, fraud, safety, unshipped cancellation, third unanswered message
	High   Priority = "high"   // complaint, refund, return, exchange, payment problem
	Normal Priority = "normal" // a question the bot could not answer
	Low    Priority = "low"    // feedback, suggestions, abuse
)

// Priorities lists every priority, most urgent first.
var Priorities = []Priority{Urgent, High, Normal, Low}

// Rank is the sort order of p: urgent 0, high 1, normal 2, low 3. An unknown
// priority ranks after low (4).
func (p Priority) Rank() int {
	switch p {
	case Urgent:
		return 0
	case High:
		return 1
	case Normal:
		return 2
	case Low:
		return 3
	}
	return 4
}

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool { return p.Rank() < 4 }

// Higher reports whether p is more urgent than q.
func (p Priority) Higher(q Priority) bool { return p.Rank() < q.Rank() }

// ParsePriority reads a priority name, ignoring case and surrounding space.
// It returns an error naming the input for anything else.
func ParsePriority(s string) (Priority, error) {
	p := Priority(strings.ToLower(strings.TrimSpace(s)))
	if !p.Valid() {
		return "", fmt.Errorf("tickets: unknown priority %q (want urgent, high, normal or low)", s)
	}
	return p, nil
}

// Category says why a conversation needs a person.
type Category string

// The categories.
const (
	Complaint    Category = "complaint"    // damaged, defective, wrong or missing item, late delivery
	Cancellation Category = "cancellation" // the customer wants to cancel an order
	Refund       Category = "refund"       // the customer asks for a refund
	Return       Category = "return"       // the customer wants to return an item
	Exchange     Category = "exchange"     // the customer wants an exchange
	Payment      Category = "payment"      // a payment went wrong
	Escalation   Category = "escalation"   // legal threat, fraud accusation, safety
	Abuse        Category = "abuse"        // insults and harassment
	Question     Category = "question"     // a question the bot could not answer
	Feedback     Category = "feedback"     // suggestions and compliments
)

// Status is where a ticket is in its life: open → pending → resolved; a
// customer message makes a pending ticket open again.
type Status string

// The statuses.
const (
	Open     Status = "open"     // waiting on the owner
	Pending  Status = "pending"  // owner answered, waiting on customer
	Resolved Status = "resolved" // closed by the owner
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool { return s == Open || s == Pending || s == Resolved }

// Authors of ticket messages.
const (
	AuthorCustomer = "customer"
	AuthorOwner    = "owner"
	AuthorBot      = "bot"
)

// MaxSubjectRunes is how much of the first customer message a ticket keeps
// as its subject.
const MaxSubjectRunes = 500

// Ticket is one conversation that needs a person.
type Ticket struct {
	ID            int64
	Channel, Chat string // the customer's conversation: channel name ("console", "telegram", "web") and chat id
	Customer      string // display name, may be empty
	OrderNumber   string
	Category      Category
	Priority      Priority
	Status        Status
	Subject       string // the first customer message, truncated to MaxSubjectRunes runes
	Lang          string // customer language "ko", "en" or "zh"
	ClaimedBy     string
	ResolvedBy    string // who closed it

	CreatedAt, UpdatedAt, DueAt time.Time // DueAt: first response due (CreatedAt + SLA)
	FirstResponseAt, ResolvedAt *time.Time

	Messages int // number of messages on the ticket, from any author

	// Ref is the reference the customer sees ("K7Q2XM"): random, unlike
	// ID, which only the owner sees, so it reveals nothing of the shop's
	// volume.
	Ref string
}

// Overdue reports whether the ticket is unresolved, has had no first
// response and its DueAt has passed at now.
func (t *Ticket) Overdue(now time.Time) bool {
	return t.Status != Resolved && t.FirstResponseAt == nil && t.DueAt.Before(now)
}

// Message is one message on a ticket.
type Message struct {
	ID, TicketID int64
	Author       string // "customer" | "owner" | "bot"
	By           string // who: customer name or id, owner id
	Text         string
	At           time.Time
	Presses      bool // a customer's message that pressed (asked again on a ticket that needs a person)
}

// SLA is the first-response target per priority.
type SLA map[Priority]time.Duration

// DefaultSLA is used when no SLA is configured, and for any priority a
// configured SLA leaves out.
var DefaultSLA = SLA{Urgent: time.Hour, High: 4 * time.Hour, Normal: 24 * time.Hour, Low: 72 * time.Hour}

// Target is the first-response time allowed for priority p: s[p] if set and
// positive, else DefaultSLA[p], else 24 hours.
func (s SLA) Target(p Priority) time.Duration {
	if d, ok := s[p]; ok && d > 0 {
		return d
	}
	if d, ok := DefaultSLA[p]; ok {
		return d
	}
	return 24 * time.Hour
}

// Sentinel errors, checked with errors.Is.
var (
	ErrNotFound = errors.New("tickets: not found")
	ErrResolved = errors.New("tickets: already resolved")
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the migrations of the tickets and ticket_messages tables.
var Schema = schema.Embedded("tickets", schemaFS, "schema")
