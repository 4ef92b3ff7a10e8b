package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// owner handles a message from a configured owner: a command, or a reply
// to a ticket the adapter identified from a thread.
func (h *handling) owner(ctx context.Context) error {
	text := strings.TrimSpace(h.m.Text)
	if h.m.Ticket != 0 && !strings.HasPrefix(text, "/") {
		return h.ownerReply(ctx, h.m.Ticket, text)
	}
	if !strings.HasPrefix(text, "/") {
		h.reply(Reply{Kind: KindCommand, Text: helpText})
		return nil
	}
	name, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
	name, _, _ = strings.Cut(strings.ToLower(name), "@") // Telegram's /cmd@botname
	args = strings.TrimSpace(args)
	var out string
	var err error
	switch name {
	case "help", "start":
		out = helpText
	case "tickets":
		out, err = h.cmdTickets(ctx, args)
	case "ticket":
		out, err = h.cmdTicket(ctx, args)
	case "reply":
		idText, body, _ := strings.Cut(args, " ")
		id, perr := parseTicketID(idText)
		if perr != nil || strings.TrimSpace(body) == "" {
			out = "usage: /reply N text"
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
		out = fmt.Sprintf("unknown command /%s\n\n%s", name, helpText)
	}
	if errors.Is(err, tickets.ErrNotFound) || errors.Is(err, ErrNoTicket) {
		out, err = "no such ticket", nil
	}
	if err != nil {
		return err
	}
	h.reply(Reply{Kind: KindCommand, Text: out})
	return nil
}

const helpText = `Owner commands:
/tickets [open|urgent|overdue|all]  tickets waiting for you
/ticket N                  one ticket with its messages
/reply N text              answer the customer of ticket N
/close N                   resolve ticket N
/claim N                   take ticket N
/stock [query]             stock by product name or SKU
/sales [today|yesterday|7d|30d|month]
/summary                   today's summary
/faq question              what the bot would answer, and why
/learn N entry-id          add ticket N's question to a FAQ entry
/help                      this list`

func parseTicketID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad ticket number %q", s)
	}
	return id, nil
}

// ownerReply relays the owner's words to the ticket's customer, on the
// customer's own channel, and records the first response.
func (h *handling) ownerReply(ctx context.Context, id int64, text string) error {
	t, err := h.tickets.Reply(ctx, id, h.m.User, text, h.now)
	switch {
	case errors.Is(err, tickets.ErrNotFound):
		h.reply(Reply{Kind: KindCommand, Text: "no such ticket"})
		return nil
	case errors.Is(err, tickets.ErrResolved):
		h.reply(Reply{Kind: KindCommand, Text: fmt.Sprintf("ticket #%d is already resolved", id)})
		return nil
	case err != nil:
		return err
	}
	h.out = append(h.out, Reply{Channel: t.Channel, Chat: t.Chat, Kind: KindOwner, Text: text, Ticket: t.ID, Priority: string(t.Priority)})
	h.alert(EventAnswered, fmt.Sprintf("#%d answered by %s: %s", t.ID, cmpOr(h.m.Name, h.m.User), oneLine(text, 300)), t)
	h.reply(Reply{Kind: KindCommand, Text: fmt.Sprintf("sent to ticket #%d (%s). /close %d when done", t.ID, customerName(t, h.cfg.OwnerLang), t.ID), Ticket: t.ID})
	return nil
}

func (h *handling) cmdTickets(ctx context.Context, args string) (string, error) {
	f := tickets.Filter{Limit: 30}
	switch args {
	case "", "open":
	case "urgent":
		f.Priority = tickets.Urgent
	case "overdue":
		f.OverdueAt = h.now
	case "all":
		f.Statuses = []tickets.Status{tickets.Open, tickets.Pending, tickets.Resolved}
	default:
		return "usage: /tickets [open|urgent|overdue|all]", nil
	}
	list, err := h.tickets.List(ctx, f)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "no tickets", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d ticket(s):", len(list))
	for _, t := range list {
		b.WriteString("\n" + ticketLine(t, h.now, h.cfg.Location))
	}
	return b.String(), nil
}

func (h *handling) cmdTicket(ctx context.Context, args string) (string, error) {
	id, err := parseTicketID(args)
	if err != nil {
		return "usage: /ticket N", nil
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
	b.WriteString(ticketLine(*t, h.now, h.cfg.Location))
	if t.OrderNumber != "" {
		b.WriteString("\n   order #" + t.OrderNumber)
	}
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n%s %s: %s", m.At.In(h.cfg.Location).Format("01-02 15:04"), m.Author, oneLine(m.Text, 300))
	}
	fmt.Fprintf(&b, "\n/reply %d text · /close %d", t.ID, t.ID)
	return b.String(), nil
}

