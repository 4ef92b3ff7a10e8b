package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// TxSendFunc delivers r by writing it inside tx: for a channel whose
// sending is itself a database write (the web chat's message log). It
// returns the platform's id for the message. It must not commit tx, and
// must leave side effects outside the database (waking a visitor's
// stream) to the batch's done function, which runs after the commit.
type TxSendFunc func(ctx context.Context, tx *sqlx.Tx, r Reply) (platformID string, err error)

// DeliverBatch sends the due messages of channel in one transaction: each
// reply is claimed, written by send and marked sent in it, so a round of n
// replies costs one commit instead of three per reply (claim, send, mark),
// and a crash anywhere leaves every reply of the round pending, none half
// sent. A reply another sender holds is skipped with the rest of its chat;
// one send's ErrPermanent marks that reply failed; any other error rolls
// the round back (Run retries it). It returns the replies sent, after the
// commit.
func (o *Outbox) DeliverBatch(ctx context.Context, channel string, send TxSendFunc) ([]Reply, error) {
	pending, err := o.Pending(ctx, channel, "", 100)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	tx, err := o.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("outbox: deliver: %w", err)
	}
	defer tx.Rollback()
	now := o.now().UTC()
	var sent []Reply
	blocked := map[string]bool{}
	for _, r := range pending {
		if blocked[r.Chat] || o.holding(r.ID) {
			blocked[r.Chat] = true
			continue
		}
		// Claimed and marked at once: the transaction is the lease.
		res, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, last_error = '', attempts = attempts + 1
			WHERE id = ? AND status = 'pending' AND next_at <= ?`), now, r.ID, now)
		if err != nil {
			return nil, fmt.Errorf("outbox: claim %d: %w", r.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			blocked[r.Chat] = true // another sender has it
			continue
		}
		pid, err := send(ctx, tx, r)
		if errors.Is(err, ErrPermanent) {
			o.log.Warn("outbox: permanent failure", "channel", r.Channel, "chat", r.Chat, "id", r.ID, "err", err)
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?`), truncate(err.Error(), 500), r.ID); err != nil {
				return nil, fmt.Errorf("outbox: mark %d failed: %w", r.ID, err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if pid != "" {
			if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE outbox SET platform_id = ? WHERE id = ?`), pid, r.ID); err != nil {
				return nil, fmt.Errorf("outbox: mark %d sent: %w", r.ID, err)
			}
		}
		sent = append(sent, r)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("outbox: deliver: commit: %w", err)
	}
	return sent, nil
}

// RunBatch is Run for a channel delivered by DeliverBatch: done gets each
// round's sent replies after their commit.
func (o *Outbox) RunBatch(ctx context.Context, channel string, send TxSendFunc, done func([]Reply)) error {
	return o.run(ctx, channel, func(ctx context.Context) (int, error) {
		sent, err := o.DeliverBatch(ctx, channel, send)
		if len(sent) > 0 && done != nil {
			done(sent)
		}
		return len(sent), err
	})
}
