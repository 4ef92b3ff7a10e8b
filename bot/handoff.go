package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// classified opens the ticket for a message a person must handle. A
// cancellation is urgent unless its order is known to have shipped: that
// is the owner's to know. The customer's answer is the same either way,
// and the same for an order that does not exist, so a cancellation request
// cannot probe order numbers or shipping state.
func (h *handling) classified(ctx context.Context, c tickets.Classification, text string) error {
	number := shop.ExtractOrderNumber(text, h.cfg.OrderPattern)
	told := c.Priority // what the customer's words alone make it
	if c.Category == tickets.Cancellation {
		c.Priority, told = tickets.Urgent, tickets.Urgent
		if number != "" {
			o, err := h.shop.Order(ctx, number)
			switch {
			case err == nil && o.Status.HasShipped():
				c.Priority = tickets.High
				c.Reason += "; order already shipped"
			case err == nil:
				c.Reason += "; order not shipped yet"
			case !errors.Is(err, shop.ErrNotFound):
				return err
			}
		}
	}
	before, err := h.currentTicket(ctx)
	if err != nil {
		return err
	}
	if before != nil && before.Priority.Rank() < told.Rank() {
		told = before.Priority // already more pressing, from earlier messages
	}
	t, err := h.openTicket(ctx, c, text, number)
	if err != nil {
		return err
	}
	if c.Category != tickets.Cancellation {
		told = t.Priority // no order data went into it
	}
	key := "ticket_opened"
	if told == tickets.Urgent {
		key = "ticket_urgent"
	}
	h.reply(Reply{Kind: KindTicket, Text: msg(h.lang, key, t.Ref), Ticket: t.ID, Ref: t.Ref, Priority: string(told)})
	return nil
}

// openTicket opens (or joins) the conversation's ticket with the
// customer's text and tells the owners.
func (h *handling) openTicket(ctx context.Context, c tickets.Classification, text, number string) (*tickets.Ticket, error) {
	return h.openTicketAbout(ctx, c, text, "", number)
}

// openTicketAbout opens (or joins) the conversation's ticket and tells the
// owners. text is the customer's message (none for a ticket the bot opens
// on its own, which has subject to say why); number is the order it is
// about, else the order the conversation verified last.
func (h *handling) openTicketAbout(ctx context.Context, c tickets.Classification, text, subject, number string) (*tickets.Ticket, error) {
	before, err := h.currentTicket(ctx)
	if err != nil {
		return nil, err
	}
	if number == "" {
		// The owner's context: any proof, however old.
		if number, err = lastVerified(ctx, h.tx, h.conv.ID, time.Time{}); err != nil {
			return nil, err
		}
	}
	h.ticketKnown = false
	t, created, err := h.tickets.Open(ctx, tickets.Ticket{
		Channel: h.m.Channel, Chat: h.m.Chat, Customer: h.conv.Name, OrderNumber: number,
		Category: c.Category, Priority: c.Priority, Lang: h.lang, Subject: subject,
	}, text, h.now)
	if err != nil {
		return nil, err
	}
	if text == "" {
		text = subject
		if t, err = h.tickets.AddMessage(ctx, t.ID, tickets.AuthorBot, "bot", subject, h.now); err != nil {
			return nil, err
		}
	}
	h.conv.setState(stateIdle, "")
	h.log.Info("ticket", "id", t.ID, "created", created, "category", t.Category, "priority", t.Priority, "reason", c.Reason)
	switch {
	case created:
		h.alert(EventNew, h.ticketAlert(t, text), t)
	case before != nil && t.Priority == tickets.Urgent && before.Priority != tickets.Urgent:
		h.alert(EventEscalated, h.ticketAlert(t, text), t)
	case before != nil && (t.Priority != before.Priority || t.Category != before.Category):
		// A question that became a complaint: the owner reads it as one.
		h.alert(EventMessage, h.ticketAlert(t, text), t)
	default:
		h.alert(EventMessage, h.o("alert_message", tickets.Number(t.ID, t.Ref), customerName(t), oneLine(text, 500)), t)
	}
	return t, nil
}

