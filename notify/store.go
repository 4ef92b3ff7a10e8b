package notify

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jmoiron/sqlx"
)

// claim records key as taken at now. Only the first caller for a key, on
// any instance sharing the database, gets won=true; every caller gets the
// claim's id.
func claim(ctx context.Context, q sqlx.ExtContext, key string, now time.Time) (id int64, won bool, err error) {
	var ids []int64
	err = sqlx.SelectContext(ctx, q, &ids, q.Rebind(`INSERT INTO notify_claims (key, created_at) VALUES (?, ?)
		ON CONFLICT (key) DO NOTHING RETURNING id`), key, now.UTC())
	if err != nil {
		return 0, false, fmt.Errorf("notify: claim %s: %w", key, err)
	}
	if len(ids) == 1 {
		return ids[0], true, nil
	}
	if err := sqlx.GetContext(ctx, q, &id, q.Rebind(`SELECT id FROM notify_claims WHERE key = ?`), key); err != nil {
		return 0, false, fmt.Errorf("notify: claim %s: %w", key, err)
	}
	return id, false, nil
}

// done marks a claim's work as handed over.
func done(ctx context.Context, q sqlx.ExtContext, id int64, now time.Time) error {
	_, err := q.ExecContext(ctx, q.Rebind(`UPDATE notify_claims SET done_at = ? WHERE id = ? AND done_at IS NULL`), now.UTC(), id)
	if err != nil {
		return fmt.Errorf("notify: claim %d done: %w", id, err)
	}
	return nil
}

// newSource gives an event raised without a Source its identity, within
// q (the raising transaction): a claim of its own, done at once, whose id
// negated is the Source, as for the summaries' and digests' claims. A
// rollback takes it back with the event. The key is random: the claim
// stands for this one raise, which its transaction makes once.
func newSource(ctx context.Context, q sqlx.ExtContext, now time.Time) (int64, error) {
	b := make([]byte, 12)
	crand.Read(b)
	var id int64
	err := sqlx.GetContext(ctx, q, &id, q.Rebind(`INSERT INTO notify_claims (key, created_at, done_at) VALUES (?, ?, ?) RETURNING id`),
		"event:"+hex.EncodeToString(b), now.UTC(), now.UTC())
	if err != nil {
		return 0, fmt.Errorf("notify: event source: %w", err)
	}
	return -id, nil
}

// claimRow is a claim read back.
type claimRow struct {
	ID        int64     `db:"id"`
	Key       string    `db:"key"`
	CreatedAt time.Time `db:"created_at"`
}

// undone returns the claims whose key starts with prefix, made before
// before and never marked done: work an instance claimed and then lost
// (it crashed, or its send failed).
func undone(ctx context.Context, q sqlx.ExtContext, prefix string, before time.Time) ([]claimRow, error) {
	var rows []claimRow
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`SELECT id, key, created_at FROM notify_claims
		WHERE done_at IS NULL AND created_at < ? AND key LIKE ? ORDER BY id LIMIT 100`), before.UTC(), prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("notify: undone claims: %w", err)
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.UTC()
	}
	return rows, nil
}

// lockKey serialises, on PostgreSQL, the transactions of several
// instances that decide about the same thing (SQLite transactions are
// already serial: they begin immediate). q is a transaction: the lock is
// held until it ends.
func lockKey(ctx context.Context, tx sqlx.ExtContext, key string) error {
	if tx.DriverName() != "postgres" {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("notify\x00" + key))
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("notify: lock: %w", err)
	}
	return nil
}
