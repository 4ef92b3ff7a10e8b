package dbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
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

// TestProxyRoundTrips: the proxy counts one round trip per simple query
// and per statement with parameters on serve's DSN (binary_parameters: one
// Sync), two for one without it (prepare, then execute).
func TestProxyRoundTrips(t *testing.T) {
	url, p := dbtest.PostgresProxy(t)
	for _, c := range []struct {
		name string
		open func() (*sqlx.DB, error)
		want int
	}{
		{"serve's DSN", func() (*sqlx.DB, error) { return schema.Open(context.Background(), url) }, 4},
		{"plain lib/pq", func() (*sqlx.DB, error) { return sqlx.Open("postgres", url) }, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := c.open()
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Ping(); err != nil { // the session's start-up is no round trip counted
				t.Fatal(err)
			}
			before := p.RoundTrips()
			tx, err := db.Beginx() // BEGIN
			if err != nil {
				t.Fatal(err)
			}
			var n int
			// A query with a parameter, then one without (a simple query).
			if err := tx.Get(&n, "SELECT $1::int + 1", 1); err != nil || n != 2 {
				t.Fatalf("select: %v %d", err, n)
			}
			if err := tx.Get(&n, "SELECT 40 + 2"); err != nil || n != 42 {
				t.Fatalf("select: %v %d", err, n)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := p.RoundTrips() - before; got != c.want {
				t.Errorf("%d round trips, want %d", got, c.want)
			}
		})
	}
}