// currentTicket is the conversation's open ticket, nil when there is none.
// A message reads it once (the policy, the handoff and the ticket's
// opening each asked again), and again after it changed a ticket.
func (h *handling) currentTicket(ctx context.Context) (*tickets.Ticket, error) {
	if !h.ticketKnown {
		t, err := h.tickets.Current(ctx, h.m.Channel, h.m.Chat)
		switch {
		case errors.Is(err, tickets.ErrNotFound):
			t = nil
		case err != nil:
			return nil, err
		}
		h.ticket, h.ticketKnown = t, true
	}
	if h.ticket == nil {
		return nil, nil
	}
	t := *h.ticket // the caller's to change
	return &t, nil
}

// joinTicket adds a customer message to the conversation's open ticket.
// The bot stays quiet; the owners hear of it.
func (h *handling) joinTicket(ctx context.Context, t *tickets.Ticket, text string) error {
	if text == "" {
		return nil
	}
	before := t.Priority
	h.ticketKnown = false
	t, err := h.tickets.AddMessage(ctx, t.ID, "customer", h.m.User, text, h.now)
	if err != nil {
		return err
	}
	if t.Priority == tickets.Urgent && before != tickets.Urgent {
		h.alert(EventEscalated, h.ticketAlert(t, text), t)
		return nil
	}
	h.alert(EventMessage, h.o("alert_message", tickets.Number(t.ID, t.Ref), customerName(t), oneLine(text, 500)), t)
	return nil
}

func (h *handling) ticketAlert(t *tickets.Ticket, text string) string {
	lang := h.cfg.OwnerLang
	who := customerName(t)
	if t.OrderNumber != "" {
		who += " · #" + t.OrderNumber
	}
	label := t.Priority.Label(lang)
	if baseLang(lang) == "en" {
		label = strings.ToUpper(label)
	}
	return h.o("alert_ticket", label, tickets.Number(t.ID, t.Ref), t.Category.Label(lang), who, oneLine(text, 500), t.ID, t.ID)
}

// customerName is how the owner knows the ticket's customer: the name, or
// the channel and chat.
func customerName(t *tickets.Ticket) string { return t.CustomerName() }

// ErrNoTicket is returned for an owner action on a ticket that does not exist.
var ErrNoTicket = errors.New("no such ticket")

// handOff opens (or joins) a question ticket for a message the bot cannot
// answer and tells the customer a person will.
func (h *handling) handOff(ctx context.Context, c tickets.Classification, text string) error {
	t, err := h.openTicket(ctx, c, text, "")
	if err != nil {
		return err
	}
	h.reply(Reply{Kind: KindHandoff, Text: msg(h.lang, "handoff", t.Ref), Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority)})
	return nil
}

// remark keeps a social message on the ticket of a handed-off
// conversation: the owner sees it with the rest (and in the ticket's
// thread), but it neither reopens nor presses the ticket and pages no one.
func (h *handling) remark(ctx context.Context, t *tickets.Ticket, text string) error {
	h.ticketKnown = false
	t, err := h.tickets.Remark(ctx, t.ID, h.m.User, text, h.now)
	if err != nil {
		return err
	}
	h.alert(EventRemark, h.o("alert_message", tickets.Number(t.ID, t.Ref), customerName(t), oneLine(text, 500)), t)
	return nil
}

// noteAnswers records on open ticket t a question the bot answered while
// the ticket waits for the owner: the customer's message and the bot's
// answer, so the owner reading the ticket sees the whole conversation.
func (h *handling) noteAnswers(ctx context.Context, t *tickets.Ticket, text string, out []Reply) error {
	if h.prevState == stateVerify {
		return nil // proof of identity stays out of the ticket
	}
	var answers []string
	for _, r := range out {
		if r.Channel != h.m.Channel || r.Chat != h.m.Chat {
			continue
		}
		if r.Ticket != 0 || r.Ask != "" {
			return nil // the message joined the ticket itself, or a dialogue began
		}
		answers = append(answers, r.Text)
	}
	if len(answers) == 0 {
		return nil
	}
	h.ticketKnown = false
	if _, err := h.tickets.Remark(ctx, t.ID, h.m.User, text, h.now); err != nil {
		if errors.Is(err, tickets.ErrResolved) {
			return nil
		}
		return err
	}
	_, err := h.tickets.AddMessage(ctx, t.ID, tickets.AuthorBot, "bot", truncate(strings.Join(answers, "\n"), 1000), h.now)
	return err
}
