package bot

import (
	"context"
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
