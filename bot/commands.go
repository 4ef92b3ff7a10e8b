package bot

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// owner handles a message from a configured owner: a command, or a reply
// to a ticket the adapter identified from a thread. Every answer is in the
// owner's language (Config.OwnerLang).
func (h *handling) owner(ctx context.Context) error {
	text := strings.TrimSpace(h.m.Text)
	if h.m.Ticket != 0 && !strings.HasPrefix(text, "/") {
		return h.ownerReply(ctx, h.m.Ticket, text)
	}
	if !strings.HasPrefix(text, "/") {
		h.reply(Reply{Kind: KindCommand, Text: h.o("help")})
		return nil
	}
	name, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
	name, _, _ = strings.Cut(strings.ToLower(name), "@") // Telegram's /cmd@botname
	args = strings.TrimSpace(args)
	var out string
	var err error
	switch name {
	case "help", "start":
		out = h.o("help")
	case "tickets":
		out, err = h.cmdTickets(ctx, args)
	case "ticket":
		out, err = h.cmdTicket(ctx, args)
	case "reply":
		idText, body, _ := strings.Cut(args, " ")
		id, perr := h.parseTicketID(ctx, idText)
		if perr != nil || strings.TrimSpace(body) == "" {
			out = h.usage("usage_reply")
			break
		}
		return h.ownerReply(ctx, id, strings.TrimSpace(body))
	case "close":
		out, err = h.cmdClose(ctx, args)
	case "claim":
		out, err = h.cmdClaim(ctx, args)
	case "stock":
		out, err = h.cmdStock(ctx, args)
	case "sales":
		out, err = h.cmdSales(ctx, args)
	case "summary":
		out, err = h.cmdSummary(ctx)
	case "faq":
		out, err = h.cmdFAQ(args)
	case "learn":
		out, err = h.cmdLearn(ctx, args)
	default:
		out = h.o("unknown_command", name, h.o("help"))
	}
	if errors.Is(err, tickets.ErrNotFound) || errors.Is(err, ErrNoTicket) {
		out, err = h.o("no_ticket"), nil
	}
	if err != nil {
		return err
	}
	h.reply(Reply{Kind: KindCommand, Text: out})
	return nil
}

// o is the owner's text for key, in the owner's language.
func (h *handling) o(key string, args ...any) string { return ownerText(h.cfg.OwnerLang, key, args...) }

// usage is "usage: …" for a command's usage key.
func (h *handling) usage(key string) string { return h.o("usage", h.o(key)) }

// parseTicketID reads a ticket number ("12", "#12") or the reference a
// customer quotes ("#K7Q2XM").
func (h *handling) parseTicketID(ctx context.Context, s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(s) == 6 {
		// A reference first: one made before references always had a
		// letter may be all digits.
		t, err := h.tickets.ByRef(ctx, s)
		if err == nil {
			return t.ID, nil
		}
		if !errors.Is(err, tickets.ErrNotFound) {
			return 0, err
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err == nil && id > 0 {
		return id, nil
	}
	return 0, fmt.Errorf("bad ticket number %q", s)
}

// ownerReply relays the owner's words to the ticket's customer, on the
// customer's own channel, and records the first response.
func (h *handling) ownerReply(ctx context.Context, id int64, text string) error {
	t, err := h.tickets.Reply(ctx, id, h.m.User, text, h.now)
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		h.reply(Reply{Kind: KindCommand, Text: h.o("no_ticket")})
		return nil
	case errors.Is(err, tickets.ErrResolved):
		h.reply(Reply{Kind: KindCommand, Text: h.o("already_resolved", id)})
		return nil
	case err != nil:
		return err
	}
	h.out = append(h.out, Reply{Channel: t.Channel, Chat: t.Chat, Kind: KindOwner, Text: text, Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority), Lang: t.Lang})
	h.alert(EventAnswered, h.o("alert_answered", tickets.Number(t.ID, t.Ref), cmp.Or(h.m.Name, h.m.User), oneLine(text, 300)), t)
	h.reply(Reply{Kind: KindCommand, Text: h.o("sent", t.ID, customerName(t), t.ID), Ticket: t.ID})
	return nil
}

// pageSize is how many tickets or products one answer lists.
const pageSize = 20

