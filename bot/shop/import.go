package shop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ImportOptions say what an import file holds and how to land it.
type ImportOptions struct {
	Kind    ImportKind // products or orders
	Format  Format     // the file's layout; "": recognised from its header
	Mapping *Mapping   // the generic format's columns, statuses and times (nil: shopbot's field names)
	// Strict lands nothing when any row is rejected.
	Strict bool
	// Location is the time zone of times written without one (Korean
	// platforms write local time); nil: Asia/Seoul.
	Location *time.Location
	// BatchSize is how many rows go in one transaction (0: 1,000). An
	// order's rows are never split across two.
	BatchSize int
	Now       func() time.Time // nil: time.Now
	// Changed, if set, hears within each transaction, before it commits,
	// what it changed that someone may need to know (stock crossings,
	// shipments), so that what it queues in q commits with the rows. Its
	// error rolls the transaction back and stops the import.
	Changed func(ctx context.Context, q sqlx.ExtContext, c Changes) error
}

// Problem is a remark on one row of an import file.
type Problem struct {
	Row    int    // the row as a spreadsheet numbers it: the first line is row 1
	Column string // the column's header as the file writes it; "" for the row as a whole
	Reason string
}

func (p Problem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("row %d: %s", p.Row, p.Reason)
	}
	return fmt.Sprintf("row %d, %s: %s", p.Row, p.Column, p.Reason)
}

// maxProblems is how many problems (and notes) a report lists; the rest
// are counted.
const maxProblems = 200

// ImportReport is what an import did. Inserted, Updated, Unchanged and
// Rejected count records (orders or products), not rows.
type ImportReport struct {
	Kind     ImportKind
	Format   Format
	Encoding string
	Rows     int // data rows read, the header not counted
	ApplyResult
	Rejected     int
	Problems     []Problem // why records were rejected (the first maxProblems)
	MoreProblems int       // problems not listed
	Notes        []Problem // remarks on rows that landed
	MoreNotes    int
	// Committed is false when nothing landed: a strict import with
	// rejected rows.
	Committed bool
}

func (r *ImportReport) problem(p Problem) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	} else {
		r.MoreProblems++
	}
}

func (r *ImportReport) note(p Problem) {
	if len(r.Notes) < maxProblems {
		r.Notes = append(r.Notes, p)
	} else {
		r.MoreNotes++
	}
}

// Summary is the report's last line: "orders (shopify, utf-8): 3
// inserted, 1 updated, 0 unchanged, 2 rejected".
func (r *ImportReport) Summary() string {
	s := fmt.Sprintf("%s (%s, %s): %d inserted, %d updated, %d unchanged, %d rejected",
		r.Kind, r.Format, r.Encoding, r.Inserted, r.Updated, r.Unchanged, r.Rejected)
	if !r.Committed {
		s += " — nothing imported (strict)"
	}
	return s
}

