package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

// answer turns a match result into a reply: an answer, choices, or a
// ticket for a person.
func (h *handling) answer(ctx context.Context, res faq.Result, text string) error {
	switch res.Decision {
	case faq.Answer:
		return h.answerEntry(ctx, res.Best, text)
	case faq.Clarify:
		r := Reply{Kind: KindClarify, Text: msg(h.lang, "clarify")}
		var ids []string
		for i, e := range res.Choices {
			label := questionIn(e, h.lang)
			r.Choices = append(r.Choices, Choice{Entry: e.ID, Label: label})
			r.Text += fmt.Sprintf("\n%d. %s", i+1, label)
			ids = append(ids, e.ID)
		}
		// The way out: none of these, a person answers the question.
		none := msg(h.lang, "choice_none")
		r.Choices = append(r.Choices, Choice{Entry: ChoiceNone, Label: none})
		r.Text += fmt.Sprintf("\n%d. %s", len(res.Choices)+1, none)
		h.conv.setState(stateClarify, strings.Join(ids, " ")+"\n"+truncate(text, 500))
		h.reply(r)
		return nil
	default:
		return h.handOff(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal, Reason: "no FAQ match"}, text)
	}
}

// ChoiceNone is the choice "none of these": a person answers the question
// the choices were offered for. It is no FAQ entry id (those are
// [a-z0-9_-]+).
const ChoiceNone = "none:"

// questionIn is the entry's first phrasing in lang, for a choice button.
func questionIn(e *faq.Entry, lang string) string {
	for _, q := range e.Questions {
		if faq.DetectLanguage(q) == lang {
			return q
		}
	}
	return e.Questions[0]
}

// answerEntry answers with one FAQ entry, following its action.
func (h *handling) answerEntry(ctx context.Context, e *faq.Entry, text string) error {
	switch e.Action {
	case faq.ActionOrderStatus, faq.ActionDelivery:
		if number := shop.ExtractOrderNumber(text, h.cfg.OrderPattern); number != "" {
			return h.lookup(ctx, number, e.Action)
		}
		h.conv.setState(stateOrderAsked, string(e.Action))
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "ask_order_number"), Entry: e.ID, Ask: AskOrderNumber})
		return nil
	case faq.ActionHuman:
		t, err := h.openTicket(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal, Reason: "FAQ entry " + e.ID}, text, "")
		if err != nil {
			return err
		}
		body, err := e.Render(h.lang, h.data(nil))
		if err != nil {
			body = msg(h.lang, "handoff", t.Ref)
		}
		h.reply(Reply{Kind: KindHandoff, Text: body, Entry: e.ID, Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority)})
		return nil
	}
	body, err := e.Render(h.lang, h.data(nil))
	if err != nil {
		// The file was checked at load; a failure here is a bug or a nil
		// order in a template: a person answers instead of a broken text.
		h.log.Error("bot: render", "entry", e.ID, "err", err)
		return h.answer(ctx, faq.Result{Decision: faq.NoAnswer}, text)
	}
	h.conv.Answered++
	h.reply(Reply{Kind: KindFAQ, Text: body, Entry: e.ID})
	return nil
}

func (h *handling) data(o *shop.Order) faq.Data {
	d := faq.Data{Customer: faq.Customer{Name: h.conv.Name}, Shop: h.cfg.Shop}
	if o != nil {
		d.Order = orderData(o, h.lang, h.cfg.Location)
		if d.Customer.Name == "" {
			d.Customer.Name = o.CustomerName
		}
	}
	return d
}

// lookup starts (or, for a verified conversation, finishes) an order lookup.
func (h *handling) lookup(ctx context.Context, number string, action faq.Action) error {
	n, err := recentFailures(ctx, h.tx, h.conv.ID, h.now)
	if err != nil {
		return err
	}
	if n >= maxFailures {
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "locked")})
		return nil
	}
	ok, err := verified(ctx, h.tx, h.conv.ID, number, h.now.Add(-h.cfg.Verify.TTL))
	if err != nil {
		return err
	}
	if ok {
		return h.showOrder(ctx, number, action)
	}
	if locked, err := h.lockedOut(ctx, number, action, false); locked || err != nil {
		return err
	}
	// Whether the order exists or not, the customer sees the same question:
	// the answer to a guess must not tell which numbers are real.
	h.conv.setState(stateVerify, number+" "+string(action))
	h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "ask_verify", number), Ask: AskVerify})
	return nil
}