func (h *handling) cmdClose(ctx context.Context, args string) (string, error) {
	id, err := parseTicketID(args)
	if err != nil {
		return "usage: /close N", nil
	}
	t, err := h.tickets.Close(ctx, id, h.m.User, h.now)
	if errors.Is(err, tickets.ErrResolved) {
		return fmt.Sprintf("ticket #%d was already resolved", id), nil
	}
	if err != nil {
		return "", err
	}
	h.alert(EventResolved, fmt.Sprintf("#%d resolved by %s", t.ID, cmpOr(h.m.Name, h.m.User)), t)
	return fmt.Sprintf("ticket #%d resolved; the bot answers %s again", t.ID, customerName(t, h.cfg.OwnerLang)), nil
}

func (h *handling) cmdClaim(ctx context.Context, args string) (string, error) {
	id, err := parseTicketID(args)
	if err != nil {
		return "usage: /claim N", nil
	}
	who := cmpOr(h.m.Name, h.m.User)
	t, err := h.tickets.Claim(ctx, id, who, h.now)
	if errors.Is(err, tickets.ErrResolved) {
		return fmt.Sprintf("ticket #%d is already resolved", id), nil
	}
	if err != nil {
		return "", err
	}
	h.alert(EventClaimed, fmt.Sprintf("#%d claimed by %s", t.ID, who), t)
	return fmt.Sprintf("ticket #%d is yours", t.ID), nil
}

func (h *handling) cmdStock(ctx context.Context, query string) (string, error) {
	ps, err := h.shop.SearchProducts(ctx, query, 15)
	if err != nil {
		return "", err
	}
	if len(ps) == 0 {
		return fmt.Sprintf("no product matches %q", query), nil
	}
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		flag := ""
		switch {
		case p.Stock <= 0:
			flag = "  ⛔ out of stock"
		case p.Low():
			flag = "  ⚠ low"
		}
		fmt.Fprintf(&b, "%s  %s  %d left (safety %d)  %s%s", p.SKU, p.Name, p.Stock, p.SafetyStock, shop.FormatWon(p.Price), flag)
	}
	return b.String(), nil
}

// period turns a /sales argument into [from, to) in the shop's zone.
func period(arg string, now time.Time, loc *time.Location) (from, to time.Time, label string, ok bool) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch arg {
	case "", "today":
		return today, today.AddDate(0, 0, 1), "today", true
	case "yesterday":
		return today.AddDate(0, 0, -1), today, "yesterday", true
	case "7d", "week":
		return today.AddDate(0, 0, -6), today.AddDate(0, 0, 1), "last 7 days", true
	case "30d":
		return today.AddDate(0, 0, -29), today.AddDate(0, 0, 1), "last 30 days", true
	case "month":
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return first, today.AddDate(0, 0, 1), now.Format("January 2006"), true
	}
	return time.Time{}, time.Time{}, "", false
}

func (h *handling) cmdSales(ctx context.Context, args string) (string, error) {
	from, to, label, ok := period(strings.ToLower(args), h.now, h.cfg.Location)
	if !ok {
		return "usage: /sales [today|yesterday|7d|30d|month]", nil
	}
	s, err := h.shop.Sales(ctx, from, to)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Sales %s (%s – %s): %d orders, %s, %d items", label, from.Format("01-02"), to.Add(-time.Second).Format("01-02"),
		s.Orders, shop.FormatWon(s.Revenue), s.Units)
	if s.Orders > 0 {
		fmt.Fprintf(&b, ", average %s", shop.FormatWon(s.AverageOrder))
	}
	if s.Cancelled+s.Refunded > 0 {
		fmt.Fprintf(&b, "\ncancelled %d, refunded %d", s.Cancelled, s.Refunded)
	}
	for i, p := range s.Top {
		fmt.Fprintf(&b, "\n%d. %s — %d sold, %s", i+1, p.Name, p.Units, shop.FormatWon(p.Revenue))
	}
	return b.String(), nil
}

func (h *handling) cmdSummary(ctx context.Context) (string, error) {
	if h.cfg.Summary == nil {
		return "summary is not set up", nil
	}
	return h.cfg.Summary.Summary(ctx, h.now, h.cfg.OwnerLang)
}

func (h *handling) cmdFAQ(question string) (string, error) {
	if question == "" {
		return "usage: /faq question", nil
	}
	var b bytes.Buffer
	if err := faq.WriteExplain(&b, question, h.matcher.Explain(question)); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}
