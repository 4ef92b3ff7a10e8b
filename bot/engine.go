package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// maxFailures is how many failed order verifications in an hour stop a
// conversation's lookups and open a ticket.
const maxFailures = 5

// Summarizer writes the owner's summary of a day (package notify).
type Summarizer interface {
	Summary(ctx context.Context, day time.Time, lang string) (string, error)
}

// Config is what an Engine needs. DB, FAQ and Outbox are required.
type Config struct {
	DB           *sqlx.DB
	FAQ          *faq.File
	Outbox       *Outbox
	Shop         faq.Shop       // the shop's name, hours and contact, for answers
	Lang         string         // the language of built-in messages when the customer's is unknown
	OwnerLang    string         // the language of owner alerts and command answers
	Owners       []Address      // where ticket events for the owner go (the notifier decides what reaches a person)
	Location     *time.Location // the shop's time zone, for "today" and summaries
	OrderPattern *regexp.Regexp // order numbers in customer text; nil: shop.DefaultOrderPattern
	SLA          tickets.SLA    // first-response targets; nil: tickets.DefaultSLA
	Summary      Summarizer     // answers /summary; nil: the command says it is not set up
	Limits       Limits         // per-conversation flood limits; zero: DefaultLimits
	Verify       VerifyLimits   // how long an order's proof lasts and how failures lock lookups; zero fields: DefaultVerifyLimits
	Now          func() time.Time
	Log          *slog.Logger
}

// Limits bound how many messages one conversation may send. Past a limit
// the bot stops answering that conversation (the messages are still
// journaled) and the owners get one note, not one per message.
type Limits struct {
	PerMinute int
	PerHour   int
}

// DefaultLimits allow a brisk human and stop a script.
var DefaultLimits = Limits{PerMinute: 20, PerHour: 200}

// VerifyLimits bound order verification. A conversation with maxFailures
// failed verifications in an hour is locked and gets a ticket; an order
// number and a network are locked by their own failures across every
// conversation, so new chats (a web visitor is a new chat) cannot farm
// guesses.
type VerifyLimits struct {
	TTL     time.Duration // how long a proof of an order lasts in its conversation
	Order   Lockout       // failures against one order number, from any chat
	Network Lockout       // failures from one network (Message.Network), against any order
}

// Lockout locks a scope once it has After failed verifications in a day:
// for For after the latest, doubled for each failure past After, at most a
// day.
type Lockout struct {
	After int
	For   time.Duration
}

// DefaultVerifyLimits: a proof lasts an hour; five failures lock an order
// number, twenty lock a network, each for 15 minutes and then longer.
var DefaultVerifyLimits = VerifyLimits{
	TTL:     time.Hour,
	Order:   Lockout{After: 5, For: 15 * time.Minute},
	Network: Lockout{After: 20, For: 15 * time.Minute},
}

