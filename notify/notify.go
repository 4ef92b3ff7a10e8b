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
	"sync"

	"github.com/shopbot/shopbot/bot/schema"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the migrations of notify's tables: claims (things done once
// across instances) and the router's record of alerts.
var Schema = schema.Embedded("notify", schemaFS, "schema")

// Event kinds raised by notify itself, next to the bot's ticket events
// ("new", "message", "escalated", "answered", "claimed", "resolved").
const (
	KindStock      = "stock"       // a product reached its safety stock or zero (Key "stock:SKU")
	KindSLAWarning = "sla_warning" // 80% of a ticket's first-response time is gone (Key "ticket:N")
	KindSLAMissed  = "sla_missed"  // a ticket's first-response time has passed (Key "ticket:N")
	KindFailure    = "failure"     // the bot itself needs a person (Key "failure:CHANNEL")
	KindDigest     = "digest"      // alerts folded together by the router
	KindSummary    = "summary"     // the daily or weekly summary: to every destination
)

// Event is something the owner may hear of: a ticket event from the bot,
// or an event notify raised itself.
type Event struct {
	Source   int64  // the id of the message that carried it, for exactly-once fan-out
	Ticket   int64  // ticket id, if about a ticket
	Priority string // "urgent", "high", "normal", "low"
	Kind     string // "new", "message", "escalated", "answered", "claimed", "resolved", or a Kind* constant
	Text     string // what the owner reads
	Key      string // what it is about ("ticket:12", "stock:SKU"): coalescing and threading
	Image    []byte // an optional PNG (the summary chart)
}

// Sender delivers an event to one destination. Sending the same Source to
// the same destination twice must deliver it once (the outbox's Forward
// does this).
type Sender interface {
	Send(ctx context.Context, d Destination, e Event) error
}

// Poster puts an event raised by notify on its way to the router (in
// shopbot: the outbox channel "notify"). Posting the same Source twice must
// post it once; Sources from notify are negative, so they never meet the
// outbox's own ids.
type Poster interface {
	Post(ctx context.Context, e Event) error
}

// TxPoster is a Poster that can post within the caller's transaction. The
// Scheduler then claims a summary and posts it in one transaction: a crash
// leaves it either unclaimed (another tick or instance sends it) or
// claimed and on its way, never claimed and lost.
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
