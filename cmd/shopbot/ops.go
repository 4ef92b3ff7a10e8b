package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// ops is serve's observability: Prometheus metrics at /metrics and the
// health report at /healthz. It wraps the engine and the outbox senders
// from the outside, so the core packages never import Prometheus. A nil
// *ops wraps nothing.
type ops struct {
	st  *stores
	ob  *bot.Outbox
	reg *prometheus.Registry
	// metricsToken, from SHOPBOT_METRICS_TOKEN, opens /metrics to
	// requests that bear it; without it only this machine may read it.
	metricsToken string

	in        *prometheus.CounterVec
	out       *prometheus.CounterVec
	decisions *prometheus.CounterVec
	events    *prometheus.CounterVec
	sendTime  *prometheus.HistogramVec
	delay     *prometheus.HistogramVec
	failures  *prometheus.CounterVec
	limits429 *prometheus.CounterVec
	skill     *prometheus.HistogramVec // kakao.go: registered by the first channel that answers in its webhook

	mu      sync.Mutex
	contact map[string]time.Time    // channel → last successful send or inbound message
	senders map[string]bot.SendFunc // channel → its adapter's own sender, for alerts without the outbox
	watch   *notify.Watchdog        // the database watchdog, once serve runs it
}

func newOps(st *stores, ob *bot.Outbox) *ops {
	o := &ops{st: st, ob: ob, reg: prometheus.NewRegistry(), contact: map[string]time.Time{}, senders: map[string]bot.SendFunc{}}
	o.in = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_messages_in_total",
		Help: "Messages received, by channel and sender (customer or owner)."}, []string{"channel", "from"})
	o.out = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_messages_out_total",
		Help: "Messages delivered from the outbox, by channel and reply kind."}, []string{"channel", "kind"})
	o.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_match_decisions_total",
		Help: "What the bot did with customer messages: answer (FAQ), clarify, none (handed to a person), order, ticket."}, []string{"decision"})
	o.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_ticket_events_total",
		Help: "Ticket events (new, message, escalated, answered, claimed, resolved), by ticket priority."}, []string{"event", "priority"})
	o.sendTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "shopbot_send_seconds",
		Help: "Time one send to a platform took.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}, []string{"channel"})
	o.delay = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "shopbot_delivery_delay_seconds",
		Help: "Time from a reply entering the outbox to its successful send.", Buckets: prometheus.ExponentialBuckets(0.005, 4, 9)}, []string{"channel"})
	o.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_send_failures_total",
		Help: "Failed sends, by channel and outcome (retry, permanent, rate_limited)."}, []string{"channel", "outcome"})
	o.limits429 = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "shopbot_rate_limited_total",
		Help: "429s: refused by our own limits (scope visitor, ip, session, stream, login) or received from a platform (scope platform)."}, []string{"channel", "scope"})
	o.reg.MustRegister(o.in, o.out, o.decisions, o.events, o.sendTime, o.delay, o.failures, o.limits429, dbCollector{o},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return o
}

func (o *ops) touch(channel string) {
	o.mu.Lock()
	o.contact[channel] = o.now()
	o.mu.Unlock()
}

// send wraps a channel's outbox sender: latency, outcome, kinds, 429s.
// It also keeps the sender itself, so the database watchdog can reach
// the owner on that channel while the outbox cannot.
func (o *ops) send(channel string, send bot.SendFunc) bot.SendFunc {
	if o == nil {
		return send
	}
	o.mu.Lock()
	o.senders[channel] = send
	o.mu.Unlock()
	return func(ctx context.Context, r bot.Reply) (string, error) {
		start := time.Now()
		id, err := send(ctx, r)
		o.count(channel, r, start, err)
		return id, err
	}
}

// sendTx counts the sends of a channel delivered in batches
// (bot.Outbox.RunBatch) as send does.
func (o *ops) sendTx(channel string, send bot.TxSendFunc) bot.TxSendFunc {
	if o == nil {
		return send
	}
	return func(ctx context.Context, tx *sqlx.Tx, r bot.Reply) (string, error) {
		start := time.Now()
		id, err := send(ctx, tx, r)
		o.count(channel, r, start, err)
		return id, err
	}
}

