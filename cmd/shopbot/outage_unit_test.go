package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
)

// told records what a watchdog told the owner, and when.
type told struct {
	mu    sync.Mutex
	texts []string
	at    []time.Duration // since the start of the test
	start time.Time
}

func (r *told) tell(_ context.Context, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.texts = append(r.texts, text)
	r.at = append(r.at, time.Since(r.start))
}

// TestWatchdog runs the watchdog on a fake clock through outages of
// several lengths: the owner hears nothing of a short one, and of a long
// one exactly twice: once when it reaches the threshold, once when it
// ends.
func TestWatchdog(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	type outage struct{ from, to time.Duration } // since the start
	tests := []struct {
		name    string
		lang    string
		hang    bool // pings during an outage hang, ignoring their context (lib/pq behind a dead link)
		outages []outage
		want    []string        // texts told, in order (substrings)
		at      []time.Duration // when each was told
	}{
		{"no outage", "ko", false, nil, nil, nil},
		// Pings go at 0, 5, 10 s…; outages start and end between them.
		{"30 s: nobody bothered", "ko", false, []outage{{12 * time.Second, 42 * time.Second}}, nil, nil},
		{"just under a minute between pings: nobody", "ko", false, []outage{{12 * time.Second, 72 * time.Second}}, nil, nil},
		{"3 min: told at one minute, and when it is back", "ko", false, []outage{{12 * time.Second, 192 * time.Second}},
			[]string{"1분째 응답하지 않아요", "3분 만에 돌아왔어요"}, []time.Duration{75 * time.Second, 195 * time.Second}},
		{"in English", "en", false, []outage{{12 * time.Second, 192 * time.Second}},
			[]string{"has not answered for 1 min", "is back after 3 min"}, []time.Duration{75 * time.Second, 195 * time.Second}},
		{"in Chinese, 2 h", "zh", false, []outage{{12 * time.Second, 2*time.Hour + 12*time.Second}},
			[]string{"1 分钟", "在 2 小时 0 分钟 后恢复"}, []time.Duration{75 * time.Second, 2*time.Hour + 15*time.Second}},
		{"hanging pings count as failed", "en", true, []outage{{12 * time.Second, 192 * time.Second}},
			[]string{"has not answered for 1 min", "is back after 3 min"}, []time.Duration{75 * time.Second, 195 * time.Second}},
		{"two long outages: two pairs", "en", false, []outage{{12 * time.Second, 102 * time.Second}, {202 * time.Second, 302 * time.Second}},
			[]string{"for 1 min", "back after 1 min", "for 1 min", "back after 1 min"},
			[]time.Duration{75 * time.Second, 105 * time.Second, 265 * time.Second, 305 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := &told{start: time.Now()}
				var mu sync.Mutex
				down := false
				release := make(chan struct{})
				defer close(release)
				w := &watchdog{
					ping: func(context.Context) error {
						mu.Lock()
						d := down
						mu.Unlock()
						switch {
						case d && tc.hang:
							<-release
							return errors.New("too late")
						case d:
							return errors.New("connection refused")
						}
						return nil
					},
					every: 5 * time.Second, after: time.Minute, now: time.Now, tell: rec.tell, lang: tc.lang, loc: seoul,
					log: slog.New(slog.DiscardHandler),
				}
				ctx, cancel := context.WithCancel(context.Background())
				go w.run(ctx)
				var end time.Duration
				for _, o := range tc.outages {
					time.Sleep(o.from - end)
					mu.Lock()
					down = true
					mu.Unlock()
					time.Sleep(o.to - o.from)
					mu.Lock()
					down = false
					mu.Unlock()
					end = o.to
					if since, _ := w.state(); since.IsZero() {
						t.Errorf("state at the end of the outage at %v: up", o.to)
					}
				}
				time.Sleep(time.Minute)
				synctest.Wait()
				if since, n := w.state(); !since.IsZero() || n != len(tc.outages) {
					t.Errorf("state = down since %v, %d outages; want up, %d", since, n, len(tc.outages))
				}
				cancel()
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.texts) != len(tc.want) {
					t.Fatalf("told %d times, want %d: %q", len(rec.texts), len(tc.want), rec.texts)
				}
				for i, want := range tc.want {
					if !strings.Contains(rec.texts[i], want) {
						t.Errorf("message %d = %q, want it to say %q", i, rec.texts[i], want)
					}
					if rec.at[i] != tc.at[i] {
						t.Errorf("message %d told at %v, want %v", i, rec.at[i], tc.at[i])
					}
				}
			})
		})
	}
}

