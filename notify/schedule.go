package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Scheduler sends the daily summary at a local time (and the weekly one on
// a chosen day), exactly once per day across every instance sharing the
// database: the day is claimed in notify_claims before the summary is
// posted. An instance that was down at the time sends the summary late
// when it comes back: the day's, and the day before's if it was missed
// too (but not on a fresh database, where nothing was ever sent).
type Scheduler struct {
	DB         *sqlx.DB
	Summarizer *Summarizer
	Poster     Poster
	Location   *time.Location // the owner's time zone; nil: UTC
	Hour       int            // local time of the daily summary
	Minute     int
	Weekly     bool         // also send a weekly summary…
	WeeklyDay  time.Weekday // …after the daily one of this day
	Lang       string       // the summaries' language
	Now        func() time.Time
	Log        *slog.Logger

	mu   sync.Mutex
	seen map[string]bool // keys known to be claimed: no need to ask the database again
}

// ParseWeekday reads a day name in English ("sunday", "sun"); "" and
// "none" mean no weekly summary (ok false).
func ParseWeekday(s string) (day time.Weekday, ok bool, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "none" || s == "off" {
		return 0, false, nil
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return d, true, nil
		}
	}
	return 0, false, fmt.Errorf("notify: weekly %q: want a day such as sunday, or none", s)
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) loc() *time.Location {
	if s.Location != nil {
		return s.Location
	}
	return time.UTC
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// fireAt is the moment of the summary of the local day of t.
func (s *Scheduler) fireAt(t time.Time) time.Time {
	l := t.In(s.loc())
	return time.Date(l.Year(), l.Month(), l.Day(), s.Hour, s.Minute, 0, 0, s.loc())
}

// Next is the first summary time after now.
func (s *Scheduler) Next(now time.Time) time.Time {
	f := s.fireAt(now)
	if !f.After(now) {
		l := now.In(s.loc())
		f = s.fireAt(time.Date(l.Year(), l.Month(), l.Day()+1, 12, 0, 0, 0, s.loc()))
	}
	return f
}

// Tick sends whatever summary is due at now and not yet sent by any
// instance, and posts again those an instance claimed but did not finish.
// It returns the keys of the summaries it posted ("daily:2026-11-23",
// "weekly:2026-11-22").
func (s *Scheduler) Tick(ctx context.Context, now time.Time) ([]string, error) {
	var posted []string
	l := now.In(s.loc())
	today := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, s.loc())
	yesterday := time.Date(l.Year(), l.Month(), l.Day()-1, 12, 0, 0, 0, s.loc())
	for _, day := range []time.Time{yesterday, today} {
		fire := s.fireAt(day)
		if now.Before(fire) {
			continue
		}
		kinds := []bool{false}
		if s.Weekly && day.Weekday() == s.WeeklyDay {
			kinds = append(kinds, true)
		}
		for _, weekly := range kinds {
			key := summaryKey(day, weekly)
			if s.known(key) {
				continue
			}
			if day.Equal(yesterday) {
				// Catch up on yesterday only where summaries were sent
				// before: a fresh install starts with today.
				ever, err := s.everSent(ctx, fire)
				if err != nil {
					return posted, err
				}
				if !ever {
					s.remember(key)
					continue
				}
			}
			if tp, ok := s.Poster.(TxPoster); ok {
				won, err := s.claimAndPost(ctx, tp, key, day, weekly, fire, now)
				if err != nil {
					return posted, err
				}
				s.remember(key)
				if won {
					posted = append(posted, key)
				}
				continue
			}
			id, won, err := claim(ctx, s.DB, key, now)
			if err != nil {
				return posted, err
			}
			s.remember(key)
			if !won {
				continue
			}
			if err := s.post(ctx, id, day, weekly, fire, now); err != nil {
				return posted, err
			}
			posted = append(posted, key)
		}
	}
	// Claims whose post failed or whose instance died are posted again;
	// the Poster drops copies.
	for _, prefix := range []string{"daily:", "weekly:"} {
		lost, err := undone(ctx, s.DB, prefix, now.Add(-time.Minute))
		if err != nil {
			return posted, err
		}
		for _, c := range lost {
			day, err := time.ParseInLocation(time.DateOnly, strings.TrimPrefix(c.Key, prefix), s.loc())
			if err != nil {
				done(ctx, s.DB, c.ID, now) // not ours to understand: give up on it
				continue
			}
			day = day.Add(12 * time.Hour)
			if err := s.post(ctx, c.ID, day, prefix == "weekly:", s.fireAt(day), now); err != nil {
				return posted, err
			}
			posted = append(posted, c.Key)
		}
	}
	return posted, nil
}

