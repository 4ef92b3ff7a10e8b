package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/lib/pq"
)

// openWaiting is open for serve: a database that cannot be reached yet (a
// machine booting, PostgreSQL starting after the bot) is waited for, with
// one log line, until ctx ends; any other error — a bad URL, a wrong
// password, a newer schema, a broken config — stops serve at once.
func (e env) openWaiting(ctx context.Context, c common, log *slog.Logger) (*stores, error) {
	retry := e.timing.start()
	for attempt := 1; ; attempt++ {
		st, err := e.open(ctx, c)
		if err == nil || !unreachable(err) {
			if err == nil && attempt > 1 {
				log.Info("database reached; starting", "attempts", attempt)
			}
			return st, err
		}
		if attempt == 1 {
			log.Warn("database not reachable yet; waiting for it", "retry", retry, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(retry):
		}
	}
}

// unreachable reports whether err says the database is not there (yet)
// rather than that something is wrong with what we asked of it.
func unreachable(err error) bool {
	var ne net.Error // dial and read failures (*net.OpError among them)
	var pe *pq.Error
	switch {
	case errors.As(err, &ne):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, driver.ErrBadConn):
		// Accepted, then hung up on: a server (or a pooler in front of
		// it) going down or coming up.
		return true
	case errors.As(err, &pe):
		// 57P03 cannot_connect_now: starting up or shutting down.
		return pe.Code == "57P03"
	}
	return false
}