// WriteText writes the problems, the notes and the summary line.
func (r *ImportReport) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "rejected: %s\n", p)
	}
	if r.MoreProblems > 0 {
		fmt.Fprintf(&b, "rejected: … and %d more problems\n", r.MoreProblems)
	}
	for _, p := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", p)
	}
	if r.MoreNotes > 0 {
		fmt.Fprintf(&b, "note: … and %d more notes\n", r.MoreNotes)
	}
	b.WriteString(r.Summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// ErrNoHeader reports an import file whose header row was not found.
var ErrNoHeader = errors.New("shop: import: no header row")

// headerSearch is how many rows may come before the header (a title, a
// blank line, a download date).
const headerSearch = 10

// Import reads an export file (CSV, TSV or XLSX; UTF-8, UTF-8 with BOM,
// UTF-16 or CP949) from r and lands its products or orders in db, in
// transactions of opts.BatchSize rows, streaming: memory does not grow
// with the file (beyond the set of order numbers seen). Rows that cannot
// be read are reported by row, column and reason, and the others land
// (with opts.Strict, nothing lands). Importing the same file twice
// changes nothing; a newer export updates statuses, tracking numbers and
// stock. The error is for the file as a whole (unreadable, no header) or
// the database; the report says what happened up to it.
func Import(ctx context.Context, db *sqlx.DB, r io.Reader, opts ImportOptions) (*ImportReport, error) {
	if opts.Kind != ImportOrders && opts.Kind != ImportProducts {
		return nil, fmt.Errorf("shop: import: unknown kind %q (want products or orders)", opts.Kind)
	}
	if opts.Format != "" && !slices.Contains(Formats, opts.Format) {
		return nil, fmt.Errorf("shop: import: unknown format %q (want shopify, cafe24, smartstore or generic)", opts.Format)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	loc := opts.Location
	if opts.Mapping != nil && opts.Mapping.location != nil {
		loc = opts.Mapping.location
	}
	if loc == nil {
		var err error
		if loc, err = time.LoadLocation("Asia/Seoul"); err != nil {
			loc = time.FixedZone("KST", 9*60*60)
		}
	}
	rep := &ImportReport{Kind: opts.Kind, Format: opts.Format, Committed: true}
	t, enc, err := openTable(r)
	if err != nil {
		return rep, fmt.Errorf("shop: import: %w", err)
	}
	defer t.close()
	rep.Encoding = enc
	b, headerRow, err := findHeader(t, opts)
	if err != nil {
		return rep, err
	}
	rep.Format = b.format
	im := &importer{opts: opts, db: db, rep: rep, b: b, p: parser{b: b, loc: loc, mapping: opts.Mapping},
		seen: map[string]int{}}
	if opts.Strict {
		if im.tx, err = db.BeginTxx(ctx, nil); err != nil {
			return rep, fmt.Errorf("shop: import: %w", err)
		}
		defer im.tx.Rollback()
	}
	row := headerRow
	for {
		cells, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("shop: import: row %d: %w", row+1, err)
		}
		row++
		if blank(cells) {
			continue
		}
		rep.Rows++
		if err := im.row(ctx, row, cells); err != nil {
			return rep, err
		}
	}
	if err := im.finish(ctx); err != nil {
		return rep, err
	}
	if rep.Committed && (rep.Inserted > 0 || rep.Updated > 0) {
		// The planner's statistics for the tables that just grew: without
		// them SQLite scanned every order for a day's sales.
		if err := analyze(ctx, db); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// analyze refreshes the query planner's statistics of the shop's tables
// (SQLite reads at most a thousand rows per index for them).
func analyze(ctx context.Context, db *sqlx.DB) error {
	conn, err := db.Connx(ctx)
	if err != nil {
		return fmt.Errorf("shop: import: analyze: %w", err)
	}
	defer conn.Close()
	stmts := []string{"ANALYZE products, orders, order_items"}
	if db.DriverName() == "sqlite" {
		stmts = []string{"PRAGMA analysis_limit=1000", "ANALYZE products", "ANALYZE orders", "ANALYZE order_items", "PRAGMA analysis_limit=0"}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("shop: import: analyze: %w", err)
		}
	}
	return nil
}

// findHeader reads rows until one is the header of opts' layout. A file
// of the other kind (orders given to a products import, or the reverse)
// is refused, and a layout it does not know is told with the columns it
// has and the layouts known.
func findHeader(t table, opts ImportOptions) (*binding, int, error) {
	var missing, first []string
	firstRow := 0
	for n := 1; n <= headerSearch; n++ {
		cells, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("shop: import: row %d: %w", n, err)
		}
		if blank(cells) {
			continue
		}
		if first == nil {
			first, firstRow = cells, n
		}
		b, miss, err := detect(opts.Kind, opts.Format, opts.Mapping, cells)
		if err != nil {
			return nil, 0, fmt.Errorf("shop: import: %w", err)
		}
		if err := otherKind(opts.Kind, b != nil, cells); err != nil {
			return nil, 0, err
		}
		if b != nil {
			return b, n, nil
		}
		if missing == nil {
			missing = miss
		}
	}
	if len(missing) == 0 {
		return nil, 0, fmt.Errorf("%w: the file is empty", ErrNoHeader)
	}
	found := fmt.Sprintf("the columns of row %d are %s", firstRow, strings.Join(quoteAll(first), ", "))
	if opts.Format != "" {
		return nil, 0, fmt.Errorf("%w for %s %s: no column %s in the first %d rows; %s",
			ErrNoHeader, opts.Format, opts.Kind, strings.Join(quoteAll(missing), ", "), headerSearch, found)
	}
	var known []string
	for _, l := range layouts {
		if l.kind != opts.Kind {
			continue
		}
		var need []string
		for _, f := range l.required {
			need = append(need, l.columns[f][0])
		}
		known = append(known, fmt.Sprintf("%s (needs %s)", l.format, strings.Join(quoteAll(need), ", ")))
	}
	return nil, 0, fmt.Errorf("%w: not a layout shopbot knows for %s in the first %d rows: %s; known layouts: %s; "+
		"for another layout, name its columns in a mapping file (--format generic --map FILE)",
		ErrNoHeader, opts.Kind, headerSearch, found, strings.Join(known, "; "))
}

// ErrWrongKind reports an orders file given to a products import, or the
// reverse.
var ErrWrongKind = errors.New("shop: import: wrong kind of file")

// otherKind refuses a header that is plainly the other kind's: an orders
// export (two or more columns only orders have) for products, or, when
// the header is no orders layout (bound says whether it is one of kind), a
// products export for orders.
func otherKind(kind ImportKind, bound bool, header []string) error {
	other := ImportOrders
	if kind == ImportOrders {
		other = ImportProducts
	}
	if kind == ImportOrders && bound {
		return nil
	}
	b, _, err := detect(other, "", nil, header)
	if err != nil || b == nil {
		return nil
	}
	var orderOnly []string
	for f, cols := range b.cols {
		if !slices.Contains(productFields, f) {
			orderOnly = append(orderOnly, cols[0].name)
		}
	}
	slices.Sort(orderOnly)
	shown := orderOnly
	if len(shown) > 4 {
		shown = append(slices.Clip(shown[:4]), "…")
	}
	switch {
	case kind == ImportProducts && len(orderOnly) >= 2:
		return fmt.Errorf("%w: this is an orders export (%s %s, with columns %s): import it with `shopbot import orders FILE`",
			ErrWrongKind, b.format, other, strings.Join(quoteAll(shown), ", "))
	case kind == ImportOrders && !hasOrderColumns(header):
		return fmt.Errorf("%w: this is a products export (%s %s): import it with `shopbot import products FILE`",
			ErrWrongKind, b.format, other)
	}
	return nil
}

// hasOrderColumns reports whether header binds an orders layout with a
// column only orders have.
func hasOrderColumns(header []string) bool {
	b, _, err := detect(ImportOrders, "", nil, header)
	if err != nil || b == nil {
		return false
	}
	for f := range b.cols {
		if !slices.Contains(productFields, f) {
			return true
		}
	}
	return false
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return q
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// importer lands parsed records batch by batch.
type importer struct {
	opts ImportOptions
	db   *sqlx.DB
	tx   *sqlx.Tx // the whole import's transaction when strict
	rep  *ImportReport
	b    *binding
	p    parser

	cur      *pendingOrder   // the order whose rows are being read
	orders   []*pendingOrder // complete orders waiting for the batch
	products []ProductUpdate
	prodRows []int          // the row of each of products
	rows     int            // rows in the waiting batch
	seen     map[string]int // order number → its first row
	pending  Changes        // strict: changes to tell after the commit
}

func (im *importer) row(ctx context.Context, n int, cells []string) error {
	r := rowView{n: n, cells: cells, b: im.b}
	if im.opts.Kind == ImportProducts {
		u, ok := im.p.product(r, im.rep)
		if !ok {
			im.rep.Rejected++
		} else if u != nil {
			im.products = append(im.products, *u)
			im.prodRows = append(im.prodRows, n)
		}
		im.rows++
		if im.rows >= im.opts.BatchSize {
			return im.flush(ctx)
		}
		return nil
	}
	number, col := r.get(fNumber)
	number = orderNumber(number)
	if number == "" {
		im.rep.problem(Problem{Row: n, Column: col, Reason: "no order number"})
		im.rep.Rejected++
		return nil
	}
	if im.cur == nil || im.cur.o.Number != number {
		im.closeOrder()
		if im.rows >= im.opts.BatchSize {
			if err := im.flush(ctx); err != nil {
				return err
			}
		}
		if first, ok := im.seen[number]; ok {
			im.rep.problem(Problem{Row: n, Column: col, Reason: fmt.Sprintf("order %s already ended at an earlier row (its first is row %d): an order's rows must be together", number, first)})
			im.rep.Rejected++
			return nil
		}
		// A copy: number is a slice of the row's line, and a key that
		// pointed into it kept every order's whole first line alive (300k
		// rows: 180 MB at the peak).
		im.seen[strings.Clone(number)] = n
		im.cur = &pendingOrder{o: Order{Number: number}}
	}
	im.rows++
	im.p.orderRow(r, im.cur, im.rep)
	return nil
}

// closeOrder moves the order being read to the batch, or rejects it.
func (im *importer) closeOrder() {
	if im.cur == nil {
		return
	}
	if im.cur.bad {
		im.rep.Rejected++
	} else {
		im.orders = append(im.orders, im.cur)
	}
	im.cur = nil
}

// flush lands the waiting batch.
func (im *importer) flush(ctx context.Context) error {
	defer func() {
		im.orders, im.products, im.prodRows, im.rows = im.orders[:0], im.products[:0], im.prodRows[:0], 0
	}()
	if len(im.orders) == 0 && len(im.products) == 0 {
		return nil
	}
	now := im.opts.Now()
	apply := func(st *Store) (ApplyResult, error) {
		if im.opts.Kind == ImportProducts {
			ps, err := im.named(ctx, st)
			if err != nil {
				return ApplyResult{}, err
			}
			return st.ApplyProducts(ctx, ps, now)
		}
		os := make([]Order, 0, len(im.orders))
		for _, p := range im.orders {
			os = append(os, p.order())
		}
		os, err := im.dated(ctx, st, os)
		if err != nil {
			return ApplyResult{}, err
		}
		return st.ApplyOrders(ctx, os, now)
	}
	if im.tx != nil {
		res, err := apply(NewStore(im.tx))
		if err != nil {
			return fmt.Errorf("shop: import: %w", err)
		}
		im.rep.add(res)
		im.pending.Add(res.Changes)
		return nil
	}
	tx, err := im.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("shop: import: %w", err)
	}
	defer tx.Rollback()
	res, err := apply(NewStore(tx))
	if err != nil {
		return fmt.Errorf("shop: import: %w", err)
	}
	if err := im.tell(ctx, tx, res.Changes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("shop: import: commit: %w", err)
	}
	im.rep.add(res)
	return nil
}

// dated rejects the new orders of os that have no order date: landed,
// they would be dated today and count in today's sales. An order the shop
// already has keeps its date (a file of shipping updates needs none).
func (im *importer) dated(ctx context.Context, st *Store, os []Order) ([]Order, error) {
	var undated []string
	for _, o := range os {
		if o.OrderedAt.IsZero() {
			undated = append(undated, o.Number)
		}
	}
	if len(undated) == 0 {
		return os, nil
	}
	have, err := st.ordersByNumber(ctx, undated)
	if err != nil {
		return nil, err
	}
	col := im.b.layout.columns[fOrderedAt]
	if c := im.b.cols[fOrderedAt]; len(c) > 0 {
		col = []string{c[0].name}
	}
	name := fOrderedAt
	if len(col) > 0 {
		name = col[0]
	}
	return slices.DeleteFunc(os, func(o Order) bool {
		if !o.OrderedAt.IsZero() || have[o.Number] != nil {
			return false
		}
		im.rep.problem(Problem{Row: im.seen[o.Number], Column: name,
			Reason: "a new order without an order date (it would count as today's sales)"})
		im.rep.Rejected++
		return true
	}), nil
}

// named rejects the new products of the batch that have no name: landed,
// they would be named by their SKU with no stock (an orders file given to
// a products import makes such junk). An existing product needs none (a
// file of stock updates).
func (im *importer) named(ctx context.Context, st *Store) ([]ProductUpdate, error) {
	var unnamed []string
	for _, u := range im.products {
		if u.Name == "" {
			unnamed = append(unnamed, u.SKU)
		}
	}
	if len(unnamed) == 0 {
		return im.products, nil
	}
	have, err := st.productsBySKU(ctx, unnamed)
	if err != nil {
		return nil, err
	}
	col := fName
	if c := im.b.cols[fName]; len(c) > 0 {
		col = c[0].name
	} else if names := im.b.layout.columns[fName]; len(names) > 0 {
		col = names[0]
	}
	var keep []ProductUpdate
	for i, u := range im.products {
		if _, ok := have[u.SKU]; u.Name == "" && !ok {
			im.rep.problem(Problem{Row: im.prodRows[i], Column: col, Reason: fmt.Sprintf("a new product (%s) without a name", quote(u.SKU))})
			im.rep.Rejected++
			continue
		}
		keep = append(keep, u)
	}
	return keep, nil
}

func (im *importer) tell(ctx context.Context, q sqlx.ExtContext, c Changes) error {
	if im.opts.Changed == nil || c.Empty() {
		return nil
	}
	return im.opts.Changed(ctx, q, c)
}

// finish lands the last batch and, when strict, commits or rolls back
// the whole import.
func (im *importer) finish(ctx context.Context) error {
	im.closeOrder()
	if err := im.flush(ctx); err != nil {
		return err
	}
	if im.tx == nil {
		return nil
	}
	if im.rep.Rejected > 0 {
		im.rep.Committed = false
		return im.tx.Rollback()
	}
	if err := im.tell(ctx, im.tx, im.pending); err != nil {
		return err
	}
	if err := im.tx.Commit(); err != nil {
		return fmt.Errorf("shop: import: commit: %w", err)
	}
	return nil
}

// orderNumber is an order number as the bot looks it up: Shopify's "#1001"
// is 1001.
func orderNumber(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#"))
}