// raised counts one owner event, as the router took it (ownerEvents):
// once per event, whichever destinations hear of it.
func (o *ops) raised(e notify.Event) {
	if o == nil || e.Kind == "" {
		return
	}
	o.events.WithLabelValues(e.Kind, e.Priority).Inc()
}

// count records one send's outcome in the metrics.
func (o *ops) count(channel string, r bot.Reply, start time.Time, err error) {
	o.sendTime.WithLabelValues(channel).Observe(time.Since(start).Seconds())
	var ra *bot.RetryAfter
	switch {
	case err == nil:
		o.out.WithLabelValues(channel, string(r.Kind)).Inc()
		if !r.Created.IsZero() {
			o.delay.WithLabelValues(channel).Observe(o.now().Sub(r.Created).Seconds())
		}
		o.touch(channel)
	case errors.As(err, &ra):
		o.failures.WithLabelValues(channel, "rate_limited").Inc()
		o.limits429.WithLabelValues(channel, "platform").Inc()
	case errors.Is(err, bot.ErrPermanent):
		o.failures.WithLabelValues(channel, "permanent").Inc()
	default:
		o.failures.WithLabelValues(channel, "retry").Inc()
	}
}

// sender returns channel's own sender, unwrapped; nil until the channel
// runs (or with a nil *ops).
func (o *ops) sender(channel string) bot.SendFunc {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.senders[channel]
}

// now is the command's clock.
func (o *ops) now() time.Time {
	if o == nil || o.st == nil || o.st.now == nil {
		return time.Now()
	}
	return o.st.now()
}

// setWatchdog lets /healthz and /metrics report w's view of the database.
func (o *ops) setWatchdog(w *notify.Watchdog) {
	o.mu.Lock()
	o.watch = w
	o.mu.Unlock()
}

func (o *ops) watchdog() *notify.Watchdog {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.watch
}

// onLimited is a channel's hook for requests its own rate limits refused.
func (o *ops) onLimited(channel string) func(scope string) {
	if o == nil {
		return nil
	}
	return func(scope string) { o.limits429.WithLabelValues(channel, scope).Inc() }
}

// handler is what adapters call: the engine, or the engine counted.
type handler interface {
	Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error)
}

// engine wraps the engine so inbound messages and decisions are counted.
func (o *ops) engine(eng *bot.Engine) handler {
	if o == nil {
		return eng
	}
	return countedEngine{eng, o}
}

type countedEngine struct {
	eng *bot.Engine
	o   *ops
}

func (c countedEngine) Handle(ctx context.Context, m bot.Message) ([]bot.Reply, error) {
	replies, err := c.eng.Handle(ctx, m)
	if err != nil {
		return replies, err
	}
	from := "customer"
	if m.Owner {
		from = "owner"
	}
	c.o.in.WithLabelValues(m.Channel, from).Inc()
	c.o.touch(m.Channel)
	if !m.Owner {
		for _, r := range replies {
			if d := decision(r.Kind); d != "" {
				c.o.decisions.WithLabelValues(d).Inc()
				break
			}
		}
	}
	return replies, err
}

func decision(k bot.Kind) string {
	switch k {
	case bot.KindFAQ:
		return "answer"
	case bot.KindClarify:
		return "clarify"
	case bot.KindHandoff:
		return "none"
	case bot.KindOrder:
		return "order"
	case bot.KindTicket:
		return "ticket"
	}
	return ""
}

// dbCollector reads, at scrape time, what lives in the database: the
// outbox depth per channel and the open tickets per priority.
type dbCollector struct{ o *ops }

