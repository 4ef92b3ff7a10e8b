package web

import (
	"math"
	"sync"
	"time"
)

// Limits are the web channel's rate and size limits. Zero fields take the
// defaults (DefaultLimits).
type Limits struct {
	MaxText          int           // characters in one message
	VisitorBurst     int           // messages a visitor may send at once…
	VisitorEvery     time.Duration // …then one per this
	IPBurst          int           // messages from one IP address at once…
	IPEvery          time.Duration // …then one per this
	SessionBurst     int           // new visitors from one IP address at once…
	SessionEvery     time.Duration // …then one per this
	StreamsPerVisit  int           // open event streams per visitor
	StreamsPerIP     int           // open event streams per IP address
	OwnerLoginBurst  int           // owner login attempts from one IP at once…
	OwnerLoginEvery  time.Duration // …then one per this
	HeartbeatEvery   time.Duration // comment lines that keep idle streams open, and a database re-check
	MaxStreamHistory int           // events a new stream replays
	StoreWait        time.Duration // how long a visitor's message waits on the database before a 503
	VisitorLifetime  time.Duration // how long a visitor token lasts without the widget renewing it
	StreamWriteWait  time.Duration // how long one write to an event stream may take (a client that stops reading is dropped)
	StreamMax        time.Duration // how long one event stream lasts; the browser reconnects where it stopped
}

// DefaultLimits suit a small shop: a person types far slower than this.
var DefaultLimits = Limits{
	MaxText:      2000,
	VisitorBurst: 8, VisitorEvery: 2 * time.Second,
	IPBurst: 40, IPEvery: 500 * time.Millisecond,
	SessionBurst: 20, SessionEvery: 30 * time.Second,
	StreamsPerVisit: 4, StreamsPerIP: 100,
	OwnerLoginBurst: 5, OwnerLoginEvery: 20 * time.Second,
	HeartbeatEvery:   20 * time.Second,
	MaxStreamHistory: 200,
	StoreWait:        5 * time.Second,
	VisitorLifetime:  30 * 24 * time.Hour,
	StreamWriteWait:  15 * time.Second,
	StreamMax:        30 * time.Minute,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pickD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.MaxText, d.MaxText)
	pick(&l.VisitorBurst, d.VisitorBurst)
	pickD(&l.VisitorEvery, d.VisitorEvery)
	pick(&l.IPBurst, d.IPBurst)
	pickD(&l.IPEvery, d.IPEvery)
	pick(&l.SessionBurst, d.SessionBurst)
	pickD(&l.SessionEvery, d.SessionEvery)
	pick(&l.StreamsPerVisit, d.StreamsPerVisit)
	pick(&l.StreamsPerIP, d.StreamsPerIP)
	pick(&l.OwnerLoginBurst, d.OwnerLoginBurst)
	pickD(&l.OwnerLoginEvery, d.OwnerLoginEvery)
	pickD(&l.HeartbeatEvery, d.HeartbeatEvery)
	pick(&l.MaxStreamHistory, d.MaxStreamHistory)
	pickD(&l.StoreWait, d.StoreWait)
	pickD(&l.VisitorLifetime, d.VisitorLifetime)
	pickD(&l.StreamWriteWait, d.StreamWriteWait)
	pickD(&l.StreamMax, d.StreamMax)
	return l
}

// limiter is a token bucket per key: burst tokens, one more every period.
type limiter struct {
	burst  float64
	every  time.Duration
	mu     sync.Mutex
	bucket map[string]*bucket
	swept  time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, every time.Duration) *limiter {
	return &limiter{burst: float64(burst), every: every, bucket: map[string]*bucket{}}
}

// allow takes a token for key at now. When none is left it returns false
// and how long until one is.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.bucket[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.bucket[key] = b
	}
	if el := now.Sub(b.at); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+float64(el)/float64(l.every))
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.every))
	return false, wait
}

// sweep drops full buckets once a minute, so the map holds only the keys
// that were busy lately.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.burst * float64(l.every))
	for k, b := range l.bucket {
		if now.Sub(b.at) > full {
			delete(l.bucket, k)
		}
	}
}

// counter counts open things (event streams) per key against a maximum.
type counter struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newCounter(max int) *counter { return &counter{max: max, n: map[string]int{}} }

// acquire adds one for key unless it is at the maximum.
func (c *counter) acquire(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key] >= c.max {
		return false
	}
	c.n[key]++
	return true
}

func (c *counter) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key]--; c.n[key] <= 0 {
		delete(c.n, key)
	}
}
