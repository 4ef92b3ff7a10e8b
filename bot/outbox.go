package bot

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/notify"
)

// ErrPermanent marks a send error that retrying cannot fix (the customer
// blocked the bot, the chat no longer exists). Adapters wrap it:
// fmt.Errorf("telegram: %w: %v", bot.ErrPermanent, err). The message is
// recorded as failed and not retried.
var ErrPermanent = errors.New("permanent send failure")

// RetryAfter is a send error that says when to try again (a platform's
// 429 with its retry_after). Other errors are retried with exponential
// backoff.
type RetryAfter struct {
	After time.Duration
	Err   error
}

func (e *RetryAfter) Error() string { return fmt.Sprintf("retry after %s: %v", e.After, e.Err) }
func (e *RetryAfter) Unwrap() error { return e.Err }

// SendFunc sends one reply on a platform and returns the platform's id for
// the sent message (may be empty).
type SendFunc func(ctx context.Context, r Reply) (platformID string, err error)

// Outbox stores every reply before it is sent and hands the pending ones to
// the adapters. A reply leaves the outbox only when its send succeeded or
// failed permanently: a crash or a platform error loses nothing. A crash
// between a successful send and its commit can send that one reply twice.
type Outbox struct {
	db  *sqlx.DB
	now func() time.Time
	log *slog.Logger

	mu     sync.Mutex
	wakers []chan struct{}
	// sent are messages a sender of this process holds, from the claim
	// until the outcome is recorded (which may wait out an outage): no
	// other sender here claims them, whatever the lease says.
	sent map[int64]bool
	// renewTicks replaces the claim renewal ticker (tests).
	renewTicks <-chan time.Time

	// MaxBackoff caps the wait between retries of one message.
	MaxBackoff time.Duration
	// Poll is how often Run looks for due messages without a wake-up.
	Poll time.Duration
	// Lease is how long a claimed message is reserved for its sender: a
	// sender that dies mid-send leaves it to the others after this. The
	// claim is renewed while the send runs, so a slow send keeps it.
	Lease time.Duration
	// RecordRetry is the wait between attempts to record a send that
	// succeeded while the database did not answer. Run's wait after a
	// failed round doubles from Poll up to five times RecordRetry or eight
	// times Poll, whichever is less.
	RecordRetry time.Duration
	// Drain is how long a send already under way may go on after Run's
	// context ends (a shutdown): a request cut off after it reached the
	// platform would be sent again by the next process.
	Drain time.Duration
}

// NewOutbox returns the outbox on db. now and log may be nil.
func NewOutbox(db *sqlx.DB, now func() time.Time, log *slog.Logger) *Outbox {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{db: db, now: now, log: log, MaxBackoff: 5 * time.Minute, Poll: time.Second, Lease: time.Minute,
		RecordRetry: time.Second, Drain: 5 * time.Second, sent: map[int64]bool{}}
}

// Ping checks that the outbox's database answers: adapters ask it whether
// a failure is the store's (wait for it) or a message's own.
func (o *Outbox) Ping(ctx context.Context) error {
	if err := o.db.PingContext(ctx); err != nil {
		return fmt.Errorf("outbox: ping: %w", err)
	}
	return nil
}

// Wake tells every Run that new messages are waiting.
func (o *Outbox) Wake() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, w := range o.wakers {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

func (o *Outbox) waker() chan struct{} {
	w := make(chan struct{}, 1)
	o.mu.Lock()
	o.wakers = append(o.wakers, w)
	o.mu.Unlock()
	return w
}

// enqueue stores r within q (the caller's transaction) and sets its ID.
func enqueue(ctx context.Context, q sqlx.ExtContext, r *Reply, now time.Time) error {
	_, err := enqueueFrom(ctx, q, 0, r, now)
	return err
}

// enqueueFrom stores r as made from outbox message source (0: none). A
// second copy of the same source to the same address is dropped: false.
func enqueueFrom(ctx context.Context, q sqlx.ExtContext, source int64, r *Reply, now time.Time) (bool, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return false, fmt.Errorf("outbox: encode: %w", err)
	}
	now = now.UTC()
	var ids []int64
	err = sqlx.SelectContext(ctx, q, &ids, q.Rebind(`INSERT INTO outbox (channel, chat, kind, ticket, source, payload, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`), r.Channel, r.Chat, string(r.Kind), r.Ticket, source, string(payload), now, now)
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue: %w", err)
	}
	if len(ids) == 0 {
		return false, nil
	}
	r.ID, r.Created = ids[0], now
	return true, nil
}

