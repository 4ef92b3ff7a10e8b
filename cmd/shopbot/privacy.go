package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/web"
)

func (e env) forget(ctx context.Context, args []string) error {
	fs := newFlags("forget", e.stderr)
	var c common
	c.register(fs, false)
	phone := fs.String("phone", "", "the customer's phone number, as on their orders")
	email := fs.String("email", "", "the customer's email address, as on their orders")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*phone == "") == (*email == "") {
		return usageError{"usage: shopbot forget --phone P | --email E"}
	}
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	f, err := bot.Forget(ctx, st.db, *phone, *email, web.EraseChat)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "erased %d conversation(s), %d message(s), %d ticket(s), %d outgoing message(s); orders are kept as payment records\n",
		f.Conversations, f.Messages, f.Tickets, f.Replies)
	return nil
}

func (e env) backup(ctx context.Context, args []string) error {
	fs := newFlags("backup", e.stderr)
	var c common
	c.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"usage: shopbot backup FILE"}
	}
	path := fs.Arg(0)
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	if schema.Dialect(st.db) == "postgres" {
		return fmt.Errorf("backup: for PostgreSQL use pg_dump, e.g. pg_dump -Fc -f %s \"$SHOPBOT_DB\" (restore: pg_restore -d URL %s)", path, path)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	}
	// VACUUM INTO writes a consistent, compacted copy while the bot runs.
	if _, err := st.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backed up to %s; restore by pointing --db at it (or copying it over the database file while shopbot is stopped)\n", path)
	return nil
}

// purgeDaily applies the retention rules once a day while serve runs.
func purgeDaily(ctx context.Context, svc *service) error {
	for {
		now := svc.st.now()
		p, err := bot.Purge(ctx, svc.st.db, svc.st.cfg.keep, now)
		if err != nil {
			svc.log.Error("retention purge", "err", err)
		} else if p != (bot.Purged{}) {
			svc.log.Info("retention purge", "messages", p.Messages, "conversations", p.Conversations, "tickets", p.Tickets, "orders", p.Orders, "replies", p.Replies)
		}
		if n, err := web.Purge(ctx, svc.st.db, now.Add(-svc.st.cfg.keep.Conversations)); err != nil {
			svc.log.Error("retention purge: web transcripts", "err", err)
		} else if n > 0 {
			svc.log.Info("retention purge: web transcripts", "messages", n)
		}
		// The planner's statistics follow the tables' growth (SQLite has no
		// autovacuum to refresh them).
		if err := schema.Optimize(ctx, svc.st.db); err != nil {
			svc.log.Error("database optimize", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(24 * time.Hour):
		}
	}
}
