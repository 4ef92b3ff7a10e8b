package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// journal stores an inbound message; false means it was stored before.
func journal(ctx context.Context, q sqlx.ExtContext, m Message, now time.Time) (bool, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, q.Rebind(`INSERT INTO inbound (channel, platform_id, chat, user_id, owner, text, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel, platform_id) DO NOTHING RETURNING id`),
		m.Channel, m.ID, m.Chat, m.User, m.Owner, m.Text, now.UTC())
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bot: journal: %w", err)
	}
	return true, nil
}

// cleanText makes any input safe to store: valid UTF-8 and no NUL
// (PostgreSQL refuses both).
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// capText keeps the first 64 KiB of a message for handling; the journal
// keeps it whole.
func capText(s string) string {
	const maxText = 64 << 10
	if len(s) <= maxText {
		return s
	}
	s = s[:maxText]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// begin starts a message's transaction. SQLite can refuse BEGIN IMMEDIATE
// with SQLITE_BUSY at once, without its busy timeout, when many
// connections start writing together (seen with 16 goroutines in
// BenchmarkHandleParallel); nothing has been done yet, so a short pause
// and another try is safe, and the message is not refused for it.
func begin(ctx context.Context, db *sqlx.DB) (*sqlx.Tx, error) {
	wait := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		tx, err := db.BeginTxx(ctx, nil)
		if err == nil || attempt == 8 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}
