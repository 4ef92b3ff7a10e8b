package bot

import (
	"cmp"
	"context"
	"strings"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
	"github.com/shopbot/shopbot/tickets"
)

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