// enqueueAll stores rs (as enqueue does, without a source) in one
// multi-row INSERT and sets each one's outbox id. with, if set, is a WITH
// clause (with its arguments) the INSERT runs in the same statement.
func enqueueAll(ctx context.Context, q sqlx.ExtContext, with string, withArgs []any, rs []Reply, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	now = now.UTC()
	args := slices.Clip(withArgs)
	for _, r := range rs {
		payload, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("outbox: encode: %w", err)
		}
		args = append(args, r.Channel, r.Chat, string(r.Kind), r.Ticket, 0, string(payload), now, now)
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(rs)), ", ")
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, q.Rebind(with+`INSERT INTO outbox (channel, chat, kind, ticket, source, payload, next_at, created_at)
		VALUES `+values+` RETURNING id`), args...)
	if err != nil {
		if with != "" {
			return fmt.Errorf("bot: save conversation, outbox: enqueue: %w", err)
		}
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	if len(ids) != len(rs) {
		return fmt.Errorf("outbox: enqueue: %d ids for %d messages", len(ids), len(rs))
	}
	// The ids come from the table's sequence in the order of the rows
	// (RETURNING itself promises no order).
	slices.Sort(ids)
	for i := range rs {
		rs[i].ID, rs[i].Created = ids[i], now
	}
	return nil
}

// Enqueue stores r for sending and wakes the senders.
func (o *Outbox) Enqueue(ctx context.Context, r Reply) (Reply, error) {
	if err := enqueue(ctx, o.db, &r, o.now()); err != nil {
		return r, err
	}
	o.Wake()
	return r, nil
}

// EnqueueTx stores r within q, the caller's transaction, so that a message
// is queued if and only if the change that calls for it commits. The
// caller wakes the outbox after the commit (Outbox.Wake); without that,
// Run finds it at its next poll.
func EnqueueTx(ctx context.Context, q sqlx.ExtContext, r Reply, now time.Time) (Reply, error) {
	err := enqueue(ctx, q, &r, now)
	return r, err
}

// ForwardTx is Forward within q, the caller's transaction; the caller
// wakes the outbox after the commit.
func ForwardTx(ctx context.Context, q sqlx.ExtContext, source int64, r Reply, now time.Time) error {
	_, err := enqueueFrom(ctx, q, source, &r, now)
	return err
}

// Forward stores r as made from the outbox message source (a fan-out of one
// owner event to several owner channels). Forwarding the same source to the
// same address again does nothing, so a forwarder that crashed before
// recording its own progress never doubles a message.
func (o *Outbox) Forward(ctx context.Context, source int64, r Reply) error {
	fresh, err := enqueueFrom(ctx, o.db, source, &r, o.now())
	if err != nil {
		return err
	}
	if fresh {
		o.Wake()
	}
	return nil
}

// Send queues owner event e for destination d, one row that d's own
// sender delivers (with its retries, rate limit and thread), once per
// (e.Source, d): notify.Sender, for the router's digests.
func (o *Outbox) Send(ctx context.Context, d notify.Destination, e notify.Event) error {
	return o.Forward(ctx, e.Source, AlertReply(d.Channel, d.Chat, e))
}

// SendTx is Send within q, the transaction that raises e (the router's
// PostTx): notify.TxSender. An event without a Source is queued as is;
// the caller wakes the outbox after the commit.
func (o *Outbox) SendTx(ctx context.Context, q sqlx.ExtContext, d notify.Destination, e notify.Event) error {
	return ForwardTx(ctx, q, e.Source, AlertReply(d.Channel, d.Chat, e), o.now())
}

type outboxRow struct {
	ID        int64     `db:"id"`
	Channel   string    `db:"channel"`
	Chat      string    `db:"chat"`
	Payload   string    `db:"payload"`
	Attempts  int       `db:"attempts"`
	CreatedAt time.Time `db:"created_at"`
}

func (row outboxRow) reply() (Reply, error) {
	var r Reply
	if err := json.Unmarshal([]byte(row.Payload), &r); err != nil {
		return r, fmt.Errorf("outbox: message %d: %w", row.ID, err)
	}
	r.ID, r.Channel, r.Chat, r.Created = row.ID, row.Channel, row.Chat, row.CreatedAt.UTC()
	return r, nil
}

