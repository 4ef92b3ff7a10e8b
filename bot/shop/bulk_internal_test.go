package shop

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestCopies: a batch larger than one statement's rows goes through COPY
// on PostgreSQL inside a transaction, and only there (TestImportLargeBatches
// checks that what lands is the same).
func TestCopies(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		tx, err := db.BeginTxx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		pg := db.DriverName() == "postgres"
		for _, c := range []struct {
			q    sqlx.ExtContext
			rows int
			want bool
		}{{tx, chunk + 1, pg}, {tx, chunk, false}, {db, 5 * chunk, false}} {
			if got := NewStore(c.q).copies(&bulk{rows: make([][]any, c.rows)}); got != c.want {
				t.Errorf("%T, %d rows: copies = %v, want %v", c.q, c.rows, got, c.want)
			}
		}
	}, Schema)
}

// TestCopyFrom: the statement is the text lib/pq's CopyIn builds (the
// driver recognises a copy-in by it).
func TestCopyFrom(t *testing.T) {
	got := copyFrom("orders_staged", []string{"number", `odd"name`})
	if want := `COPY "orders_staged" ("number", "odd""name") FROM STDIN`; got != want {
		t.Errorf("copyFrom = %s, want %s", got, want)
	}
}
