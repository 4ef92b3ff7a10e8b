package main

import (
	"context"
	"fmt"
	"github.com/jmoiron/sqlx"
	"strconv"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
)

// notifyConfig are the notify: keys beyond daily_at, quiet_hours and
// language (design §8).
type notifyConfig struct {
	MaxPerHour    int    `yaml:"max_per_hour"`   // alerts an hour to a personal destination (default 10)
	Coalesce      string `yaml:"coalesce"`       // window folding repeats of one ticket or product (default 30m)
	QuietUrgent   bool   `yaml:"quiet_urgent"`   // quiet hours hold urgent alerts too (default: urgent goes through)
	Weekly        string `yaml:"weekly"`         // day of the weekly summary (default sunday; none: off)
	UnshippedDays int    `yaml:"unshipped_days"` // list orders paid longer ago and not shipped (default 2)
	StuckAfter    string `yaml:"stuck_after"`    // alert when a channel cannot send for this long (default 10m)

	// Derived by validateNotify.
	quiet     notify.Quiet
	window    time.Duration
	stuck     time.Duration
	weekly    bool
	weeklyDay time.Weekday
	hour, min int
}

// validateNotify checks the notify: keys and derives their values.
func (c *config) validateNotify() error {
	n := &c.Notify.notifyConfig
	var err error
	if n.hour, n.min, err = notify.ParseClock(c.Notify.DailyAt); err != nil {
		return fmt.Errorf("notify.daily_at: %q: want HH:MM, e.g. 21:00", c.Notify.DailyAt)
	}
	if n.quiet, err = notify.ParseQuiet(c.Notify.QuietHours); err != nil {
		return fmt.Errorf("notify.quiet_hours: %q: want HH:MM-HH:MM, e.g. 22:00-08:00", c.Notify.QuietHours)
	}
	if n.MaxPerHour < 0 {
		return fmt.Errorf("notify.max_per_hour: %d: want a positive number", n.MaxPerHour)
	}
	if n.UnshippedDays < 0 {
		return fmt.Errorf("notify.unshipped_days: %d: want a positive number", n.UnshippedDays)
	}
	for _, d := range []struct {
		key, val string
		out      *time.Duration
	}{{"coalesce", n.Coalesce, &n.window}, {"stuck_after", n.StuckAfter, &n.stuck}} {
		if d.val == "" {
			continue
		}
		if *d.out, err = time.ParseDuration(d.val); err != nil || *d.out <= 0 {
			return fmt.Errorf("notify.%s: %q: want a duration such as 30m", d.key, d.val)
		}
	}
	weekly := n.Weekly
	if weekly == "" {
		weekly = "sunday"
	}
	if n.weeklyDay, n.weekly, err = notify.ParseWeekday(weekly); err != nil {
		return fmt.Errorf("notify.weekly: %q: want a day such as sunday, or none", n.Weekly)
	}
	return nil
}

// summarizer writes the owner's summaries from s's database.
func (s *stores) summarizer() *notify.Summarizer {
	return &notify.Summarizer{DB: s.db, Conversations: bot.NewConversations(s.db), Location: s.cfg.location, ShopName: s.cfg.Shop.Name, SLA: s.cfg.sla,
		UnshippedDays: s.cfg.Notify.UnshippedDays, Now: s.now}
}

// ownerEvents is where every raiser of owner events in this process hands
// them, within its own transaction (notify.TxPoster): the engine's
// message, the scheduler's summary claim, the webhooks' stock changes, the
// watcher's alerts, and the events other processes queued on the notify
// channel. The router decides once per (event, destination) and queues
// one outbox row for each destination that hears of it now; that
// destination's own sender delivers it (its retries, rate limit and Slack
// thread). Each event is counted once for /metrics here.
type ownerEvents struct {
	*notify.Router
	ops *ops // nil: not counted
}

// PostTx routes e within q (notify.Router.PostTx) and counts it. A
// transaction that rolls back after this (rare: its commit failed) leaves
// the count one too high; counting after the commit would need every
// raiser to report it.
func (o *ownerEvents) PostTx(ctx context.Context, q sqlx.ExtContext, e notify.Event) error {
	if err := o.Router.PostTx(ctx, q, e); err != nil {
		return err
	}
	o.ops.raised(e)
	return nil
}

// Post routes e in a transaction of its own (notify.Router.Post) and
// counts it.
func (o *ownerEvents) Post(ctx context.Context, e notify.Event) error {
	if err := o.Router.Post(ctx, e); err != nil {
		return err
	}
	o.ops.raised(e)
	return nil
}

