package schema

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// sqlx does not know the pure-Go SQLite driver's name.
func init() { sqlx.BindDriver("sqlite", sqlx.QUESTION) }

// SQLiteDSN is the data source shopbot uses for a SQLite file. Every
// connection gets:
//
//   - journal_mode(WAL): readers never wait for the writer.
//   - synchronous(NORMAL): under WAL a commit is written to the log but
//     not synced; the log is synced at each checkpoint. A killed process
//     loses nothing it committed (TestCommittedSurvivesSIGKILL kills one
//     mid-stream); a power cut or kernel crash may lose the last commits
//     before the most recent checkpoint, never corrupt the file.
//   - busy_timeout(10000), foreign_keys(1), _txlock=immediate: concurrent
//     read-then-write transactions wait instead of failing with
//     SQLITE_BUSY.
//   - cache_size(-8192): an 8 MiB page cache per connection (SQLite's
//     default is 2 MB), so the order and ticket indexes a day's queries
//     touch stay in memory; the pool holds 4 connections.
//   - temp_store(MEMORY): sorts and temporary indexes (imports, the
//     summary's GROUP BYs) stay in memory instead of temporary files.
//   - wal_autocheckpoint(8000): a customer message's commit checkpoints
//     the log only when it passed about 32 MB; Checkpoints does the work
//     in the background every second while serve or chat runs, off the
//     message path. journal_size_limit keeps the log file from staying
//     large after a burst.
//   - a time format that sorts as text.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-8192)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(8000)&_pragma=journal_size_limit(67108864)" +
		"&_txlock=immediate&_time_format=sqlite"
}

// PoolSize is how many PostgreSQL connections one shopbot process keeps
// open at most; all of them may stay idle between bursts.
const PoolSize = 16

// Open opens the database named by a shopbot URL, "sqlite:PATH" or
// "postgres://…", and checks that it answers. The drivers ("sqlite" from
// modernc.org/sqlite, "postgres" from lib/pq) must be registered by the
// program. A local PostgreSQL without an explicit sslmode gets
// sslmode=disable, and every PostgreSQL URL a connect timeout and
// one-round-trip statements (binary_parameters).
func Open(ctx context.Context, raw string) (*sqlx.DB, error) {
	driver, dsn, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("schema: open %s: %w", Redact(raw), err)
	}
	if driver == "sqlite" {
		// One writer at a time is what SQLite does anyway; a small pool keeps
		// readers concurrent with WAL.
		db.SetMaxOpenConns(4)
		// and keeps them: a reopened connection starts with an empty
		// page cache and runs the pragmas again.
		db.SetMaxIdleConns(4)
	} else {
		// Keep every connection the pool opens: database/sql keeps only 2
		// idle by default, so under mixed traffic each burst past two
		// opened (and closed) fresh server sessions — a PostgreSQL
		// start-up costs milliseconds, more than the message. Idle
		// connections are still closed after a quiet spell, and every
		// connection is renewed after an hour (a server restart, a
		// failover, memory a long session holds on the server).
		db.SetMaxOpenConns(PoolSize)
		db.SetMaxIdleConns(PoolSize)
		db.SetConnMaxIdleTime(5 * time.Minute)
		db.SetConnMaxLifetime(time.Hour)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("schema: open %s: %w", Redact(raw), err)
	}
	return db, nil
}

func parseURL(raw string) (driver, dsn string, err error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", fmt.Errorf("schema: %q: sqlite: needs a file path, e.g. sqlite:shopbot.db", raw)
		}
		return "sqlite", SQLiteDSN(path), nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("schema: database URL: %w", err)
		}
		q := u.Query()
		if q.Get("sslmode") == "" && isLocal(u.Hostname()) {
			q.Set("sslmode", "disable")
		}
		if q.Get("connect_timeout") == "" {
			q.Set("connect_timeout", "10")
		}
		if q.Get("binary_parameters") == "" {
			// lib/pq then sends a statement with its arguments in one round
			// trip instead of two (prepare, then execute): a message's
			// transaction costs half the waiting.
			q.Set("binary_parameters", "yes")
		}
		u.RawQuery = q.Encode()
		return "postgres", u.String(), nil
	default:
		return "", "", fmt.Errorf("schema: database URL %q: want sqlite:PATH or postgres://…", Redact(raw))
	}
}

func isLocal(host string) bool {
	if host == "" || host == "localhost" || strings.HasPrefix(host, "/") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact hides the password of a database URL, for messages and logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
