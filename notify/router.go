package notify

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Destination is one place an owner reads: a channel and a chat on it.
type Destination struct {
	Channel string
	Chat    string
	// Every asks for every event, unfiltered and at once (a work queue,
	// such as a Slack channel). Otherwise the destination is personal (a
	// phone that buzzes): only what Interrupts reaches it, under the
	// router's policy.
	Every bool
}

// Defaults of the router's policy.
const (
	DefaultMaxPerHour = 10
	DefaultWindow     = 30 * time.Minute
)

// Router decides which owner destinations hear of an event, and when.
//
// Destinations with Every get every event at once. Personal destinations
// get only the events that Interrupts, and, when DB is set, under a policy
// kept in the database (so several instances share it):
//
//   - quiet hours: an alert that is not urgent (or any, with HoldUrgent)
//     waits for the end of the quiet hours;
//   - coalescing: a repeat of a Key already alerted within Window, or
//     still waiting, is folded into one update sent when the window ends;
//     an escalation (higher priority, "escalated", an SLA missed) is not;
//   - rate cap: at most MaxPerHour messages in any hour; the overflow is
//     folded into one "and 7 more" message when a slot frees.
//
// Every raiser hands its events to PostTx (or Post), within the
// transaction that raises them: each destination that hears of an event
// now gets one row of its own in the outbox, delivered by that
// destination's sender. Held, folded and overflowing alerts leave as one
// digest per destination from Flush. PostTx, Post, Route and Flush are
// safe for concurrent use.
type Router struct {
	Destinations []Destination
	Sender       Sender // a TxSender for PostTx and Post

	DB         *sqlx.DB         // nil: no policy, interrupting events go out at once
	Now        func() time.Time // nil: time.Now
	Location   *time.Location   // the owner's time zone, for quiet hours; nil: UTC
	MaxPerHour int              // 0: DefaultMaxPerHour
	Window     time.Duration    // coalescing window; 0: DefaultWindow
	Quiet      Quiet            // quiet hours; the zero value has none
	HoldUrgent bool             // quiet hours hold urgent alerts too
	Lang       string           // the language of digests: "ko", "en", "zh"
	Log        *slog.Logger     // nil: discard
}

// Interrupts reports whether e is worth a personal destination: a new
// message on or escalation of an urgent ticket, or an event notify raised
// (stock, SLA, failure, digest, summary). The owner's own actions
// (answered, claimed, resolved) and non-urgent tickets wait for the
// summary or a work channel.
func Interrupts(e Event) bool {
	switch e.Kind {
	case KindStock, KindSLAWarning, KindSLAMissed, KindFailure, KindDigest, KindSummary:
		return true
	case KindNew, KindMessage, KindEscalated:
		return e.Priority == "urgent"
	}
	return false
}

// Route sends e, which carries its Source, through Sender to every
// destination that wants it now, and records what waits, each decision in
// a transaction of its own: for a Sender that cannot send within the
// raiser's transaction, and for Post without DB. It stops at the first
// failure; routing the same event again is safe: a decision is taken once
// per (Source, destination) and the Sender drops copies.
func (r *Router) Route(ctx context.Context, e Event) error {
	for _, d := range r.Destinations {
		hears, policy := r.hears(d, e)
		if !hears {
			continue
		}
		if policy {
			send, err := r.decide(ctx, d, e)
			if err != nil {
				return err
			}
			if !send {
				continue
			}
		}
		if err := r.Sender.Send(ctx, d, e); err != nil {
			return fmt.Errorf("notify: route %s to %s: %w", cmp.Or(e.Key, e.Kind), d.Channel, err)
		}
	}
	return nil
}

// TxSender is a Sender that can queue an event within the caller's
// transaction (bot.Outbox: one outbox row for the destination, which its
// own sender delivers). PostTx needs one.
type TxSender interface {
	SendTx(ctx context.Context, q sqlx.ExtContext, d Destination, e Event) error
}

