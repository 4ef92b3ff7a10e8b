// Package outlet runs an adapter's sender loops: the one way every channel
// sends what the outbox holds for it. An adapter says how it sends (its
// Outlets: one reply a call, a round in one transaction, or only the
// replies no webhook response carried); serve (cmd/shopbot) and the
// adapters' own tests run them with Serve, next to the adapter's Run
// (how it receives). Pacing and rate limits stay in the adapters' senders.
package outlet

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot"
)

// Outlet is how an adapter sends the replies of one outbox channel. Set
// Send, or SendTx.
type Outlet struct {
	Channel string
	// Send delivers one reply on the platform (Outbox.Run).
	Send bot.SendFunc
	// Due, with Send: a reply waits in the outbox until Due says the
	// platform's send API should send it (until then a webhook response
	// may carry it: Kakao, TalkTalk); sent one a call (Outbox.Take).
	Due func(bot.Reply) bool
	// SendTx writes a round of replies in one transaction
	// (Outbox.RunBatch: the web chat); Delivered is told after the commit.
	SendTx    bot.TxSendFunc
	Delivered func([]bot.Reply)
	// Runners is how many loops send concurrently (Send without Due);
	// 0: one.
	Runners int
	// Drain is how long shutdown waits after the last send in flight
	// returned, so the outbox records its outcome before the loops stop.
	Drain time.Duration
	// Direct: Send reaches the platform without the database, so the
	// owner's alert of a database outage can go through it (notify.Direct).
	Direct bool
	// Chat, with Send: only this chat's replies (a terminal's one
	// conversation, which prints its own answers as it reads), looked for
	// every Poll (0: every second; Outbox.Deliver).
	Chat string
	Poll time.Duration
	// Log is told of failed rounds (Due, Chat); nil: discard.
	Log *slog.Logger
}

// ErrStopping refuses sends after shutdown began; the outbox keeps them.
var ErrStopping = errors.New("outlet: shutting down")

// Serve runs receive (an adapter's Run; nil: wait for ctx) and the sender
// loops of outlets on ob until receive returns or ctx ends. Then the loops
// stop: sends in flight finish and their outcome is recorded, later ones
// stay in the outbox. It returns receive's error, or a loop's.
func Serve(ctx context.Context, ob *bot.Outbox, receive func(context.Context) error, outlets ...Outlet) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	failed := make(chan error, len(outlets))
	var wg sync.WaitGroup
	for _, o := range outlets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := Run(ctx, ob, o); err != nil && ctx.Err() == nil {
				failed <- err
			}
		}()
	}
	received := make(chan error, 1)
	go func() {
		if receive == nil {
			<-ctx.Done()
			received <- ctx.Err()
			return
		}
		received <- receive(ctx)
	}()
	var err error
	select {
	case err = <-received:
	case err = <-failed:
		cancel()
		<-received
	}
	cancel()
	wg.Wait()
	return err
}

// Run runs o's sender loops on ob until ctx ends (gracefully, as Serve
// says).
func Run(ctx context.Context, ob *bot.Outbox, o Outlet) error {
	switch {
	case o.SendTx != nil:
		return ob.RunBatch(ctx, o.Channel, o.SendTx, o.Delivered)
	case o.Send == nil:
		return errors.New("outlet: " + o.Channel + ": neither Send nor SendTx")
	}
	// The loops' context ends only after the drain: the outbox records a
	// finished send with it.
	var inflight sync.RWMutex
	send := func(sctx context.Context, r bot.Reply) (string, error) {
		inflight.RLock()
		defer inflight.RUnlock()
		if ctx.Err() != nil {
			return "", &bot.RetryAfter{After: time.Millisecond, Err: ErrStopping}
		}
		// Waits (rate limits) end with ctx; the request itself does not.
		sctx, cancel := context.WithCancel(sctx)
		defer cancel()
		defer context.AfterFunc(ctx, cancel)()
		return o.Send(sctx, r)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	n := max(o.Runners, 1)
	if o.Due != nil || o.Chat != "" {
		n = 1
	}
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch {
			case o.Chat != "":
				runChat(rctx, ob, o, send)
				return
			case o.Due != nil:
				runDue(rctx, ob, o, send)
				return
			}
			ob.Run(rctx, o.Channel, send)
		}()
	}
	<-ctx.Done()
	inflight.Lock() // every send in flight has returned
	inflight.Unlock()
	if o.Drain > 0 { // …and the outbox recorded it
		t := time.NewTimer(o.Drain)
		<-t.C
	}
	cancel()
	wg.Wait()
	return ctx.Err()
}

// runChat sends o.Chat's replies until ctx ends.
func runChat(ctx context.Context, ob *bot.Outbox, o Outlet, send bot.SendFunc) {
	poll := o.Poll
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := ob.Deliver(ctx, o.Channel, o.Chat, send); err != nil && ctx.Err() == nil && o.Log != nil {
			o.Log.Warn("outlet: deliver failed; trying again", "channel", o.Channel, "err", err)
		}
	}
}

// runDue sends the replies o.Due lets go, one a call, until ctx ends:
// at once when the outbox is woken, else every second.
func runDue(ctx context.Context, ob *bot.Outbox, o Outlet, send bot.SendFunc) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wake := ob.Waker()
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	failures := 0
	for {
		n, err := ob.Take(ctx, o.Channel, "", o.Due, 1, func(ctx context.Context, _ string, batch []bot.Reply) error {
			_, err := send(ctx, batch[0])
			return err
		})
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			if failures == 1 {
				log.Error("outlet: send round failed; retrying", "channel", o.Channel, "err", err)
			}
		default:
			failures = 0
		}
		if n > 0 {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-poll.C:
		}
	}
}
