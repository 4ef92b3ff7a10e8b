package tickets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// Store keeps tickets and their messages. It is a cheap value: build one per
// transaction with NewStore. Given a *sqlx.DB, each method that writes runs
// in a transaction of its own; given a *sqlx.Tx, it runs inside the caller's.
type Store struct {
	q   sqlx.ExtContext
	sla SLA
}

// NewStore returns a store that reads and writes through q (a *sqlx.DB or a
// *sqlx.Tx) and computes due times with sla (nil: DefaultSLA).
func NewStore(q sqlx.ExtContext, sla SLA) *Store {
	if sla == nil {
		sla = DefaultSLA
	}
	return &Store{q: q, sla: sla}
}

const ticketCols = `id, channel, chat, customer, order_number, category, priority, status, subject, lang,
	claimed_by, resolved_by, created_at, updated_at, due_at, first_response_at, resolved_at, messages, ref`

type ticketRow struct {
	ID              int64        `db:"id"`
	Channel         string       `db:"channel"`
	Chat            string       `db:"chat"`
	Customer        string       `db:"customer"`
	OrderNumber     string       `db:"order_number"`
	Category        string       `db:"category"`
	Priority        string       `db:"priority"`
	Status          string       `db:"status"`
	Subject         string       `db:"subject"`
	Lang            string       `db:"lang"`
	ClaimedBy       string       `db:"claimed_by"`
	ResolvedBy      string       `db:"resolved_by"`
	CreatedAt       time.Time    `db:"created_at"`
	UpdatedAt       time.Time    `db:"updated_at"`
	DueAt           time.Time    `db:"due_at"`
	FirstResponseAt sql.NullTime `db:"first_response_at"`
	ResolvedAt      sql.NullTime `db:"resolved_at"`
	Messages        int          `db:"messages"`
	Ref             string       `db:"ref"`
}

func (r *ticketRow) ticket() *Ticket {
	t := &Ticket{
		ID: r.ID, Channel: r.Channel, Chat: r.Chat, Customer: r.Customer, OrderNumber: r.OrderNumber,
		Category: Category(r.Category), Priority: Priority(r.Priority), Status: Status(r.Status),
		Subject: r.Subject, Lang: r.Lang, ClaimedBy: r.ClaimedBy, ResolvedBy: r.ResolvedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DueAt: r.DueAt.UTC(),
		Messages: r.Messages, Ref: r.Ref,
	}
	if r.FirstResponseAt.Valid {
		at := r.FirstResponseAt.Time.UTC()
		t.FirstResponseAt = &at
	}
	if r.ResolvedAt.Valid {
		at := r.ResolvedAt.Time.UTC()
		t.ResolvedAt = &at
	}
	return t
}

