package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/console"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
)

// stdoutChannel is the outbox channel of alerts written to a terminal.
const stdoutChannel = "stdout"

func loadFAQ(path string) (*faq.File, error) {
	if path == "" {
		return faq.ExampleFile(), nil
	}
	return loadFAQFile(path)
}

func faqShop(c *config) faq.Shop {
	return faq.Shop{Name: c.Shop.Name, Hours: c.Shop.Hours, Contact: c.Shop.Contact, Phone: c.Shop.Phone, Email: c.Shop.Email, Website: c.Shop.Website}
}

// Phone numbers and email addresses never reach the logs whole.
var (
	phoneRE = regexp.MustCompile(`(\+?\d{1,3}[ -]?)?\(?0?\d{2,3}\)?[ .-]?\d{3,4}[ .-]?(\d{4})\b`)
	emailRE = regexp.MustCompile(`([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})`)
)

func maskPII(s string) string {
	s = emailRE.ReplaceAllString(s, "$1***@$2")
	return phoneRE.ReplaceAllString(s, "***-****-$2")
}

// newLogger logs to w at level, masking phone numbers and emails in every
// string value.
func newLogger(w interface{ Write([]byte) (int, error) }, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindString {
			a.Value = slog.StringValue(maskPII(a.Value.String()))
		} else if a.Value.Kind() == slog.KindAny {
			if err, ok := a.Value.Any().(error); ok {
				a.Value = slog.StringValue(maskPII(err.Error()))
			}
		}
		return a
	}}))
}

// alertSender writes owner alerts from the outbox to a terminal.
func alertSender(w *notify.Writer) bot.SendFunc {
	return func(ctx context.Context, r bot.Reply) (string, error) {
		return "", w.Send(ctx, notify.Alert{Ticket: r.Ticket, Priority: r.Priority, Text: r.Text})
	}
}

func (e env) chat(ctx context.Context, args []string) error {
	go faq.Prepare() // while the database opens
	fs := newFlags("chat", e.stderr)
	var c common
	c.register(fs, true)
	as := fs.String("as", "customer", "who is typing: customer or owner")
	user := fs.String("user", "guest", "the customer's id (a conversation of its own)")
	asJSON := fs.Bool("json", false, "print one JSON object per reply")
	verbose := fs.Bool("v", false, "log to standard error")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *as != "customer" && *as != "owner" {
		return usageError{fmt.Sprintf("--as %q: want customer or owner", *as)}
	}
	if *as == "customer" && strings.EqualFold(strings.TrimSpace(*user), console.OwnerChat) {
		return usageError{fmt.Sprintf("--user %q: that is the owner's console; use --as owner, or another customer id", *user)}
	}
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	log := newLogger(e.stderr, level)
	// SQLite: the log's checkpoints run beside the conversation, not in
	// a message's commit.
	defer schema.Checkpoints(st.db, time.Second, log)()
	// The conversation owns standard output; alerts go to standard error
	// and to the console owner's inbox, routed in each message's
	// transaction.
	eng, ob, err := st.engine(ctx, log, terminalOwners)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := console.New(eng, ob, e.stdin, e.stdout, console.Options{User: *user, Owner: *as == "owner", JSON: *asJSON})
	if err != nil {
		return err
	}
	svc := &service{st: st, eng: eng, ob: ob, log: log, env: e}
	alerts := make(chan error, 1)
	go func() {
		alerts <- svc.runChannel(ctx, channel{name: stdoutChannel, connect: ready(alertStream{alertSender(notify.NewWriter(e.stderr))})})
	}()
	if c.demo && !*asJSON {
		fmt.Fprintf(e.stderr, "demo database: %s (made-up shop; delete it to start over)\n", dbName(st.url))
		fmt.Fprintln(e.stderr, demoHint(*as == "owner"))
	}
	// The conversation: the console adapter's Run and its outlet, as serve
	// runs every channel (channels.go).
	err = svc.runChannel(ctx, channel{name: console.Channel, connect: ready(a)})
	// Let alerts raised by the last lines reach the terminal.
	cancel()
	<-alerts
	ob.Deliver(context.WithoutCancel(ctx), stdoutChannel, "", alertSender(notify.NewWriter(e.stderr)))
	return err
}