// scopes are what a failed verification of number from this message
// counts against besides the conversation.
func (h *handling) scopes(number string) []failureScope {
	return []failureScope{
		{column: "order_number", key: number, lock: h.cfg.Verify.Order},
		{column: "network", key: h.m.Network, lock: h.cfg.Verify.Network},
	}
}

// lockedOut answers the customer when the order number or the sender's
// network is locked by failed verifications; the proof is then not even
// checked, so a right guess during a lockout learns nothing either. The
// answer is the same whether or not the order exists (failures count
// against the number as typed). justLocked: this message's failure locked
// it, so the owners hear of it, once per lockout.
func (h *handling) lockedOut(ctx context.Context, number string, action faq.Action, justLocked bool) (bool, error) {
	for _, s := range h.scopes(number) {
		until, n, err := s.lockedUntil(ctx, h.tx, h.now)
		if err != nil {
			return false, err
		}
		if until.IsZero() {
			continue
		}
		if justLocked {
			key := ownerText(h.cfg.OwnerLang, "scope_order", number)
			if s.column == "network" {
				key = ownerText(h.cfg.OwnerLang, "scope_network", s.key)
			}
			h.log.Warn("order verification locked", "scope", s.column, "failures", n, "until", until)
			for _, a := range h.cfg.Owners {
				h.out = append(h.out, Reply{Channel: a.Channel, Chat: a.Chat, Kind: KindAlert, Event: "lockout", Priority: string(tickets.High),
					Key:  "lockout:" + s.column + ":" + s.key,
					Text: ownerText(h.cfg.OwnerLang, "alert_lockout", key, n, until.In(h.cfg.Location).Format("15:04"))})
			}
		}
		// Still about this order: the code that follows gets the same
		// answer, not a lookup of an order numbered like it.
		h.conv.setState(stateVerify, number+" "+string(action))
		minutes := int(until.Sub(h.now).Minutes()) + 1
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "order_locked", minutes, cmp.Or(h.cfg.Shop.Contact, h.cfg.Shop.Name))})
		return true, nil
	}
	return false, nil
}

// verificationProof finds what the customer offered as proof: a shared
// phone number, an email address, or four digits.
func verificationProof(text, phone string) (string, bool) {
	if phone != "" {
		return "phone:" + phone, true
	}
	for _, f := range strings.Fields(text) {
		f = strings.Trim(f, ".,!?()<>\"'")
		if strings.Count(f, "@") == 1 && strings.Contains(f[strings.Index(f, "@"):], ".") {
			return "email:" + f, true
		}
	}
	if d := fourDigits(text); d != "" {
		return "last4:" + d, true
	}
	return "", false
}

// fourDigits returns the only run of exactly four digits in text
// ("5678", "뒤 4자리 5678이요", "010-1234-5678" gives 5678).
func fourDigits(text string) string {
	var runs []string
	cur := ""
	for _, r := range text + " " {
		if r >= '0' && r <= '9' {
			cur += string(r)
			continue
		}
		if cur != "" {
			runs = append(runs, cur)
		}
		cur = ""
	}
	if len(runs) == 0 {
		return ""
	}
	last := runs[len(runs)-1]
	if len(last) == 4 {
		return last
	}
	if len(last) > 4 && len(runs) == 1 && len(last) <= 11 {
		return last[len(last)-4:] // a whole phone number
	}
	return ""
}

func isFourDigits(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) == 4 && fourDigits(t) == t
}

