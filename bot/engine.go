package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// Summarizer writes the owner's summary of a day (package notify).
type Summarizer interface {
	Summary(ctx context.Context, day time.Time, lang string) (string, error)
}

// Config is what an Engine needs. DB, FAQ and Outbox are required.
type Config struct {
	DB           *sqlx.DB
	FAQ          *faq.File
	Outbox       *Outbox
	Shop         faq.Shop        // the shop's name, hours and contact, for answers
	Lang         string          // the language of built-in messages when the customer's is unknown
	OwnerLang    string          // the language of owner alerts and command answers
	Owners       []Address       // where owner events go as alerts when Alerts is nil (tests, fixed addresses)
	Alerts       notify.TxPoster // takes each owner event in the message's transaction (the notify router: one row per destination)
	Location     *time.Location  // the shop's time zone, for "today" and summaries
	OrderPattern *regexp.Regexp  // order numbers in customer text; nil: shop.DefaultOrderPattern
	SLA          tickets.SLA     // first-response targets; nil: tickets.DefaultSLA
	Summary      Summarizer      // answers /summary; nil: the command says it is not set up
	Limits       Limits          // per-conversation flood limits; zero: DefaultLimits
	Verify       VerifyLimits    // how long an order's proof lasts and how failures lock lookups; zero fields: DefaultVerifyLimits
	Now          func() time.Time
	Log          *slog.Logger
}

// Engine handles messages: it is safe for concurrent use by several
// adapters. Each message is handled in one database transaction: the
// journal entry, the conversation's new state, tickets and every reply are
// stored together or not at all.
type Engine struct {
	cfg     Config
	matcher *faq.Matcher
	now     func() time.Time
	log     *slog.Logger
}