// Pending returns the messages of channel that are due now, oldest first,
// at most limit. chat, if not empty, restricts them to one conversation. A
// message waits while an earlier one to the same chat is waiting for a
// retry, so a conversation never sees its replies out of order.
func (o *Outbox) Pending(ctx context.Context, channel, chat string, limit int) ([]Reply, error) {
	now := o.now().UTC()
	query := `SELECT id, channel, chat, payload, attempts, created_at FROM outbox o
		WHERE channel = ? AND status = 'pending' AND next_at <= ?`
	args := []any{channel, now}
	if chat != "" {
		query += ` AND chat = ?`
		args = append(args, chat)
	}
	query += ` AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.chat = o.chat
			AND p.status = 'pending' AND p.id < o.id AND p.next_at > ?)
		ORDER BY id LIMIT ?`
	args = append(args, now, limit)
	var rows []outboxRow
	if err := sqlx.SelectContext(ctx, o.db, &rows, o.db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("outbox: pending: %w", err)
	}
	out := make([]Reply, 0, len(rows))
	for _, row := range rows {
		r, err := row.reply()
		if err != nil {
			// A row this binary cannot read is parked, not retried forever.
			o.log.Warn("outbox: unreadable message parked as failed", "id", row.ID, "channel", row.Channel, "err", err)
			if err := o.finish(ctx, row.ID, "failed", "", err.Error()); err != nil {
				return nil, fmt.Errorf("outbox: pending: park %d: %w", row.ID, err)
			}
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Deliver sends the due messages of channel (and chat, if not empty) once,
// in order, and records each outcome. It returns how many were sent. A
// failed message is rescheduled with backoff (or its platform's retry
// time), and the rest of its chat waits for it.
func (o *Outbox) Deliver(ctx context.Context, channel, chat string, send SendFunc) (int, error) {
	pending, err := o.Pending(ctx, channel, chat, 100)
	if err != nil {
		return 0, err
	}
	sent := 0
	blocked := map[string]bool{}
	for _, r := range pending {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		if blocked[r.Chat] || o.holding(r.ID) {
			blocked[r.Chat] = true
			continue
		}
		// The claim is not cut short by ctx: a claim that landed while its
		// reply was lost would hold the message for a whole lease.
		c, err := o.claim(context.WithoutCancel(ctx), r.ID)
		if err != nil {
			return sent, err
		}
		if c != nil && ctx.Err() != nil {
			defer o.hold(r.ID, false)
			return sent, c.release(context.WithoutCancel(ctx))
		}
		if c == nil {
			// Another sender (a goroutine, a process, an instance) has it.
			blocked[r.Chat] = true
			continue
		}
		ok, block, err := o.deliverOne(ctx, c, r, send)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
		if block {
			blocked[r.Chat] = true
		}
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
	return sent, nil
}

// deliverOne sends a claimed message and records the outcome under the
// claim. The claim is renewed from before the send until the outcome is
// recorded, and no other sender of this process takes the message
// meanwhile. If a renewal finds the claim taken (it lapsed: the database
// did not answer for a whole lease), the send is cancelled and nothing is
// recorded over the new holder's outcome. ok: sent; block: the rest of the
// chat must wait (a retry, a lost claim).
func (o *Outbox) deliverOne(ctx context.Context, c *claimed, r Reply, send SendFunc) (ok, block bool, err error) {
	defer o.hold(r.ID, false)
	sendCtx, cancel := o.sendContext(ctx)
	defer cancel()
	stop := o.keep(ctx, c, cancel)
	defer stop()
	pid, err := send(sendCtx, r)
	// The outcome is recorded even when ctx ends meanwhile: a message
	// sent but not marked would go out twice.
	bk := context.WithoutCancel(ctx)
	switch {
	case c.isLost():
		if err == nil {
			o.log.Error("outbox: sent after its claim was taken over; it may go out twice", "channel", r.Channel, "chat", r.Chat, "id", r.ID)
		} else {
			o.log.Warn("outbox: claim lost mid-send; the send was cancelled", "channel", r.Channel, "chat", r.Chat, "id", r.ID)
		}
		return false, true, nil
	case err == nil:
		return true, false, o.recordSent(ctx, c, pid)
	case ctx.Err() != nil:
		// Shutting down mid-send: hand the message back at once.
		return false, true, c.release(bk)
	case errors.Is(err, ErrPermanent):
		o.log.Warn("outbox: permanent failure", "channel", r.Channel, "chat", r.Chat, "id", r.ID, "err", err)
		return false, false, c.finish(bk, "failed", "", err.Error())
	default:
		return false, true, o.retry(bk, c, err)
	}
}

// sendContext is the context of one send under ctx. The end of ctx (a
// shutdown) ends it only Drain later: a request on its way may already
// have reached the platform, and one cut off then is sent again after the
// restart (seen in a restart mid-burst). cancel ends it at once.
func (o *Outbox) sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	sendCtx, end := context.WithCancel(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var drain *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		drain = time.AfterFunc(o.Drain, end)
	})
	return sendCtx, func() {
		stop()
		mu.Lock()
		if drain != nil {
			drain.Stop()
		}
		mu.Unlock()
		end()
	}
}

// Run delivers channel's messages until ctx is done, waking on Wake, on
// its poll interval and when a retry falls due.
func (o *Outbox) Run(ctx context.Context, channel string, send SendFunc) error {
	return o.run(ctx, channel, func(ctx context.Context) (int, error) { return o.Deliver(ctx, channel, "", send) })
}

// run calls deliver (one round) until ctx is done, as Run describes.
func (o *Outbox) run(ctx context.Context, channel string, deliver func(context.Context) (int, error)) error {
	wake := o.waker()
	t := time.NewTimer(0)
	defer t.Stop()
	failures := 0 // rounds failed in a row
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
		case <-t.C:
		}
		n, err := deliver(ctx)
		wait := o.Poll
		switch {
		case ctx.Err() != nil:
		case err != nil:
			// The database is away (a restart, a network cut): say so once,
			// then retry less and less often, quietly, until it answers.
			failures++
			if failures == 1 {
				o.log.Error("outbox: deliver failed; retrying until the database answers", "channel", channel, "err", err)
			} else {
				o.log.Debug("outbox: deliver", "channel", channel, "attempt", failures, "err", err)
			}
			wait = min(o.Poll<<min(failures, 10), max(o.Poll, min(5*o.RecordRetry, 8*o.Poll)))
		case failures > 0:
			o.log.Info("outbox: delivering again", "channel", channel, "failed_rounds", failures)
			failures = 0
		}
		if n > 0 {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// recordSent marks the claimed message sent. A send that succeeded must
// not be repeated, so while the database does not answer it keeps trying
// (every RecordRetry) and no other sender of this process claims the
// message. The end of ctx (a shutdown) does not stop it at once: it keeps
// trying for one more lease, while the claim keeps other processes off the
// message; only a database away longer than that lets a lease that runs
// out send the message again. (Giving up after one last try sent a reply
// twice across a restart whenever SQLite was busy for a moment.)
func (o *Outbox) recordSent(ctx context.Context, c *claimed, platformID string) error {
	bk := context.WithoutCancel(ctx)
	err := c.finish(bk, "sent", platformID, "")
	if err == nil {
		return nil
	}
	o.log.Warn("outbox: sent, but the outcome could not be recorded; retrying", "id", c.id, "err", err)
	for {
		t := time.NewTimer(o.RecordRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			// Shutting down is no reason to send it twice.
			return o.recordWithin(bk, c, platformID, o.Lease)
		case <-t.C:
		}
		if err = c.finish(bk, "sent", platformID, ""); err == nil {
			o.log.Info("outbox: outcome recorded", "id", c.id)
			return nil
		}
	}
}

// recordWithin tries to mark message id sent every RecordRetry for at
// most d, and returns the last error if none succeeded.
func (o *Outbox) recordWithin(ctx context.Context, c *claimed, platformID string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		err := c.finish(ctx, "sent", platformID, "")
		left := time.Until(deadline)
		if err == nil || left <= 0 {
			return err
		}
		time.Sleep(min(o.RecordRetry, left))
	}
}

func (o *Outbox) hold(id int64, on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if on {
		o.sent[id] = true
	} else {
		delete(o.sent, id)
	}
}

// tryHold marks id as this process's until hold(id, false); false: it is
// already.
func (o *Outbox) tryHold(id int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sent[id] {
		return false
	}
	o.sent[id] = true
	return true
}

func (o *Outbox) holding(id int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sent[id]
}

// claimed is this sender's hold on one outbox message: its token is
// written with the claim, and renewals and outcomes are recorded only
// while the row still carries it.
type claimed struct {
	o     *Outbox
	id    int64
	token string
	mu    sync.Mutex
	lost  bool // a renewal found the token replaced
}

func (c *claimed) isLost() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// claim takes a due message for this sender by moving its next_at past the
// lease under a fresh token: every other sender skips it, and if this one
// dies before recording the outcome the message is due again when the
// lease ends. nil: another sender has it. No other sender of this process
// takes it until the claim's outcome is recorded (hold).
func (o *Outbox) claim(ctx context.Context, id int64) (*claimed, error) {
	now := o.now().UTC()
	b := make([]byte, 12)
	crand.Read(b)
	c := &claimed{o: o, id: id, token: hex.EncodeToString(b)}
	if !o.tryHold(id) {
		return nil, nil
	}
	res, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE outbox SET next_at = ?, claim = ? WHERE id = ? AND status = 'pending' AND next_at <= ?`),
		now.Add(o.Lease), c.token, id, now)
	if err != nil {
		o.hold(id, false)
		return nil, fmt.Errorf("outbox: claim %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n != 1 {
		o.hold(id, false)
		if err != nil {
			return nil, fmt.Errorf("outbox: claim %d: %w", id, err)
		}
		return nil, nil
	}
	return c, nil
}

// keep renews the claim every third of the lease while its send runs and
// until its outcome is recorded, so a send slower than the lease
// (rate-limit waits, a slow platform) or an outcome that is slow to
// record is never taken over and repeated by another sender, and the
// lease can be short: a process killed mid-send holds the message for at
// most one lease. A renewal that finds the claim taken over calls lost
// (the sender cancels its send). stop ends the renewals.
func (o *Outbox) keep(ctx context.Context, c *claimed, lost func()) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	ticks, stopTicks := o.renewals(max(o.Lease/3, 10*time.Millisecond))
	go func() {
		defer close(done)
		defer stopTicks()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
				held, err := c.renew(ctx, o.now().UTC().Add(o.Lease))
				switch {
				case err != nil && ctx.Err() == nil:
					o.log.Warn("outbox: claim not renewed", "id", c.id, "err", err)
				case err == nil && !held:
					c.mu.Lock()
					c.lost = true
					c.mu.Unlock()
					lost()
					return
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// renewals returns the ticks that renew a claim: a real ticker, or the
// test's.
func (o *Outbox) renewals(every time.Duration) (<-chan time.Time, func()) {
	if o.renewTicks != nil {
		return o.renewTicks, func() {}
	}
	t := time.NewTicker(every)
	return t.C, t.Stop
}

// renew moves the claim's end to at; held false: the row no longer carries
// this claim's token (or is no longer pending).
func (c *claimed) renew(ctx context.Context, at time.Time) (held bool, err error) {
	db := c.o.db
	res, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET next_at = ? WHERE id = ? AND claim = ? AND status = 'pending'`), at, c.id, c.token)
	if err != nil {
		return false, fmt.Errorf("outbox: renew %d: %w", c.id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("outbox: renew %d: %w", c.id, err)
	}
	return n == 1, nil
}

// release gives up the claim without counting an attempt.
func (c *claimed) release(ctx context.Context) error {
	db := c.o.db
	_, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET next_at = ?, claim = '' WHERE id = ? AND claim = ? AND status = 'pending'`),
		c.o.now().UTC(), c.id, c.token)
	if err != nil {
		return fmt.Errorf("outbox: release %d: %w", c.id, err)
	}
	return nil
}

// finish records the claimed message's outcome, if the claim still holds.
func (c *claimed) finish(ctx context.Context, status, platformID, lastErr string) error {
	db := c.o.db
	res, err := db.ExecContext(ctx, db.Rebind(`UPDATE outbox SET status = ?, platform_id = ?, last_error = ?, sent_at = ?, attempts = attempts + 1
		WHERE id = ? AND claim = ? AND status = 'pending'`),
		status, platformID, truncate(lastErr, 500), c.o.now().UTC(), c.id, c.token)
	if err != nil {
		return fmt.Errorf("outbox: mark %d %s: %w", c.id, status, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		c.o.log.Error("outbox: outcome not recorded: the claim was taken over; the message may go out twice", "id", c.id, "status", status)
	}
	return nil
}

// finish records the outcome of a message no one claimed (a row this
// binary cannot read).
func (o *Outbox) finish(ctx context.Context, id int64, status, platformID, lastErr string) error {
	_, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE outbox SET status = ?, platform_id = ?, last_error = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?`),
		status, platformID, truncate(lastErr, 500), o.now().UTC(), id)
	if err != nil {
		return fmt.Errorf("outbox: mark %d %s: %w", id, status, err)
	}
	return nil
}

