package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// maxFailures is how many failed order verifications in an hour stop a
// conversation's lookups and open a ticket.
const maxFailures = 5

// VerifyLimits bound order verification. A conversation with maxFailures
// failed verifications in an hour is locked and gets a ticket; an order
// number and a network are locked by their own failures across every
// conversation, so new chats (a web visitor is a new chat) cannot farm
// guesses.
type VerifyLimits struct {
	TTL     time.Duration // how long a proof of an order lasts in its conversation
	Order   Lockout       // failures against one order number, from any chat
	Network Lockout       // failures from one network (Message.Network), against any order
}

// Lockout locks a scope once it has After failed verifications in a day:
// for For after the latest, doubled for each failure past After, at most a
// day.
type Lockout struct {
	After int
	For   time.Duration
}

// DefaultVerifyLimits: a proof lasts an hour; five failures lock an order
// number, twenty lock a network, each for 15 minutes and then longer.
var DefaultVerifyLimits = VerifyLimits{
	TTL:     time.Hour,
	Order:   Lockout{After: 5, For: 15 * time.Minute},
	Network: Lockout{After: 20, For: 15 * time.Minute},
}

func (v VerifyLimits) withDefaults() VerifyLimits {
	d := DefaultVerifyLimits
	if v.TTL <= 0 {
		v.TTL = d.TTL
	}
	if v.Order.After <= 0 || v.Order.For <= 0 {
		v.Order = d.Order
	}
	if v.Network.After <= 0 || v.Network.For <= 0 {
		v.Network = d.Network
	}
	return v
}

// scopes are what a failed verification of number from this message
// counts against besides the conversation.
func (h *handling) scopes(number string) []failureScope {
	return []failureScope{
		{column: "order_number", key: number, lock: h.cfg.Verify.Order},
		{column: "network", key: h.m.Network, lock: h.cfg.Verify.Network},
	}
}

// lockedOut answers the customer when the order number or the sender's
// network is locked by failed verifications; the proof is then not even
// checked, so a right guess during a lockout learns nothing either. The
// answer is the same whether or not the order exists (failures count
// against the number as typed). justLocked: this message's failure locked
// it, so the owners hear of it, once per lockout.
func (h *handling) lockedOut(ctx context.Context, number string, action faq.Action, justLocked bool) (bool, error) {
	scopes := h.scopes(number)
	locks, err := lockedUntil(ctx, h.tx, scopes, h.now)
	if err != nil {
		return false, err
	}
	for i, s := range scopes {
		until, n := locks[i].until, locks[i].n
		if until.IsZero() {
			continue
		}
		if justLocked {
			key := ownerText(h.cfg.OwnerLang, "scope_order", number)
			if s.column == "network" {
				key = ownerText(h.cfg.OwnerLang, "scope_network", s.key)
			}
			h.log.Warn("order verification locked", "scope", s.column, "failures", n, "until", until)
			e := notify.Event{Kind: notify.KindLockout, Priority: string(tickets.High), Key: "lockout:" + s.column + ":" + s.key,
				Text: ownerText(h.cfg.OwnerLang, "alert_lockout", key, n, until.In(h.cfg.Location).Format("15:04"))}
			h.raise(e)
		}
		// Still about this order: the code that follows gets the same
		// answer, not a lookup of an order numbered like it.
		h.conv.setState(stateVerify, number+" "+string(action))
		minutes := int(until.Sub(h.now).Minutes()) + 1
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "order_locked", minutes, cmp.Or(h.cfg.Shop.Contact, h.cfg.Shop.Name))})
		return true, nil
	}
	return false, nil
}

// verificationProof finds what the customer offered as proof: a shared
// phone number, an email address, or four digits.
func verificationProof(text, phone string) (string, bool) {
	if phone != "" {
		return "phone:" + phone, true
	}
	for _, f := range strings.Fields(text) {
		f = strings.Trim(f, ".,!?()<>\"'")
		if strings.Count(f, "@") == 1 && strings.Contains(f[strings.Index(f, "@"):], ".") {
			return "email:" + f, true
		}
	}
	if d := fourDigits(text); d != "" {
		return "last4:" + d, true
	}
	return "", false
}

// fourDigits returns the only run of exactly four digits in text
// ("5678", "뒤 4자리 5678이요", "010-1234-5678" gives 5678).
func fourDigits(text string) string {
	var runs []string
	cur := ""
	for _, r := range text + " " {
		if r >= '0' && r <= '9' {
			cur += string(r)
			continue
		}
		if cur != "" {
			runs = append(runs, cur)
		}
		cur = ""
	}
	if len(runs) == 0 {
		return ""
	}
	last := runs[len(runs)-1]
	if len(last) == 4 {
		return last
	}
	if len(last) > 4 && len(runs) == 1 && len(last) <= 11 {
		return last[len(last)-4:] // a whole phone number
	}
	return ""
}

func isFourDigits(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) == 4 && fourDigits(t) == t
}