// PostTx routes e within q, the transaction that raises it (a customer's
// message, a summary's claim, a stock change): the policy's decisions
// and one row for each destination that hears of it now are written with
// the change that calls for them, so a rollback leaves neither. It is the
// one way an owner event leaves its raiser: notify.TxPoster.
//
// An event without a Source gets one when a decision needs it (a claim
// of its own in notify_claims), so "once per (event, destination)" holds
// without the raiser's outbox row. Posting the same Source again (a
// raiser retrying after a crash) adds nothing. Call Wake after the commit.
//
// Lock order: a personal destination's decision takes its lock
// (PostgreSQL: an advisory lock per destination) inside q, in the order
// of Destinations. Raise the event last in the transaction, after every
// other row it locks, so that a transaction waiting for a destination
// holds nothing the holder of that lock still needs.
func (r *Router) PostTx(ctx context.Context, q sqlx.ExtContext, e Event) error {
	ts, ok := r.Sender.(TxSender)
	if !ok {
		return errors.New("notify: post: the router's Sender cannot send within a transaction")
	}
	for _, d := range r.Destinations {
		hears, policy := r.hears(d, e)
		if !hears {
			continue
		}
		if policy {
			if e.Source == 0 {
				src, err := newSource(ctx, q, r.now())
				if err != nil {
					return err
				}
				e.Source = src
			}
			send, err := r.decideIn(ctx, q, d, e)
			if err != nil {
				return err
			}
			if !send {
				continue
			}
		}
		if err := ts.SendTx(ctx, q, d, e); err != nil {
			return fmt.Errorf("notify: post %s to %s: %w", cmp.Or(e.Key, e.Kind), d.Channel, err)
		}
	}
	return nil
}

// Post routes e in a transaction of its own (PostTx) and wakes the
// Sender: notify.Poster, for the watcher's alerts. Without DB there is no
// policy to record: it is Route.
func (r *Router) Post(ctx context.Context, e Event) error {
	if r.DB == nil {
		return r.Route(ctx, e)
	}
	tx, err := r.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("notify: post: %w", err)
	}
	defer tx.Rollback()
	if err := r.PostTx(ctx, tx, e); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("notify: post: commit: %w", err)
	}
	r.Wake()
	return nil
}

// Wake tells the Sender, if it wants to know (bot.Outbox), that a
// transaction that posted events has committed.
func (r *Router) Wake() {
	if w, ok := r.Sender.(interface{ Wake() }); ok {
		w.Wake()
	}
}

// hears reports whether destination d hears of e at all, and whether the
// policy (DB) decides when.
func (r *Router) hears(d Destination, e Event) (hears, policy bool) {
	// A channel that cannot send is not told about itself.
	if e.Kind == KindFailure && e.Key == "failure:"+d.Channel {
		return false, false
	}
	switch {
	case d.Every || e.Kind == KindSummary:
		return true, false
	case !Interrupts(e):
		return false, false
	}
	return true, r.DB != nil
}

// Decisions recorded in notify_alerts.
const (
	decSent     = "sent"
	decFolded   = "folded"
	decHeld     = "held"
	decOverflow = "overflow"
	decDigest   = "digest"
)

func (r *Router) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

func (r *Router) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Router) maxPerHour() int {
	if r.MaxPerHour > 0 {
		return r.MaxPerHour
	}
	return DefaultMaxPerHour
}

func (r *Router) window() time.Duration {
	if r.Window > 0 {
		return r.Window
	}
	return DefaultWindow
}

func (r *Router) loc() *time.Location {
	if r.Location != nil {
		return r.Location
	}
	return time.UTC
}

// decide takes, once per (event, destination), the policy's decision and
// records it, in a transaction of its own; true means send now.
func (r *Router) decide(ctx context.Context, d Destination, e Event) (bool, error) {
	if e.Source == 0 {
		return false, errors.New("notify: route: an event without a Source cannot be routed exactly once")
	}
	tx, err := r.DB.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("notify: decide: %w", err)
	}
	defer tx.Rollback()
	send, err := r.decideIn(ctx, tx, d, e)
	if err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("notify: decide: %w", err)
	}
	return send, nil
}