// atomically runs f in a transaction when the store holds a *sqlx.DB, and
// directly in the caller's transaction otherwise.
func (s *Store) atomically(ctx context.Context, f func(q sqlx.ExtContext) error) error {
	db, ok := s.q.(*sqlx.DB)
	if !ok {
		return f(s.q)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Open opens a ticket for t.Channel/t.Chat with firstText as its first
// customer message, due at now + the SLA of t.Priority (empty: Normal;
// empty category: Question). The subject is t.Subject, or else firstText,
// cut to MaxSubjectRunes runes.
//
// An empty firstText (a ticket the bot opens on its own, such as a
// verification lockout) stores no customer message: t.Subject says why.
//
// There is at most one unresolved ticket per conversation: if one exists,
// firstText joins it as a customer message (reopening it if pending), its
// empty order number, customer name and language are filled in from t, its
// priority and category are raised to t's if t's priority is higher (never
// lowered; DueAt is then recomputed from its CreatedAt), and created is
// false. Concurrent opens for one conversation yield one ticket. Open
// ignores t's ID, Status, times, ResolvedBy and Messages.
func (s *Store) Open(ctx context.Context, t Ticket, firstText string, now time.Time) (tk *Ticket, created bool, err error) {
	if t.Channel == "" || t.Chat == "" {
		return nil, false, errors.New("tickets: open: channel and chat are required")
	}
	if t.Priority == "" {
		t.Priority = Normal
	}
	if !t.Priority.Valid() {
		return nil, false, fmt.Errorf("tickets: open: unknown priority %q", t.Priority)
	}
	if t.Category == "" {
		t.Category = Question
	}
	now = now.UTC()
	firstText = clean(firstText)
	subject := clean(t.Subject)
	if subject == "" {
		subject = firstText
	}
	subject = truncate(subject, MaxSubjectRunes)
	err = s.atomically(ctx, func(q sqlx.ExtContext) error {
		// A concurrent Open may insert between our look-up and our insert;
		// ON CONFLICT DO NOTHING then returns no row and we look again.
		for range 5 {
			cur, err := current(ctx, q, t.Channel, t.Chat)
			if err == nil {
				tk, err = s.join(ctx, q, cur, t, firstText, now)
				if errors.Is(err, ErrResolved) {
					continue // closed meanwhile: open a new one
				}
				return err
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
			var id int64
			// A clash of random references (one in a billion per pair)
			// also returns no row: the next round draws another.
			err = sqlx.GetContext(ctx, q, &id, q.Rebind(`INSERT INTO tickets
				(channel, chat, customer, order_number, category, priority, priority_rank, status, subject, lang,
				 claimed_by, created_at, updated_at, due_at, messages, ref)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
				ON CONFLICT DO NOTHING RETURNING id`),
				clean(t.Channel), clean(t.Chat), clean(t.Customer), clean(t.OrderNumber), string(t.Category),
				string(t.Priority), t.Priority.Rank(), string(Open), subject, clean(t.Lang), clean(t.ClaimedBy),
				now, now, now.Add(s.sla.Target(t.Priority)), newRef())
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if firstText != "" {
				if err := insertMessage(ctx, q, id, AuthorCustomer, t.Customer, firstText, t.Category.NeedsPerson(), now); err != nil {
					return err
				}
			} else if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET messages = 0 WHERE id = ?`), id); err != nil {
				return err
			}
			created = true
			tk, err = get(ctx, q, id)
			return err
		}
		return errors.New("the conversation's ticket keeps changing")
	})
	if err != nil {
		return nil, false, fmt.Errorf("tickets: open: %w", err)
	}
	return tk, created, nil
}

// join adds text to the existing ticket cur on behalf of t. It returns
// ErrResolved if cur was resolved after it was read.
func (s *Store) join(ctx context.Context, q sqlx.ExtContext, cur *Ticket, t Ticket, text string, now time.Time) (*Ticket, error) {
	// This update also locks the row (PostgreSQL) for the rest of the
	// transaction, so concurrent joins count each other's messages.
	res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET
		order_number = CASE WHEN order_number = '' THEN ? ELSE order_number END,
		customer = CASE WHEN customer = '' THEN ? ELSE customer END,
		lang = CASE WHEN lang = '' THEN ? ELSE lang END
		WHERE id = ? AND status <> ?`), clean(t.OrderNumber), clean(t.Customer), clean(t.Lang), cur.ID, string(Resolved))
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, ErrResolved
	}
	if text != "" {
		if err := s.addCustomer(ctx, q, cur, t.Customer, text, t.Category.NeedsPerson(), now); err != nil {
			return nil, err
		}
	}
	if err := s.raise(ctx, q, cur, t.Priority, t.Category, now); err != nil {
		return nil, err
	}
	return get(ctx, q, cur.ID)
}

// addCustomer records a customer message on tk: a pending ticket opens
// again. A message that presses (one on a complaint, cancellation or
// another ticket that NeedsPerson) counts towards escalation: the third
// pressing message within 24 hours that the owner has not answered raises
// the ticket to urgent.
func (s *Store) addCustomer(ctx context.Context, q sqlx.ExtContext, tk *Ticket, by, text string, presses bool, now time.Time) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET messages = messages + 1, updated_at = ?,
		status = CASE WHEN status = ? THEN ? ELSE status END WHERE id = ?`),
		now, string(Pending), string(Open), tk.ID); err != nil {
		return err
	}
	if err := insertMessage(ctx, q, tk.ID, AuthorCustomer, by, text, presses, now); err != nil {
		return err
	}
	if !presses || !tk.Category.NeedsPerson() {
		return nil
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COUNT(*) FROM ticket_messages
		WHERE ticket_id = ? AND author = ? AND presses = ? AND at >= ?
		AND id > COALESCE((SELECT MAX(id) FROM ticket_messages WHERE ticket_id = ? AND author = ?), 0)`),
		tk.ID, AuthorCustomer, true, now.Add(-24*time.Hour), tk.ID, AuthorOwner); err != nil {
		return err
	}
	if n >= 3 {
		return s.raise(ctx, q, tk, Urgent, "", now)
	}
	return nil
}

