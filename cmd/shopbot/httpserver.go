package main

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot"
)

// httpLimits bound how long and how much one client may hold of the
// server. Event streams clear the write timeout for themselves and set a
// deadline per write (bot/web: Limits.StreamWriteWait, StreamMax).
type httpLimits struct {
	ReadHeader  time.Duration // request line and headers
	Read        time.Duration // the whole request, body included: a trickled body is cut off
	Write       time.Duration // the whole response (streams excepted)
	Idle        time.Duration // a keep-alive connection between requests
	Conns       int           // open connections in all
	ConnsPerNet int           // open connections from one network (an IPv4 /24, an IPv6 /64)
}

var defaultHTTPLimits = httpLimits{
	ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 30 * time.Second, Idle: 20 * time.Second,
	Conns: 1024, ConnsPerNet: 128,
}

// newHTTPServer is the server of the listen address, with l's timeouts.
func newHTTPServer(h http.Handler, l httpLimits, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read, WriteTimeout: l.Write, IdleTimeout: l.Idle,
		MaxHeaderBytes: 64 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
}

// connLimiter is a listener that holds at most max connections in all and
// perNet from one network: a connection past a limit is closed as soon as
// it is accepted, so the kernel's queue does not fill up behind it. Behind
// a reverse proxy (trustProxy) every connection comes from the proxy, so
// only the total counts.
type connLimiter struct {
	net.Listener
	max, perNet int
	trustProxy  bool
	log         *slog.Logger

	mu      sync.Mutex
	open    int
	byNet   map[string]int
	refused int
}

func limitConns(ln net.Listener, l httpLimits, trustProxy bool, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: l.Conns, perNet: l.ConnsPerNet, trustProxy: trustProxy, log: log, byNet: map[string]int{}}
}

// Accept returns the next connection within the limits.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := ""
		if !l.trustProxy {
			host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
			key = bot.NetworkOf(host)
		}
		l.mu.Lock()
		if l.open >= l.max || (key != "" && l.byNet[key] >= l.perNet) {
			l.refused++
			first := l.refused == 1 || l.refused%1000 == 0
			l.mu.Unlock()
			c.Close()
			if first {
				l.log.Warn("http: connection refused: too many open", "network", key, "refused", l.refused)
			}
			continue
		}
		l.open++
		if key != "" {
			l.byNet[key]++
		}
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l, key: key}, nil
	}
}

// Open is how many accepted connections are open.
func (l *connLimiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

type limitedConn struct {
	net.Conn
	l    *connLimiter
	key  string
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		defer c.l.mu.Unlock()
		c.l.open--
		if c.key != "" {
			if c.l.byNet[c.key]--; c.l.byNet[c.key] <= 0 {
				delete(c.l.byNet, c.key)
			}
		}
	})
	return c.Conn.Close()
}
