package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Conversation states: what the bot is waiting for from the customer.
const (
	stateIdle       = ""
	stateVerify     = "verify"      // state data: the order number being verified
	stateOrderAsked = "order_asked" // asked for an order number
	stateClarify    = "clarify"     // state data: the offered entry ids, space-separated
)

// conversation is one customer's chat on one channel.
type conversation struct {
	ID        int64     `db:"id"`
	Channel   string    `db:"channel"`
	Chat      string    `db:"chat"`
	UserID    string    `db:"user_id"`
	Name      string    `db:"name"`
	Lang      string    `db:"lang"`
	State     string    `db:"state"`
	StateData string    `db:"state_data"`
	Answered  int       `db:"answered"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// loadConversation returns the conversation of (channel, chat), creating it.
func loadConversation(ctx context.Context, q sqlx.ExtContext, m Message, now time.Time) (*conversation, error) {
	// One statement finds or creates the row and locks it for the
	// transaction, so two messages of one chat are handled one after the
	// other (PostgreSQL; SQLite has one writer anyway).
	var c conversation
	now = now.UTC()
	err := sqlx.GetContext(ctx, q, &c, q.Rebind(`INSERT INTO conversations (channel, chat, user_id, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, chat) DO UPDATE SET updated_at = excluded.updated_at RETURNING *`),
		m.Channel, m.Chat, m.User, m.Name, now, now)
	if err != nil {
		return nil, fmt.Errorf("bot: conversation: %w", err)
	}
	return &c, nil
}

// save writes the conversation's state, language and counters back.
func (c *conversation) save(ctx context.Context, q sqlx.ExtContext, now time.Time) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE conversations SET name = ?, lang = ?, state = ?, state_data = ?, answered = ?, updated_at = ? WHERE id = ?`),
		c.Name, c.Lang, c.State, c.StateData, c.Answered, now.UTC(), c.ID)
	if err != nil {
		return fmt.Errorf("bot: save conversation: %w", err)
	}
	return nil
}

func (c *conversation) setState(state, data string) { c.State, c.StateData = state, data }

// verified reports whether the conversation proved it owns the order
// since since: a verification lasts Config.VerifyTTL.
func verified(ctx context.Context, q sqlx.ExtContext, convID int64, number string, since time.Time) (bool, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COUNT(*) FROM verifications WHERE conversation_id = ? AND order_number = ? AND verified_at > ?`),
		convID, number, since.UTC())
	if err != nil {
		return false, fmt.Errorf("bot: verified: %w", err)
	}
	return n > 0, nil
}

// lastVerified returns the order the conversation verified most recently
// since since, or "" if none.
func lastVerified(ctx context.Context, q sqlx.ExtContext, convID int64, since time.Time) (string, error) {
	var numbers []string
	err := sqlx.SelectContext(ctx, q, &numbers, q.Rebind(`SELECT order_number FROM verifications WHERE conversation_id = ? AND verified_at > ?
		ORDER BY verified_at DESC, order_number LIMIT 1`), convID, since.UTC())
	if err != nil {
		return "", fmt.Errorf("bot: last verified: %w", err)
	}
	if len(numbers) == 0 {
		return "", nil
	}
	return numbers[0], nil
}

// markVerified records (or renews) the conversation's proof of the order.
func markVerified(ctx context.Context, q sqlx.ExtContext, convID int64, number string, now time.Time) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO verifications (conversation_id, order_number, verified_at) VALUES (?, ?, ?)
		ON CONFLICT (conversation_id, order_number) DO UPDATE SET verified_at = excluded.verified_at`), convID, number, now.UTC())
	if err != nil {
		return fmt.Errorf("bot: mark verified: %w", err)
	}
	return nil
}

// recordFailure stores a failed verification of the order number (whether
// or not such an order exists) from the conversation and network, and
// returns how many the conversation has had in the last hour, this one
// included.
func recordFailure(ctx context.Context, q sqlx.ExtContext, convID int64, number, network string, now time.Time) (int, error) {
	if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO verify_failures (conversation_id, order_number, network, at) VALUES (?, ?, ?, ?)`),
		convID, number, network, now.UTC()); err != nil {
		return 0, fmt.Errorf("bot: record failure: %w", err)
	}
	return recentFailures(ctx, q, convID, now)
}

func recentFailures(ctx context.Context, q sqlx.ExtContext, convID int64, now time.Time) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COUNT(*) FROM verify_failures WHERE conversation_id = ? AND at > ?`),
		convID, now.Add(-time.Hour).UTC())
	if err != nil {
		return 0, fmt.Errorf("bot: failures: %w", err)
	}
	return n, nil
}

