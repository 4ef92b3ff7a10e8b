package dbtest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/schema"
)

// Proxy is a loopback TCP proxy in front of a database server, so a test
// can take the database away and bring it back without touching the
// server other tests share: Cut acts like a server restart (every
// connection is closed, new ones are hung up at once), Stall like a
// network that swallows packets (connections stay open, nothing gets
// through), Restore lets traffic through again.
type Proxy struct {
	// Addr is the proxy's listen address (127.0.0.1:port).
	Addr   string
	target string
	ln     net.Listener

	mu      sync.Mutex
	state   proxyState
	conns   map[net.Conn]bool // both ends of every open pair
	dialed  int               // server sessions started, ever
	cancels int               // cancel requests passed on, ever
	trips   int               // round trips clients asked for, ever (see RoundTrips)
	changed *sync.Cond
}

type proxyState int

const (
	proxyUp proxyState = iota
	proxyCut
	proxyStalled
)

// NewProxy listens on a free loopback port and forwards every connection
// to target (host:port). It stops when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dbtest: proxy: %v", err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	p.changed = sync.NewCond(&p.mu)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// PostgresProxy returns a fresh PostgreSQL schema (as URL does) whose URL
// goes through a Proxy, and the proxy. The test is skipped (or fails with
// SHOPBOT_REQUIRE_PG=1) without PostgreSQL.
func PostgresProxy(t testing.TB) (string, *Proxy) {
	t.Helper()
	_, raw := newPostgresSchema(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	p := NewProxy(t, u.Host)
	u.Host = p.Addr
	return u.String(), p
}

// OpenProxied is Open on a fresh PostgreSQL schema reached through a
// Proxy: the database, migrated with sets and closed when the test ends,
// and the proxy that can take it away.
func OpenProxied(t testing.TB, sets ...schema.Set) (*sqlx.DB, *Proxy) {
	t.Helper()
	u, p := PostgresProxy(t)
	db, err := sqlx.Open("postgres", u)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := schema.Migrate(ctx, db, sets...); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return db, p
}

// Cut closes every connection through the proxy and hangs up new ones
// until Restore: what a client sees while the server restarts.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = proxyCut
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
	p.changed.Broadcast()
}

// Stall stops forwarding without closing anything until Restore (or Cut):
// queries wait as they would behind a dead network link. (lib/pq gives up
// on a query whose context ends only when the server confirms the cancel,
// so a query in flight waits for the Restore whatever its context says.)
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = proxyStalled
	p.changed.Broadcast()
}

// Restore lets connections through again. Connections held by Stall
// resume; those closed by Cut stay closed.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = proxyUp
	p.changed.Broadcast()
}

// Open counts the client connections open through the proxy.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns) / 2
}

// Dialed counts the PostgreSQL sessions clients have started through the
// proxy (cancel requests, which travel on connections of their own, are
// not sessions: Cancels counts them).
func (p *Proxy) Dialed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dialed
}

// Cancels counts the cancel requests passed on to the server.
func (p *Proxy) Cancels() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancels
}

// RoundTrips counts the times clients have waited for the server: each
// simple query ('Q') and each Sync ('S', which ends an extended-protocol
// statement — lib/pq sends one per statement with binary_parameters, two
// without: prepare, then execute) since the proxy started. The server
// answers each with ReadyForQuery, and the client waits for it.
func (p *Proxy) RoundTrips() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trips
}

// frames follows the messages of a client's stream (after the start-up
// message's first 8 bytes) across reads, counting queries and Syncs.
type frames struct {
	skip int    // bytes of the current message still to pass
	hdr  []byte // a type byte and length read so far
	n    int    // 'Q' and 'S' messages seen
}

func (f *frames) feed(b []byte) {
	for len(b) > 0 {
		if f.skip > 0 {
			k := min(f.skip, len(b))
			f.skip -= k
			b = b[k:]
			continue
		}
		k := min(5-len(f.hdr), len(b))
		f.hdr = append(f.hdr, b[:k]...)
		b = b[k:]
		if len(f.hdr) < 5 {
			return
		}
		if f.hdr[0] == 'Q' || f.hdr[0] == 'S' {
			f.n++
		}
		f.skip = int(binary.BigEndian.Uint32(f.hdr[1:])) - 4
		f.hdr = f.hdr[:0]
	}
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	p.state = proxyCut
	for c := range p.conns {
		c.Close()
	}
	p.changed.Broadcast()
	p.mu.Unlock()
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(client)
	}
}

// serve connects client to the target once the proxy lets it through.
func (p *Proxy) serve(client net.Conn) {
	if !p.wait(client) {
		client.Close()
		return
	}
	// The first message says what the connection is: PostgreSQL's
	// start-up (a session) or a cancel request (lib/pq sends one on a
	// separate connection when a query's context ends).
	var hdr [8]byte
	if _, err := io.ReadFull(client, hdr[:]); err != nil {
		client.Close()
		return
	}
	cancelReq := binary.BigEndian.Uint32(hdr[4:]) == 80877102
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if _, err := server.Write(hdr[:]); err != nil {
		client.Close()
		server.Close()
		return
	}
	p.mu.Lock()
	if p.state == proxyCut {
		p.mu.Unlock()
		client.Close()
		server.Close()
		return
	}
	p.conns[client], p.conns[server] = true, true
	if cancelReq {
		p.cancels++
	} else {
		p.dialed++
	}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	var count *frames
	if !cancelReq {
		// The rest of the start-up message, then typed messages.
		count = &frames{skip: int(binary.BigEndian.Uint32(hdr[:4])) - 8}
	}
	go p.pipe(server, client, count, done)
	go p.pipe(client, server, nil, done)
	<-done
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// wait holds a new connection while the proxy is stalled; false when it
// must be hung up (cut).
func (p *Proxy) wait(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns[c] = true // a Cut closes it
	defer delete(p.conns, c)
	for p.state == proxyStalled {
		p.changed.Wait()
	}
	return p.state == proxyUp
}

// pipe copies src to dst, holding each chunk while the proxy is stalled
// and stopping when it is cut; count, if set, counts src's round trips.
func (p *Proxy) pipe(dst, src net.Conn, count *frames, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.state == proxyStalled {
				p.changed.Wait()
			}
			up := p.state == proxyUp
			if count != nil && up {
				before := count.n
				count.feed(buf[:n])
				p.trips += count.n - before
			}
			p.mu.Unlock()
			if !up {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or closed: the pair is done
		}
	}
}
