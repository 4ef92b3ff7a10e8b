package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// An unreachable database is the one owner alert that does not go through
// the outbox and the Router: the outbox, the router's records and the
// claims all live in the database that is away. The Watchdog decides when
// the owner hears of an outage (after AlertAfter of failed pings, and once
// more when it ends) and what the owner reads; Direct delivers that text
// straight through the destinations' platform senders, retried in memory.
// An alert not delivered when the process stops is lost: while the
// database is down there is nowhere to keep it.

// Defaults of the database watchdog and of Direct.
const (
	DefaultPingEvery  = 5 * time.Second  // between two pings
	DefaultAlertAfter = time.Minute      // how long an outage lasts before the owner is told
	DefaultRetry      = time.Second      // Direct's first wait between attempts; it doubles up to a minute
	DefaultGiveUp     = 15 * time.Minute // how long Direct tries one alert
	// PingTimeout bounds one ping: a database that takes longer is down.
	// A ping not answered when the next is due counts as failed too.
	PingTimeout = 5 * time.Second
)

// Watchdog pings the database and tells the owner, through Tell, once an
// outage has lasted After, and once more when the database answers again.
// State says since when the database has been unreachable (/healthz,
// /metrics).
type Watchdog struct {
	Ping     func(ctx context.Context) error
	Every    time.Duration    // between pings; 0: DefaultPingEvery
	After    time.Duration    // 0: DefaultAlertAfter
	Now      func() time.Time // nil: time.Now
	Tell     func(ctx context.Context, text string)
	Lang     string         // the owner's language: ko, en, zh
	Location *time.Location // the owner's time zone, for the times in the texts; nil: UTC
	Log      *slog.Logger   // nil: discard

	mu        sync.Mutex
	downSince time.Time // zero while the database answers
	alerted   bool      // the owner was told of this outage
	outages   int       // outages seen since start
}

func (w *Watchdog) every() time.Duration { return cmpDur(w.Every, DefaultPingEvery) }
func (w *Watchdog) after() time.Duration { return cmpDur(w.After, DefaultAlertAfter) }

func (w *Watchdog) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Watchdog) loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

func (w *Watchdog) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