func demoHint(owner bool) string {
	if owner {
		return `하루상점 demo, owner console — try: /tickets · /ticket 1 · /reply 1 확인해 드릴게요 · /close 1 · /stock 티셔츠 · /sales today · /summary · /faq 배송 언제 와요 · /help`
	}
	return `하루상점 demo — type as a customer, for example:
  안녕하세요 · hi · 你好            → a greeting back, no ticket
  배송 언제 와요?                 → FAQ answer
  티셔츠 화이트 M 재고 있어요?  then L은요? → stock and price from the shop's data
  주문 1042 어디쯤이에요?  then 5678 → order lookup after verification
  where is my order 1044   then emily@example.com
  오늘 날씨 어때요?               → small talk: a friendly word, no ticket
  물건이 깨져서 왔어요             → complaint ticket (high): a person takes over
  주문 1043 취소해 주세요          → cancellation before shipping (urgent, alerts the owner)
Then, as the owner: shopbot chat --demo --as owner  (/tickets, /reply N text, /close N)`
}

func (e env) serve(ctx context.Context, args []string) error {
	go faq.Prepare() // while the database opens
	fs := newFlags("serve", e.stderr)
	var c common
	c.register(fs, true)
	fs.BoolVar(&c.allowDemo, "allow-demo-data", false, "serve a database that holds the demo shop's made-up orders without --demo")
	if err := parse(fs, args); err != nil {
		return err
	}
	// The configuration is checked before anything starts or waits.
	cfg, err := loadConfig(c.config)
	if err != nil {
		return err
	}
	if err := cfg.missingSecrets(e.getenv); err != nil {
		return err
	}
	log := newLogger(e.stderr, slog.LevelInfo)
	st, err := e.openWaiting(ctx, c, log)
	if err != nil {
		return err
	}
	defer st.db.Close()
	// SQLite: the log's checkpoints run in the background, not in a
	// customer message's commit.
	defer schema.Checkpoints(st.db, time.Second, log)()
	if err := refuseDemoData(ctx, st, c); err != nil {
		return err
	}
	if c.demo {
		fmt.Fprintf(e.stderr, "demo database: %s (made-up shop; stop and delete it to start over)\n", dbName(st.url))
	}
	// Owner events: the router gets its destinations and policy (route)
	// once the channels are known, before any of them runs.
	eng, ob, err := st.engine(ctx, log, nil)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	svc := &service{st: st, eng: eng, ob: ob, log: log, mux: mux, env: e, ops: newOps(st, ob), demo: c.demo}
	svc.registerHooks()
	chans, err := svc.channels(ctx)
	if err != nil {
		return err
	}
	// The console owner's inbox always; the terminal only while no chat
	// channel shows the owner anything.
	dests := []notify.Destination{{Channel: console.Channel, Chat: console.OwnerChat}}
	var direct []notify.Destination // reached without the database: the outage alert's
	for _, c := range chans {
		dests = append(dests, c.owners...)
		if c.direct {
			direct = append(direct, c.owners...)
		}
	}
	if len(dests) == 1 {
		dests = append(dests, notify.Destination{Channel: stdoutChannel})
	}
	owners := svc.route(dests) // notify.go
	ln, err := net.Listen("tcp", st.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	svc.listen = ln.Addr()
	var running []string
	for _, c := range chans {
		running = append(running, c.name)
	}
	svc.ops.metricsToken = strings.TrimSpace(e.getenv("SHOPBOT_METRICS_TOKEN"))
	svc.ops.routes(mux, running) // /healthz, /metrics (ops.go)
	// httpserver.go: timeouts and connection caps.
	limited := limitConns(ln, defaultHTTPLimits, st.cfg.Web.TrustProxy, log)
	srv := newHTTPServer(mux, defaultHTTPLimits, log)
	log.Info("serving", "listen", ln.Addr().String(), "db", schema.Dialect(st.db))
	fmt.Fprintf(e.stderr, "shopbot serving on http://%s (healthz: /healthz); owner alerts go to %s\n", ln.Addr(), alertPlaces(dests))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4+len(chans))
	go func() { errc <- srv.Serve(limited) }()
	// outage.go: tells the owner, without the database, when it is away.
	svc.watchDatabase(ctx, direct)
	go func() { errc <- svc.runNotify(ctx, owners, running) }() // notify.go: digests, summaries, watchers
	go func() { errc <- purgeDaily(ctx, svc) }()                // privacy.go: retention
	go func() {
		errc <- svc.runChannel(ctx, channel{name: stdoutChannel, connect: ready(alertStream{alertSender(notify.NewWriter(e.stdout))})})
	}()
	for _, c := range chans {
		log.Info("channel running", "channel", c.name)
		go func() {
			err := svc.runChannel(ctx, c) // channels.go: the adapter's Run and its sender loops
			if err != nil && ctx.Err() == nil {
				err = fmt.Errorf("%s: %w", c.name, err)
			}
			errc <- err
		}()
	}
	loops := cap(errc) // the goroutines that report on errc
	select {
	case <-ctx.Done():
	case err = <-errc:
		loops--
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer scancel()
	srv.Shutdown(sctx)
	// The channels finish their last sends and record them before the
	// database closes (and before run returns): at most 10 s more.
	grace := time.NewTimer(10 * time.Second)
	defer grace.Stop()
	for ; loops > 0; loops-- {
		select {
		case <-errc:
		case <-grace.C:
			log.Warn("shutdown: some channels did not stop in time", "left", loops)
			loops = 1 // ends the loop
		}
	}
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// alertPlaces says where owner alerts go, for the start-up line.
func alertPlaces(dests []notify.Destination) string {
	var places []string
	add := func(p string) {
		if !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	for _, d := range dests {
		switch d.Channel {
		case console.Channel:
			// the console owner's inbox: read by `chat --as owner`, not a place to watch
		case stdoutChannel:
			add("this terminal")
		case web.OwnerChannel:
			add("the owner inbox (web)")
		default:
			if d.Every {
				add(d.Channel)
			} else {
				add(d.Channel + " (urgent only)")
			}
		}
	}
	return strings.Join(places, ", ")
}

// refuseDemoData stops a real serve (no --demo) on a database the demo
// filled: the shop would answer customers with made-up orders and report
// made-up sales. --allow-demo-data overrides.
func refuseDemoData(ctx context.Context, st *stores, c common) error {
	if c.demo || c.allowDemo {
		return nil
	}
	at, seeded, err := shop.DemoSeeded(ctx, st.db)
	if err != nil || !seeded {
		return err
	}
	return fmt.Errorf("database %s holds the demo shop (made-up products and orders, seeded %s): "+
		"serve your shop on another database (db: in shopbot.yaml, or --db), or delete this one to start over; "+
		"--allow-demo-data serves it anyway, and `serve --demo` runs the demo", dbName(st.url), at.Format("2006-01-02 15:04 MST"))
}

// dbName is a database URL fit to print: an SQLite file's path, or the
// PostgreSQL URL without its password.
func dbName(raw string) string {
	if p, ok := strings.CutPrefix(raw, "sqlite:"); ok {
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return p
	}
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "(database)"
}

func (e env) migrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", e.stderr)
	var c common
	c.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	for _, s := range allSchemas {
		cur, newest, err := schema.Version(ctx, st.db, s)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%-8s version %d (newest %d)\n", s.Name, cur, newest)
	}
	fmt.Fprintf(e.stdout, "%s schema is up to date\n", schema.Dialect(st.db))
	return nil
}

func (e env) summary(ctx context.Context, args []string) error {
	fs := newFlags("summary", e.stderr)
	var c common
	c.register(fs, true)
	send := fs.Bool("send", false, "send it to the owner now instead of printing it")
	date := fs.String("date", "", "the day, YYYY-MM-DD (default: today in the shop's time zone)")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := e.open(ctx, c)
	if err != nil {
		return err
	}
	defer st.db.Close()
	day := st.now()
	if *date != "" {
		if day, err = time.ParseInLocation("2006-01-02", *date, st.cfg.location); err != nil {
			return usageError{fmt.Sprintf("--date %q: want YYYY-MM-DD", *date)}
		}
		day = day.Add(12 * time.Hour)
	}
	return e.summaryNow(ctx, st, day, *send) // notify.go
}

func (e env) faq(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"usage: shopbot faq check|test|eval|example"}
	}
	switch args[0] {
	case "check":
		if len(args) != 2 {
			return usageError{"usage: shopbot faq check FILE"}
		}
		f, err := loadFAQFile(args[1])
		if err != nil {
			return err
		}
		warnings := faq.NewMatcher(f).Check()
		for _, w := range warnings {
			fmt.Fprintf(e.stdout, "%s:%d: entry %q: warning: %s\n", args[1], w.Line, w.Entry, w.Msg)
		}
		fmt.Fprintf(e.stdout, "%s: ok, %d entries, %d warnings\n", args[1], len(f.Entries), len(warnings))
		return nil
	case "test":
		if len(args) != 3 {
			return usageError{`usage: shopbot faq test FILE "question"`}
		}
		f, err := loadFAQFile(args[1])
		if err != nil {
			return err
		}
		return faq.WriteExplain(e.stdout, args[2], faq.NewMatcher(f).Explain(args[2]))
	case "eval":
		return e.faqEval(ctx, args[1:])
	case "example":
		_, err := e.stdout.Write(faq.Example())
		return err
	}
	return usageError{fmt.Sprintf("unknown faq command %q: want check, test, eval or example", args[0])}
}

