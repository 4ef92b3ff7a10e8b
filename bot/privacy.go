package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Forgotten counts what Forget erased.
type Forgotten struct {
	Conversations int64
	Messages      int64 // journaled inbound messages
	Tickets       int64
	Replies       int64 // outbox rows, owner alerts about the tickets included
}

// Forget erases what the bot holds about one customer, found by the phone
// number or email address of their orders (and by conversations that typed
// that email): the conversations, their journal, tickets, verification
// links and outbox messages. Orders stay: they are the shop's contracts and
// payment records, kept for their own legal period (see Purge).
//
// Each erase function runs for every erased conversation, inside the same
// transaction, so that what adapters keep of a chat (a web transcript) goes
// with it or not at all.
func Forget(ctx context.Context, db *sqlx.DB, phone, email string, erase ...func(ctx context.Context, tx sqlx.ExtContext, channel, chat string) error) (Forgotten, error) {
	var f Forgotten
	phoneDigits := nationalDigits(phone)
	email = strings.TrimSpace(strings.ToLower(email))
	if len(phoneDigits) < 8 && email == "" {
		return f, fmt.Errorf("bot: forget: give a whole phone number or an email address")
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return f, fmt.Errorf("bot: forget: %w", err)
	}
	defer tx.Rollback()

	// The customer's orders, matched on normalised phone digits or email.
	var orders []struct {
		Number string `db:"number"`
		Phone  string `db:"phone"`
		Email  string `db:"email"`
	}
	if err := tx.SelectContext(ctx, &orders, `SELECT number, phone, email FROM orders`); err != nil {
		return f, fmt.Errorf("bot: forget: orders: %w", err)
	}
	var numbers []string
	for _, o := range orders {
		if (phoneDigits != "" && nationalDigits(o.Phone) == phoneDigits) || (email != "" && strings.EqualFold(strings.TrimSpace(o.Email), email)) {
			numbers = append(numbers, o.Number)
		}
	}
	convIDs := map[int64]bool{}
	if len(numbers) > 0 {
		q, args, err := sqlx.In(`SELECT conversation_id FROM verifications WHERE order_number IN (?)`, numbers)
		if err != nil {
			return f, fmt.Errorf("bot: forget: %w", err)
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), args...); err != nil {
			return f, fmt.Errorf("bot: forget: verifications: %w", err)
		}
		for _, id := range ids {
			convIDs[id] = true
		}
	}
	// Conversations that wrote the email or phone number themselves.
	var chats []struct {
		Channel string `db:"channel"`
		Chat    string `db:"chat"`
	}
	for _, needle := range []string{email, phoneDigits} {
		if needle == "" {
			continue
		}
		var found []struct {
			Channel string `db:"channel"`
			Chat    string `db:"chat"`
		}
		if err := tx.SelectContext(ctx, &found, tx.Rebind(`SELECT DISTINCT channel, chat FROM inbound WHERE LOWER(text) LIKE ?`), "%"+needle+"%"); err != nil {
			return f, fmt.Errorf("bot: forget: journal: %w", err)
		}
		chats = append(chats, found...)
	}
	for _, c := range chats {
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM conversations WHERE channel = ? AND chat = ?`), c.Channel, c.Chat); err != nil {
			return f, fmt.Errorf("bot: forget: %w", err)
		}
		for _, id := range ids {
			convIDs[id] = true
		}
	}
	for id := range convIDs {
		var c conversation
		if err := tx.GetContext(ctx, &c, tx.Rebind(`SELECT * FROM conversations WHERE id = ?`), id); err != nil {
			continue // a verification whose conversation is already gone
		}
		steps := []struct {
			n     *int64
			query string
			args  []any
		}{
			{&f.Replies, `DELETE FROM outbox WHERE ticket IN (SELECT id FROM tickets WHERE channel = ? AND chat = ?)`, []any{c.Channel, c.Chat}},
			{&f.Replies, `DELETE FROM outbox WHERE channel = ? AND chat = ?`, []any{c.Channel, c.Chat}},
			{nil, `DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE channel = ? AND chat = ?)`, []any{c.Channel, c.Chat}},
			{&f.Tickets, `DELETE FROM tickets WHERE channel = ? AND chat = ?`, []any{c.Channel, c.Chat}},
			{&f.Messages, `DELETE FROM inbound WHERE channel = ? AND chat = ?`, []any{c.Channel, c.Chat}},
			{nil, `DELETE FROM verifications WHERE conversation_id = ?`, []any{c.ID}},
			{nil, `DELETE FROM verify_failures WHERE conversation_id = ?`, []any{c.ID}},
			{&f.Conversations, `DELETE FROM conversations WHERE id = ?`, []any{c.ID}},
		}
		for _, s := range steps {
			res, err := tx.ExecContext(ctx, tx.Rebind(s.query), s.args...)
			if err != nil {
				return f, fmt.Errorf("bot: forget: %w", err)
			}
			if s.n != nil {
				n, _ := res.RowsAffected()
				*s.n += n
			}
		}
		for _, e := range erase {
			if err := e(ctx, tx, c.Channel, c.Chat); err != nil {
				return f, fmt.Errorf("bot: forget: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return f, fmt.Errorf("bot: forget: %w", err)
	}
	return f, nil
}

// Retention is how long records are kept. The defaults follow Korea's
// e-commerce consumer-protection rules for records (전자상거래법 시행령 §6):
// consumer complaints and disputes 3 years, contracts and payments 5 years;
// a shop may keep less where the law lets it.
type Retention struct {
	Conversations time.Duration // journal, conversations and resolved tickets (complaint and dispute records)
	Orders        time.Duration // orders and their items (contract and payment records)
	Delivery      time.Duration // sent or failed outbox rows (delivery bookkeeping)
}

// DefaultRetention is 3 years for conversations and tickets, 5 years for
// orders, 30 days for delivery bookkeeping.
var DefaultRetention = Retention{
	Conversations: 3 * 365 * 24 * time.Hour,
	Orders:        5 * 365 * 24 * time.Hour,
	Delivery:      30 * 24 * time.Hour,
}

// Purged counts what Purge deleted.
type Purged struct {
	Messages, Conversations, Tickets, Orders, Replies int64
}

// Purge deletes the records older than r allows, as of now. Open tickets
// and their conversations are kept whatever their age.
func Purge(ctx context.Context, db *sqlx.DB, r Retention, now time.Time) (Purged, error) {
	var p Purged
	conv := now.Add(-r.Conversations).UTC()
	steps := []struct {
		n     *int64
		query string
		args  []any
	}{
		{&p.Messages, `DELETE FROM inbound WHERE received_at < ?`, []any{conv}},
		{nil, `DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE status = 'resolved' AND updated_at < ?)`, []any{conv}},
		{&p.Tickets, `DELETE FROM tickets WHERE status = 'resolved' AND updated_at < ?`, []any{conv}},
		{&p.Conversations, `DELETE FROM conversations WHERE updated_at < ? AND NOT EXISTS
			(SELECT 1 FROM tickets t WHERE t.channel = conversations.channel AND t.chat = conversations.chat)`, []any{conv}},
		{nil, `DELETE FROM verify_failures WHERE at < ?`, []any{now.Add(-24 * time.Hour).UTC()}},
		{&p.Replies, `DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?`, []any{now.Add(-r.Delivery).UTC()}},
		{nil, `DELETE FROM order_items WHERE order_number IN (SELECT number FROM orders WHERE ordered_at < ?)`, []any{now.Add(-r.Orders).UTC()}},
		{&p.Orders, `DELETE FROM orders WHERE ordered_at < ?`, []any{now.Add(-r.Orders).UTC()}},
	}
	for _, s := range steps {
		res, err := db.ExecContext(ctx, db.Rebind(s.query), s.args...)
		if err != nil {
			return p, fmt.Errorf("bot: purge: %w", err)
		}
		if s.n != nil {
			n, _ := res.RowsAffected()
			*s.n += n
		}
	}
	// Verification links of conversations that are gone.
	if _, err := db.ExecContext(ctx, `DELETE FROM verifications WHERE conversation_id NOT IN (SELECT id FROM conversations)`); err != nil {
		return p, fmt.Errorf("bot: purge: %w", err)
	}
	return p, nil
}