func cmpDur(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// timeout is how long one ping may take: until the next is due (a
// second at least), and PingTimeout at most.
func (w *Watchdog) timeout() time.Duration {
	return min(max(w.every(), time.Second), PingTimeout)
}

// State reports since when the database has been unreachable (zero: it
// answers) and how many outages began since start.
func (w *Watchdog) State() (downSince time.Time, outages int) {
	if w == nil {
		return time.Time{}, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.downSince, w.outages
}

// Check pings the database once and tells the owner when an outage
// reaches After, and when it ends after that.
func (w *Watchdog) Check(ctx context.Context) {
	asked := w.now()
	err := PingWithin(ctx, w.Ping, w.timeout())
	if ctx.Err() != nil {
		return
	}
	now := w.now()
	var text string
	words := outageWords(w.Lang)
	w.mu.Lock()
	switch {
	case err != nil:
		if w.downSince.IsZero() {
			w.downSince = asked // when the unanswered ping went out
			w.outages++
			w.log().Error("database unreachable; the owner is told if it lasts", "after", w.after(), "err", err)
		}
		if !w.alerted && now.Sub(w.downSince) >= w.after() {
			w.alerted = true
			text = fmt.Sprintf(words.down, span(now.Sub(w.downSince), w.Lang), w.downSince.In(w.loc()).Format("15:04"))
			w.log().Error("database unreachable: telling the owner", "for", now.Sub(w.downSince).Round(time.Second))
		}
	case !w.downSince.IsZero():
		d := now.Sub(w.downSince)
		w.log().Info("database back", "after", d.Round(time.Millisecond), "owner_told", w.alerted)
		if w.alerted {
			text = fmt.Sprintf(words.back, span(d, w.Lang), w.downSince.In(w.loc()).Format("15:04"), now.In(w.loc()).Format("15:04"))
		}
		w.downSince, w.alerted = time.Time{}, false
	}
	w.mu.Unlock()
	if text != "" && w.Tell != nil {
		w.Tell(ctx, text)
	}
}

// Run checks every Every until ctx is done.
func (w *Watchdog) Run(ctx context.Context) {
	t := time.NewTicker(w.every())
	defer t.Stop()
	for {
		w.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PingWithin pings and waits at most d for the answer. lib/pq gives up
// on a query whose context ends only once the server confirms the cancel,
// so behind a dead network link a ping can wait far longer than its
// context: such a ping is left to finish on its own (the pool's size bounds
// how many can) and counted as failed.
func PingWithin(ctx context.Context, ping func(context.Context) error, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- ping(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s: %w", d, ctx.Err())
	}
}

type outageText struct{ down, back string }

func outageWords(lang string) outageText {
	switch lang {
	case "en":
		return outageText{
			down: "🛑 The database has not answered for %s (since %s). Nothing is lost: Telegram messages wait unconfirmed and are answered once it is back, and the web chat asks visitors to try again in a moment. Please check the database server.",
			back: "✅ The database is back after %s (%s–%s). Waiting messages are being answered now.",
		}
	case "zh":
		return outageText{
			down: "🛑 数据库已有 %s 无法连接（自 %s 起）。消息不会丢失：Telegram 消息会等待，数据库恢复后再回复；网页聊天会请访客稍后再试。请检查数据库服务器。",
			back: "✅ 数据库在 %s 后恢复（%s–%s）。正在回复等待中的消息。",
		}
	}
	return outageText{
		down: "🛑 데이터베이스가 %s째 응답하지 않아요 (%s부터). 메시지는 사라지지 않아요: 텔레그램 메시지는 기다렸다가 데이터베이스가 돌아오면 답하고, 웹 채팅은 잠시 후 다시 보내 달라고 안내해요. 데이터베이스 서버를 확인해 주세요.",
		back: "✅ 데이터베이스가 %s 만에 돌아왔어요 (%s–%s). 기다리던 메시지에 지금 답하고 있어요.",
	}
}

// span writes d for the owner: seconds under a minute, then minutes,
// then hours and minutes.
func span(d time.Duration, lang string) string {
	s, m := int(d.Round(time.Second)/time.Second), int(d/time.Minute)
	unit := map[string][3]string{
		"ko": {"%d초", "%d분", "%d시간 %d분"},
		"en": {"%d s", "%d min", "%d h %d min"},
		"zh": {"%d 秒", "%d 分钟", "%d 小时 %d 分钟"},
	}[lang]
	if unit[0] == "" {
		unit = [3]string{"%d초", "%d분", "%d시간 %d분"}
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf(unit[0], s)
	case d < time.Hour:
		return fmt.Sprintf(unit[1], m)
	}
	return fmt.Sprintf(unit[2], m/60, m%60)
}

// Direct delivers owner alerts without the database: each destination's
// alerts in order on a goroutine of its own, each alert retried with
// backoff (a rate limit's wait honoured, a permanent failure not retried)
// for up to GiveUp. Sender must reach the platform without the database
// (cmd/shopbot gives it the channels' own senders, not the outbox).
type Direct struct {
	Destinations []Destination
	Sender       Sender
	Retry        time.Duration // first wait between attempts; 0: DefaultRetry
	GiveUp       time.Duration // 0: DefaultGiveUp
	// Permanent tells an error not worth retrying (a blocked bot); nil: none.
	Permanent func(error) bool
	// Wait is the wait an error asks for (a 429's retry time); 0: the backoff.
	Wait func(error) time.Duration
	Log  *slog.Logger // nil: discard

	queues []chan string
}

// Start runs one sender per destination until ctx is done.
func (d *Direct) Start(ctx context.Context) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.queues = make([]chan string, len(d.Destinations))
	for i, dest := range d.Destinations {
		q := make(chan string, 8)
		d.queues[i] = q
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case text := <-q:
					d.deliver(ctx, dest, text)
				}
			}
		}()
	}
}

// Tell queues text for every destination; it does not wait.
func (d *Direct) Tell(_ context.Context, text string) {
	for i, q := range d.queues {
		select {
		case q <- text:
		default:
			d.Log.Error("owner alert dropped: too many waiting", "channel", d.Destinations[i].Channel, "chat", d.Destinations[i].Chat)
		}
	}
}

// ErrNoSender is what a Direct Sender returns while a destination's
// channel cannot send yet (it is still starting): retried like any failure.
var ErrNoSender = errors.New("the channel's sender is not running yet")

func (d *Direct) deliver(ctx context.Context, dest Destination, text string) {
	e := Event{Priority: "urgent", Kind: KindFailure, Key: "failure:database", Text: text}
	start := time.Now()
	wait := cmpDur(d.Retry, DefaultRetry)
	giveUp := cmpDur(d.GiveUp, DefaultGiveUp)
	for attempt := 1; ; attempt++ {
		err := d.Sender.Send(ctx, dest, e)
		if err == nil {
			d.Log.Info("owner alert sent directly", "channel", dest.Channel, "chat", dest.Chat, "attempt", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if (d.Permanent != nil && d.Permanent(err)) || time.Since(start) > giveUp {
			d.Log.Error("owner alert not sent", "channel", dest.Channel, "chat", dest.Chat, "attempts", attempt, "err", err)
			return
		}
		next := wait
		if d.Wait != nil {
			if w := d.Wait(err); w > 0 {
				next = w
			}
		}
		d.Log.Warn("owner alert failed, will retry", "channel", dest.Channel, "chat", dest.Chat, "attempt", attempt, "in", next, "err", err)
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(wait*2, time.Minute)
	}
}
