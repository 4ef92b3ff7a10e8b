package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
)

// watchDatabase starts serve's database watchdog (notify.Watchdog: when
// the owner hears of an outage, and the words). The outbox lives in the
// database, so the alert cannot go through it: notify.Direct sends it to
// dests, the owners' destinations whose channel reaches them without the
// database (channel.direct), through the channels' own senders, and always
// to the alert stream on standard output.
func (svc *service) watchDatabase(ctx context.Context, dests []notify.Destination) {
	stdout := alertSender(notify.NewWriter(svc.env.stdout))
	all := append([]notify.Destination{{Channel: stdoutChannel}}, dests...)
	d := newDirect(all, directSender{stdout: stdout, lookup: svc.ops.sender}, svc.env.timing, svc.log)
	d.Start(ctx)
	cfg := svc.st.cfg
	w := &notify.Watchdog{Ping: svc.st.db.PingContext, Every: svc.env.timing.pingEvery, After: svc.env.timing.alertAfter,
		Now: svc.st.now, Tell: d.Tell, Lang: cfg.Notify.Language, Location: cfg.location, Log: svc.log}
	if svc.ops != nil {
		svc.ops.setWatchdog(w)
	}
	go w.Run(ctx)
}

// newDirect is notify.Direct to dests (each once) through s, with the
// bot's errors: a permanent failure is not retried, a 429's wait is
// honoured.
func newDirect(dests []notify.Destination, s notify.Sender, tm timing, log *slog.Logger) *notify.Direct {
	d := &notify.Direct{Sender: s, Retry: tm.directRetry, GiveUp: tm.directGiveUp, Log: log,
		Permanent: func(err error) bool { return errors.Is(err, bot.ErrPermanent) }}
	d.Wait = func(err error) time.Duration {
		var ra *bot.RetryAfter
		if errors.As(err, &ra) {
			return ra.After
		}
		return 0
	}
	seen := map[notify.Destination]bool{}
	for _, dest := range dests {
		key := notify.Destination{Channel: dest.Channel, Chat: dest.Chat}
		if !seen[key] {
			seen[key] = true
			d.Destinations = append(d.Destinations, key)
		}
	}
	return d
}

// directSender reaches an owner destination without the database: the
// alert stream, or the channel's own sender once the channel runs
// (registered by ops.send).
type directSender struct {
	stdout bot.SendFunc
	lookup func(channel string) bot.SendFunc
}

func (s directSender) Send(ctx context.Context, d notify.Destination, e notify.Event) error {
	send := s.stdout
	if d.Channel != stdoutChannel {
		send = nil
		if s.lookup != nil {
			send = s.lookup(d.Channel)
		}
	}
	if send == nil {
		return notify.ErrNoSender
	}
	_, err := send(ctx, bot.Reply{Channel: d.Channel, Chat: d.Chat, Kind: bot.KindAlert, Priority: e.Priority, Event: e.Kind, Text: e.Text})
	return err
}