func (v VerifyLimits) withDefaults() VerifyLimits {
	d := DefaultVerifyLimits
	if v.TTL <= 0 {
		v.TTL = d.TTL
	}
	if v.Order.After <= 0 || v.Order.For <= 0 {
		v.Order = d.Order
	}
	if v.Network.After <= 0 || v.Network.For <= 0 {
		v.Network = d.Network
	}
	return v
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
	fresh, err := journal(ctx, tx, m, now)
	if err != nil {
		return nil, err
	}
	if !fresh {
		return nil, ErrDuplicate
	}
	m.Text = capText(m.Text)
	// The name reaches the owner in alerts and lists: never a line, a
	// direction override or a paragraph of its own.
	m.Name = CleanName(m.Name)
	h := &handling{Engine: e, tx: tx, m: m, now: now, tickets: tickets.NewStore(tx, e.cfg.SLA), shop: shop.NewStore(tx)}
	if m.Owner {
		err = h.owner(ctx)
	} else {
		err = h.customer(ctx)
	}
	if err != nil {
		return nil, err
	}
	for i := range h.out {
		if err := enqueue(ctx, tx, &h.out[i], now); err != nil {
			return nil, err
		}
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
	lang    string
	out     []Reply
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
	e := notify.TicketEvent(event, t, latest, text)
	for _, a := range h.cfg.Owners {
		h.out = append(h.out, AlertReply(a.Channel, a.Chat, e))
	}
}

func (h *handling) customer(ctx context.Context) error {
	conv, err := loadConversation(ctx, h.tx, h.m, h.now)
	if err != nil {
		return err
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
	return conv.save(ctx, h.tx, h.now)
}

// flooding reports whether the conversation is past its limits. The first
// message past a limit sends the owners one note.
func (h *handling) flooding(ctx context.Context) (bool, error) {
	limits := []struct {
		n      int
		window time.Duration
	}{{h.cfg.Limits.PerMinute, time.Minute}, {h.cfg.Limits.PerHour, time.Hour}}
	if limits[0].n <= 0 && limits[1].n <= 0 {
		return false, nil
	}
	perMinute, perHour, err := recentMessages(ctx, h.tx, h.m.Channel, h.m.Chat, h.now.Add(-time.Minute), h.now.Add(-time.Hour))
	if err != nil {
		return false, err
	}
	for i, n := range []int{perMinute, perHour} {
		l := limits[i]
		if l.n <= 0 || n <= l.n {
			continue
		}
		if n == l.n+1 {
			h.log.Warn("conversation muted: too many messages", "channel", h.m.Channel, "chat", h.m.Chat, "limit", l.n, "window", l.window)
			for _, a := range h.cfg.Owners {
				h.out = append(h.out, Reply{Channel: a.Channel, Chat: a.Chat, Kind: KindAlert, Event: "flood", Priority: string(tickets.Low),
					Key:  "flood:" + h.m.Channel + ":" + h.m.Chat,
					Text: ownerText(h.cfg.OwnerLang, "alert_flood", h.m.Channel, h.m.Chat, h.o(windowKey(l.window)), l.n)})
			}
		}
		return true, nil
	}
	return false, nil
}

func windowKey(d time.Duration) string {
	if d >= time.Hour {
		return "hour"
	}
	return "minute"
}

// language picks the language of the bot's words: the message's own
// script, then the conversation's, the platform's hint, the shop's. What
// carries no language — an email address, digits, a link — keeps the
// conversation's; so does a word or two of English in a conversation held
// in Korean or Chinese ("ok", "thx", "5678 ok").
func (h *handling) language() string {
	if l := messageLanguage(h.m.Text); l != "" && !(l == "en" && h.conv.Lang != "" && h.conv.Lang != "en" && latinWords(h.m.Text) < 3) {
		return l
	}
	if h.conv.Lang != "" {
		return h.conv.Lang
	}
	if hint := strings.ToLower(h.m.Lang); len(hint) >= 2 {
		switch hint[:2] {
		case "ko", "en", "zh":
			return hint[:2]
		}
	}
	return h.cfg.Lang
}

// messageLanguage is the language of the words of text, leaving out email
// addresses, links and digits.
func messageLanguage(text string) string {
	var keep []string
	for _, f := range strings.Fields(text) {
		if strings.Contains(f, "@") || strings.Contains(f, "://") || strings.HasPrefix(strings.ToLower(f), "www.") {
			continue
		}
		keep = append(keep, strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return -1
			}
			return r
		}, f))
	}
	return faq.DetectLanguage(strings.Join(keep, " "))
}

// latinWords counts the words of text written in Latin letters.
func latinWords(text string) int {
	n := 0
	for _, f := range strings.Fields(text) {
		if strings.ContainsFunc(f, isLatin) && !strings.Contains(f, "@") {
			n++
		}
	}
	return n
}

func isOrderAction(r faq.Result) bool {
	return r.Decision == faq.Answer && (r.Best.Action == faq.ActionOrderStatus || r.Best.Action == faq.ActionDelivery)
}

func actionOf(r faq.Result) faq.Action {
	if r.Decision == faq.Answer {
		return r.Best.Action
	}
	return faq.ActionOrderStatus
}

// orderWords mark a message about an order or its delivery.
var orderWords = []string{"주문", "배송", "택배", "송장", "도착", "발송", "출고", "언제", "어디",
	"order", "parcel", "package", "delivery", "deliver", "ship", "track", "where", "status", "arrive",
	"订单", "快递", "物流", "发货", "到货", "哪里", "单号"}

