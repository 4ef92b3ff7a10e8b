package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/shopbot/shopbot/bot/dbtest"
)

func TestUnreachable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"hung up", fmt.Errorf("schema: open postgres://…: %w", io.EOF), true},
		{"starting up", &pq.Error{Code: "57P03", Message: "the database system is starting up"}, true},
		{"wrong password", &pq.Error{Code: "28P01", Message: "password authentication failed"}, false},
		{"no such database", &pq.Error{Code: "3D000", Message: `database "x" does not exist`}, false},
		{"config", errors.New("config shopbot.yaml: shop.timezone: unknown time zone"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unreachable(tt.err); got != tt.want {
				t.Errorf("unreachable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestServeWaitsForTheDatabase: serve started before PostgreSQL is
// reachable waits for it and then serves; a database that refuses what we
// ask (no such database) stops it at once.
func TestServeWaitsForTheDatabase(t *testing.T) {
	url, proxy := dbtest.PostgresProxy(t)
	proxy.Cut()
	cfg := filepath.Join(t.TempDir(), "shopbot.yaml")
	os.WriteFile(cfg, []byte("listen: 127.0.0.1:0\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuf
	done := make(chan error, 1)
	go func() {
		e := testEnv(nil, &syncBuf{}, &stderr, frozenNow, timing{startRetry: 50 * time.Millisecond})
		done <- e.run(ctx, []string{"serve", "--config", cfg, "--db", url})
	}()
	waitUntil(t, "serve waiting for the database", func() bool { return strings.Contains(stderr.String(), "waiting for it") })
	proxy.Restore()
	waitUntil(t, "serve serving", func() bool { return strings.Contains(stderr.String(), "shopbot serving on") })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if n := strings.Count(stderr.String(), "waiting for it"); n != 1 {
		t.Errorf("%d waiting lines, want 1", n)
	}

	bad := strings.Replace(dbtest.PostgresURL(), "/test?", "/shopbot_no_such_db?", 1)
	if !strings.Contains(bad, "shopbot_no_such_db") {
		t.Skipf("test database URL %q has no /test? to replace", dbtest.PostgresURL())
	}
	_, _, err := shopbot(t, nil, "", "serve", "--config", cfg, "--db", bad)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("serve on a missing database: %v, want it to stop with the server's refusal", err)
	}
}