func summaryKey(day time.Time, weekly bool) string {
	if weekly {
		return "weekly:" + day.Format(time.DateOnly)
	}
	return "daily:" + day.Format(time.DateOnly)
}

func (s *Scheduler) known(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[key]
}

func (s *Scheduler) remember(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[key] = true
}

// everSent reports whether a daily summary was claimed before the moment
// before: the scheduler was running then, so a summary due at before was
// really missed.
func (s *Scheduler) everSent(ctx context.Context, before time.Time) (bool, error) {
	var n int
	if err := sqlx.GetContext(ctx, s.DB, &n, s.DB.Rebind(`SELECT COUNT(*) FROM notify_claims WHERE key LIKE ? AND created_at < ?`),
		"daily:%", before.UTC()); err != nil {
		return false, fmt.Errorf("notify: schedule: %w", err)
	}
	return n > 0, nil
}

// claimAndPost makes the summary of day, then claims key and posts the
// summary in one transaction: false when another instance has it.
func (s *Scheduler) claimAndPost(ctx context.Context, tp TxPoster, key string, day time.Time, weekly bool, fire, now time.Time) (bool, error) {
	e, err := s.event(ctx, day, weekly, fire, now)
	if err != nil {
		return false, err
	}
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("notify: schedule: %w", err)
	}
	defer tx.Rollback()
	id, won, err := claim(ctx, tx, key, now)
	if err != nil || !won {
		return false, err
	}
	e.Source = -id
	if err := tp.PostTx(ctx, tx, e); err != nil {
		return false, fmt.Errorf("notify: post %s: %w", e.Key, err)
	}
	if err := done(ctx, tx, id, now); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("notify: schedule: commit: %w", err)
	}
	if w, ok := s.Poster.(interface{ Wake() }); ok {
		w.Wake()
	}
	s.log().Info("notify: summary posted", "key", e.Key, "late", now.Sub(fire) > 15*time.Minute)
	return true, nil
}

// event is the summary of day, with a note when it is late.
func (s *Scheduler) event(ctx context.Context, day time.Time, weekly bool, fire, now time.Time) (Event, error) {
	e, err := s.Summarizer.Event(ctx, day, weekly, s.Lang)
	if err != nil {
		return e, err
	}
	if late := now.Sub(fire); late > 15*time.Minute {
		e.Text += "\n" + fmt.Sprintf(wordsFor(s.Lang)["late"], fire.In(s.loc()).Format("2006-01-02 15:04"))
	}
	return e, nil
}

// post makes the summary of day and posts it as claim id.
func (s *Scheduler) post(ctx context.Context, id int64, day time.Time, weekly bool, fire, now time.Time) error {
	e, err := s.event(ctx, day, weekly, fire, now)
	if err != nil {
		return err
	}
	e.Source = -id
	if err := s.Poster.Post(ctx, e); err != nil {
		return fmt.Errorf("notify: post %s: %w", e.Key, err)
	}
	s.log().Info("notify: summary posted", "key", e.Key, "late", now.Sub(fire) > 15*time.Minute)
	return done(ctx, s.DB, id, now)
}

// Run ticks until ctx is done: at each summary time, and at least every
// five minutes so that a clock jump, a failed post or another instance's lost
// claim is caught up with.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		now := s.now()
		if _, err := s.Tick(ctx, now); err != nil && !errors.Is(err, context.Canceled) {
			s.log().Error("notify: schedule", "err", err)
		}
		wait := min(s.Next(now).Sub(now), 5*time.Minute)
		t := time.NewTimer(max(wait, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