func (o *Outbox) retry(ctx context.Context, c *claimed, sendErr error) error {
	var attempts int
	if err := sqlx.GetContext(ctx, o.db, &attempts, o.db.Rebind(`SELECT attempts FROM outbox WHERE id = ?`), c.id); err != nil {
		return fmt.Errorf("outbox: retry %d: %w", c.id, err)
	}
	wait := o.backoff(attempts)
	var ra *RetryAfter
	if errors.As(sendErr, &ra) && ra.After > 0 {
		wait = ra.After
	}
	o.log.Warn("outbox: send failed, will retry", "id", c.id, "attempt", attempts+1, "in", wait.Round(time.Millisecond), "err", sendErr)
	_, err := o.db.ExecContext(ctx, o.db.Rebind(`UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ?, claim = ''
		WHERE id = ? AND claim = ? AND status = 'pending'`),
		o.now().Add(wait).UTC(), truncate(sendErr.Error(), 500), c.id, c.token)
	if err != nil {
		return fmt.Errorf("outbox: retry %d: %w", c.id, err)
	}
	return nil
}

// backoff is 1 s, 2 s, 4 s … up to MaxBackoff, with ±20 % jitter so that a
// crowd of failed messages does not return at the same instant.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 20)
	if d > o.MaxBackoff || d <= 0 {
		d = o.MaxBackoff
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// Thread returns the platform id of the first message sent about ticket to
// channel and chat: the message later ones reply to (a Slack thread, a
// Telegram reply chain). "" when none was sent yet.
func (o *Outbox) Thread(ctx context.Context, channel, chat string, ticket int64) (string, error) {
	var ids []string
	err := sqlx.SelectContext(ctx, o.db, &ids, o.db.Rebind(`SELECT platform_id FROM outbox
		WHERE channel = ? AND chat = ? AND ticket = ? AND status = 'sent' AND platform_id <> '' ORDER BY id LIMIT 1`), channel, chat, ticket)
	if err != nil {
		return "", fmt.Errorf("outbox: thread: %w", err)
	}
	if len(ids) == 0 {
		return "", nil
	}
	return ids[0], nil
}

// TicketOf returns the ticket a sent message was about, from its platform
// id (an owner replying to an alert), or 0.
func (o *Outbox) TicketOf(ctx context.Context, channel, chat, platformID string) (int64, error) {
	if platformID == "" {
		return 0, nil
	}
	var ids []int64
	err := sqlx.SelectContext(ctx, o.db, &ids, o.db.Rebind(`SELECT ticket FROM outbox
		WHERE channel = ? AND chat = ? AND platform_id = ? AND ticket <> 0 ORDER BY id LIMIT 1`), channel, chat, platformID)
	if err != nil {
		return 0, fmt.Errorf("outbox: ticket of: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// Depth counts the messages waiting to be sent, per channel.
func (o *Outbox) Depth(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Channel string `db:"channel"`
		N       int    `db:"n"`
	}
	if err := sqlx.SelectContext(ctx, o.db, &rows, `SELECT channel, COUNT(*) AS n FROM outbox WHERE status = 'pending' GROUP BY channel`); err != nil {
		return nil, fmt.Errorf("outbox: depth: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Channel] = r.N
	}
	return out, nil
}

// Waiting calls f for each channel with messages waiting to be sent: the
// oldest one's id and creation time, and how many wait. A watcher tells
// the owner of a channel stuck for too long from it.
func (o *Outbox) Waiting(ctx context.Context, f func(channel string, oldest int64, since time.Time, n int)) error {
	var rows []struct {
		Channel string    `db:"channel"`
		ID      int64     `db:"id"`
		Created time.Time `db:"created_at"`
		N       int       `db:"n"`
	}
	err := sqlx.SelectContext(ctx, o.db, &rows, o.db.Rebind(`SELECT o.channel, o.id, o.created_at,
			(SELECT COUNT(*) FROM outbox c WHERE c.channel = o.channel AND c.status = 'pending') AS n
		FROM outbox o WHERE o.id IN (SELECT MIN(id) FROM outbox WHERE status = 'pending' GROUP BY channel)`))
	if err != nil {
		return fmt.Errorf("outbox: waiting: %w", err)
	}
	for _, r := range rows {
		f(r.Channel, r.ID, r.Created.UTC(), r.N)
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
