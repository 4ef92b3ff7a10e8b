// Package leader elects the one process, among several sharing a
// PostgreSQL database, that does a job only one may do at a time (polling
// Telegram: the Bot API allows one poller per token).
//
// On PostgreSQL the leader holds a session advisory lock on a connection
// of its own (a lock taken through the pool could be released on another
// connection, and stay held). On SQLite the database belongs to one
// process, which is always the leader.
package leader

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
)

// Run calls job while this process leads for name, and only then. It
// tries to take the lead every retry; when the lock's connection fails
// (the database restarted) job's context is cancelled and Run tries again.
// It returns when ctx is done, or with job's error if job fails while
// leading.
func Run(ctx context.Context, db *sqlx.DB, name string, retry time.Duration, log *slog.Logger, job func(ctx context.Context) error) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if db.DriverName() != "postgres" {
		return job(ctx)
	}
	key := lockKey(name)
	for {
		err := lead(ctx, db, key, retry, log, name, job)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !errors.Is(err, errLost) && !errors.Is(err, errNotLeader) {
			var je jobError
			if errors.As(err, &je) {
				return je.err
			}
			log.Warn("leader: election", "job", name, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retry):
		}
	}
}

var (
	errNotLeader = errors.New("another process leads")
	errLost      = errors.New("lost the lead")
)

// frozenAfter is how long the server waits for a word from the leader
// before it ends the leader's session, and with it the lock: a leader that
// froze (a stopped process, a dead network link) cannot keep the lead
// forever. The leader speaks every min(retry, 2 s); PostgreSQL 14 or newer
// (idle_session_timeout) is needed, older servers keep the lock until the
// connection breaks.
var frozenAfter = 15 * time.Second

type jobError struct{ err error }

func (e jobError) Error() string { return e.err.Error() }

// lead takes the lock once and, if it got it, runs job until job ends or
// the lock's connection fails.
func lead(ctx context.Context, db *sqlx.DB, key int64, retry time.Duration, log *slog.Logger, name string, job func(context.Context) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("leader: connect: %w", err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return fmt.Errorf("leader: lock: %w", err)
	}
	if !got {
		return errNotLeader
	}
	log.Info("leader: leading", "job", name)
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`SET idle_session_timeout = %d`, frozenAfter.Milliseconds())); err != nil {
		log.Debug("leader: no idle_session_timeout (PostgreSQL before 14?)", "err", err)
	}
	defer func() {
		// Unlock on the same connection; if it is gone, so is the lock.
		// The connection goes back to the pool without the timeout.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key)
		conn.ExecContext(uctx, `RESET idle_session_timeout`)
	}()
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- job(jctx) }()
	t := time.NewTicker(min(retry, 2*time.Second))
	defer t.Stop()
	for {
		select {
		case err := <-done:
			if err != nil && ctx.Err() == nil {
				return jobError{err}
			}
			return nil
		case <-t.C:
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			err := conn.PingContext(pctx)
			if err == nil {
				err = conn.QueryRowContext(pctx, `SELECT 1`).Scan(new(int))
			}
			pcancel()
			if err != nil && ctx.Err() == nil {
				log.Warn("leader: lost the lock's connection; stepping down", "job", name, "err", err)
				cancel()
				<-done
				return errLost
			}
		}
	}
}

// Key is the PostgreSQL advisory lock key of name, for operators looking
// at pg_locks (classid holds its high 32 bits, objid its low 32 bits).
func Key(name string) int64 { return lockKey(name) }

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("shopbot/leader/" + name))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}
