package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
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
	numbers, err := shop.NewStore(tx).OrderNumbers(ctx, func(phone, mail string) bool {
		return (phoneDigits != "" && nationalDigits(phone) == phoneDigits) || (email != "" && strings.EqualFold(strings.TrimSpace(mail), email))
	})
	if err != nil {
		return f, fmt.Errorf("bot: forget: %w", err)
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
		ids, err := tickets.NewStore(tx, nil).Forget(ctx, c.Channel, c.Chat)
		if err != nil {
			return f, fmt.Errorf("bot: forget: %w", err)
		}
		f.Tickets += int64(len(ids))
		if len(ids) > 0 {
			// The owner alerts about those tickets, wherever they went.
			q, args, err := sqlx.In(`DELETE FROM outbox WHERE ticket IN (?)`, ids)
			if err != nil {
				return f, fmt.Errorf("bot: forget: %w", err)
			}
			res, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
			if err != nil {
				return f, fmt.Errorf("bot: forget: %w", err)
			}
			n, _ := res.RowsAffected()
			f.Replies += n
		}
		steps := []struct {
			n     *int64
			query string
			args  []any
		}{
			{&f.Replies, `DELETE FROM outbox WHERE channel = ? AND chat = ?`, []any{c.Channel, c.Chat}},
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

// Purge deletes the records older than r allows, as of now, in one
// transaction: each owner's part (the bot's journal, conversations and
// outbox, the tickets, the shop's orders) through its own store. Open
// tickets and their conversations are kept whatever their age.
func Purge(ctx context.Context, db *sqlx.DB, r Retention, now time.Time) (Purged, error) {
	var p Purged
	conv := now.Add(-r.Conversations).UTC()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return p, fmt.Errorf("bot: purge: %w", err)
	}
	defer tx.Rollback()
	wrap := func(err error) (Purged, error) { return Purged{}, fmt.Errorf("bot: purge: %w", err) }

	tk := tickets.NewStore(tx, nil)
	if p.Tickets, err = tk.Purge(ctx, conv); err != nil {
		return wrap(err)
	}
	// Old conversations go unless a ticket (open or kept) still names them.
	var old []struct {
		ID      int64  `db:"id"`
		Channel string `db:"channel"`
		Chat    string `db:"chat"`
	}
	if err := tx.SelectContext(ctx, &old, tx.Rebind(`SELECT id, channel, chat FROM conversations WHERE updated_at < ? ORDER BY id`), conv); err != nil {
		return wrap(err)
	}
	for _, c := range old {
		kept, err := tk.HasTickets(ctx, c.Channel, c.Chat)
		if err != nil {
			return wrap(err)
		}
		if kept {
			continue
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM conversations WHERE id = ?`), c.ID)
		if err != nil {
			return wrap(err)
		}
		n, _ := res.RowsAffected()
		p.Conversations += n
	}
	steps := []struct {
		n     *int64
		query string
		args  []any
	}{
		{&p.Messages, `DELETE FROM inbound WHERE received_at < ?`, []any{conv}},
		{nil, `DELETE FROM verify_failures WHERE at < ?`, []any{now.Add(-24 * time.Hour).UTC()}},
		{&p.Replies, `DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?`, []any{now.Add(-r.Delivery).UTC()}},
		// Verification links of conversations that are gone.
		{nil, `DELETE FROM verifications WHERE conversation_id NOT IN (SELECT id FROM conversations)`, nil},
	}
	for _, s := range steps {
		res, err := tx.ExecContext(ctx, tx.Rebind(s.query), s.args...)
		if err != nil {
			return wrap(err)
		}
		if s.n != nil {
			n, _ := res.RowsAffected()
			*s.n += n
		}
	}
	if p.Orders, err = shop.NewStore(tx).PurgeOrders(ctx, now.Add(-r.Orders)); err != nil {
		return wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(err)
	}
	return p, nil
}
