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

// outboxPoster puts notify's own events (summaries, SLA and stock alerts,
// failures) in the outbox channel "notify", once per Source.
type outboxPoster struct {
	ob  *bot.Outbox
	now func() time.Time
}

func (p outboxPoster) Post(ctx context.Context, e notify.Event) error {
	return forwardSender{p.ob}.Send(ctx, notify.Destination{Channel: notifyChannel}, e)
}

// PostTx posts e within q, the caller's transaction (the summary's claim):
// notify.TxPoster.
func (p outboxPoster) PostTx(ctx context.Context, q sqlx.ExtContext, e notify.Event) error {
	return bot.ForwardTx(ctx, q, e.Source, bot.AlertReply(notifyChannel, "", e), p.now())
}

// Wake wakes the outbox after a PostTx committed.
func (p outboxPoster) Wake() { p.ob.Wake() }

// forwardSender hands routed events, chart included, to the outbox of
// their destination's channel, once per (Source, destination).
//
// An owner alert is therefore queued twice: once on the "notify" channel
// by the engine's transaction (or notify's Poster), with its snapshot, and
// once per destination that hears of it now, by the router. The first row
// is the event's durable record until the router has taken its decisions
// (notify_alerts, once per Source and destination); the second is the
// destination's own delivery, with its own retries, rate limit and thread
// (Outbox.Thread). One row per destination is possible — the engine
// queues each destination's row itself and the router decides, by the
// row's id, when that row comes up to send — but needs every owner
// destination's sender to ask the router first; that waits for the one
// adapter shape (issue 18, item 5). TestAlertRows (notify) counts them.
type forwardSender struct{ ob *bot.Outbox }

func (s forwardSender) Send(ctx context.Context, d notify.Destination, e notify.Event) error {
	return s.ob.Forward(ctx, e.Source, bot.AlertReply(d.Channel, d.Chat, e))
}

// router is the owner-alert policy of cfg over dests.
func (svc *service) router(dests []notify.Destination) *notify.Router {
	n := svc.st.cfg.Notify
	return &notify.Router{Destinations: dests, Sender: forwardSender{svc.ob}, DB: svc.st.db, Now: svc.st.now,
		Location: svc.st.cfg.location, MaxPerHour: n.MaxPerHour, Window: n.window, Quiet: n.quiet,
		HoldUrgent: n.QuietUrgent, Lang: n.Language, Log: svc.log}
}

// routeSend is the notify channel's sender: each event through the router.
func routeSend(rt *notify.Router) bot.SendFunc {
	return func(ctx context.Context, r bot.Reply) (string, error) {
		return "", rt.Route(ctx, r.OwnerEvent())
	}
}

// runNotify runs, until ctx is done, everything that tells the owner
// something: the router of the notify channel and its digests, the daily
// and weekly summaries, and the watchers (SLA clocks, stuck channels, the
// database). running are the channels whose senders run here.
func (svc *service) runNotify(ctx context.Context, dests []notify.Destination, running []string) error {
	cfg := svc.st.cfg
	n := cfg.Notify
	rt := svc.router(dests)
	poster := outboxPoster{svc.ob, svc.st.now}
	sched := &notify.Scheduler{DB: svc.st.db, Summarizer: svc.st.summarizer(), Poster: poster, Location: cfg.location,
		Hour: n.hour, Minute: n.min, Weekly: n.weekly, WeeklyDay: n.weeklyDay, Lang: n.Language, Now: svc.st.now, Log: svc.log}
	watch := &notify.Watcher{DB: svc.st.db, Outbox: svc.ob, Poster: poster, SLA: cfg.sla, Lang: n.Language,
		Channels: append([]string{notifyChannel, stdoutChannel}, running...), Now: svc.st.now, Stuck: n.stuck, Log: svc.log}
	// Database outages: serve's watchdog (outage.go) tells the owner.
	errc := make(chan error, 4)
	go func() { errc <- svc.ob.Run(ctx, notifyChannel, svc.ops.send(notifyChannel, routeSend(rt))) }()
	go func() { errc <- rt.Run(ctx, 30*time.Second) }()
	go func() { errc <- sched.Run(ctx) }()
	go func() { errc <- watch.Run(ctx, 30*time.Second) }()
	err := <-errc
	return err
}

// summaryNow prints the summary of day, or with send posts it, chart
// included, to the outbox channel "notify": `serve` (running now, or when
// it next starts) sends it to every owner destination, exactly once.
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