var (
	depthDesc   = prometheus.NewDesc("shopbot_outbox_depth", "Replies waiting in the outbox, by channel.", []string{"channel"}, nil)
	openDesc    = prometheus.NewDesc("shopbot_tickets_open", "Unresolved tickets, by priority.", []string{"priority"}, nil)
	overdueDesc = prometheus.NewDesc("shopbot_tickets_overdue", "Unresolved tickets past their first-response target.", nil, nil)
	dbUpDesc    = prometheus.NewDesc("shopbot_database_up", "1 if the database answers: the watchdog's last ping and this scrape's reads.", nil, nil)
	dbDownDesc  = prometheus.NewDesc("shopbot_database_down_seconds", "How long the database has been unreachable (0 while it answers).", nil, nil)
	outagesDesc = prometheus.NewDesc("shopbot_database_outages_total", "Database outages the watchdog saw since start.", nil, nil)
)

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- openDesc
	ch <- overdueDesc
	ch <- dbUpDesc
	ch <- dbDownDesc
	ch <- outagesDesc
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	since, outages := c.o.watchdog().State()
	ch <- prometheus.MustNewConstMetric(outagesDesc, prometheus.CounterValue, float64(outages))
	if !since.IsZero() {
		// The watchdog knows the database is away: the scrape answers at
		// once instead of waiting on reads that cannot succeed.
		ch <- prometheus.MustNewConstMetric(dbDownDesc, prometheus.GaugeValue, c.o.now().Sub(since).Seconds())
		ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(dbDownDesc, prometheus.GaugeValue, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	if depth, err := c.o.ob.Depth(ctx); err == nil {
		for channel, n := range depth {
			ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), channel)
		}
	} else {
		up = 0
	}
	now := c.o.now()
	if s, err := tickets.NewStore(c.o.st.db, c.o.st.cfg.sla).Stats(ctx, now, now, now); err == nil {
		for _, p := range tickets.Priorities {
			ch <- prometheus.MustNewConstMetric(openDesc, prometheus.GaugeValue, float64(s.OpenByPriority[p]), string(p))
		}
		ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(s.Overdue))
	} else {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, up)
}

// health is the /healthz body.
type health struct {
	OK       bool   `json:"ok"`
	Database string `json:"database"`
	// DownSince and DownSeconds say, while the database is unreachable,
	// since when (as the watchdog saw it).
	DownSince   *time.Time               `json:"database_down_since,omitempty"`
	DownSeconds *int64                   `json:"database_down_seconds,omitempty"`
	Channels    map[string]channelHealth `json:"channels"`
}

type channelHealth struct {
	Running     bool       `json:"running"`
	LastContact *time.Time `json:"last_contact,omitempty"` // last successful send or inbound message
	AgoSeconds  *int64     `json:"ago_seconds,omitempty"`
}

// routes registers /healthz and /metrics. running names the channels
// serve started.
// metricsGuard keeps /metrics off the customer-facing listener's public
// side: with a token set, a request must bear it (Authorization: Bearer);
// without one, only a client on this machine that no proxy forwarded.
func (o *ops) metricsGuard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.metricsToken != "" {
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(o.metricsToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "metrics: bearer token required", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		if err != nil || ip == nil || !ip.IsLoopback() || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
			http.Error(w, "metrics: only from this machine, or with SHOPBOT_METRICS_TOKEN", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (o *ops) routes(mux *http.ServeMux, running []string) {
	mux.Handle("GET /metrics", o.metricsGuard(promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h := health{OK: true, Database: "ok", Channels: map[string]channelHealth{}}
		now := o.now()
		if err := notify.PingWithin(r.Context(), o.st.db.PingContext, 3*time.Second); err != nil {
			h.OK, h.Database = false, "unreachable"
			if since, _ := o.watchdog().State(); !since.IsZero() {
				since := since.UTC()
				secs := int64(now.Sub(since) / time.Second)
				h.DownSince, h.DownSeconds = &since, &secs
			}
		}
		o.mu.Lock()
		names := append([]string(nil), running...)
		for name := range o.contact {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			ch := h.Channels[name]
			for _, r := range running {
				ch.Running = ch.Running || r == name
			}
			if t, ok := o.contact[name]; ok {
				t := t.UTC()
				ago := int64(now.Sub(t) / time.Second)
				ch.LastContact, ch.AgoSeconds = &t, &ago
			}
			h.Channels[name] = ch
		}
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !h.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(h)
	})
}
