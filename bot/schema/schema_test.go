package schema_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
)

func sets() (v1, v2 schema.Set) {
	return schema.Set{Name: "widgets", FS: os.DirFS("testdata/v1")},
		schema.Set{Name: "widgets", FS: os.DirFS("testdata/v2")}
}

func TestMigrateUpgradesAndRefusesNewer(t *testing.T) {
	v1, v2 := sets()
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		if cur, newest, err := schema.Version(ctx, db, v1); err != nil || cur != 1 || newest != 1 {
			t.Fatalf("Version after v1 = %d, %d, %v; want 1, 1, nil", cur, newest, err)
		}
		// Running the same migrations again changes nothing.
		if err := schema.Migrate(ctx, db, v1); err != nil {
			t.Fatalf("Migrate v1 again: %v", err)
		}
		if err := schema.Migrate(ctx, db, v2); err != nil {
			t.Fatalf("Migrate v2: %v", err)
		}
		if _, err := db.Exec(db.Rebind("INSERT INTO widgets (id, name) VALUES (?, ?)"), 1, "a"); err != nil {
			t.Fatal(err)
		}
		var colour string
		if err := db.Get(&colour, "SELECT colour FROM widgets"); err != nil || colour != "red" {
			t.Fatalf("colour = %q, %v; want red", colour, err)
		}
		// An older binary (v1) must refuse the newer database.
		err := schema.Migrate(ctx, db, v1)
		if !errors.Is(err, schema.ErrTooNew) {
			t.Fatalf("Migrate v1 on a v2 database: err = %v, want ErrTooNew", err)
		}
	}, v1)
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw, driver, dsn string
		wantErr          bool
	}{
		{raw: "sqlite:shop.db", driver: "sqlite", dsn: schema.SQLiteDSN("shop.db")},
		{raw: "sqlite:///tmp/x.db", driver: "sqlite", dsn: schema.SQLiteDSN("/tmp/x.db")},
		{raw: "postgres://u@127.0.0.1/db", driver: "postgres", dsn: "postgres://u@127.0.0.1/db?binary_parameters=yes&connect_timeout=10&sslmode=disable"},
		{raw: "postgres://u@db.example.com/db?sslmode=require", driver: "postgres", dsn: "postgres://u@db.example.com/db?binary_parameters=yes&connect_timeout=10&sslmode=require"},
		{raw: "postgres://u@h/db?binary_parameters=no", driver: "postgres", dsn: "postgres://u@h/db?binary_parameters=no&connect_timeout=10"},
		{raw: "mysql://x", wantErr: true},
		{raw: "sqlite:", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			driver, dsn, err := schema.ParseURL(tt.raw)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if driver != tt.driver || dsn != tt.dsn {
				t.Errorf("got %q %q, want %q %q", driver, dsn, tt.driver, tt.dsn)
			}
		})
	}
	if got := schema.Redact("postgres://u:secret@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("Redact = %q", got)
	}
}

// TestMigrateAtOnce starts several instances on one PostgreSQL schema at
// the same moment: the migration lock lets one migrate and the others find
// the work done.
func TestMigrateAtOnce(t *testing.T) {
	_, v2 := sets()
	u := dbtest.URL(t, "postgres")
	ctx := context.Background()
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			db, err := schema.Open(ctx, u)
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			errs <- schema.Migrate(ctx, db, v2)
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
	db, err := schema.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if cur, newest, err := schema.Version(ctx, db, v2); err != nil || cur != 2 || newest != 2 {
		t.Errorf("Version = %d, %d, %v; want 2, 2, nil", cur, newest, err)
	}
}
