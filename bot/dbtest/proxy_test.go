package dbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestProxy takes PostgreSQL away through the proxy in both ways and
// brings it back: a cut closes the open connections and fails queries at
// once; a stall holds a query until the restore lets it through.
func TestProxy(t *testing.T) {
	url, p := dbtest.PostgresProxy(t)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ping := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return db.PingContext(ctx)
	}
	// back pings until the pool has dropped the connections a cut closed.
	back := func(what string) {
		t.Helper()
		var err error
		for range 5 {
			if err = ping(); err == nil {
				return
			}
		}
		t.Errorf("%s: ping = %v, want the database back", what, err)
	}
	back("through the proxy")
	if p.Open() == 0 {
		t.Errorf("no connection counted open")
	}

	p.Cut()
	if n := p.Open(); n != 0 {
		t.Errorf("%d connections open after a cut", n)
	}
	if err := ping(); err == nil {
		t.Errorf("cut: ping answered")
	}
	p.Restore()
	back("restored after the cut")

	p.Stall()
	done := make(chan error, 1)
	go func() { done <- ping() }()
	select {
	case err := <-done:
		t.Errorf("stalled: ping returned %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	p.Restore()
	if err := <-done; err != nil {
		t.Errorf("the held ping after the restore: %v", err)
	}
	back("restored after the stall")
}
