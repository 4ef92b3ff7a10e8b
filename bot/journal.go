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

// arrival is what the first statement of a customer's message learns on
// PostgreSQL (see arrive).
type arrival struct {
	fresh bool          // the message was not journaled before
	conv  *conversation // nil: load it again (see arrive)
	// The chat's messages in the flood limits' windows, this one included.
	sinceShort, sinceLong int
}

// arrive journals a customer's message, finds or creates its conversation
// (locking it, as loadConversation does) and counts the chat's recent
// messages (as recentMessages does) in one statement: one round trip to
// PostgreSQL instead of three. (SQLite has no data-modifying WITH; its
// statements cost no round trip, so it takes the three.)
//
// The count reads the statement's snapshot, taken before the conversation's
// lock was granted: a message of the same chat committed while this one
// waited for the lock would be missing from it. So the conversation is
// only updated (and returned) if it is still the version of that snapshot
// (same xmin; a conversation created by another message meanwhile has a
// version the snapshot did not see). Otherwise the row is locked all the
// same (ON CONFLICT DO UPDATE locks what it does not update) and conv is
// nil: the caller loads it and counts again, with a fresh snapshot.
func arrive(ctx context.Context, q sqlx.ExtContext, m Message, name string, now, short, long time.Time) (arrival, error) {
	now = now.UTC()
	var r struct {
		Fresh     bool       `db:"fresh"`
		Short     int        `db:"short"`
		Long      int        `db:"long"`
		ID        *int64     `db:"id"`
		Channel   *string    `db:"channel"`
		Chat      *string    `db:"chat"`
		UserID    *string    `db:"user_id"`
		Name      *string    `db:"name"`
		Lang      *string    `db:"lang"`
		State     *string    `db:"state"`
		StateData *string    `db:"state_data"`
		Answered  *int       `db:"answered"`
		CreatedAt *time.Time `db:"created_at"`
		UpdatedAt *time.Time `db:"updated_at"`
	}
	err := sqlx.GetContext(ctx, q, &r, q.Rebind(`WITH j AS (
			INSERT INTO inbound (channel, platform_id, chat, user_id, owner, text, received_at)
			VALUES (?, ?, ?, ?, FALSE, ?, ?) ON CONFLICT (channel, platform_id) DO NOTHING RETURNING id),
		seen AS (SELECT xmin FROM conversations WHERE channel = ? AND chat = ?),
		c AS (
			INSERT INTO conversations (channel, chat, user_id, name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, chat) DO UPDATE SET updated_at = excluded.updated_at
			WHERE conversations.xmin = (SELECT xmin FROM seen) RETURNING *),
		n AS (
			SELECT COALESCE(SUM(CASE WHEN received_at > ? THEN 1 ELSE 0 END), 0) AS short, COUNT(*) AS long
			FROM inbound WHERE channel = ? AND chat = ? AND received_at > ?)
		SELECT EXISTS (SELECT 1 FROM j) AS fresh, n.short, n.long, c.id, c.channel, c.chat, c.user_id, c.name, c.lang,
			c.state, c.state_data, c.answered, c.created_at, c.updated_at
		FROM n LEFT JOIN c ON TRUE`),
		m.Channel, m.ID, m.Chat, m.User, m.Text, now,
		m.Channel, m.Chat,
		m.Channel, m.Chat, m.User, name, now, now,
		short.UTC(), m.Channel, m.Chat, long.UTC())
	if err != nil {
		return arrival{}, fmt.Errorf("bot: journal: %w", err)
	}
	a := arrival{fresh: r.Fresh}
	if r.Fresh { // the counts' snapshot did not see the message itself
		a.sinceShort, a.sinceLong = r.Short+1, r.Long+1
	}
	if r.ID != nil {
		a.conv = &conversation{ID: *r.ID, Channel: *r.Channel, Chat: *r.Chat, UserID: *r.UserID, Name: *r.Name, Lang: *r.Lang,
			State: *r.State, StateData: *r.StateData, Answered: *r.Answered, CreatedAt: *r.CreatedAt, UpdatedAt: *r.UpdatedAt}
	}
	return a, nil
}

// conversation is the conversation arrive found, nil when there is none to
// use (a nil arrival: SQLite, or an owner's message).
func (a *arrival) conversation() *conversation {
	if a == nil {
		return nil
	}
	return a.conv
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