// outboxPoster queues owner events on the outbox channel "notify", once
// per Source, for a command that routes nothing itself (`shopbot summary
// --send`, `shopbot import`): it does not know which channels `serve`
// runs, so serve (running now, or when it next starts) routes them
// (routeSend).
type outboxPoster struct {
	ob  *bot.Outbox
	now func() time.Time
}

func (p outboxPoster) Post(ctx context.Context, e notify.Event) error {
	return p.ob.Send(ctx, notify.Destination{Channel: notifyChannel}, e)
}

// PostTx posts e within q, the caller's transaction: notify.TxPoster.
func (p outboxPoster) PostTx(ctx context.Context, q sqlx.ExtContext, e notify.Event) error {
	return bot.ForwardTx(ctx, q, e.Source, bot.AlertReply(notifyChannel, "", e), p.now())
}

// Wake wakes the outbox after a PostTx committed.
func (p outboxPoster) Wake() { p.ob.Wake() }

// route gives st.owners, the engine's router, serve's policy from cfg and
// its destinations, before anything raises an event.
func (svc *service) route(dests []notify.Destination) *ownerEvents {
	n := svc.st.cfg.Notify
	svc.st.owners.Router = &notify.Router{Destinations: dests, Sender: svc.ob, DB: svc.st.db, Now: svc.st.now,
		Location: svc.st.cfg.location, MaxPerHour: n.MaxPerHour, Window: n.window, Quiet: n.quiet,
		HoldUrgent: n.QuietUrgent, Lang: n.Language, Log: svc.log}
	svc.st.owners.ops = svc.ops
	return svc.st.owners
}

// routeSend is the notify channel's sender: each event queued there by
// another process, routed as if raised here; the outbox row's id is its
// Source, so routing it again after a crash adds nothing.
func routeSend(owners *ownerEvents) bot.SendFunc {
	return func(ctx context.Context, r bot.Reply) (string, error) {
		return "", owners.Post(ctx, r.OwnerEvent())
	}
}

// runNotify runs, until ctx is done, everything that tells the owner
// something: the router's digests and the events other processes queued
// on the notify channel, the daily and weekly summaries, and the watchers
// (SLA clocks, stuck channels, the database). owners is serve's router
// (route); running are the channels whose senders run here.
func (svc *service) runNotify(ctx context.Context, owners *ownerEvents, running []string) error {
	cfg := svc.st.cfg
	n := cfg.Notify
	rt := owners.Router
	sched := &notify.Scheduler{DB: svc.st.db, Summarizer: svc.st.summarizer(), Poster: owners, Location: cfg.location,
		Hour: n.hour, Minute: n.min, Weekly: n.weekly, WeeklyDay: n.weeklyDay, Lang: n.Language, Now: svc.st.now, Log: svc.log}
	watch := &notify.Watcher{DB: svc.st.db, Outbox: svc.ob, Poster: owners, SLA: cfg.sla, Lang: n.Language,
		Channels: append([]string{notifyChannel, stdoutChannel}, running...), Now: svc.st.now, Stuck: n.stuck, Log: svc.log}
	// Database outages: serve's watchdog (outage.go) tells the owner.
	errc := make(chan error, 4)
	go func() { errc <- svc.ob.Run(ctx, notifyChannel, svc.ops.send(notifyChannel, routeSend(owners))) }()
	go func() { errc <- rt.Run(ctx, 30*time.Second) }()
	go func() { errc <- sched.Run(ctx) }()
	go func() { errc <- watch.Run(ctx, 30*time.Second) }()
	err := <-errc
	return err
}

// summaryNow prints the summary of day, or with send posts it, chart
// included, to the outbox channel "notify": `serve` (running now, or when
// it next starts) routes it to every owner destination, exactly once.
func (e env) summaryNow(ctx context.Context, st *stores, day time.Time, send bool) error {
	s := st.summarizer()
	lang := st.cfg.Notify.Language
	if !send {
		text, err := s.Summary(ctx, day, lang)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, text)
		return nil
	}
	ev, err := s.Event(ctx, day, false, lang)
	if err != nil {
		return err
	}
	// Each --send is its own message: a fresh negative Source from the
	// clock's nanoseconds never meets an outbox id.
	ev.Source = -(st.now().UnixNano()/1000 + 1)
	ob := bot.NewOutbox(st.db, st.now, nil)
	if err := (outboxPoster{ob, st.now}).Post(ctx, ev); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, ev.Text)
	fmt.Fprintln(e.stderr, "summary queued for every owner channel (chart: "+strconv.Itoa(len(ev.Image))+" bytes); `shopbot serve` sends it")
	return nil
}