func (e env) faqEval(ctx context.Context, args []string) error {
	fs := newFlags("faq eval", e.stderr)
	faqPath := fs.String("faq", "", "the FAQ file")
	casesPath := fs.String("cases", "", "JSON lines of {\"text\":…,\"expect\":…}")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	learned := fs.Bool("learned", false, "first add the phrasings the shop's bot has learned (/learn and customers' choices), from the database of --db or --config")
	var c common
	c.register(fs, false)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *faqPath == "" || *casesPath == "" {
		return usageError{"usage: shopbot faq eval --faq FILE --cases FILE.jsonl [--json] [--learned [--db URL]]"}
	}
	f, err := loadFAQFile(*faqPath)
	if err != nil {
		return err
	}
	m := faq.NewMatcher(f)
	if *learned {
		st, err := e.open(ctx, c)
		if err != nil {
			return err
		}
		defer st.db.Close()
		phrasings, err := bot.Learned(ctx, st.db)
		if err != nil {
			return err
		}
		n, all := 0, map[string][]string{}
		for _, l := range phrasings {
			if f.Entry(l.Entry) == nil {
				fmt.Fprintf(e.stderr, "learned phrasings of %q skipped: the FAQ file has no such entry\n", l.Entry)
				continue
			}
			all[l.Entry] = l.Questions
			n += len(l.Questions)
		}
		if err := m.LearnAll(all); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d learned phrasings added\n", n)
	}
	in, err := os.Open(*casesPath)
	if err != nil {
		return err
	}
	defer in.Close()
	cases, err := faq.ReadCases(in)
	if err != nil {
		return fmt.Errorf("%s: %w", *casesPath, err)
	}
	rep := faq.Eval(m, cases)
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	return rep.WriteText(e.stdout)
}
