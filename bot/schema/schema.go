// Package schema applies the versioned SQL migrations that each store
// package owns, on PostgreSQL and on SQLite.
//
// A store package embeds its migrations as two folders, postgres/ and
// sqlite/, of goose-annotated SQL files with the same version numbers, and
// exposes them as a Set. Each set keeps its own version table, so packages
// evolve their tables independently.
package schema

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// ErrTooNew reports a database whose schema was written by a newer shopbot
// than this binary.
var ErrTooNew = errors.New("database schema is newer than this shopbot")

// Set is the migrations of one package.
type Set struct {
	Name string // short and unique: the version table is schema_<Name>
	FS   fs.FS  // holds postgres/NNNN_*.sql and sqlite/NNNN_*.sql
}

// Embedded is the set name whose migrations are the folder dir of fsys
// (a package's embedded schema/ or migrations/ tree). It panics if dir is
// not there: the embedded tree is fixed at build time.
func Embedded(name string, fsys fs.FS, dir string) Set {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("schema: %s: %v", name, err))
	}
	return Set{Name: name, FS: sub}
}

// Dialect names the SQL dialect of db: "postgres" or "sqlite".
func Dialect(db *sqlx.DB) string {
	if db.DriverName() == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// Migrate brings every set up to its newest version, in order. It refuses a
// database that already holds a version a set does not know (ErrTooNew)
// before changing anything.
func Migrate(ctx context.Context, db *sqlx.DB, sets ...Set) error {
	providers := make([]*goose.Provider, 0, len(sets))
	for _, s := range sets {
		p, err := provider(ctx, db, s)
		if err != nil {
			return err
		}
		providers = append(providers, p)
	}
	for i, p := range providers {
		if err := checkNotNewer(ctx, p, sets[i].Name); err != nil {
			return err
		}
	}
	for i, p := range providers {
		if _, err := p.Up(ctx); err != nil {
			return fmt.Errorf("schema: migrate %s: %w", sets[i].Name, err)
		}
	}
	return nil
}

// Version reports, per set, the version the database holds and the newest
// this binary knows.
func Version(ctx context.Context, db *sqlx.DB, s Set) (current, newest int64, err error) {
	p, err := provider(ctx, db, s)
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema: version %s: %w", s.Name, err)
	}
	return current, newestVersion(p), nil
}

func provider(ctx context.Context, db *sqlx.DB, s Set) (*goose.Provider, error) {
	dialect := Dialect(db)
	sub, err := fs.Sub(s.FS, dialect)
	if err != nil {
		return nil, fmt.Errorf("schema: %s: %w", s.Name, err)
	}
	opts := []goose.ProviderOption{
		goose.WithTableName("schema_" + s.Name),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.DiscardHandler)),
	}
	gd := goose.DialectSQLite3
	if dialect == "postgres" {
		gd = goose.DialectPostgres
		// Several instances may start at once: one migrates, the others
		// wait. The advisory lock is the server's, so its id names the
		// database and schema: migrations of other schemas on the same
		// server (tests, other shops) do not wait on this one. The wait is
		// probed every second, five minutes at most, as goose's default.
		id, err := lockID(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("schema: %s: %w", s.Name, err)
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("schema: %s: %w", s.Name, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("schema: %s: %w", s.Name, err)
	}
	return p, nil
}

// lockID is the migration lock's id for the database and schema db uses.
func lockID(ctx context.Context, db *sqlx.DB) (int64, error) {
	var where string
	if err := db.GetContext(ctx, &where, `SELECT current_database() || '.' || COALESCE(current_schema(), '')`); err != nil {
		return 0, fmt.Errorf("migration lock: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("shopbot migrate " + where))
	return int64(h.Sum64()), nil
}

func newestVersion(p *goose.Provider) int64 {
	var v int64
	for _, src := range p.ListSources() {
		v = max(v, src.Version)
	}
	return v
}

func checkNotNewer(ctx context.Context, p *goose.Provider, name string) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("schema: version %s: %w", name, err)
	}
	if newest := newestVersion(p); current > newest {
		return fmt.Errorf("schema: %s is at version %d, this binary knows up to %d: %w (upgrade shopbot)", name, current, newest, ErrTooNew)
	}
	return nil
}