// raise sets tk's priority to p (and its category to c, if not empty) when p
// is higher than the stored priority, with the due time recomputed from the
// ticket's creation.
func (s *Store) raise(ctx context.Context, q sqlx.ExtContext, tk *Ticket, p Priority, c Category, now time.Time) error {
	due := tk.CreatedAt.Add(s.sla.Target(p)).UTC()
	if c == "" {
		_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET priority = ?, priority_rank = ?, due_at = ?, updated_at = ?
			WHERE id = ? AND priority_rank > ?`), string(p), p.Rank(), due, now, tk.ID, p.Rank())
		return err
	}
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET priority = ?, priority_rank = ?, due_at = ?, updated_at = ?, category = ?
		WHERE id = ? AND priority_rank > ?`), string(p), p.Rank(), due, now, string(c), tk.ID, p.Rank())
	return err
}

func insertMessage(ctx context.Context, q sqlx.ExtContext, id int64, author, by, text string, presses bool, now time.Time) error {
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO ticket_messages (ticket_id, author, by_name, text, presses, at)
		VALUES (?, ?, ?, ?, ?, ?)`), id, author, clean(by), clean(text), presses, now)
	return err
}

func get(ctx context.Context, q sqlx.ExtContext, id int64) (*Ticket, error) {
	var r ticketRow
	err := sqlx.GetContext(ctx, q, &r, q.Rebind(`SELECT `+ticketCols+` FROM tickets WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.ticket(), nil
}

func current(ctx context.Context, q sqlx.ExtContext, channel, chat string) (*Ticket, error) {
	var r ticketRow
	err := sqlx.GetContext(ctx, q, &r, q.Rebind(`SELECT `+ticketCols+` FROM tickets
		WHERE channel = ? AND chat = ? AND status <> ?`), clean(channel), clean(chat), string(Resolved))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.ticket(), nil
}

// refAlphabet has no 0/O or 1/I: a reference is read over the phone.
const refAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newRef is a random customer-facing ticket reference: six characters of
// refAlphabet (about a billion), at least one a letter, so that a
// reference never reads as a ticket number ("/reply 234567 …").
func newRef() string {
	b := make([]byte, 6)
	for {
		rand.Read(b)
		letter := false
		for i := range b {
			b[i] = refAlphabet[int(b[i])%len(refAlphabet)]
			letter = letter || b[i] > '9'
		}
		if letter {
			return string(b)
		}
	}
}

// ByRef returns the ticket a customer quotes by its reference, or
// ErrNotFound.
func (s *Store) ByRef(ctx context.Context, ref string) (*Ticket, error) {
	var r ticketRow
	err := sqlx.GetContext(ctx, s.q, &r, s.q.Rebind(`SELECT `+ticketCols+` FROM tickets WHERE ref = ?`), strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(ref), "#")))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("tickets: by ref: %w", err)
	}
	return r.ticket(), nil
}

// Current returns the conversation's unresolved ticket, or ErrNotFound.
func (s *Store) Current(ctx context.Context, channel, chat string) (*Ticket, error) {
	tk, err := current(ctx, s.q, channel, chat)
	if err != nil {
		return nil, fmt.Errorf("tickets: current: %w", err)
	}
	return tk, nil
}

// Get returns ticket id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Ticket, error) {
	tk, err := get(ctx, s.q, id)
	if err != nil {
		return nil, fmt.Errorf("tickets: get %d: %w", id, err)
	}
	return tk, nil
}

