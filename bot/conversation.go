package bot

import (
	"context"
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
	query, args := c.update(now)
	if _, err := q.ExecContext(ctx, q.Rebind(query), args...); err != nil {
		return fmt.Errorf("bot: save conversation: %w", err)
	}
	return nil
}

// update is the statement that saves the conversation, and its arguments.
func (c *conversation) update(now time.Time) (string, []any) {
	return `UPDATE conversations SET name = ?, lang = ?, state = ?, state_data = ?, answered = ?, updated_at = ? WHERE id = ?`,
		[]any{c.Name, c.Lang, c.State, c.StateData, c.Answered, now.UTC(), c.ID}
}

// saveAndEnqueue saves conv (nil: nothing to save) and queues out, setting
// each reply's outbox id: all the replies in one multi-row INSERT and, on
// PostgreSQL, the conversation's UPDATE in the same statement (a
// data-modifying WITH, which SQLite does not have).
func saveAndEnqueue(ctx context.Context, q sqlx.ExtContext, conv *conversation, out []Reply, now time.Time) error {
	if conv == nil || len(out) == 0 || q.DriverName() != "postgres" {
		if conv != nil {
			if err := conv.save(ctx, q, now); err != nil {
				return err
			}
		}
		return enqueueAll(ctx, q, "", nil, out, now)
	}
	query, args := conv.update(now)
	return enqueueAll(ctx, q, "WITH saved AS ("+query+") ", args, out, now)
}

func (c *conversation) setState(state, data string) { c.State, c.StateData = state, data }

// Conversations reads the bot's conversations for other packages (the
// owner's summary, shipment announcements), which never name its tables,
// and seeds them for those packages' tests. It is a cheap value: build
// one per database or transaction.
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

// ConversationSeed is a conversation as the engine leaves it, in the terms
// the other packages read back through Conversations.
type ConversationSeed struct {
	Channel, Chat string
	Lang          string    // "": not detected yet
	Answered      int       // messages the bot answered itself
	Created       time.Time // the first message
	Updated       time.Time // the latest message
	Verified      []string  // order numbers the customer proved, at Updated
}

// Seed stores s as if the engine had handled its messages. It is for the
// tests of packages that read conversations (a summary's counts, whom a
// shipment is announced to): they set the bot's rows up through the bot,
// never by its tables, and need no engine and no shop for it. A
// conversation of s's channel and chat already stored is an error.
func (c Conversations) Seed(ctx context.Context, s ConversationSeed) error {
	var id int64
	err := sqlx.GetContext(ctx, c.q, &id, c.q.Rebind(`INSERT INTO conversations (channel, chat, lang, answered, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), s.Channel, s.Chat, s.Lang, s.Answered, s.Created.UTC(), s.Updated.UTC())
	if err != nil {
		return fmt.Errorf("bot: seed conversation: %w", err)
	}
	for _, number := range s.Verified {
		if err := markVerified(ctx, c.q, id, number, s.Updated); err != nil {
			return err
		}
	}
	return nil
}
