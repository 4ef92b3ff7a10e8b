package shop

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// chunk is how many rows one multi-row statement writes: well under
// PostgreSQL's 65,535 and SQLite's 32,766 parameters.
const chunk = 200

// readChunk is how many keys one IN list reads (one parameter each).
const readChunk = 1000

// bulk is rows bound for one table, written by Store.write.
type bulk struct {
	table string
	cols  []string
	// conflict is the upsert's target and update ("(sku) DO UPDATE SET
	// …"); "": a plain insert.
	conflict string
	rows     [][]any
}

// copies reports whether s writes b through COPY: on PostgreSQL, inside a
// transaction (COPY needs one), when the rows are more than one
// multi-row statement holds. A webhook's order or two stays one INSERT.
func (s *Store) copies(b *bulk) bool {
	_, tx := s.q.(*sqlx.Tx)
	return tx && s.q.DriverName() == "postgres" && len(b.rows) > chunk
}

// write lands b's rows. On PostgreSQL a large batch is streamed with COPY
// (lib/pq runs a prepared "COPY … FROM STDIN" as a copy-in: each Exec
// buffers a row, the last Exec without arguments sends and ends it) —
// straight into the table for a plain insert, into a temporary staging
// table and then one INSERT … SELECT … ON CONFLICT for an upsert. Otherwise
// the rows go in multi-row INSERTs of chunk rows, one prepared statement
// for all the full chunks (SQLite parses a 2,600-parameter statement once,
// not once per chunk).
func (s *Store) write(ctx context.Context, op string, b *bulk) error {
	if len(b.rows) == 0 {
		return nil
	}
	if s.copies(b) {
		if err := s.copyIn(ctx, b); err != nil {
			return fmt.Errorf("shop: %s: %w", op, err)
		}
		return nil
	}
	cols := strings.Join(b.cols, ", ")
	query := func(n int) string {
		q := `INSERT INTO ` + b.table + ` (` + cols + `) VALUES ` + rows(n, len(b.cols))
		if b.conflict != "" {
			q += ` ON CONFLICT ` + b.conflict
		}
		return s.rebind(q)
	}
	args := func(part [][]any) []any {
		a := make([]any, 0, len(part)*len(b.cols))
		for _, r := range part {
			a = append(a, r...)
		}
		return a
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for part := range slices.Chunk(b.rows, chunk) {
		if len(part) < chunk || len(b.rows) < 2*chunk {
			if _, err := s.q.ExecContext(ctx, query(len(part)), args(part)...); err != nil {
				return fmt.Errorf("shop: %s: %w", op, err)
			}
			continue
		}
		if full == nil {
			p, ok := s.q.(interface {
				PrepareContext(context.Context, string) (*sql.Stmt, error)
			})
			if !ok {
				if _, err := s.q.ExecContext(ctx, query(len(part)), args(part)...); err != nil {
					return fmt.Errorf("shop: %s: %w", op, err)
				}
				continue
			}
			var err error
			if full, err = p.PrepareContext(ctx, query(chunk)); err != nil {
				return fmt.Errorf("shop: %s: %w", op, err)
			}
		}
		if _, err := full.ExecContext(ctx, args(part)...); err != nil {
			return fmt.Errorf("shop: %s: %w", op, err)
		}
	}
	return nil
}

// copyIn streams b's rows with COPY (see write).
func (s *Store) copyIn(ctx context.Context, b *bulk) error {
	tx := s.q.(*sqlx.Tx)
	target := b.table
	if b.conflict != "" {
		// Dropped when the transaction ends; a strict import's later
		// batches find it (empty: the INSERT below takes its rows out).
		target = b.table + "_staged"
		if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS `+target+
			` (LIKE `+b.table+` INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
	}
	st, err := tx.PrepareContext(ctx, copyFrom(target, b.cols))
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer st.Close()
	for _, r := range b.rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if b.conflict == "" {
		return nil
	}
	cols := strings.Join(b.cols, ", ")
	// The staged rows are taken out as they go in, so the table is empty
	// for the next batch of the same transaction.
	_, err = tx.ExecContext(ctx, `WITH staged AS (DELETE FROM `+target+` RETURNING `+cols+`)
		INSERT INTO `+b.table+` (`+cols+`) SELECT `+cols+` FROM staged ON CONFLICT `+b.conflict)
	if err != nil {
		return fmt.Errorf("insert staged rows: %w", err)
	}
	return nil
}

// copyFrom is the statement lib/pq's CopyIn builds, `COPY "table" ("a",
// "b") FROM STDIN`, written here so that the driver stays in cmd/shopbot
// (lib/pq recognises the statement by its text; its CopyIn is only this
// quoting and is deprecated in favour of writing the text).
func copyFrom(table string, cols []string) string {
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quote(c)
	}
	return "COPY " + quote(table) + " (" + strings.Join(q, ", ") + ") FROM STDIN"
}

// columnList is a list of columns as SQL writes it ("a, b,\n\tc") as
// names.
func columnList(s string) []string {
	cols := strings.Split(s, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c)
	}
	return cols
}

// rows is n groups of k placeholders: "(?, ?), (?, ?)".
func rows(n, k int) string {
	one := "(" + placeholders(k) + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}