// TestDirectDelivery: an alert sent without the outbox is retried with
// backoff (a 429's wait honoured) until the channel takes it, waits for a
// channel whose sender is not running yet, stops at a permanent failure
// or after giving up, and keeps each destination's alerts in order.
func TestDirectDelivery(t *testing.T) {
	errDown := errors.New("502 bad gateway")
	tests := []struct {
		name     string
		failures []error // answers before success (nil entries: success)
		late     bool    // the sender registers after 2.5 s
		want     []string
		at       []time.Duration // when each send attempt happened
	}{
		{"first time", nil, false, []string{"down", "back"}, []time.Duration{0, 0}},
		{"retried with backoff", []error{errDown, errDown, errDown}, false, []string{"down", "back"}, []time.Duration{7 * time.Second, 7 * time.Second}},
		{"429 waits its retry time", []error{&bot.RetryAfter{After: 30 * time.Second, Err: errDown}}, false, []string{"down", "back"}, []time.Duration{30 * time.Second, 30 * time.Second}},
		{"permanent: given up", []error{fmt.Errorf("403: %w", bot.ErrPermanent)}, false, []string{"back"}, []time.Duration{0}},
		{"sender not running yet", nil, true, []string{"down", "back"}, []time.Duration{3 * time.Second, 3 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				var mu sync.Mutex
				var got []string
				var at []time.Duration
				fails := tc.failures
				send := func(_ context.Context, r bot.Reply) (string, error) {
					mu.Lock()
					defer mu.Unlock()
					if r.Kind != bot.KindAlert || r.Priority != "urgent" || r.Chat != "900" {
						t.Errorf("reply %+v: want an urgent alert to chat 900", r)
					}
					if len(fails) > 0 {
						err := fails[0]
						fails = fails[1:]
						return "", err
					}
					got = append(got, r.Text)
					at = append(at, time.Since(start))
					return "1", nil
				}
				var registered bool
				d := &direct{dests: []directDest{{Destination: notify.Destination{Channel: "telegram", Chat: "900"}}},
					retry: time.Second, giveUp: 15 * time.Minute, log: slog.New(slog.DiscardHandler),
					lookup: func(string) bot.SendFunc {
						mu.Lock()
						defer mu.Unlock()
						if registered || !tc.late {
							return send
						}
						return nil
					}}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				d.start(ctx)
				d.tell(ctx, "down")
				d.tell(ctx, "back")
				if tc.late {
					time.Sleep(2500 * time.Millisecond)
					mu.Lock()
					registered = true
					mu.Unlock()
				}
				time.Sleep(time.Hour)
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || fmt.Sprint(at) != fmt.Sprint(tc.at) {
					t.Errorf("sent %q at %v, want %q at %v", got, at, tc.want, tc.at)
				}
			})
		})
	}
}

// TestDirectGivesUp: a channel that never takes the alert is tried for
// giveUp, not forever.
func TestDirectGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		attempts := 0
		d := &direct{dests: []directDest{{Destination: notify.Destination{Channel: "slack", Chat: "C1"},
			send: func(context.Context, bot.Reply) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				attempts++
				return "", errors.New("timeout")
			}}}, retry: time.Second, giveUp: 15 * time.Minute, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d.start(ctx)
		d.tell(ctx, "down")
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		// At 0, 1, 3, 7, 15, 31, 63 s, then every minute: the 21st, at
		// 903 s, is the first past 15 minutes and the last.
		if attempts != 21 {
			t.Errorf("%d attempts in a day, want 21 (15 minutes of backoff)", attempts)
		}
	})
}

func TestSpan(t *testing.T) {
	tests := []struct {
		d    time.Duration
		lang string
		want string
	}{
		{45 * time.Second, "ko", "45초"},
		{700 * time.Millisecond, "en", "1 s"},
		{90 * time.Second, "en", "1 min"},
		{59 * time.Minute, "zh", "59 分钟"},
		{3*time.Hour + 5*time.Minute, "ko", "3시간 5분"},
		{3*time.Hour + 5*time.Minute, "en", "3 h 5 min"},
		{time.Minute, "fr", "1분"},
	}
	for _, tc := range tests {
		if got := span(tc.d, tc.lang); got != tc.want {
			t.Errorf("span(%v, %s) = %q, want %q", tc.d, tc.lang, got, tc.want)
		}
	}
}