// change loads ticket id, refuses a resolved one (ErrResolved) or a missing
// one (ErrNotFound), runs f and returns the ticket as f left it.
func (s *Store) change(ctx context.Context, op string, id int64, f func(q sqlx.ExtContext, tk *Ticket) error) (*Ticket, error) {
	var tk *Ticket
	err := s.atomically(ctx, func(q sqlx.ExtContext) error {
		// Lock the row first (PostgreSQL), so a concurrent Close cannot slip
		// in between the status check and the change.
		res, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET id = id WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if tk, err = get(ctx, q, id); err != nil {
			return err
		}
		if tk.Status == Resolved {
			return ErrResolved
		}
		if err := f(q, tk); err != nil {
			return err
		}
		tk, err = get(ctx, q, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: %s %d: %w", op, id, err)
	}
	return tk, nil
}

// AddMessage records a message on ticket id and returns the updated ticket.
// A customer message makes a pending ticket open again; on a ticket that
// NeedsPerson (a complaint, a cancellation…) it presses, and the third
// pressing message within 24 hours that the owner has not answered since
// raises the ticket to urgent. An owner message is a Reply; a bot message
// is only recorded. ErrResolved for a resolved ticket (open a new one),
// ErrNotFound for a missing one.
func (s *Store) AddMessage(ctx context.Context, id int64, author, by, text string, now time.Time) (*Ticket, error) {
	now = now.UTC()
	switch author {
	case AuthorOwner:
		return s.Reply(ctx, id, by, text, now)
	case AuthorCustomer:
		return s.change(ctx, "add message", id, func(q sqlx.ExtContext, tk *Ticket) error {
			return s.addCustomer(ctx, q, tk, by, clean(text), tk.Category.NeedsPerson(), now)
		})
	case AuthorBot:
		return s.change(ctx, "add message", id, func(q sqlx.ExtContext, tk *Ticket) error {
			if err := insertMessage(ctx, q, id, AuthorBot, by, text, false, now); err != nil {
				return err
			}
			_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET messages = messages + 1, updated_at = ? WHERE id = ?`), now, id)
			return err
		})
	}
	return nil, fmt.Errorf("tickets: add message %d: unknown author %q", id, author)
}

// Remark records a customer message on ticket id that asks nothing of the
// owner — thanks, a greeting, a question the bot answered itself — so the
// conversation on the ticket stays whole. It neither reopens a pending
// ticket nor counts towards escalation. ErrResolved for a resolved ticket,
// ErrNotFound for a missing one.
func (s *Store) Remark(ctx context.Context, id int64, by, text string, now time.Time) (*Ticket, error) {
	now = now.UTC()
	return s.change(ctx, "remark", id, func(q sqlx.ExtContext, tk *Ticket) error {
		if err := insertMessage(ctx, q, id, AuthorCustomer, by, clean(text), false, now); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET messages = messages + 1, updated_at = ? WHERE id = ?`), now, id)
		return err
	})
}

// Reply records an owner's reply on ticket id: the first reply sets
// FirstResponseAt, and the ticket becomes pending (waiting on the customer).
// ErrResolved for a resolved ticket, ErrNotFound for a missing one.
func (s *Store) Reply(ctx context.Context, id int64, by, text string, now time.Time) (*Ticket, error) {
	now = now.UTC()
	return s.change(ctx, "reply", id, func(q sqlx.ExtContext, tk *Ticket) error {
		if err := insertMessage(ctx, q, id, AuthorOwner, by, text, false, now); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET status = ?, messages = messages + 1, updated_at = ?,
			first_response_at = COALESCE(first_response_at, ?) WHERE id = ?`), string(Pending), now, now, id)
		return err
	})
}

// Close resolves ticket id on behalf of by. The conversation's next message
// that needs a person opens a new ticket. ErrResolved if it is already
// resolved, ErrNotFound if missing.
func (s *Store) Close(ctx context.Context, id int64, by string, now time.Time) (*Ticket, error) {
	now = now.UTC()
	return s.change(ctx, "close", id, func(q sqlx.ExtContext, tk *Ticket) error {
		_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET status = ?, resolved_at = ?, resolved_by = ?, updated_at = ?
			WHERE id = ?`), string(Resolved), now, clean(by), now, id)
		return err
	})
}

// Claim records that by is handling ticket id (a later claim replaces it).
// ErrResolved for a resolved ticket, ErrNotFound for a missing one.
func (s *Store) Claim(ctx context.Context, id int64, by string, now time.Time) (*Ticket, error) {
	now = now.UTC()
	return s.change(ctx, "claim", id, func(q sqlx.ExtContext, tk *Ticket) error {
		_, err := q.ExecContext(ctx, q.Rebind(`UPDATE tickets SET claimed_by = ?, updated_at = ? WHERE id = ?`), clean(by), now, id)
		return err
	})
}

type messageRow struct {
	ID       int64     `db:"id"`
	TicketID int64     `db:"ticket_id"`
	Author   string    `db:"author"`
	By       string    `db:"by_name"`
	Text     string    `db:"text"`
	At       time.Time `db:"at"`
	Presses  bool      `db:"presses"`
}

