package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// webConfig is shopbot.yaml's web: section.
type webConfig struct {
	// AllowedOrigins are the shop sites that may embed the widget
	// ("https://shop.example"); the server's own pages always may.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// PublicURL is how customers reach this server ("https://chat.shop.example"),
	// for the URLs printed at start-up; empty: http://<listen>.
	PublicURL string `yaml:"public_url"`
	// TrustProxy takes the client address from X-Forwarded-For, for rate
	// limits: only behind a reverse proxy that sets it.
	TrustProxy bool `yaml:"trust_proxy"`
}

func (c webConfig) validate() error {
	for i, o := range c.AllowedOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("web.allowed_origins[%d]: %q: want scheme://host[:port], e.g. https://shop.example", i, o)
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("web.public_url: %q: want a URL such as https://chat.shop.example", c.PublicURL)
		}
	}
	return nil
}

// webSecret is the server secret from SHOPBOT_WEB_SECRET (hex, or any
// string of 32+ characters), or nil: the one stored in the database.
func webSecret(getenv func(string) string) ([]byte, error) {
	v := strings.TrimSpace(getenv("SHOPBOT_WEB_SECRET"))
	if v == "" {
		return nil, nil
	}
	if b, err := hex.DecodeString(v); err == nil && len(b) >= 16 {
		return b, nil
	}
	if len(v) < 32 {
		return nil, fmt.Errorf("SHOPBOT_WEB_SECRET: too short: want 32+ characters (e.g. openssl rand -hex 32)")
	}
	return []byte(v), nil
}

// baseURL is where people reach the server: web.public_url, or the
// address it listens on.
func baseURL(c *config, addr net.Addr) string {
	if c.Web.PublicURL != "" {
		return strings.TrimRight(c.Web.PublicURL, "/")
	}
	host := c.Listen
	if addr != nil {
		host = addr.String()
	}
	if h, port, err := net.SplitHostPort(host); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
		host = net.JoinHostPort("127.0.0.1", port)
	}
	return "http://" + host
}

// webChannel is the website chat: the widget and its API, the owner inbox
// (where every ticket event shows live) and, with --demo, the demo shop.
func (svc *service) webChannel(ctx context.Context, demo bool) (channel, error) {
	cfg := svc.st.cfg
	secret, err := webSecret(svc.env.getenv)
	if err != nil {
		return channel{}, err
	}
	srv, err := web.New(ctx, web.Config{
		DB:             svc.st.db,
		Engine:         svc.ops.engine(svc.eng),
		Secret:         secret,
		AllowedOrigins: cfg.Web.AllowedOrigins,
		TrustProxy:     cfg.Web.TrustProxy,
		ShopName:       cfg.Shop.Name,
		Lang:           cfg.Shop.Language,
		OwnerLang:      cfg.Notify.Language,
		Location:       cfg.location,
		Tickets:        tickets.NewStore(svc.st.db, cfg.sla),
		Summary:        svc.st.summarizer(), // the same summary as /summary and the daily one
		Demo:           demo,
		OnLimited:      svc.ops.onLimited(web.Channel),
		Limits:         cfg.webLimits(),
		Now:            svc.st.now,
		Log:            svc.log,
	})
	if err != nil {
		return channel{}, err
	}
	srv.Register(svc.mux)
	return channel{
		name:   web.Channel,
		owners: []notify.Destination{{Channel: web.OwnerChannel, Chat: web.OwnerChat, Every: true}},
		connect: func(ctx context.Context) (adapter, error) {
			// The start-up login link: a demo always gets a fresh token
			// (the README's first command must print a working URL);
			// otherwise a token is made only the first time, and `shopbot
			// owner token` rotates it. It is made here, once serve is
			// listening, so a start-up that fails later cannot swallow it.
			// The link is a secret: it goes to a terminal, never into a
			// log file or a service journal (stderr redirected). Without a
			// terminal no token is made; `shopbot owner token` makes one.
			token := ""
			has, err := web.HasOwnerToken(ctx, svc.st.db)
			if err != nil {
				return nil, err
			}
			if (demo || !has) && terminal(svc.env.stderr) {
				if token, err = web.IssueOwnerToken(ctx, svc.st.db, svc.st.now()); err != nil {
					return nil, err
				}
			}
			base := baseURL(cfg, svc.listen)
			if demo {
				fmt.Fprintf(svc.env.stderr, "shop page (demo):  %s/\n", base)
			}
			if token != "" {
				fmt.Fprintf(svc.env.stderr, "owner inbox:       %s/owner/login?token=%s\n", base, token)
				fmt.Fprintf(svc.env.stderr, "                   (the token is shown once; `shopbot owner token` makes a new one)\n")
			} else {
				hint := "shopbot owner token"
				if demo && strings.HasPrefix(svc.st.url, "sqlite:") {
					hint += " --db " + svc.st.url // the demo's own database
				}
				fmt.Fprintf(svc.env.stderr, "owner inbox:       %s/owner  (sign in with an owner token: `%s` makes one)\n", base, hint)
			}
			return srv, nil
		},
	}, nil
}

// terminal reports whether w is a terminal (or no file at all: a test's
// buffer), where a secret may be shown once. A redirected stderr (a file,
// a pipe, a service journal) is a log.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return true
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// owner runs `shopbot owner token`: a new owner-inbox login token; the old
// one, and every session it opened, stop working.
func (e env) owner(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "token" {
		return usageError{"usage: shopbot owner token [--config FILE] [--db URL]"}
	}
	fs := newFlags("owner token", e.stderr)
	var c common
	c.register(fs, false)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	token, err := web.IssueOwnerToken(ctx, st.db, st.now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", token)
	fmt.Fprintf(e.stderr, "owner inbox: %s/owner/login?token=%s\n(the previous token and its sessions no longer work)\n", baseURL(st.cfg, nil), token)
	return nil
}
