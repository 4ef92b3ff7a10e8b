package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// openFiles counts this process's open file descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(fds)
}

// serveLimited serves a body-reading handler with l on a loopback port.
func serveLimited(t *testing.T, l httpLimits) (addr string, cl *connLimiter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	log := slog.New(slog.DiscardHandler)
	cl = limitConns(ln, l, false, log)
	srv := newHTTPServer(mux, l, log)
	go srv.Serve(cl)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), cl
}

// waitHTTP waits (up to a generous deadline) until ok holds.
func waitHTTP(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestSlowAndIdleConnectionsClosed: 300 clients trickle a request body a
// byte at a time and 300 keep a connection idle after one request; the
// server's read and idle timeouts close all of them, and the process's
// open files come back to where they started. (With only a header
// timeout, every one of them stayed open.)
func TestSlowAndIdleConnectionsClosed(t *testing.T) {
	base := openFiles(t)
	l := defaultHTTPLimits
	l.ReadHeader, l.Read, l.Idle, l.Write = time.Second, 2*time.Second, time.Second, 2*time.Second
	l.Conns, l.ConnsPerNet = 2000, 2000
	addr, cl := serveLimited(t, l)
	var wg sync.WaitGroup
	var mu sync.Mutex
	closedByServer := 0
	open := func(slow bool) {
		defer wg.Done()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		done := make(chan struct{})
		if slow {
			fmt.Fprint(c, "POST /slow HTTP/1.1\r\nHost: shop\r\nContent-Length: 100000\r\n\r\n")
			go func() {
				for {
					select {
					case <-done:
						return
					case <-time.After(100 * time.Millisecond):
						if _, err := c.Write([]byte("x")); err != nil {
							return
						}
					}
				}
			}()
		} else {
			fmt.Fprint(c, "GET /ok HTTP/1.1\r\nHost: shop\r\n\r\n")
			br := bufio.NewReader(c)
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Error(err)
				close(done)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			// Idle until the server hangs up.
			io.Copy(io.Discard, br)
			close(done)
			mu.Lock()
			closedByServer++
			mu.Unlock()
			return
		}
		// Read until the server hangs up (an answer to the slow body, if
		// any, is read and dropped on the way).
		io.Copy(io.Discard, c)
		close(done)
		mu.Lock()
		closedByServer++
		mu.Unlock()
	}
	for i := range 600 {
		wg.Add(1)
		go open(i%2 == 0)
	}
	peak := 0
	waitHTTP(t, "600 open connections", func() bool { peak = max(peak, cl.Open()); return peak >= 600 })
	during := openFiles(t)
	wg.Wait()
	waitHTTP(t, "the server's connections closed", func() bool { return cl.Open() == 0 })
	waitHTTP(t, "open files back near the start", func() bool { return openFiles(t) <= base+10 })
	t.Logf("open files: %d before, %d with 300 slow bodies and 300 idle connections, %d after; %d connections closed by the server",
		base, during, openFiles(t), closedByServer)
	if closedByServer != 600 {
		t.Errorf("%d of 600 connections closed by the server", closedByServer)
	}
}

// TestConnectionCaps: one network may hold ConnsPerNet connections, all
// together Conns; past that a connection is closed at once, and other
// networks are served up to the total.
func TestConnectionCaps(t *testing.T) {
	l := defaultHTTPLimits
	l.Conns, l.ConnsPerNet = 60, 50
	addr, cl := serveLimited(t, l)
	dial := func(local string) (net.Conn, bool) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// A refused connection is closed by the server without a word; an
		// accepted one answers.
		fmt.Fprint(c, "GET /ok HTTP/1.1\r\nHost: shop\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			c.Close()
			return nil, false
		}
		res.Body.Close()
		return c, true
	}
	tests := []struct {
		local      string
		n, allowed int
	}{
		{"127.0.0.1", 70, 50}, // one /24: its cap
		{"127.0.1.1", 20, 10}, // another /24: what is left of the total
	}
	var held []net.Conn
	for _, tt := range tests {
		got := 0
		for range tt.n {
			if c, ok := dial(tt.local); ok {
				held = append(held, c)
				got++
			}
		}
		if got != tt.allowed {
			t.Errorf("from %s: %d of %d connections served, want %d", tt.local, got, tt.n, tt.allowed)
		}
	}
	if n := cl.Open(); n != 60 {
		t.Errorf("%d connections open, want 60", n)
	}
	for _, c := range held {
		c.Close()
	}
	waitHTTP(t, "the connections released", func() bool { return cl.Open() == 0 })
	if c, ok := dial("127.0.0.1"); !ok {
		t.Error("a new connection refused after the others closed")
	} else {
		c.Close()
	}
}

// TestMetricsGuard: /metrics is not for the public side of the listener:
// without SHOPBOT_METRICS_TOKEN only a client on this machine that no
// proxy forwarded reads it; with the token, a request must bear it.
func TestMetricsGuard(t *testing.T) {
	secretPage := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "shopbot_up 1") })
	tests := []struct {
		name, token, remote string
		header              map[string]string
		status              int
	}{
		{"loopback", "", "127.0.0.1:5000", nil, 200},
		{"loopback v6", "", "[::1]:5000", nil, 200},
		{"another host", "", "203.0.113.7:5000", nil, 403},
		{"through a proxy", "", "127.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.7"}, 403},
		{"forwarded", "", "127.0.0.1:5000", map[string]string{"Forwarded": "for=203.0.113.7"}, 403},
		{"token, none sent", "m3trics", "127.0.0.1:5000", nil, 401},
		{"token, wrong", "m3trics", "203.0.113.7:5000", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"token, right", "m3trics", "203.0.113.7:5000", map[string]string{"Authorization": "Bearer m3trics"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &ops{metricsToken: tt.token}
			r := httptest.NewRequest("GET", "/metrics", nil)
			r.RemoteAddr = tt.remote
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			o.metricsGuard(secretPage).ServeHTTP(w, r)
			if w.Code != tt.status || (w.Code == 200) != strings.Contains(w.Body.String(), "shopbot_up") {
				t.Errorf("%d %q, want %d", w.Code, w.Body, tt.status)
			}
		})
	}
}
