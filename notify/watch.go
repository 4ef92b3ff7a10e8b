package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/tickets"
)

// Watcher raises the alerts nobody else raises, each exactly once across
// instances (claimed in notify_claims) and posted as events to the router:
//
//   - a ticket with no first response when WarnAt (80%) of its SLA is
//     gone, and when the SLA is missed;
//   - a watched outbox channel whose oldest waiting message is older than
//     Stuck (10 minutes): the platform refuses it, the token was revoked.
//
// While the database does not answer, Tick does nothing: telling the owner
// of that needs a path without the database (serve's watchdog).
type Watcher struct {
	DB       *sqlx.DB
	Poster   Poster
	SLA      tickets.SLA
	Outbox   Backlog          // the outbox, watched for stuck channels; nil: not watched
	Channels []string         // outbox channels whose senders run here (watched for being stuck)
	Lang     string           // the alerts' language
	Now      func() time.Time // nil: time.Now
	Stuck    time.Duration    // 0: 10 minutes
	WarnAt   float64          // share of the SLA gone before a warning; 0: 0.8
	Log      *slog.Logger
}

// Backlog is the outbox as the watcher sees it (*bot.Outbox implements it;
// notify does not import bot).
type Backlog interface {
	// Waiting calls f for each channel with messages waiting to be sent:
	// the oldest one's id and creation time, and how many wait.
	Waiting(ctx context.Context, f func(channel string, oldest int64, since time.Time, n int)) error
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Watcher) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Tick checks everything once at now and returns how many alerts it
// posted.
func (w *Watcher) Tick(ctx context.Context, now time.Time) (int, error) {
	if !w.database(ctx) {
		return 0, nil
	}
	n, err := w.slas(ctx, now)
	if err != nil {
		return n, err
	}
	m, err := w.stuck(ctx, now)
	n += m
	if err != nil {
		return n, err
	}
	m, err = w.redo(ctx, now)
	return n + m, err
}

// Run ticks every interval (0: 30 s) until ctx is done.
func (w *Watcher) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.Tick(ctx, w.now()); err != nil && ctx.Err() == nil {
			w.log().Error("notify: watch", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// database reports whether the database answers a ping.
func (w *Watcher) database(ctx context.Context) bool {
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return w.DB.PingContext(pctx) == nil
}

// once claims key and posts e under it; 1 when this call posted it.
func (w *Watcher) once(ctx context.Context, key string, now time.Time, e Event) (int, error) {
	id, won, err := claim(ctx, w.DB, key, now)
	if err != nil || !won {
		return 0, err
	}
	e.Source = -id
	if err := w.Poster.Post(ctx, e); err != nil {
		return 0, fmt.Errorf("notify: post %s: %w", key, err)
	}
	return 1, done(ctx, w.DB, id, now)
}

// slas warns of tickets near or past their first-response time.
func (w *Watcher) slas(ctx context.Context, now time.Time) (int, error) {
	open, err := tickets.NewStore(w.DB, w.SLA).List(ctx, tickets.Filter{Statuses: []tickets.Status{tickets.Open}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range open {
		e, key, ok := w.slaEvent(t, now)
		if !ok {
			continue
		}
		m, err := w.once(ctx, key, now, e)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// slaEvent is the SLA alert ticket t calls for at now, with its claim key.
func (w *Watcher) slaEvent(t tickets.Ticket, now time.Time) (Event, string, bool) {
	// Low tickets (off-topic questions, insults, feedback) never page the
	// owner: the inbox and the summary show them.
	if t.FirstResponseAt != nil || t.Status != tickets.Open || t.Priority == tickets.Low {
		return Event{}, "", false
	}
	warnAt := w.WarnAt
	if warnAt <= 0 || warnAt >= 1 {
		warnAt = 0.8
	}
	total := t.DueAt.Sub(t.CreatedAt)
	words := wordsFor(w.Lang)
	id := strconv.FormatInt(t.ID, 10)
	e := TicketEvent("", &t, "", "")
	subject := oneLine(t.Subject, 80)
	switch {
	case now.Sub(t.DueAt) > 24*time.Hour:
		// Long overdue (first seen after an outage): the daily summary
		// lists it; an alert now would be noise.
		return Event{}, "", false
	case !now.Before(t.DueAt):
		e.Kind = KindSLAMissed
		e.Text = fmt.Sprintf(words["sla_missed"], tickets.Number(t.ID, t.Ref), duration(now.Sub(t.DueAt), w.Lang), priorityLabel(string(t.Priority), w.Lang), subject)
		return e, "slamiss:" + id, true
	case now.Sub(t.CreatedAt) >= time.Duration(float64(total)*warnAt):
		e.Kind = KindSLAWarning
		e.Text = fmt.Sprintf(words["sla_warning"], tickets.Number(t.ID, t.Ref), duration(t.DueAt.Sub(now), w.Lang), priorityLabel(string(t.Priority), w.Lang), subject)
		return e, "sla80:" + id, true
	}
	return Event{}, "", false
}

// stuck alerts about watched channels whose oldest waiting message is
// older than Stuck: once per stuck message.
func (w *Watcher) stuck(ctx context.Context, now time.Time) (int, error) {
	limit := w.Stuck
	if limit <= 0 {
		limit = 10 * time.Minute
	}
	if w.Outbox == nil {
		return 0, nil
	}
	// The oldest waiting message of each channel, and how many wait.
	type backlog struct {
		channel string
		id      int64
		since   time.Time
		n       int
	}
	var rows []backlog
	if err := w.Outbox.Waiting(ctx, func(channel string, oldest int64, since time.Time, n int) {
		rows = append(rows, backlog{channel, oldest, since, n})
	}); err != nil {
		return 0, fmt.Errorf("notify: outbox backlog: %w", err)
	}
	n := 0
	for _, r := range rows {
		if !slices.Contains(w.Channels, r.channel) || now.Sub(r.since) < limit {
			continue
		}
		text := fmt.Sprintf(wordsFor(w.Lang)["stuck"], r.channel, duration(now.Sub(r.since), w.Lang), r.n)
		m, err := w.once(ctx, "stuck:"+r.channel+":"+strconv.FormatInt(r.id, 10), now,
			Event{Kind: KindFailure, Priority: "urgent", Key: "failure:" + r.channel, Text: text})
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// redo posts again the SLA alerts an instance claimed and did not finish.
// (Outage and stuck alerts are not redone: by then they are old news.)
func (w *Watcher) redo(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for _, prefix := range []string{"sla80:", "slamiss:"} {
		lost, err := undone(ctx, w.DB, prefix, now.Add(-time.Minute))
		if err != nil {
			return n, err
		}
		for _, c := range lost {
			id, _ := strconv.ParseInt(strings.TrimPrefix(c.Key, prefix), 10, 64)
			t, err := tickets.NewStore(w.DB, w.SLA).Get(ctx, id)
			if errors.Is(err, tickets.ErrNotFound) {
				done(ctx, w.DB, c.ID, now)
				continue
			}
			if err != nil {
				return n, err
			}
			e, key, ok := w.slaEvent(*t, now)
			if !ok || key != c.Key {
				// Answered meanwhile, or moved on to the next alert.
				done(ctx, w.DB, c.ID, now)
				continue
			}
			e.Source = -c.ID
			if err := w.Poster.Post(ctx, e); err != nil {
				return n, fmt.Errorf("notify: post %s: %w", c.Key, err)
			}
			n++
			if err := done(ctx, w.DB, c.ID, now); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