// New returns an engine for cfg, with the FAQ's matcher built and the
// learned phrasings in the database added to it.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.DB == nil || cfg.FAQ == nil || cfg.Outbox == nil {
		return nil, errors.New("bot: new engine: DB, FAQ and Outbox are required")
	}
	if cfg.Lang == "" {
		cfg.Lang = cmp.Or(cfg.FAQ.Language, "ko")
	}
	if cfg.OwnerLang == "" {
		cfg.OwnerLang = cfg.Lang
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.OrderPattern == nil {
		cfg.OrderPattern = shop.DefaultOrderPattern
	}
	if cfg.SLA == nil {
		cfg.SLA = tickets.DefaultSLA
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	cfg.Verify = cfg.Verify.withDefaults()
	e := &Engine{cfg: cfg, matcher: faq.NewMatcher(cfg.FAQ), now: cfg.Now, log: cfg.Log}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if err := e.loadLearned(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Matcher is the engine's FAQ matcher, learned phrasings included.
func (e *Engine) Matcher() *faq.Matcher { return e.matcher }

// Handle journals m, decides what to do with it and stores the replies in
// the outbox, all in one transaction, then returns the replies. A message
// seen before returns ErrDuplicate and changes nothing.
//
// One message, by design §1's steps, and the file of each:
//
//	1   journal.go       store the message; a redelivered one stops here
//	2   commands.go      an owner's command (learn.go: /learn)
//	    conversation.go  the customer's conversation, loaded and saved
//	    language.go      the language the bot answers in
//	    flood.go         a conversation past its limits is muted
//	3–7 policy.go        the conversation policy: what happens to the message
//	3   handoff.go       a person has the conversation: join the ticket
//	3½  smalltalk.go     greetings, thanks, small talk
//	4   dialogue.go      the answer to the bot's own question
//	5   handoff.go       tickets.Classify: open a ticket, tell the owner
//	6   orders.go        an order question (verification.go: proof first)
//	    product.go       stock, price and options from the shop's data
//	7   answer.go        the FAQ's answer, choices, or a ticket
//	    outbox.go        every reply stored with the message
func (e *Engine) Handle(ctx context.Context, m Message) ([]Reply, error) {
	now := e.now()
	m.Text = cleanText(m.Text)
	if m.ID == "" || m.Channel == "" || m.Chat == "" {
		return nil, errors.New("bot: handle: message needs Channel, Chat and ID")
	}
	tx, err := begin(ctx, e.cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("bot: handle: %w", err)
	}
	defer tx.Rollback()
	// The name reaches the owner in alerts and lists: never a line, a
	// direction override or a paragraph of its own.
	name := CleanName(m.Name)
	var arrived *arrival
	var fresh bool
	if !m.Owner && tx.DriverName() == "postgres" {
		a, err := arrive(ctx, tx, m, name, now, now.Add(-time.Minute), now.Add(-time.Hour))
		if err != nil {
			return nil, err
		}
		arrived, fresh = &a, a.fresh
	} else if fresh, err = journal(ctx, tx, m, now); err != nil {
		return nil, err
	}
	if !fresh {
		return nil, ErrDuplicate
	}
	m.Text = capText(m.Text)
	m.Name = name
	h := &handling{Engine: e, tx: tx, m: m, now: now, tickets: tickets.NewStore(tx, e.cfg.SLA), shop: shop.NewStore(tx)}
	if m.Owner {
		err = h.owner(ctx)
	} else {
		err = h.customer(ctx, arrived)
	}
	if err != nil {
		return nil, err
	}
	if err := h.store(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("bot: handle: commit: %w", err)
	}
	e.cfg.Outbox.Wake()
	// Only the replies to the sender are the answer; alerts and relays
	// went to the outbox for their own channels.
	var replies []Reply
	for _, r := range h.out {
		if r.Channel == m.Channel && r.Chat == m.Chat {
			replies = append(replies, r)
		}
	}
	return replies, nil
}

// handling is the state of one Handle call.
type handling struct {
	*Engine
	tx      *sqlx.Tx
	m       Message
	now     time.Time
	tickets *tickets.Store
	shop    *shop.Store
	conv    *conversation
	// save: the conversation is written back with the replies (a muted
	// message leaves it as it was).
	save bool
	// counted: the chat's messages in the flood windows are known
	// (perMinute, perHour) from the message's first statement.
	counted            bool
	perMinute, perHour int
	// ticket is the conversation's open ticket (nil: none) when
	// ticketKnown: read once, again only after the message changed a
	// ticket (see currentTicket).
	ticket      *tickets.Ticket
	ticketKnown bool
	lang        string
	out         []Reply
	events      []notify.Event // owner events for cfg.Alerts, raised in store
	// prevState and prevData are the conversation's state before this
	// message ("L은요?" after a product answer reads it).
	prevState, prevData string
}

// reply answers the sender.
func (h *handling) reply(r Reply) {
	r.Channel, r.Chat, r.Return = h.m.Channel, h.m.Chat, h.m.Return
	if !h.m.Owner {
		r.Lang = h.lang
	}
	h.out = append(h.out, r)
}

// alert tells every owner address what happened to ticket t. Every ticket
// event goes out; which ones interrupt the owner is the notifier's choice.
// The alert carries the ticket's snapshot (notify.TicketEvent), with the
// customer's words when a customer's message raised it.
func (h *handling) alert(event, text string, t *tickets.Ticket) {
	latest := ""
	if !h.m.Owner {
		latest = CleanText(h.m.Text)
	}
	h.raise(notify.TicketEvent(event, t, latest, text))
}

// raise tells the owner of e: through cfg.Alerts when set (in store, once
// every other row of the message is written), else as an alert to each
// Owners address.
func (h *handling) raise(e notify.Event) {
	if h.cfg.Alerts != nil {
		h.events = append(h.events, e)
		return
	}
	for _, a := range h.cfg.Owners {
		h.out = append(h.out, AlertReply(a.Channel, a.Chat, e))
	}
}

// customer handles a customer's message: the conversation, its language,
// the flood limits, then the policy (route). a, if set, is what the
// message's first statement found (PostgreSQL: see arrive).
func (h *handling) customer(ctx context.Context, a *arrival) error {
	conv := a.conversation()
	if conv != nil {
		h.counted, h.perMinute, h.perHour = true, a.sinceShort, a.sinceLong
	} else {
		var err error
		if conv, err = loadConversation(ctx, h.tx, h.m, h.now); err != nil {
			return err
		}
	}
	h.conv = conv
	if h.m.Name != "" {
		conv.Name = h.m.Name
	}
	h.lang = h.language()
	conv.Lang = h.lang
	if muted, err := h.flooding(ctx); muted || err != nil {
		return err
	}
	if err := h.route(ctx); err != nil {
		return err
	}
	h.save = true
	return nil
}

// store writes what the message changed in its conversation, queues
// every reply (see saveAndEnqueue) and then raises the owner events: last,
// so that a message waiting for a destination's lock in the router holds
// nothing the lock's holder still needs.
func (h *handling) store(ctx context.Context) error {
	var conv *conversation
	if h.save {
		conv = h.conv
	}
	if err := saveAndEnqueue(ctx, h.tx, conv, h.out, h.now); err != nil {
		return err
	}
	for _, e := range h.events {
		if err := h.cfg.Alerts.PostTx(ctx, h.tx, e); err != nil {
			return fmt.Errorf("bot: handle: owner event: %w", err)
		}
	}
	return nil
}