// Messages returns the messages of ticket id, oldest first, or ErrNotFound.
func (s *Store) Messages(ctx context.Context, id int64) ([]Message, error) {
	var rows []messageRow
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.q.Rebind(`SELECT id, ticket_id, author, by_name, text, at, presses
		FROM ticket_messages WHERE ticket_id = ? ORDER BY id`), id); err != nil {
		return nil, fmt.Errorf("tickets: messages %d: %w", id, err)
	}
	if len(rows) == 0 {
		if _, err := get(ctx, s.q, id); err != nil {
			return nil, fmt.Errorf("tickets: messages %d: %w", id, err)
		}
	}
	ms := make([]Message, len(rows))
	for i, r := range rows {
		ms[i] = Message{ID: r.ID, TicketID: r.TicketID, Author: r.Author, By: r.By, Text: r.Text, At: r.At.UTC(), Presses: r.Presses}
	}
	return ms, nil
}

// Latest returns the newest message of each of the tickets ids (from any
// author), by ticket id; a ticket without messages is left out.
func (s *Store) Latest(ctx context.Context, ids []int64) (map[int64]Message, error) {
	out := make(map[int64]Message, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var rows []messageRow
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.q.Rebind(`SELECT id, ticket_id, author, by_name, text, at FROM ticket_messages
		WHERE id IN (SELECT MAX(id) FROM ticket_messages WHERE ticket_id IN (`+marks+`) GROUP BY ticket_id)`), args...); err != nil {
		return nil, fmt.Errorf("tickets: latest: %w", err)
	}
	for _, r := range rows {
		out[r.TicketID] = Message{ID: r.ID, TicketID: r.TicketID, Author: r.Author, By: r.By, Text: r.Text, At: r.At.UTC()}
	}
	return out, nil
}

// Filter selects tickets for List.
type Filter struct {
	Statuses  []Status  // empty: open and pending
	Priority  Priority  // "": any
	OverdueAt time.Time // non-zero: only tickets due before it with no first response
	Limit     int       // 0: no limit
	Offset    int       // skip this many (a later page)
}

// where is f's WHERE clause and its arguments.
func (f Filter) where() (string, []any, error) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []Status{Open, Pending}
	}
	var (
		where []string
		args  []any
	)
	marks := make([]string, len(statuses))
	for i, st := range statuses {
		if !st.Valid() {
			return "", nil, fmt.Errorf("unknown status %q", st)
		}
		marks[i] = "?"
		args = append(args, string(st))
	}
	where = append(where, "status IN ("+strings.Join(marks, ", ")+")")
	if f.Priority != "" {
		if !f.Priority.Valid() {
			return "", nil, fmt.Errorf("unknown priority %q", f.Priority)
		}
		where = append(where, "priority_rank = ?")
		args = append(args, f.Priority.Rank())
	}
	if !f.OverdueAt.IsZero() {
		where = append(where, "due_at < ? AND first_response_at IS NULL")
		args = append(args, f.OverdueAt.UTC())
	}
	return strings.Join(where, " AND "), args, nil
}

// Count returns how many tickets f selects, ignoring its Limit and Offset.
func (s *Store) Count(ctx context.Context, f Filter) (int, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, fmt.Errorf("tickets: count: %w", err)
	}
	var n int
	if err := sqlx.GetContext(ctx, s.q, &n, s.q.Rebind(`SELECT COUNT(*) FROM tickets WHERE `+where), args...); err != nil {
		return 0, fmt.Errorf("tickets: count: %w", err)
	}
	return n, nil
}

