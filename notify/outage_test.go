package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
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
				w := &Watchdog{
					Ping: func(context.Context) error {
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
					Every: 5 * time.Second, After: time.Minute, Now: time.Now, Tell: rec.tell, Lang: tc.lang, Location: seoul,
					Log: slog.New(slog.DiscardHandler),
				}
				ctx, cancel := context.WithCancel(context.Background())
				go w.Run(ctx)
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
					if since, _ := w.State(); since.IsZero() {
						t.Errorf("state at the end of the outage at %v: up", o.to)
					}
				}
				time.Sleep(time.Minute)
				synctest.Wait()
				if since, n := w.State(); !since.IsZero() || n != len(tc.outages) {
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
