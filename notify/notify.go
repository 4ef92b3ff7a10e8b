// Package notify owns what shopbot tells the shop owner on its own: the
// daily summary and its schedule, and the writer that shows owner alerts
// when no chat channel is configured.
package notify

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Alert is one notification for the owner.
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
