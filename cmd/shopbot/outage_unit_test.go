package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
)

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
				lookup := func(string) bot.SendFunc {
					mu.Lock()
					defer mu.Unlock()
					if registered || !tc.late {
						return send
					}
					return nil
				}
				d := newDirect([]notify.Destination{{Channel: "telegram", Chat: "900"}}, directSender{lookup: lookup},
					timing{directRetry: time.Second, directGiveUp: 15 * time.Minute}, slog.New(slog.DiscardHandler))
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				d.Start(ctx)
				d.Tell(ctx, "down")
				d.Tell(ctx, "back")
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
// the give-up time, not forever.
func TestDirectGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		attempts := 0
		send := func(context.Context, bot.Reply) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			attempts++
			return "", errors.New("timeout")
		}
		d := newDirect([]notify.Destination{{Channel: "slack", Chat: "C1"}}, directSender{lookup: func(string) bot.SendFunc { return send }},
			timing{directRetry: time.Second, directGiveUp: 15 * time.Minute}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d.Start(ctx)
		d.Tell(ctx, "down")
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