// verify checks the proof against the order. An unknown order and a wrong
// proof give the same answer and both count as failures, against the
// conversation, the order number and the sender's network.
func (h *handling) verify(ctx context.Context, number string, action faq.Action, proof string) error {
	if locked, err := h.lockedOut(ctx, number, action, false); locked || err != nil {
		return err
	}
	o, err := h.shop.Order(ctx, number)
	if err != nil && !errors.Is(err, shop.ErrNotFound) {
		return err
	}
	ok := false
	if o != nil {
		kind, value, _ := strings.Cut(proof, ":")
		switch kind {
		case "phone":
			ok = samePhone(o.Phone, value)
		case "email":
			ok = shop.EmailMatches(o.Email, value)
		case "last4":
			ok = shop.PhoneLast4Matches(o.Phone, value)
		}
	}
	if ok {
		if err := markVerified(ctx, h.tx, h.conv.ID, number, h.now); err != nil {
			return err
		}
		h.log.Info("order verified", "channel", h.m.Channel, "chat", h.m.Chat, "order", number)
		return h.showOrder(ctx, number, action)
	}
	n, err := recordFailure(ctx, h.tx, h.conv.ID, number, h.m.Network, h.now)
	if err != nil {
		return err
	}
	h.log.Info("order verification failed", "channel", h.m.Channel, "chat", h.m.Chat, "failures", n)
	if n >= maxFailures {
		// The ticket says why, not what was guessed: the wrong answers are
		// no one's business, and the last one alone explains nothing.
		t, err := h.openTicketAbout(ctx, tickets.Classification{Category: tickets.Question, Priority: tickets.Normal,
			Reason: fmt.Sprintf("%d failed order verifications in an hour", n)}, "", ownerText(h.cfg.OwnerLang, "lockout", number, n), number)
		if err != nil {
			return err
		}
		h.reply(Reply{Kind: KindTicket, Text: msg(h.lang, "verify_locked", t.Ref), Ticket: t.ID, Ref: t.Ref, Priority: string(t.Priority)})
		return nil
	}
	// This failure may have locked the order or the network for everyone.
	if locked, err := h.lockedOut(ctx, number, action, true); locked || err != nil {
		return err
	}
	h.conv.setState(stateVerify, number+" "+string(action))
	h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "verify_failed"), Ask: AskVerify})
	return nil
}

// samePhone compares a shared contact's number with the order's, ignoring
// formatting and a +82 country code.
func samePhone(a, b string) bool {
	da, db := nationalDigits(a), nationalDigits(b)
	return len(da) >= 8 && da == db
}

func nationalDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "82") && len(d) >= 11 {
		d = "0" + d[2:]
	}
	return d
}

// showOrder renders a verified order: through the FAQ's order entry when
// the file has one, else the built-in text.
func (h *handling) showOrder(ctx context.Context, number string, action faq.Action) error {
	o, err := h.shop.Order(ctx, number)
	if errors.Is(err, shop.ErrNotFound) {
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "verify_failed")})
		return nil
	}
	if err != nil {
		return err
	}
	if e := h.orderEntry(action); e != nil {
		if body, err := e.Render(h.lang, h.data(o)); err == nil {
			// Whatever the owner's template shows, a shipped order's
			// tracking is part of the answer.
			if d := orderData(o, h.lang, h.cfg.Location); d.TrackingNumber != "" && !strings.Contains(body, d.TrackingNumber) {
				body = strings.TrimRight(body, "\n") + "\n" + msg(h.lang, "order_tracking", d.Carrier, d.TrackingNumber, d.TrackingURL)
			}
			h.conv.Answered++
			h.reply(Reply{Kind: KindOrder, Text: body, Entry: e.ID, Link: orderData(o, h.lang, h.cfg.Location).TrackingURL})
			return nil
		} else {
			h.log.Error("bot: render order", "entry", e.ID, "err", err)
		}
	}
	d := orderData(o, h.lang, h.cfg.Location)
	var items []string
	for _, it := range d.Items {
		items = append(items, fmt.Sprintf("%s × %d", it.Name, it.Qty))
	}
	text := msg(h.lang, "order", d.Number, d.StatusText, strings.Join(items, ", "), d.Total, d.OrderedAt)
	if d.TrackingNumber != "" {
		text += "\n" + msg(h.lang, "order_tracking", d.Carrier, d.TrackingNumber, d.TrackingURL)
	}
	h.conv.Answered++
	h.reply(Reply{Kind: KindOrder, Text: text, Link: d.TrackingURL})
	return nil
}

// orderEntry is the FAQ entry whose template shows an order: the one with
// the asked action, else any order entry.
func (h *handling) orderEntry(action faq.Action) *faq.Entry {
	var fallback *faq.Entry
	for _, e := range h.cfg.FAQ.Entries {
		if e.Action == action && action != faq.ActionNone {
			return e
		}
		if fallback == nil && (e.Action == faq.ActionOrderStatus || e.Action == faq.ActionDelivery) {
			fallback = e
		}
	}
	return fallback
}