// decideIn takes, within q, the policy's decision about e (with its
// Source) for d, once: a decision taken before (a retry) is returned as
// it was. true means send now.
func (r *Router) decideIn(ctx context.Context, q sqlx.ExtContext, d Destination, e Event) (bool, error) {
	if err := lockKey(ctx, q, d.Channel+"\x00"+d.Chat); err != nil {
		return false, err
	}
	var prev string
	err := sqlx.GetContext(ctx, q, &prev, q.Rebind(`SELECT decision FROM notify_alerts WHERE source = ? AND channel = ? AND chat = ?`),
		e.Source, d.Channel, d.Chat)
	switch {
	case err == nil:
		return prev == decSent, nil // decided before: a retry
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("notify: decide: %w", err)
	}
	now := r.now()
	decision, due, err := r.policy(ctx, q, d, e, now)
	if err != nil {
		return false, fmt.Errorf("notify: decide: %w", err)
	}
	var sentAt *time.Time
	if decision == decSent {
		sentAt = &now
	}
	_, err = q.ExecContext(ctx, q.Rebind(`INSERT INTO notify_alerts
		(source, channel, chat, key, kind, priority, ticket, text, decision, due_at, sent_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Source, d.Channel, d.Chat, e.Key, e.Kind, e.Priority, e.Ticket, truncate(e.Text, 2000), decision, due.UTC(), sentAt, now)
	if err != nil {
		return false, fmt.Errorf("notify: decide: %w", err)
	}
	if decision != decSent {
		r.log().Info("notify: alert held", "key", e.Key, "kind", e.Kind, "channel", d.Channel, "chat", d.Chat, "decision", decision, "due", due)
	}
	return decision == decSent, nil
}

// policy decides about e for d at now, within q.
func (r *Router) policy(ctx context.Context, q sqlx.ExtContext, d Destination, e Event, now time.Time) (string, time.Time, error) {
	if r.Quiet.Contains(now, r.loc()) && (e.Priority != "urgent" || r.HoldUrgent) {
		return decHeld, r.Quiet.End(now, r.loc()), nil
	}
	if e.Key != "" {
		var last []struct {
			SentAt   *time.Time `db:"sent_at"`
			DueAt    time.Time  `db:"due_at"`
			Priority string     `db:"priority"`
		}
		// The latest sent alert of the key, and any still waiting.
		err := sqlx.SelectContext(ctx, q, &last, q.Rebind(`SELECT sent_at, due_at, priority FROM notify_alerts
			WHERE channel = ? AND chat = ? AND key = ? AND (sent_at IS NULL OR sent_at > ?)
			ORDER BY sent_at IS NULL DESC, sent_at DESC LIMIT 1`), d.Channel, d.Chat, e.Key, now.Add(-r.window()))
		if err != nil {
			return "", time.Time{}, err
		}
		if len(last) == 1 && !escalates(e, last[0].Priority) {
			due := last[0].DueAt.UTC()
			if last[0].SentAt != nil {
				due = last[0].SentAt.UTC().Add(r.window())
			}
			return decFolded, maxTime(due, now), nil
		}
	}
	n, err := sentInHour(ctx, q, d, now)
	if err != nil {
		return "", time.Time{}, err
	}
	if n >= r.maxPerHour() {
		return decOverflow, now, nil
	}
	return decSent, now, nil
}

// escalates reports whether e is news even right after an alert of the
// same key with priority prev: the ticket became urgent, its SLA is
// running out or was missed, or its priority rose.
func escalates(e Event, prev string) bool {
	return e.Kind == KindEscalated || e.Kind == KindSLAWarning || e.Kind == KindSLAMissed || rank(e.Priority) < rank(prev)
}

func rank(p string) int {
	switch p {
	case "urgent":
		return 0
	case "high":
		return 1
	case "normal":
		return 2
	case "low":
		return 3
	}
	return 4
}

// sentInHour counts the messages sent to d in the hour before now.
func sentInHour(ctx context.Context, q sqlx.ExtContext, d Destination, now time.Time) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COUNT(*) FROM notify_alerts
		WHERE channel = ? AND chat = ? AND decision IN (?, ?) AND created_at > ?`),
		d.Channel, d.Chat, decSent, decDigest, now.Add(-time.Hour))
	return n, err
}

// alertRow is a recorded alert.
type alertRow struct {
	ID        int64     `db:"id"`
	Key       string    `db:"key"`
	Kind      string    `db:"kind"`
	Priority  string    `db:"priority"`
	Ticket    int64     `db:"ticket"`
	Text      string    `db:"text"`
	Decision  string    `db:"decision"`
	CreatedAt time.Time `db:"created_at"`
}

