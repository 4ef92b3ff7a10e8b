// Command shopbot is a chat bot for small online shops: it answers
// customers' FAQ and order questions, opens prioritized tickets for what a
// person must handle, and keeps the owner informed. See README.md.
//
// This file only wires: it reads flags, configuration and the environment,
// opens the database and starts the channels.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // PostgreSQL driver
	_ "modernc.org/sqlite" // embedded SQLite driver (pure Go)

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/kakao"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	var u usageError
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, errHelp):
	case errors.As(err, &u):
		fmt.Fprintln(os.Stderr, "shopbot:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "shopbot:", err)
		os.Exit(1)
	}
}

// usageError is a command-line mistake (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: shopbot COMMAND [flags]

  init [--lang ko|en|zh] [--name NAME] [--dir DIR]
                                        write a commented shopbot.yaml, faq.yaml and shopbot.env, and check them
  check [--config FILE]                 check a config and its FAQ as serve would
  install-service [--config FILE] [--user USER] [--write FILE]
                                        print a systemd unit that runs serve at boot and after a crash
  serve [--config FILE] [--demo]        run the bot on every configured channel
  chat  [--config FILE] [--demo] [--as customer|owner] [--user ID] [--json]
                                        a conversation on stdin/stdout
  faq check FILE                        validate a FAQ file; warn of entries likely to be confused
  faq test  FILE "question"             top candidates with scores and the decision
  faq eval  --faq FILE --cases FILE.jsonl [--json] [--learned]
  faq example                           print the built-in example FAQ
  migrate                               create or upgrade the schema
  summary [--send] [--date YYYY-MM-DD]  print (or send to the owner) a day's summary
  import products|orders FILE [--format shopify|cafe24|smartstore|generic] [--map FILE] [--strict]
                                        land a platform's export (CSV or XLSX)
  owner token                           print a new owner-inbox login token (the old one stops working)
  forget --phone P | --email E          erase a customer's conversations, tickets and verification links
  backup FILE                           consistent copy of the database (SQLite); PostgreSQL: pg_dump
  version                               module version and VCS revision of this binary

Every command takes --db URL (or SHOPBOT_DB): sqlite:PATH or postgres://…`

// env is what a command needs from the outside world: the environment,
// the standard streams, the clock and serve's waits. Tests set its fields
// (a stopped clock, short waits); nothing else in the package is swapped.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time // nil: time.Now
	timing         timing           // zero fields: the defaults
}

// timing is serve's waits, each zero for its default.
type timing struct {
	// pingEvery is how often the database watchdog pings the database
	// (notify.DefaultPingEvery).
	pingEvery time.Duration
	// alertAfter is how long the database must stay unreachable before
	// the owner is told (notify.DefaultAlertAfter).
	alertAfter time.Duration
	// directRetry is the first wait between attempts of an outage alert,
	// sent without the outbox (notify.DefaultRetry); it doubles up to a
	// minute, for up to directGiveUp (notify.DefaultGiveUp).
	directRetry, directGiveUp time.Duration
	// leaderRetry is how often an instance that does not poll Telegram
	// tries to take over: the bound on the takeover time once the poller's
	// process is gone (its connection closes and PostgreSQL frees the
	// lock). Default 2 s.
	leaderRetry time.Duration
	// startRetry is how long serve waits between attempts to reach a
	// database, or Telegram, that is not up yet. Default 5 s.
	startRetry time.Duration
}

func (t timing) leader() time.Duration { return cmp.Or(t.leaderRetry, 2*time.Second) }
func (t timing) start() time.Duration  { return cmp.Or(t.startRetry, 5*time.Second) }

// clock is the command's clock.
func (e env) clock() func() time.Time {
	if e.now == nil {
		return time.Now
	}
	return e.now
}

// run is main, testable: args without the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}.run(ctx, args)
}

// run runs the command line args (without the program name).
func (e env) run(ctx context.Context, args []string) error {
	stdout := e.stdout
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] {
	case "serve":
		return e.serve(ctx, args[1:])
	case "chat":
		return e.chat(ctx, args[1:])
	case "faq":
		return e.faq(ctx, args[1:])
	case "migrate":
		return e.migrate(ctx, args[1:])
	case "summary":
		return e.summary(ctx, args[1:])
	case "import":
		return e.importCmd(ctx, args[1:])
	case "owner":
		return e.owner(ctx, args[1:]) // web.go
	case "forget":
		return e.forget(ctx, args[1:])
	case "backup":
		return e.backup(ctx, args[1:])
	case "init":
		return e.initCmd(ctx, args[1:]) // setup.go
	case "check":
		return e.check(args[1:])
	case "install-service":
		return e.installService(args[1:])
	case "version", "--version":
		return e.version(args[1:]) // version.go
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
}

