// Package dbtest gives tests a fresh, migrated database on each engine
// shopbot supports: embedded SQLite in a temporary file, and the real
// PostgreSQL server in a schema of its own that is dropped afterwards.
//
// PostgreSQL is found through SHOPBOT_TEST_PG (default: the local server's
// "test" database). When it cannot be reached the PostgreSQL half of a test
// is skipped with a message, unless SHOPBOT_REQUIRE_PG=1 (as in CI), which
// makes it a failure.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // the PostgreSQL driver, for tests
	_ "modernc.org/sqlite" // the embedded SQLite driver, for tests

	"github.com/shopbot/shopbot/bot/schema"
)

// DefaultPG is the PostgreSQL used when SHOPBOT_TEST_PG is not set.
const DefaultPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=5"

// Engines are the names Run gives its subtests.
var Engines = []string{"sqlite", "postgres"}

// Run runs f once per engine as a subtest, each with a fresh database
// migrated with sets.
func Run(t *testing.T, f func(t *testing.T, db *sqlx.DB), sets ...schema.Set) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			f(t, Open(t, engine, sets...))
		})
	}
}

// Open returns a fresh database of the named engine migrated with sets; it
// is closed and removed when the test ends.
func Open(t testing.TB, engine string, sets ...schema.Set) *sqlx.DB {
	t.Helper()
	var db *sqlx.DB
	switch engine {
	case "sqlite":
		return openSQLite(t, sets)
	case "postgres":
		db = openPostgres(t)
	default:
		t.Fatalf("dbtest: unknown engine %q", engine)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schema.Migrate(ctx, db, sets...); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", engine, err)
	}
	return db
}

// URL returns a shopbot database URL ("sqlite:PATH" or "postgres://…") of
// a fresh, empty database of the named engine, removed when the test ends:
// for tests that go through the command line.
func URL(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "shopbot.db")
	case "postgres":
		_, u := newPostgresSchema(t)
		return u
	}
	t.Fatalf("dbtest: unknown engine %q", engine)
	return ""
}

// sqliteTemplates holds, per list of migration sets, the bytes of an
// SQLite database file migrated with them: a test's database is a copy,
// which costs a file write instead of the migrations (slow under -race,
// where the pure-Go SQLite is instrumented too).
var sqliteTemplates sync.Map // key → *sqliteTemplate

type sqliteTemplate struct {
	once sync.Once
	data []byte
	err  error
}

// Seeded is Open with the database filled by seed, named by key (the same
// key, the same contents: one name per seed function and its arguments).
// SQLite databases are copies of one migrated and seeded template per
// key; PostgreSQL ones are migrated and seeded for each test.
func Seeded(t testing.TB, engine, key string, seed func(context.Context, *sqlx.DB) error, sets ...schema.Set) *sqlx.DB {
	t.Helper()
	if engine == "sqlite" {
		return openSQLiteSeeded(t, key, seed, sets)
	}
	db := Open(t, engine, sets...)
	if err := seed(context.Background(), db); err != nil {
		t.Fatalf("dbtest: seed %s: %v", key, err)
	}
	return db
}

func openSQLite(t testing.TB, sets []schema.Set) *sqlx.DB {
	t.Helper()
	return openSQLiteSeeded(t, "", nil, sets)
}

func openSQLiteSeeded(t testing.TB, seedKey string, seed func(context.Context, *sqlx.DB) error, sets []schema.Set) *sqlx.DB {
	t.Helper()
	key := seedKey + "\x00"
	for _, s := range sets {
		key += fmt.Sprintf("%s %T%#v\x00", s.Name, s.FS, s.FS) // same name, other files: another template
	}
	v, _ := sqliteTemplates.LoadOrStore(key, &sqliteTemplate{})
	tmpl := v.(*sqliteTemplate)
	tmpl.once.Do(func() { tmpl.data, tmpl.err = migratedSQLite(sets, seed) })
	if tmpl.err != nil {
		t.Fatalf("dbtest: migrate sqlite: %v", tmpl.err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, tmpl.data, 0o600); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db, err := sqlx.Open("sqlite", schema.SQLiteDSN(path))
	if err != nil {
		t.Fatalf("dbtest: open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	// One connection opens the copied file (and its write-ahead log) before
	// any test's burst does: serve's start-up (migrate) does the same.
	if err := db.Ping(); err != nil {
		t.Fatalf("dbtest: open sqlite: %v", err)
	}
	t.Cleanup(schema.Checkpoints(db, time.Second, nil)) // as serve runs it
	return db
}

// migratedSQLite migrates a new SQLite database with sets, seeds it (seed
// may be nil) and returns its file, every change checkpointed into it.
func migratedSQLite(sets []schema.Set, seed func(context.Context, *sqlx.DB) error) ([]byte, error) {
	dir, err := os.MkdirTemp("", "dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := sqlx.Open("sqlite", schema.SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schema.Migrate(ctx, db, sets...); err != nil {
		return nil, err
	}
	if seed != nil {
		if err := seed(ctx, db); err != nil {
			return nil, err
		}
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

var (
	pgOnce sync.Once
	pgErr  error
)

// PostgresURL returns the server tests use.
func PostgresURL() string {
	if u := os.Getenv("SHOPBOT_TEST_PG"); u != "" {
		return u
	}
	return DefaultPG
}

// RequirePG reports whether a missing PostgreSQL is a failure.
func RequirePG() bool { return os.Getenv("SHOPBOT_REQUIRE_PG") == "1" }

// SkipOrFail stops a test whose PostgreSQL cannot be reached: a skip with a
// clear message on a laptop, a failure in CI.
func SkipOrFail(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL at %s unreachable (%v); set SHOPBOT_TEST_PG, or start it", schema.Redact(PostgresURL()), err)
	if RequirePG() {
		t.Fatal(msg)
	}
	t.Skip(msg + " — skipping the PostgreSQL half")
}

func openPostgres(t testing.TB) *sqlx.DB {
	t.Helper()
	_, u := newPostgresSchema(t)
	db, err := schema.Open(context.Background(), u) // the DSN serve would use
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db.SetMaxOpenConns(8)
	t.Cleanup(func() { db.Close() })
	return db
}

// newPostgresSchema creates a schema of its own for the test, dropped when
// it ends, and returns its name and a URL whose search_path selects it.
func newPostgresSchema(t testing.TB) (name, u string) {
	t.Helper()
	base := PostgresURL()
	pgOnce.Do(func() {
		db, err := sqlx.Open("postgres", base)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = db.PingContext(ctx)
			cancel()
			db.Close()
		}
		pgErr = err
	})
	if pgErr != nil {
		SkipOrFail(t, pgErr)
	}
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name = "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatalf("dbtest: create schema: %v", err)
	}
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	q := pu.Query()
	q.Set("search_path", name)
	if q.Get("options") == "" {
		// A test database need not survive a crash: commits do not wait
		// for the disk (about half the time of a test's migrations).
		q.Set("options", "-c synchronous_commit=off")
	}
	pu.RawQuery = q.Encode()
	t.Cleanup(func() {
		if a, err := sqlx.Open("postgres", base); err == nil {
			a.Exec("DROP SCHEMA " + name + " CASCADE")
			a.Close()
		}
	})
	return name, pu.String()
}
