package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/notify"
)

func newScheduler(db *sqlx.DB, loc *time.Location, rec *recorder, now func() time.Time) *notify.Scheduler {
	return &notify.Scheduler{DB: db, Poster: rec, Location: loc, Hour: 21, Minute: 0, Lang: "en", Now: now,
		Summarizer: &notify.Summarizer{DB: db, Conversations: bot.NewConversations(db), Location: loc, ShopName: "Shop", Now: now, NoChart: true}}
}

// step ticks s every step from `from` to `to` and returns when each key
// was posted.
func step(t *testing.T, s *notify.Scheduler, c *bottest.Clock, from, to time.Time, d time.Duration) map[string]time.Time {
	t.Helper()
	at := map[string]time.Time{}
	for c.Set(from); c.Now().Before(to); c.Advance(d) {
		keys, err := s.Tick(context.Background(), c.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if _, dup := at[k]; dup {
				t.Errorf("%s posted twice", k)
			}
			at[k] = c.Now()
		}
	}
	return at
}

func TestScheduleFiresOnceADay(t *testing.T) {
	for _, tc := range []struct {
		name string
		loc  *time.Location
		from string // three local days from this date
		utc  []string
	}{
		{"Seoul", seoul, "2026-11-22", []string{"12:00", "12:00", "12:00"}},
		// Daylight saving starts 8 March and ends 1 November 2026.
		{"New York spring", newYork, "2026-03-07", []string{"02:00", "01:00", "01:00"}},
		{"New York autumn", newYork, "2026-10-31", []string{"01:00", "02:00", "02:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := dbtest.Open(t, "sqlite", schemas()...)
			start, _ := time.ParseInLocation(time.DateOnly, tc.from, tc.loc)
			c := bottest.NewClock(time.Time{})
			rec := &recorder{}
			s := newScheduler(db, tc.loc, rec, c.Now)
			at := step(t, s, c, start, start.AddDate(0, 0, 3), 5*time.Minute)
			if len(at) != 3 {
				t.Fatalf("posted %v, want 3 days", at)
			}
			for i := range 3 {
				day := start.AddDate(0, 0, i)
				got, ok := at["daily:"+day.Format(time.DateOnly)]
				if !ok {
					t.Fatalf("no summary for %s: %v", day.Format(time.DateOnly), at)
				}
				if l := got.In(tc.loc); l.Hour() != 21 || l.Minute() != 0 {
					t.Errorf("%s: fired at %s local", day.Format(time.DateOnly), l)
				}
				if u := got.UTC().Format("15:04"); u != tc.utc[i] {
					t.Errorf("%s: fired at %s UTC, want %s", day.Format(time.DateOnly), u, tc.utc[i])
				}
			}
			if got := len(rec.posted()); got != 3 {
				t.Errorf("%d posts, want 3", got)
			}
			for _, e := range rec.posted() {
				if e.Kind != notify.KindSummary || e.Source >= 0 || !strings.Contains(e.Text, "Shop") {
					t.Errorf("summary event: %+v", e.Kind)
				}
			}
		})
	}
}

// Two instances on one database, ticking at the same moments: each day's
// summary is posted once.
func TestScheduleTwoInstances(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		start := time.Date(2026, 11, 22, 20, 0, 0, 0, seoul)
		rec := &recorder{}
		var mu sync.Mutex
		posted := map[string]int{}
		c := bottest.NewClock(time.Time{})
		a, b := newScheduler(db, seoul, rec, c.Now), newScheduler(db, seoul, rec, c.Now)
		for now := start; now.Before(start.AddDate(0, 0, 2)); now = now.Add(5 * time.Minute) {
			c.Set(now)
			var wg sync.WaitGroup
			for _, s := range []*notify.Scheduler{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					keys, err := s.Tick(context.Background(), now)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					for _, k := range keys {
						posted[k]++
					}
					mu.Unlock()
				}()
			}
			wg.Wait()
		}
		want := map[string]int{"daily:2026-11-22": 1, "daily:2026-11-23": 1}
		if len(posted) != len(want) || posted["daily:2026-11-22"] != 1 || posted["daily:2026-11-23"] != 1 {
			t.Errorf("posted %v, want %v", posted, want)
		}
		if got := len(rec.posted()); got != 2 {
			t.Errorf("%d summaries reached the poster, want 2", got)
		}
	}, schemas()...)
}

