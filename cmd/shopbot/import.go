package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/hooks"
	"github.com/shopbot/shopbot/bot/shop"
)

const importUsage = "usage: shopbot import products|orders FILE [--format shopify|cafe24|smartstore|generic] [--map FILE] [--strict]"

// importCmd is `shopbot import products|orders FILE`: a platform's export
// lands in the shop's data; bad rows are reported, stock crossings and
// fresh shipments are told through the outbox (serve delivers them).
func (e env) importCmd(ctx context.Context, args []string) error {
	fs := newFlags("import", e.stderr)
	var c common
	c.register(fs, false)
	format := fs.String("format", "", "the file's layout: shopify, cafe24, smartstore or generic (default: recognised from the header)")
	mapPath := fs.String("map", "", "a mapping file for the generic format (columns, statuses, time format)")
	strict := fs.Bool("strict", false, "land nothing when any row is rejected")
	// Flags may come before, between or after the two arguments.
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 2 || (pos[0] != string(shop.ImportProducts) && pos[0] != string(shop.ImportOrders)) {
		return usageError{importUsage}
	}
	opts := shop.ImportOptions{Kind: shop.ImportKind(pos[0]), Format: shop.Format(*format), Strict: *strict, Now: e.clock()}
	if *format != "" && !validFormat(opts.Format) {
		return usageError{fmt.Sprintf("--format %q: want shopify, cafe24, smartstore or generic", *format)}
	}
	if *mapPath != "" {
		m, err := shop.LoadMapping(*mapPath)
		if err != nil {
			return err
		}
		opts.Mapping = m
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	opts.Location = st.cfg.location
	// Stock alerts wait on the notify channel for serve's router (notify.go).
	ann := &hooks.Announcer{NotifyShipped: st.cfg.Orders.NotifyShipped, Owners: outboxPoster{bot.NewOutbox(st.db, st.now, nil), st.now},
		OwnerLang: st.cfg.Notify.Language, Location: st.cfg.location, Now: st.now}
	opts.Changed = ann.Announce
	start := time.Now()
	rep, err := shop.Import(ctx, st.db, f, opts)
	if rep != nil && rep.Format != "" { // "": the header was not found; err says why
		rep.WriteText(e.stdout)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", pos[1], err)
	}
	fmt.Fprintf(e.stderr, "%s: %d rows in %s\n", pos[1], rep.Rows, time.Since(start).Round(time.Millisecond))
	if !rep.Committed {
		return fmt.Errorf("%s: nothing imported: %d rejected (--strict)", pos[1], rep.Rejected)
	}
	return nil
}

func validFormat(f shop.Format) bool {
	for _, g := range shop.Formats {
		if f == g {
			return true
		}
	}
	return false
}

// registerHooks serves the shop platforms' webhooks on serve's listen
// address: POST /hooks/shopify when SHOPIFY_WEBHOOK_SECRET is set, POST
// /hooks/generic when SHOPBOT_HOOK_TOKEN is set.
func (svc *service) registerHooks() {
	cfg := svc.st.cfg
	h := &hooks.Handler{
		DB: svc.st.db,
		Announcer: &hooks.Announcer{Outbox: svc.ob, Owners: svc.st.owners, NotifyShipped: cfg.Orders.NotifyShipped,
			OwnerLang: cfg.Notify.Language, Location: cfg.location, Now: svc.st.now, Log: svc.log},
		ShopifySecret: svc.env.getenv("SHOPIFY_WEBHOOK_SECRET"),
		Token:         svc.env.getenv("SHOPBOT_HOOK_TOKEN"),
		Now:           svc.st.now,
		Log:           svc.log,
	}
	h.Register(svc.mux)
	if h.ShopifySecret != "" {
		svc.log.Info("webhook ready", "path", "/hooks/shopify")
	}
	if h.Token != "" {
		svc.log.Info("webhook ready", "path", "/hooks/generic")
	}
}