// Flush sends, to each personal destination with a free slot in its
// hourly cap, one digest of the alerts that were waiting and are due, and
// resends digests a crash or a failed send left behind. It returns how
// many digests it sent.
func (r *Router) Flush(ctx context.Context) (int, error) {
	if r.DB == nil {
		return 0, nil
	}
	sent := 0
	var errs []error
	for _, d := range r.Destinations {
		if d.Every {
			continue
		}
		ok, err := r.flush(ctx, d)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			sent++
		}
	}
	n, err := r.resendDigests(ctx)
	return sent + n, errors.Join(append(errs, err)...)
}

func (r *Router) flush(ctx context.Context, d Destination) (bool, error) {
	now := r.now()
	tx, err := r.DB.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	}
	defer tx.Rollback()
	if err := lockKey(ctx, tx, d.Channel+"\x00"+d.Chat); err != nil {
		return false, err
	}
	var rows []alertRow
	err = sqlx.SelectContext(ctx, tx, &rows, tx.Rebind(`SELECT id, key, kind, priority, ticket, text, decision, created_at
		FROM notify_alerts WHERE channel = ? AND chat = ? AND digest = 0 AND sent_at IS NULL AND decision IN (?, ?, ?) AND due_at <= ?
		ORDER BY id LIMIT 1000`), d.Channel, d.Chat, decFolded, decHeld, decOverflow, now)
	if err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	}
	if len(rows) == 0 {
		return false, nil
	}
	if n, err := sentInHour(ctx, tx, d, now); err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	} else if n >= r.maxPerHour() {
		return false, nil // wait for a slot
	}
	id, won, err := claim(ctx, tx, "digest:"+strconv.FormatInt(rows[0].ID, 10), now)
	if err != nil {
		return false, err
	}
	if !won {
		return false, fmt.Errorf("notify: flush: digest of alert %d claimed twice", rows[0].ID)
	}
	e := digest(rows, r.Lang, r.maxPerHour())
	e.Source = -id
	_, err = tx.ExecContext(ctx, tx.Rebind(`INSERT INTO notify_alerts
		(source, channel, chat, key, kind, priority, ticket, text, decision, due_at, sent_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Source, d.Channel, d.Chat, e.Key, e.Kind, e.Priority, e.Ticket, e.Text, decDigest, now, now, now)
	if err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	}
	ids := make([]any, 0, len(rows)+2)
	ids = append(ids, id, now)
	for _, row := range rows {
		ids = append(ids, row.ID)
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE notify_alerts SET digest = ?, sent_at = ? WHERE id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(rows)), ", ")+`)`), ids...)
	if err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("notify: flush: %w", err)
	}
	if err := r.Sender.Send(ctx, d, e); err != nil {
		return false, fmt.Errorf("notify: flush to %s: %w", d.Channel, err)
	}
	return true, done(ctx, r.DB, id, now)
}

// resendDigests sends again the digests whose send was not confirmed a
// minute after they were made; the Sender drops copies.
func (r *Router) resendDigests(ctx context.Context) (int, error) {
	now := r.now()
	claims, err := undone(ctx, r.DB, "digest:", now.Add(-time.Minute))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range claims {
		var row struct {
			alertRow
			Channel string `db:"channel"`
			Chat    string `db:"chat"`
		}
		err := sqlx.GetContext(ctx, r.DB, &row, r.DB.Rebind(`SELECT id, key, kind, priority, ticket, text, decision, created_at, channel, chat
			FROM notify_alerts WHERE source = ? AND decision = ?`), -c.ID, decDigest)
		if errors.Is(err, sql.ErrNoRows) {
			// Claimed but its transaction rolled back: nothing to send.
			done(ctx, r.DB, c.ID, now)
			continue
		}
		if err != nil {
			return n, fmt.Errorf("notify: resend digest: %w", err)
		}
		d := Destination{Channel: row.Channel, Chat: row.Chat}
		e := Event{Source: -c.ID, Kind: KindDigest, Priority: row.Priority, Ticket: row.Ticket, Key: row.Key, Text: row.Text}
		if err := r.Sender.Send(ctx, d, e); err != nil {
			return n, fmt.Errorf("notify: resend digest to %s: %w", d.Channel, err)
		}
		n++
		if err := done(ctx, r.DB, c.ID, now); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Run flushes every interval (0: 30 s) until ctx is done.
func (r *Router) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.log().Error("notify: flush", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// digest folds waiting alerts into one message: a header that says why
// they waited, then one line per key, in the order they first came.
func digest(rows []alertRow, lang string, max int) Event {
	w := wordsFor(lang)
	var overflow, held int
	order := []string{}
	groups := map[string][]alertRow{}
	best := "low"
	for _, row := range rows {
		switch row.Decision {
		case decOverflow:
			overflow++
		case decHeld:
			held++
		}
		k := row.Key
		if k == "" {
			k = "#" + strconv.FormatInt(row.ID, 10)
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], row)
		if rank(row.Priority) < rank(best) {
			best = row.Priority
		}
	}
	var b strings.Builder
	switch {
	case overflow > 0:
		fmt.Fprintf(&b, w["digest_more"], len(rows), noun(len(rows), "alert", "alerts"), max)
	case held > 0:
		fmt.Fprintf(&b, w["digest_quiet"], len(rows), noun(len(rows), "alert", "alerts"))
	default:
		fmt.Fprintf(&b, w["digest_fold"], len(rows), noun(len(rows), "update", "updates"))
	}
	const maxLines = 12
	for i, k := range order {
		if i == maxLines {
			fmt.Fprintf(&b, "\n… +%d", len(order)-maxLines)
			break
		}
		g := groups[k]
		fmt.Fprintf(&b, "\n• %s", oneLine(g[len(g)-1].Text, 140))
		if len(g) > 1 {
			fmt.Fprintf(&b, " (×%d)", len(g))
		}
	}
	e := Event{Kind: KindDigest, Priority: best, Text: b.String()}
	if len(order) == 1 {
		e.Key, e.Ticket = rows[0].Key, rows[0].Ticket // threads under its ticket
	}
	return e
}

// oneLine is s on one line, at most n runes.
func oneLine(s string, n int) string {
	return truncate(strings.Join(strings.Fields(s), " "), n)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Quiet is a daily span of quiet hours in the owner's time zone, in
// minutes after midnight; it may wrap midnight (22:00–08:00). From == To
// means none.
type Quiet struct{ From, To int }

// ParseQuiet reads "22:00-08:00"; "" is no quiet hours.
func ParseQuiet(s string) (Quiet, error) {
	if strings.TrimSpace(s) == "" {
		return Quiet{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	fh, fm, err1 := ParseClock(strings.TrimSpace(from))
	th, tm, err2 := ParseClock(strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil {
		return Quiet{}, fmt.Errorf("notify: quiet hours %q: want HH:MM-HH:MM, e.g. 22:00-08:00", s)
	}
	return Quiet{From: fh*60 + fm, To: th*60 + tm}, nil
}

// ParseClock reads "21:00" as an hour and a minute.
func ParseClock(s string) (hour, minute int, err error) {
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || len(m) != 2 {
		return 0, 0, fmt.Errorf("notify: %q: want HH:MM, e.g. 21:00", s)
	}
	return hour, minute, nil
}

// Contains reports whether t falls in the quiet hours in loc.
func (q Quiet) Contains(t time.Time, loc *time.Location) bool {
	if q.From == q.To {
		return false
	}
	t = t.In(loc)
	m := t.Hour()*60 + t.Minute()
	if q.From < q.To {
		return m >= q.From && m < q.To
	}
	return m >= q.From || m < q.To
}

// End is the first instant at or after t when the quiet hours are over.
func (q Quiet) End(t time.Time, loc *time.Location) time.Time {
	if !q.Contains(t, loc) {
		return t
	}
	l := t.In(loc)
	end := time.Date(l.Year(), l.Month(), l.Day(), q.To/60, q.To%60, 0, 0, loc)
	if !end.After(l) {
		end = time.Date(l.Year(), l.Month(), l.Day()+1, q.To/60, q.To%60, 0, 0, loc)
	}
	return end.UTC()
}