// List returns the tickets f selects, most urgent priority first, then by
// due time; Limit and Offset cut a page from that order. An unknown status
// or priority in f is an error.
func (s *Store) List(ctx context.Context, f Filter) ([]Ticket, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, fmt.Errorf("tickets: list: %w", err)
	}
	query := `SELECT ` + ticketCols + ` FROM tickets WHERE ` + where + ` ORDER BY priority_rank, due_at, id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	if f.Offset > 0 {
		if f.Limit <= 0 {
			query += ` LIMIT ?` // SQLite needs a LIMIT before OFFSET
			args = append(args, math.MaxInt32)
		}
		query += ` OFFSET ?`
		args = append(args, f.Offset)
	}
	var rows []ticketRow
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.q.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("tickets: list: %w", err)
	}
	out := make([]Ticket, len(rows))
	for i := range rows {
		out[i] = *rows[i].ticket()
	}
	return out, nil
}

// Stats summarises the tickets for a report.
type Stats struct {
	New, Resolved       int              // created / resolved in [from, to)
	OpenByPriority      map[Priority]int // unresolved now, per priority (every priority present)
	Overdue             int              // unresolved now, unanswered and past due
	MedianFirstResponse time.Duration    // over tickets first answered in [from, to)
	Answered            int              // tickets first answered in [from, to)
}

// Stats counts tickets created and resolved in [from, to), the first
// responses given in [from, to) and their median time, and the tickets open
// and overdue as of now.
func (s *Store) Stats(ctx context.Context, from, to, now time.Time) (Stats, error) {
	from, to, now = from.UTC(), to.UTC(), now.UTC()
	st := Stats{OpenByPriority: make(map[Priority]int, len(Priorities))}
	for _, p := range Priorities {
		st.OpenByPriority[p] = 0
	}
	wrap := func(err error) (Stats, error) { return Stats{}, fmt.Errorf("tickets: stats: %w", err) }
	if err := sqlx.GetContext(ctx, s.q, &st.New, s.q.Rebind(`SELECT COUNT(*) FROM tickets
		WHERE created_at >= ? AND created_at < ?`), from, to); err != nil {
		return wrap(err)
	}
	if err := sqlx.GetContext(ctx, s.q, &st.Resolved, s.q.Rebind(`SELECT COUNT(*) FROM tickets
		WHERE resolved_at >= ? AND resolved_at < ?`), from, to); err != nil {
		return wrap(err)
	}
	var open []struct {
		Priority string `db:"priority"`
		N        int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, s.q, &open, s.q.Rebind(`SELECT priority, COUNT(*) AS n FROM tickets
		WHERE status <> ? GROUP BY priority`), string(Resolved)); err != nil {
		return wrap(err)
	}
	for _, o := range open {
		st.OpenByPriority[Priority(o.Priority)] = o.N
	}
	if err := sqlx.GetContext(ctx, s.q, &st.Overdue, s.q.Rebind(`SELECT COUNT(*) FROM tickets
		WHERE status <> ? AND first_response_at IS NULL AND due_at < ?`), string(Resolved), now); err != nil {
		return wrap(err)
	}
	var answered []struct {
		CreatedAt       time.Time `db:"created_at"`
		FirstResponseAt time.Time `db:"first_response_at"`
	}
	if err := sqlx.SelectContext(ctx, s.q, &answered, s.q.Rebind(`SELECT created_at, first_response_at FROM tickets
		WHERE first_response_at >= ? AND first_response_at < ?`), from, to); err != nil {
		return wrap(err)
	}
	ds := make([]time.Duration, len(answered))
	for i, a := range answered {
		ds[i] = a.FirstResponseAt.Sub(a.CreatedAt)
	}
	st.Answered = len(ds)
	st.MedianFirstResponse = median(ds)
	return st, nil
}

// Unanswered returns what customers asked that the bot could not answer,
// for the tickets of that kind opened in [from, to), oldest first: the
// first customer message of each normal question ticket. Low ones are
// off-topic; a ticket the bot opened on its own (a lockout) has no
// customer message and is left out.
func (s *Store) Unanswered(ctx context.Context, from, to time.Time) ([]string, error) {
	var out []string
	err := sqlx.SelectContext(ctx, s.q, &out, s.q.Rebind(`SELECT m.text FROM tickets t
		JOIN ticket_messages m ON m.id = (SELECT MIN(id) FROM ticket_messages WHERE ticket_id = t.id AND author = ?)
		WHERE t.category = ? AND t.priority = ? AND t.created_at >= ? AND t.created_at < ? ORDER BY t.id`),
		AuthorCustomer, string(Question), string(Normal), from.UTC(), to.UTC())
	if err != nil {
		return nil, fmt.Errorf("tickets: unanswered: %w", err)
	}
	return out, nil
}

// Forget deletes every ticket of the conversation channel/chat, with its
// messages, and returns the ids of the deleted tickets (the outbox forgets
// the alerts about them).
func (s *Store) Forget(ctx context.Context, channel, chat string) ([]int64, error) {
	var ids []int64
	err := s.atomically(ctx, func(q sqlx.ExtContext) error {
		if err := sqlx.SelectContext(ctx, q, &ids, q.Rebind(`SELECT id FROM tickets WHERE channel = ? AND chat = ? ORDER BY id`), channel, chat); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM ticket_messages WHERE ticket_id IN
			(SELECT id FROM tickets WHERE channel = ? AND chat = ?)`), channel, chat); err != nil {
			return err
		}
		_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM tickets WHERE channel = ? AND chat = ?`), channel, chat)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: forget: %w", err)
	}
	return ids, nil
}

// Purge deletes the resolved tickets last changed before before, with
// their messages, and reports how many tickets it deleted. Open and
// pending tickets stay whatever their age.
func (s *Store) Purge(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.atomically(ctx, func(q sqlx.ExtContext) error {
		if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM ticket_messages WHERE ticket_id IN
			(SELECT id FROM tickets WHERE status = ? AND updated_at < ?)`), string(Resolved), before.UTC()); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM tickets WHERE status = ? AND updated_at < ?`), string(Resolved), before.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("tickets: purge: %w", err)
	}
	return n, nil
}

// HasTickets reports whether the conversation channel/chat has any ticket,
// whatever its status (its conversation is then kept).
func (s *Store) HasTickets(ctx context.Context, channel, chat string) (bool, error) {
	var ids []int64
	if err := sqlx.SelectContext(ctx, s.q, &ids, s.q.Rebind(`SELECT id FROM tickets WHERE channel = ? AND chat = ? LIMIT 1`), channel, chat); err != nil {
		return false, fmt.Errorf("tickets: has tickets: %w", err)
	}
	return len(ids) > 0, nil
}

// OpenAt counts the tickets open at the moment at (created before it and
// not resolved by then), per priority, and of them the overdue ones: past
// due with no first response by then. Stats counts them as of the present,
// which is wrong for a past day.
func (s *Store) OpenAt(ctx context.Context, at time.Time) (open map[Priority]int, overdue int, err error) {
	var rows []struct {
		Priority        string     `db:"priority"`
		DueAt           time.Time  `db:"due_at"`
		FirstResponseAt *time.Time `db:"first_response_at"`
	}
	at = at.UTC()
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.q.Rebind(`SELECT priority, due_at, first_response_at FROM tickets
		WHERE created_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)`), at, at); err != nil {
		return nil, 0, fmt.Errorf("tickets: open at: %w", err)
	}
	open = make(map[Priority]int, len(Priorities))
	for _, t := range rows {
		open[Priority(t.Priority)]++
		if t.DueAt.Before(at) && (t.FirstResponseAt == nil || !t.FirstResponseAt.Before(at)) {
			overdue++
		}
	}
	return open, overdue, nil
}

// Chat names a conversation: its channel and the chat within it.
type Chat struct {
	Channel string `db:"channel"`
	Chat    string `db:"chat"`
}

// OpenChats returns the conversations that had a ticket open for a person
// at some moment of [from, to): created before to, not resolved before from.
func (s *Store) OpenChats(ctx context.Context, from, to time.Time) (map[Chat]bool, error) {
	var rows []Chat
	if err := sqlx.SelectContext(ctx, s.q, &rows, s.q.Rebind(`SELECT DISTINCT channel, chat FROM tickets
		WHERE created_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)`), to.UTC(), from.UTC()); err != nil {
		return nil, fmt.Errorf("tickets: open chats: %w", err)
	}
	out := make(map[Chat]bool, len(rows))
	for _, r := range rows {
		out[r] = true
	}
	return out, nil
}

// Opened returns when each ticket opened in [from, to) was created (UTC).
func (s *Store) Opened(ctx context.Context, from, to time.Time) ([]time.Time, error) {
	var created []time.Time
	if err := sqlx.SelectContext(ctx, s.q, &created, s.q.Rebind(`SELECT created_at FROM tickets
		WHERE created_at >= ? AND created_at < ?`), from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("tickets: opened: %w", err)
	}
	for i := range created {
		created[i] = created[i].UTC()
	}
	return created, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m]
	}
	return ds[m-1] + (ds[m]-ds[m-1])/2
}

// clean makes s storable in any database: valid UTF-8 without NUL bytes
// (PostgreSQL rejects both).
func clean(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