// failureScope is what failed verifications are counted against besides
// the conversation: one order number across every chat, or one network
// (an IPv4 /24, an IPv6 /64) across every visitor from it.
type failureScope struct {
	column string // "order_number" or "network"
	key    string
	lock   Lockout
}

// lockedUntil returns when the scope's lockout ends, or the zero time when
// it is not locked. A scope with lock.After failures in the last day is
// locked from its latest failure for lock.For, doubled for every failure
// past After (capped at a day): each guess that gets through buys a
// longer wait.
func (s failureScope) lockedUntil(ctx context.Context, q sqlx.ExtContext, now time.Time) (time.Time, int, error) {
	if s.key == "" || s.lock.After <= 0 {
		return time.Time{}, 0, nil
	}
	since := now.Add(-24 * time.Hour).UTC()
	var ats []time.Time
	// The column name is one of two constants, never input.
	err := sqlx.SelectContext(ctx, q, &ats, q.Rebind(`SELECT at FROM verify_failures WHERE `+s.column+` = ? AND at > ? ORDER BY at DESC LIMIT ?`),
		s.key, since, s.lock.After+12)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("bot: lockout: %w", err)
	}
	n := len(ats)
	if n < s.lock.After {
		return time.Time{}, n, nil
	}
	d := s.lock.For << (n - s.lock.After)
	if d <= 0 || d > 24*time.Hour {
		d = 24 * time.Hour
	}
	until := ats[0].Add(d)
	if !until.After(now) {
		return time.Time{}, n, nil
	}
	return until, n, nil
}

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

// recentMessages counts a chat's inbound messages since short and since long
// (short after long), the one being handled included.
func recentMessages(ctx context.Context, q sqlx.ExtContext, channel, chat string, short, long time.Time) (sinceShort, sinceLong int, err error) {
	// One query for both windows (short after long): the chat's index
	// (channel, chat, received_at) gives the long window's rows.
	var n struct {
		Short int `db:"short"`
		Long  int `db:"long"`
	}
	err = sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COALESCE(SUM(CASE WHEN received_at > ? THEN 1 ELSE 0 END), 0) AS short, COUNT(*) AS long
		FROM inbound WHERE channel = ? AND chat = ? AND received_at > ?`), short.UTC(), channel, chat, long.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("bot: rate: %w", err)
	}
	return n.Short, n.Long, nil
}

// Conversations reads the bot's conversations for other packages (the
// owner's summary, shipment announcements), which never name its tables.
// It is a cheap value: build one per database or transaction.
type Conversations struct{ q sqlx.ExtContext }

// NewConversations reads through q, a *sqlx.DB or a *sqlx.Tx.
func NewConversations(q sqlx.ExtContext) Conversations { return Conversations{q: q} }

// Active calls f for each conversation active in [from, to) — begun before
// to and last touched at or after from (for a past day this also counts
// ones that went on later) — with how many messages the bot answered in it.
func (c Conversations) Active(ctx context.Context, from, to time.Time, f func(channel, chat string, answered int)) error {
	var rows []struct {
		Channel  string `db:"channel"`
		Chat     string `db:"chat"`
		Answered int    `db:"answered"`
	}
	if err := sqlx.SelectContext(ctx, c.q, &rows, c.q.Rebind(`SELECT channel, chat, answered FROM conversations
		WHERE created_at < ? AND updated_at >= ?`), to.UTC(), from.UTC()); err != nil {
		return fmt.Errorf("bot: active conversations: %w", err)
	}
	for _, r := range rows {
		f(r.Channel, r.Chat, r.Answered)
	}
	return nil
}

// OrderChat is a conversation that verified an order: where to tell its
// customer about the order, and in which language.
type OrderChat struct {
	Channel string `db:"channel"`
	Chat    string `db:"chat"`
	Lang    string `db:"lang"`
}

// Verified returns the conversations that verified order number, each once.
func (c Conversations) Verified(ctx context.Context, number string) ([]OrderChat, error) {
	var chats []OrderChat
	err := sqlx.SelectContext(ctx, c.q, &chats, c.q.Rebind(`SELECT DISTINCT c.channel, c.chat, c.lang
		FROM verifications v JOIN conversations c ON c.id = v.conversation_id WHERE v.order_number = ?`), number)
	if err != nil {
		return nil, fmt.Errorf("bot: verified conversations of %s: %w", number, err)
	}
	return chats, nil
}
