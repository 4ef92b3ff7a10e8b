package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestOutboxShutdownLetsSendFinish: a shutdown during a send does not cut
// the send off (its request may already have reached the platform, and
// the next process would send it again): a send that finishes within
// Drain is recorded sent; one that does not is cancelled and handed back,
// pending, for the next process.
func TestOutboxShutdownLetsSendFinish(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		for _, tc := range []struct {
			name    string
			drain   time.Duration
			pending int // left in the outbox after the shutdown
		}{
			{"finishes within drain", 10 * time.Second, 0},
			{"outlasts drain", 50 * time.Millisecond, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				ob := bot.NewOutbox(db, nil, nil)
				ob.Drain = tc.drain
				channel := "drain-" + tc.name
				if _, err := ob.Enqueue(ctx, bot.Reply{Channel: channel, Chat: "c1", Kind: bot.KindFAQ, Text: "hello"}); err != nil {
					t.Fatal(err)
				}
				runCtx, shutdown := context.WithCancel(ctx)
				sending := make(chan struct{})
				sendErr := make(chan error, 1)
				done := make(chan error, 1)
				go func() {
					done <- ob.Run(runCtx, channel, func(sctx context.Context, r bot.Reply) (string, error) {
						close(sending)
						// The platform answers a moment after the shutdown.
						select {
						case <-time.After(300 * time.Millisecond):
							sendErr <- nil
							return "p1", nil
						case <-sctx.Done():
							sendErr <- sctx.Err()
							return "", sctx.Err()
						}
					})
				}()
				<-sending
				shutdown()
				<-done
				err := <-sendErr
				if (tc.pending == 0) != (err == nil) {
					t.Errorf("send ended with %v", err)
				}
				depth, err := ob.Depth(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if depth[channel] != tc.pending {
					t.Errorf("%d pending after the shutdown, want %d", depth[channel], tc.pending)
				}
			})
		}
	}, bot.Schema)
}