// Down from 20:00 to 08:00 the next morning: the missed summary is sent
// late, at start, marked late; the next one on time.
func TestScheduleLateAfterOutage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		c := bottest.NewClock(time.Time{})
		rec := &recorder{}
		s := newScheduler(db, seoul, rec, c.Now)
		step(t, s, c, time.Date(2026, 11, 21, 20, 0, 0, 0, seoul), time.Date(2026, 11, 22, 20, 0, 0, 0, seoul), 10*time.Minute)
		// The process dies at 20:00 and a new one starts at 08:00.
		s2 := newScheduler(db, seoul, rec, c.Now)
		at := step(t, s2, c, time.Date(2026, 11, 23, 8, 0, 0, 0, seoul), time.Date(2026, 11, 23, 22, 0, 0, 0, seoul), 10*time.Minute)
		if got, want := at["daily:2026-11-22"], time.Date(2026, 11, 23, 8, 0, 0, 0, seoul); !got.Equal(want) {
			t.Errorf("missed summary sent at %v, want %v", got, want)
		}
		if got, want := at["daily:2026-11-23"], time.Date(2026, 11, 23, 21, 0, 0, 0, seoul); !got.Equal(want) {
			t.Errorf("next summary sent at %v, want %v", got, want)
		}
		posts := rec.posted()
		if len(posts) != 3 || !strings.Contains(posts[1].Text, "(sent late: due 2026-11-22 21:00)") || strings.Contains(posts[2].Text, "late") {
			t.Errorf("posts: %d; late one:\n%s", len(posts), posts[min(1, len(posts)-1)].Text)
		}
	}, schemas()...)
}

// A fresh database does not catch up on yesterday.
func TestScheduleFreshInstallStartsToday(t *testing.T) {
	db := dbtest.Open(t, "sqlite", schemas()...)
	c := bottest.NewClock(time.Time{})
	rec := &recorder{}
	s := newScheduler(db, seoul, rec, c.Now)
	at := step(t, s, c, time.Date(2026, 11, 23, 8, 0, 0, 0, seoul), time.Date(2026, 11, 23, 22, 0, 0, 0, seoul), 10*time.Minute)
	if len(at) != 1 || at["daily:2026-11-23"].IsZero() {
		t.Errorf("posted %v, want only today's", at)
	}
}

// Run itself, on a fake clock: a week in Seoul with a weekly summary on
// Sundays.
func TestScheduleRunSynctest(t *testing.T) {
	db := dbtest.Open(t, "sqlite", schemas()...)
	synctest.Test(t, func(t *testing.T) {
		base := time.Date(2026, 11, 23, 0, 0, 0, 0, seoul) // a Monday
		start := time.Now()
		now := func() time.Time { return base.Add(time.Since(start)) }
		rec := &recorder{}
		s := newScheduler(db, seoul, rec, now)
		s.Weekly, s.WeeklyDay = true, time.Sunday
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(7*24*time.Hour - time.Second)
		cancel()
		<-done
		var keys []string
		for _, e := range rec.posted() {
			keys = append(keys, e.Key)
		}
		want := "summary:2026-11-23 summary:2026-11-24 summary:2026-11-25 summary:2026-11-26 summary:2026-11-27 summary:2026-11-28 summary:2026-11-29 summary-week:2026-11-23"
		if got := strings.Join(keys, " "); got != want {
			t.Errorf("posted\n%s\nwant\n%s", got, want)
		}
	})
}

// txPoster posts to the outbox within the summary's claim, as
// cmd/shopbot's poster does; fail makes PostTx fail, as a process killed
// between the claim and the post would (its transaction never commits).
type txPoster struct {
	outboxPoster
	fail bool
}

func (p *txPoster) PostTx(ctx context.Context, q sqlx.ExtContext, e notify.Event) error {
	if p.fail {
		return errors.New("killed before the post")
	}
	return bot.ForwardTx(ctx, q, e.Source, bot.AlertReply("notify", "", e), time.Now())
}

// TestSummaryClaimAndPostAreOne: the daily summary is claimed and posted
// in one transaction. An instance that dies between the two leaves the
// day unclaimed, so the next tick (here, another instance at the same
// moment) sends it, once. (Before, the claim stood alone: the day was
// taken and nobody sent it until a sweep a minute or more later.)
func TestSummaryClaimAndPostAreOne(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		ob := bot.NewOutbox(db, nil, nil)
		at := time.Date(2026, 11, 24, 21, 0, 30, 0, seoul)
		c := bottest.NewClock(at)
		mk := func(p notify.Poster) *notify.Scheduler {
			return &notify.Scheduler{DB: db, Poster: p, Location: seoul, Hour: 21, Lang: "en", Now: c.Now,
				Summarizer: &notify.Summarizer{DB: db, Location: seoul, ShopName: "Shop", Now: c.Now, NoChart: true}}
		}
		if _, err := mk(&txPoster{outboxPoster{ob}, true}).Tick(ctx, at); err == nil {
			t.Fatal("a post that failed was not reported")
		}
		var claims int
		if err := db.Get(&claims, `SELECT COUNT(*) FROM notify_claims`); err != nil || claims != 0 {
			t.Fatalf("%d claims left by the dead instance (%v), want 0", claims, err)
		}
		other := mk(&txPoster{outboxPoster: outboxPoster{ob}})
		for range 3 {
			if _, err := other.Tick(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
		summaries, err := ob.Pending(ctx, "notify", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(summaries) != 1 || !strings.Contains(summaries[0].Text, "Shop") {
			t.Errorf("posted %+v, want the day's summary once", summaries)
		}
	}, schemas()...)
}
