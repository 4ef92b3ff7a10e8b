package schema

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
)

// IsSQLite reports whether db is the embedded SQLite database.
func IsSQLite(db *sqlx.DB) bool { return db.DriverName() == "sqlite" }

// Checkpoints copies SQLite's write-ahead log into the database file every
// `every`, in the background, until stop is called: the work the commit of
// a customer message would otherwise do whenever the log passed
// wal_autocheckpoint (1,000 pages by default; a p99 cliff on the message
// path). The checkpoints are PASSIVE: they never wait for, or block,
// readers and writers. On PostgreSQL it does nothing.
func Checkpoints(db *sqlx.DB, every time.Duration, log *slog.Logger) (stop func()) {
	if !IsSQLite(db) {
		return func() {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		failing := false
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := Checkpoint(ctx, db)
			switch {
			case err != nil && ctx.Err() == nil && !failing:
				log.Warn("sqlite: checkpoint failed; the next commits checkpoint themselves", "err", err)
				failing = true
			case err == nil && failing:
				failing = false
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Checkpoint runs one PASSIVE checkpoint of SQLite's write-ahead log. On
// PostgreSQL it does nothing.
func Checkpoint(ctx context.Context, db *sqlx.DB) error {
	if !IsSQLite(db) {
		return nil
	}
	var busy, logPages, done int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("schema: checkpoint: %w", err)
	}
	return nil
}

// Optimize refreshes the query planner's statistics where they are stale:
// SQLite's PRAGMA optimize, over every table (bounded work per table).
// Without statistics SQLite picks indexes by rules of thumb, and the daily
// sales and top-products queries scanned every order kept. PostgreSQL's
// autovacuum keeps its own statistics: there it does nothing. Run daily and
// after bulk changes (imports analyze their own tables).
func Optimize(ctx context.Context, db *sqlx.DB) error {
	if !IsSQLite(db) {
		return nil
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("schema: optimize: %w", err)
	}
	defer conn.Close()
	// analysis_limit bounds the rows ANALYZE reads per index: enough for
	// the planner, milliseconds even on years of orders.
	for _, q := range []string{"PRAGMA analysis_limit=1000", "PRAGMA optimize=0x10002", "PRAGMA analysis_limit=0"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("schema: optimize: %w", err)
		}
	}
	return nil
}
