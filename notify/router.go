package notify

import (
	"context"
	"fmt"
)

// Destination is one place an owner reads: a channel and a chat on it.
type Destination struct {
	Channel string
	Chat    string
	// Every asks for every ticket event (a work queue, such as a Slack
	// channel). Otherwise only the events of urgent tickets arrive: a phone
	// that buzzes only for what cannot wait.
	Every bool
}

// Event is something that happened to a ticket.
type Event struct {
	Source   int64  // the id of the message that carried it, for exactly-once fan-out
	Ticket   int64  // ticket id
	Priority string // "urgent", "high", "normal", "low"
	Kind     string // "new", "message", "escalated", "answered", "claimed", "resolved"
	Text     string // what the owner reads
	Key      string // what it is about ("ticket:12", "stock:SKU"): coalescing and threading
}

// Sender delivers an event to one destination.
type Sender interface {
	Send(ctx context.Context, d Destination, e Event) error
}

// Router decides which owner destinations hear of an event.
type Router struct {
	Destinations []Destination
	Sender       Sender
}

// Route sends e to every destination that wants it. It stops at the first
// failure; sending the same event again is safe (the Sender drops copies).
func (r *Router) Route(ctx context.Context, e Event) error {
	for _, d := range r.Destinations {
		if !d.Every && e.Priority != "urgent" {
			continue
		}
		if err := r.Sender.Send(ctx, d, e); err != nil {
			return fmt.Errorf("notify: route ticket %d to %s: %w", e.Ticket, d.Channel, err)
		}
	}
	return nil
}