// verify checks the proof against the order. An unknown order and a wrong
// proof give the same answer and both count as failures, against the
// conversation, the order number and the sender's network.
func (h *handling) verify(ctx context.Context, number string, action faq.Action, proof string) error {
	if locked, err := h.lockedOut(ctx, number, action, false); locked || err != nil {
		return err
	}
	o, err := h.shop.Order(ctx, number)
	if err != nil && !errors.Is(err, shop.ErrNotFound) {
		return err
	}
	ok := false
	if o != nil {
		kind, value, _ := strings.Cut(proof, ":")
		switch kind {
		case "phone":
			ok = samePhone(o.Phone, value)
		case "email":
			ok = shop.EmailMatches(o.Email, value)
		case "last4":
			ok = shop.PhoneLast4Matches(o.Phone, value)
		}
	}
	if ok {
		if err := markVerified(ctx, h.tx, h.conv.ID, number, h.now); err != nil {
			return err
		}
		h.log.Info("order verified", "channel", h.m.Channel, "chat", h.m.Chat, "order", number)
		h.show(o, action) // the order just read: not read again
		return nil
	}
	n, err := recordFailure(ctx, h.tx, h.conv.ID, number, h.m.Network, h.now)
	if err != nil {
		return err
	}
	h.log.Info("order verification failed", "channel", h.m.Channel, "chat", h.m.Chat, "failures", n)
	if n >= maxFailures {
		// The ticket says why, not what was guessed: the wrong answers are
		// no one's business, and the last one alone explains nothing.
		t, err := h.openTicketAbout(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal,
			Reason: fmt.Sprintf("%d failed order verifications in an hour", n)}, "", ownerText(h.cfg.OwnerLang, "lockout", number, n), number)
		if err != nil {
			return err
		}
		h.reply(Reply{Kind: KindTicket, Text: msg(h.lang, "verify_locked", t.Ref), Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority)})
		return nil
	}
	// This failure may have locked the order or the network for everyone.
	if locked, err := h.lockedOut(ctx, number, action, true); locked || err != nil {
		return err
	}
	h.conv.setState(stateVerify, number+" "+string(action))
	h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "verify_failed"), Ask: AskVerify})
	return nil
}

// samePhone compares a shared contact's number with the order's, ignoring
// formatting and a +82 country code.
func samePhone(a, b string) bool {
	da, db := nationalDigits(a), nationalDigits(b)
	return len(da) >= 8 && da == db
}

func nationalDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "82") && len(d) >= 11 {
		d = "0" + d[2:]
	}
	return d
}

// lookupState is what an order lookup needs to know first, read in one
// statement: how many failed verifications the conversation had in the
// hour before now, and whether it proved it owns the order since since (a
// verification lasts Config.VerifyTTL).
func lookupState(ctx context.Context, q sqlx.ExtContext, convID int64, number string, since, now time.Time) (failures int, verified bool, err error) {
	var st struct {
		Failures int `db:"failures"`
		Verified int `db:"verified"`
	}
	err = sqlx.GetContext(ctx, q, &st, q.Rebind(`SELECT
		(SELECT COUNT(*) FROM verify_failures WHERE conversation_id = ? AND at > ?) AS failures,
		(SELECT COUNT(*) FROM verifications WHERE conversation_id = ? AND order_number = ? AND verified_at > ?) AS verified`),
		convID, now.Add(-time.Hour).UTC(), convID, number, since.UTC())
	if err != nil {
		return 0, false, fmt.Errorf("bot: order lookup: %w", err)
	}
	return st.Failures, st.Verified > 0, nil
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

// lock is a scope's lockout: until when (zero: not locked), after n
// failures in the last day.
type lock struct {
	until time.Time
	n     int
}

// lockedUntil returns, for each scope, when its lockout ends (the zero
// time when it is not locked), read in one statement. A scope with
// lock.After failures in the last day is locked from its latest failure
// for lock.For, doubled for every failure past After (capped at a day):
// each guess that gets through buys a longer wait.
func lockedUntil(ctx context.Context, q sqlx.ExtContext, scopes []failureScope, now time.Time) ([]lock, error) {
	since := now.Add(-24 * time.Hour).UTC()
	var parts []string
	var args []any
	for i, s := range scopes {
		if s.key == "" || s.lock.After <= 0 {
			continue
		}
		// The column name is one of two constants, never input.
		parts = append(parts, fmt.Sprintf(`SELECT %d AS scope, at FROM
			(SELECT at FROM verify_failures WHERE %s = ? AND at > ? ORDER BY at DESC LIMIT ?) AS s%d`, i, s.column, i))
		args = append(args, s.key, since, s.lock.After+12)
	}
	locks := make([]lock, len(scopes))
	if len(parts) == 0 {
		return locks, nil
	}
	var rows []struct {
		Scope int       `db:"scope"`
		At    time.Time `db:"at"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(strings.Join(parts, " UNION ALL ")), args...); err != nil {
		return nil, fmt.Errorf("bot: lockout: %w", err)
	}
	latest := make([]time.Time, len(scopes))
	for _, r := range rows {
		locks[r.Scope].n++
		if r.At.After(latest[r.Scope]) {
			latest[r.Scope] = r.At
		}
	}
	for i, s := range scopes {
		n := locks[i].n
		if n == 0 || n < s.lock.After {
			continue
		}
		d := s.lock.For << (n - s.lock.After)
		if d <= 0 || d > 24*time.Hour {
			d = 24 * time.Hour
		}
		if until := latest[i].Add(d); until.After(now) {
			locks[i].until = until
		}
	}
	return locks, nil
}