// pageArg splits a trailing page number off a command's arguments
// ("urgent 2" → "urgent", 2); no number is page 1.
func pageArg(args string) (rest string, page int) {
	fields := strings.Fields(args)
	if n := len(fields); n > 0 {
		if p, err := strconv.Atoi(fields[n-1]); err == nil && p > 0 && p < 1000 {
			return strings.Join(fields[:n-1], " "), p
		}
	}
	return args, 1
}

// pageHeader and pageFooter frame one page of total items: the count (and
// which ones are shown), and "and N more: /cmd args page+1".
func (h *handling) pageHeader(allKey, pageKey string, total, page int, one, many string) string {
	if total <= pageSize {
		return h.o(allKey, total, plural(total, one, many))
	}
	from := (page-1)*pageSize + 1
	return h.o(pageKey, total, plural(total, one, many), from, min(total, page*pageSize))
}

func (h *handling) pageFooter(key, args string, total, page int) string {
	left := total - page*pageSize
	if left <= 0 {
		return ""
	}
	next := strconv.Itoa(page + 1)
	if args != "" {
		next = args + " " + next
	}
	return "\n" + h.o(key, left, next)
}

func (h *handling) cmdTickets(ctx context.Context, args string) (string, error) {
	args, page := pageArg(args)
	f := tickets.Filter{}
	switch args {
	case "", "open":
	case "urgent":
		f.Priority = tickets.Urgent
	case "overdue":
		f.OverdueAt = h.now
	case "all":
		f.Statuses = []tickets.Status{tickets.Open, tickets.Pending, tickets.Resolved}
	default:
		return h.usage("usage_tickets"), nil
	}
	total, err := h.tickets.Count(ctx, f)
	if err != nil {
		return "", err
	}
	if total == 0 {
		return h.o("no_tickets"), nil
	}
	if pages := (total + pageSize - 1) / pageSize; page > pages {
		return h.o("no_page", page, pages), nil
	}
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	list, err := h.tickets.List(ctx, f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(h.pageHeader("tickets_all", "tickets_page", total, page, "ticket", "tickets"))
	for _, t := range list {
		b.WriteString("\n" + h.ticketLine(t))
	}
	b.WriteString(h.pageFooter("tickets_more", args, total, page))
	return b.String(), nil
}

// ticketLine is one ticket in a list, in the owner's language: number,
// priority, category, status, customer, due time in the shop's zone, and
// its subject.
func (h *handling) ticketLine(t tickets.Ticket) string {
	lang := h.cfg.OwnerLang
	flag := ""
	if t.Overdue(h.now) {
		flag = h.o("overdue")
	}
	return h.o("ticket_line", t.ID, t.Priority.Label(lang), t.Category.Label(lang), t.Status.Label(lang), customerName(&t),
		t.DueAt.In(h.cfg.Location).Format("01-02 15:04"), flag, oneLine(t.Subject, 80))
}

func (h *handling) cmdTicket(ctx context.Context, args string) (string, error) {
	id, err := h.parseTicketID(ctx, args)
	if err != nil {
		return h.usage("usage_ticket"), nil
	}
	t, err := h.tickets.Get(ctx, id)
	if err != nil {
		return "", err
	}
	msgs, err := h.tickets.Messages(ctx, id)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(h.ticketLine(*t))
	if t.OrderNumber != "" {
		b.WriteString("\n" + h.o("ticket_order", t.OrderNumber))
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n%s %s: %s", m.At.In(h.cfg.Location).Format("01-02 15:04"), h.o("author_"+m.Author), oneLine(m.Text, 300))
	}
	b.WriteString("\n" + h.o("ticket_footer", t.ID, t.ID))
	return b.String(), nil
}

func (h *handling) cmdClose(ctx context.Context, args string) (string, error) {
	id, err := h.parseTicketID(ctx, args)
	if err != nil {
		return h.usage("usage_close"), nil
	}
	t, err := h.tickets.Close(ctx, id, h.m.User, h.now)
	if errors.Is(err, tickets.ErrResolved) {
		return h.o("already_resolved", id), nil
	}
	if err != nil {
		return "", err
	}
	h.alert(EventResolved, h.o("alert_resolved", tickets.Number(t.ID, t.Ref), cmp.Or(h.m.Name, h.m.User)), t)
	return h.o("closed", t.ID, customerName(t)), nil
}

func (h *handling) cmdClaim(ctx context.Context, args string) (string, error) {
	id, err := h.parseTicketID(ctx, args)
	if err != nil {
		return h.usage("usage_claim"), nil
	}
	who := cmp.Or(h.m.Name, h.m.User)
	t, err := h.tickets.Claim(ctx, id, who, h.now)
	if errors.Is(err, tickets.ErrResolved) {
		return h.o("already_resolved", id), nil
	}
	if err != nil {
		return "", err
	}
	h.alert(EventClaimed, h.o("alert_claimed", tickets.Number(t.ID, t.Ref), who), t)
	return h.o("claimed", t.ID), nil
}

// cmdStock lists products by a fuzzy query, a page at a time: "/stock
// 티셔츠", "/stock 2", "/stock 티셔츠 2". A trailing number is a page when
// that page exists, else part of the query ("/stock 500").
func (h *handling) cmdStock(ctx context.Context, args string) (string, error) {
	query, page := pageArg(args)
	ps, err := h.shop.SearchProducts(ctx, query, 0)
	if err != nil {
		return "", err
	}
	if page > 1 && (page-1)*pageSize >= len(ps) {
		query, page = args, 1
		if ps, err = h.shop.SearchProducts(ctx, query, 0); err != nil {
			return "", err
		}
	}
	if len(ps) == 0 {
		return h.o("stock_none", query), nil
	}
	lang := h.cfg.OwnerLang
	var b strings.Builder
	b.WriteString(h.pageHeader("stock_all", "stock_page", len(ps), page, "product", "products"))
	for _, p := range ps[(page-1)*pageSize : min(len(ps), page*pageSize)] {
		flag := ""
		switch {
		case p.Stock <= 0:
			flag = h.o("stock_out_flag")
		case p.Low():
			flag = h.o("stock_low_flag")
		}
		b.WriteString("\n" + h.o("stock_line", p.SKU, p.Name, p.Stock, p.SafetyStock, formatMoney(p.Price, lang), flag))
	}
	b.WriteString(h.pageFooter("stock_more", query, len(ps), page))
	return b.String(), nil
}

// period turns a /sales argument into [from, to) in the shop's zone, and
// names it in the owner's language.
func (h *handling) period(arg string) (from, to time.Time, label string, ok bool) {
	loc := h.cfg.Location
	now := h.now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch arg {
	case "", "today":
		return today, today.AddDate(0, 0, 1), h.o("today"), true
	case "yesterday":
		return today.AddDate(0, 0, -1), today, h.o("yesterday"), true
	case "7d", "week":
		return today.AddDate(0, 0, -6), today.AddDate(0, 0, 1), h.o("last7"), true
	case "30d":
		return today.AddDate(0, 0, -29), today.AddDate(0, 0, 1), h.o("last30"), true
	case "month":
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return first, today.AddDate(0, 0, 1), h.o("month", now.Year(), int(now.Month()), now.Month().String()), true
	}
	return time.Time{}, time.Time{}, "", false
}

func (h *handling) cmdSales(ctx context.Context, args string) (string, error) {
	from, to, label, ok := h.period(strings.ToLower(args))
	if !ok {
		return h.usage("usage_sales"), nil
	}
	s, err := h.shop.Sales(ctx, from, to)
	if err != nil {
		return "", err
	}
	lang := h.cfg.OwnerLang
	var b strings.Builder
	b.WriteString(h.o("sales", label, from.Format("01-02"), to.Add(-time.Second).Format("01-02"),
		s.Orders, plural(s.Orders, "order", "orders"), formatMoney(s.Revenue, lang), s.Units, plural(s.Units, "item", "items")))
	if s.Orders > 0 {
		b.WriteString(h.o("sales_average", formatMoney(s.AverageOrder, lang)))
	}
	if s.Cancelled+s.Refunded > 0 {
		b.WriteString("\n" + h.o("sales_cancelled", s.Cancelled, s.Refunded))
	}
	for i, p := range s.Top {
		b.WriteString("\n" + h.o("sales_top", i+1, p.Name, p.Units, formatMoney(p.Revenue, lang)))
	}
	return b.String(), nil
}

func (h *handling) cmdSummary(ctx context.Context) (string, error) {
	if h.cfg.Summary == nil {
		return h.o("no_summary"), nil
	}
	return h.cfg.Summary.Summary(ctx, h.now, h.cfg.OwnerLang)
}

func (h *handling) cmdFAQ(question string) (string, error) {
	if question == "" {
		return h.usage("usage_faq"), nil
	}
	var b bytes.Buffer
	if err := faq.WriteExplain(&b, question, h.matcher.Explain(question)); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
