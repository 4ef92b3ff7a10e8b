package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/slack"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/notify"
)

// The database watchdog's timing: serve's defaults, shortened by tests.
var (
	// dbPingEvery is how often the watchdog pings the database.
	dbPingEvery = 5 * time.Second
	// dbAlertAfter is how long the database must stay unreachable before
	// the owner is told.
	dbAlertAfter = time.Minute
	// directRetry is the first wait between attempts of an alert sent
	// without the outbox; it doubles up to a minute.
	directRetry = time.Second
	// directGiveUp is how long one such alert is retried.
	directGiveUp = 15 * time.Minute
)

// dbPingTimeout bounds one ping: a database that takes longer is down. A
// ping not answered when the next is due counts as failed too.
const dbPingTimeout = 5 * time.Second

// watchdog watches the database for serve. The outbox lives in the
// database, so an outage cannot be announced through it: after After of
// failed pings the watchdog tells the owner once through tell (the
// channels' senders, called directly), and once more when the database
// answers again. It also tells /healthz and /metrics since when the
// database has been away.
type watchdog struct {
	ping  func(ctx context.Context) error
	every time.Duration // between pings
	after time.Duration
	now   func() time.Time
	tell  func(ctx context.Context, text string)
	lang  string
	loc   *time.Location
	log   *slog.Logger

	mu        sync.Mutex
	downSince time.Time // zero while the database answers
	alerted   bool      // the owner was told of this outage
	outages   int       // outages seen since start
}

// timeout is how long one ping may take: until the next is due (a
// second at least), and dbPingTimeout at most.
func (w *watchdog) timeout() time.Duration {
	return min(max(w.every, time.Second), dbPingTimeout)
}

// state reports since when the database has been unreachable (zero: it
// answers) and how many outages began since start.
func (w *watchdog) state() (downSince time.Time, outages int) {
	if w == nil {
		return time.Time{}, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.downSince, w.outages
}

// check pings the database once and tells the owner when an outage
// reaches After, and when it ends after that.
func (w *watchdog) check(ctx context.Context) {
	asked := w.now()
	err := pingWithin(ctx, w.ping, w.timeout())
	if ctx.Err() != nil {
		return
	}
	now := w.now()
	var text string
	w.mu.Lock()
	switch {
	case err != nil:
		if w.downSince.IsZero() {
			w.downSince = asked // when the unanswered ping went out
			w.outages++
			w.log.Error("database unreachable; the owner is told if it lasts", "after", w.after, "err", err)
		}
		if !w.alerted && now.Sub(w.downSince) >= w.after {
			w.alerted = true
			text = fmt.Sprintf(outageWords(w.lang).down, span(now.Sub(w.downSince), w.lang), w.downSince.In(w.loc).Format("15:04"))
			w.log.Error("database unreachable: telling the owner", "for", now.Sub(w.downSince).Round(time.Second))
		}
	case !w.downSince.IsZero():
		d := now.Sub(w.downSince)
		w.log.Info("database back", "after", d.Round(time.Millisecond), "owner_told", w.alerted)
		if w.alerted {
			text = fmt.Sprintf(outageWords(w.lang).back, span(d, w.lang), w.downSince.In(w.loc).Format("15:04"), now.In(w.loc).Format("15:04"))
		}
		w.downSince, w.alerted = time.Time{}, false
	}
	w.mu.Unlock()
	if text != "" {
		w.tell(ctx, text)
	}
}

// pingWithin pings and waits at most d for the answer. lib/pq gives up
// on a query whose context ends only once the server confirms the cancel,
// so behind a dead network link a ping can wait far longer than its
// context: such a ping is left to finish on its own (the pool's size bounds
// how many can) and counted as failed.
func pingWithin(ctx context.Context, ping func(context.Context) error, d time.Duration) error {
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

// run checks every w.every until ctx is done.
func (w *watchdog) run(ctx context.Context) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		w.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
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

// directDest is one owner destination reached without the outbox.
type directDest struct {
	notify.Destination
	send func(ctx context.Context, r bot.Reply) (string, error) // nil: looked up at send time
}

// direct delivers owner alerts straight through the channels' senders,
// each destination in order on a goroutine of its own, retrying each
// alert with backoff (a 429's retry time is honoured; a permanent failure
// is not retried) for up to giveUp.
type direct struct {
	dests  []directDest
	lookup func(channel string) bot.SendFunc // the channel's sender once it runs
	retry  time.Duration
	giveUp time.Duration
	log    *slog.Logger
	queues []chan string
}

// start runs one sender per destination until ctx is done.
func (d *direct) start(ctx context.Context) {
	d.queues = make([]chan string, len(d.dests))
	for i, dest := range d.dests {
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

// tell queues text for every destination; it does not wait.
func (d *direct) tell(_ context.Context, text string) {
	for i, q := range d.queues {
		select {
		case q <- text:
		default:
			d.log.Error("owner alert dropped: too many waiting", "channel", d.dests[i].Channel, "chat", d.dests[i].Chat)
		}
	}
}

func (d *direct) deliver(ctx context.Context, dest directDest, text string) {
	r := bot.Reply{Channel: dest.Channel, Chat: dest.Chat, Kind: bot.KindAlert, Priority: "urgent", Event: notify.KindFailure, Text: text}
	start := time.Now()
	wait := d.retry
	for attempt := 1; ; attempt++ {
		send := dest.send
		if send == nil && d.lookup != nil {
			send = d.lookup(dest.Channel)
		}
		err := errors.New("the channel's sender is not running yet")
		if send != nil {
			_, err = send(ctx, r)
		}
		if err == nil {
			d.log.Info("owner alert sent directly", "channel", dest.Channel, "chat", dest.Chat, "attempt", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, bot.ErrPermanent) || time.Since(start) > d.giveUp {
			d.log.Error("owner alert not sent", "channel", dest.Channel, "chat", dest.Chat, "attempts", attempt, "err", err)
			return
		}
		next := wait
		var ra *bot.RetryAfter
		if errors.As(err, &ra) && ra.After > 0 {
			next = ra.After
		}
		d.log.Warn("owner alert failed, will retry", "channel", dest.Channel, "chat", dest.Chat, "attempt", attempt, "in", next, "err", err)
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

// watchDatabase starts serve's database watchdog. dests are the owners'
// destinations: the alert goes to the Telegram owner chats and the Slack
// channel among them, through their adapters' own send path, and always
// to the alert stream on standard output.
func (svc *service) watchDatabase(ctx context.Context, dests []notify.Destination) {
	d := &direct{retry: directRetry, giveUp: directGiveUp, log: svc.log, lookup: svc.ops.sender}
	d.dests = append(d.dests, directDest{Destination: notify.Destination{Channel: stdoutChannel},
		send: alertSender(notify.NewWriter(svc.env.stdout))})
	seen := map[notify.Destination]bool{}
	for _, dest := range dests {
		key := notify.Destination{Channel: dest.Channel, Chat: dest.Chat}
		if (dest.Channel != telegram.Channel && dest.Channel != slack.Channel) || seen[key] {
			continue
		}
		seen[key] = true
		d.dests = append(d.dests, directDest{Destination: key})
	}
	d.start(ctx)
	cfg := svc.st.cfg
	w := &watchdog{ping: svc.st.db.PingContext, every: dbPingEvery, after: dbAlertAfter, now: timeNow, tell: d.tell,
		lang: cfg.Notify.Language, loc: cfg.location, log: svc.log}
	if svc.ops != nil {
		svc.ops.setWatchdog(w)
	}
	go w.run(ctx)
}