func looksLikeOrderQuestion(text, number string) bool {
	lower := strings.ToLower(text)
	for _, w := range orderWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	// The number alone ("1042", "#1042 ?") is an order lookup too.
	rest := strings.Replace(lower, number, "", 1)
	return strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) }) == ""
}

// continueDialogue handles a reply to the bot's own question. done=false
// means the message is about something else: the dialogue is dropped and
// the message goes through the normal flow.
func (h *handling) continueDialogue(ctx context.Context, text string) (done bool, err error) {
	state, data := h.conv.State, h.conv.StateData
	h.conv.setState(stateIdle, "")
	switch state {
	case stateClarify:
		line, question, _ := strings.Cut(data, "\n")
		ids := strings.Fields(line)
		pick := h.m.Choice
		if pick == "" {
			pick = pickChoice(text, ids, h.cfg.FAQ, h.lang)
		}
		if pick == ChoiceNone {
			// None of these: a person answers the question as asked.
			return true, h.handOff(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal, Reason: "no offered choice fitted"}, cmp.Or(question, text))
		}
		for _, id := range ids {
			if id == pick {
				if e := h.cfg.FAQ.Entry(id); e != nil {
					if err := h.learnChoice(ctx, e.ID, question); err != nil {
						return true, err
					}
					return true, h.answerEntry(ctx, e, cmp.Or(question, text))
				}
			}
		}
	case stateOrderAsked:
		if number := shop.ExtractOrderNumber(text, h.cfg.OrderPattern); number != "" {
			return true, h.lookup(ctx, number, faq.Action(data))
		}
	case stateProduct, stateProductAsked:
		if done, err := h.pickProduct(ctx, state, data, text); done || err != nil {
			return done, err
		}
	case stateVerify:
		number, action, _ := strings.Cut(data, " ")
		// A different order number starts over with that order.
		if n := shop.ExtractOrderNumber(text, h.cfg.OrderPattern); n != "" && n != number && !isFourDigits(text) {
			return true, h.lookup(ctx, n, faq.Action(action))
		}
		if proof, ok := verificationProof(text, h.m.Phone); ok {
			return true, h.verify(ctx, number, faq.Action(action), proof)
		}
	}
	if strings.HasPrefix(h.m.Choice, productChoice) {
		return h.pickProduct(ctx, state, data, text)
	}
	if h.m.Choice != "" {
		// A stale button: the choice still names an entry, so answer it.
		if e := h.cfg.FAQ.Entry(h.m.Choice); e != nil {
			return true, h.answerEntry(ctx, e, text)
		}
	}
	return false, nil
}

// pickChoice maps "1", "2." or a choice's label to an offered id; the
// number after the offered entries (or its label) is ChoiceNone.
func pickChoice(text string, ids []string, f *faq.File, lang string) string {
	t := strings.TrimRight(strings.TrimSpace(text), ".)번 ")
	if len(t) == 1 && t[0] >= '1' && t[0] <= '9' {
		switch i := int(t[0] - '1'); {
		case i < len(ids):
			return ids[i]
		case i == len(ids):
			return ChoiceNone
		}
	}
	for _, id := range ids {
		if e := f.Entry(id); e != nil && len(e.Questions) > 0 && strings.EqualFold(strings.TrimSpace(text), questionIn(e, lang)) {
			return id
		}
	}
	if strings.EqualFold(strings.TrimSpace(text), msg(lang, "choice_none")) {
		return ChoiceNone
	}
	return ""
}

// cleanText makes any input safe to store: valid UTF-8 and no NUL
// (PostgreSQL refuses both).
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// capText keeps the first 64 KiB of a message for handling; the journal
// keeps it whole.
func capText(s string) string {
	const maxText = 64 << 10
	if len(s) <= maxText {
		return s
	}
	s = s[:maxText]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// begin starts a message's transaction. SQLite can refuse BEGIN IMMEDIATE
// with SQLITE_BUSY at once, without its busy timeout, when many
// connections start writing together (seen with 16 goroutines in
// BenchmarkHandleParallel); nothing has been done yet, so a short pause
// and another try is safe, and the message is not refused for it.
func begin(ctx context.Context, db *sqlx.DB) (*sqlx.Tx, error) {
	wait := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		tx, err := db.BeginTxx(ctx, nil)
		if err == nil || attempt == 8 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait *= 2
	}
}