// common are the flags every database command takes.
type common struct {
	config    string
	db        string
	demo      bool
	allowDemo bool // serve --allow-demo-data
}

// demoDB is where --demo keeps its made-up shop unless --db says otherwise:
// never the real shop's database (not the config's db, not SHOPBOT_DB).
const demoDB = "sqlite:shopbot-demo.db"

func (c *common) register(fs *flag.FlagSet, demo bool) {
	fs.StringVar(&c.config, "config", "", "configuration file (shopbot.yaml)")
	fs.StringVar(&c.db, "db", "", "database URL: sqlite:PATH or postgres://… (default: config, SHOPBOT_DB, sqlite:shopbot.db; with --demo: "+demoDB+")")
	if demo {
		fs.BoolVar(&c.demo, "demo", false, "a demo shop (products and orders) in a database of its own ("+demoDB+" unless --db)")
	}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("shopbot "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp // the flags were printed; the command must not run
		}
		return usageError{err.Error()}
	}
	return nil
}

// errHelp stops a command whose -h printed its flags (exit status 0).
var errHelp = errors.New("help shown")

// stores are the opened database and configuration of a command.
type stores struct {
	cfg *config
	db  *sqlx.DB
	url string           // the database's URL, as given
	now func() time.Time // the command's clock
	// owners takes this command's owner events (engine builds it): the
	// notify router, without policy until serve gives it one.
	owners *ownerEvents
}

// open loads the configuration, opens the database (flag, then
// environment, then config) and brings its schema up to date.
func (e env) open(ctx context.Context, c common) (*stores, error) {
	cfg, err := loadConfig(c.config)
	if err != nil {
		return nil, err
	}
	url := cfg.DB
	if v := e.getenv("SHOPBOT_DB"); v != "" {
		url = v
	}
	if c.demo {
		url = demoDB
	}
	if c.db != "" {
		url = c.db
	}
	db, err := schema.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := schema.Migrate(ctx, db, allSchemas...); err != nil {
		db.Close()
		return nil, err
	}
	if c.demo {
		if _, err := shop.SeedDemo(ctx, db, e.clock()()); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &stores{cfg: cfg, db: db, url: url, now: e.clock()}, nil
}

// allSchemas are the packages' migrations, in the order they apply.
var allSchemas = []schema.Set{shop.Schema, tickets.Schema, bot.Schema, web.Schema, notify.Schema, kakao.Schema}

// engine builds the engine for a command, its owner events routed (s.owners)
// to dests, each event as one outbox row per destination.
func (s *stores) engine(ctx context.Context, log *slog.Logger, dests []notify.Destination) (*bot.Engine, *bot.Outbox, error) {
	f, err := loadFAQ(s.cfg.FAQ)
	if err != nil {
		return nil, nil, err
	}
	ob := bot.NewOutbox(s.db, s.now, log)
	if s.cfg.Outbox.lease > 0 {
		ob.Lease = s.cfg.Outbox.lease // outbox_config.go
	}
	s.owners = &ownerEvents{Router: &notify.Router{Destinations: dests, Sender: ob}} // notify.go
	eng, err := bot.New(ctx, bot.Config{
		DB:           s.db,
		FAQ:          f,
		Outbox:       ob,
		Shop:         faqShop(s.cfg),
		Lang:         s.cfg.Shop.Language,
		OwnerLang:    s.cfg.Notify.Language,
		Alerts:       s.owners,
		Location:     s.cfg.location,
		OrderPattern: s.cfg.pattern,
		Limits:       s.cfg.convLimits(),
		Verify:       s.cfg.Verification.limits(),
		SLA:          s.cfg.sla,
		Summary:      s.summarizer(), // notify.go
		Now:          s.now,
		Log:          log,
	})
	if err != nil {
		return nil, nil, err
	}
	// Building the matcher leaves a large FAQ's worth of garbage: hand it
	// back to the system now rather than over the next minutes (a
	// 10,000-phrasing FAQ: 84 MB resident after, instead of about 250).
	debug.FreeOSMemory()
	return eng, ob, nil
}
