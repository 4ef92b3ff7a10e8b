package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/faq"
)

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

// lookup starts (or, for a verified conversation, finishes) an order lookup.
func (h *handling) lookup(ctx context.Context, number string, action faq.Action) error {
	n, ok, err := lookupState(ctx, h.tx, h.conv.ID, number, h.now.Add(-h.cfg.Verify.TTL), h.now)
	if err != nil {
		return err
	}
	if n >= maxFailures {
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "locked")})
		return nil
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

// showOrder reads and renders a verified order.
func (h *handling) showOrder(ctx context.Context, number string, action faq.Action) error {
	o, err := h.shop.Order(ctx, number)
	if errors.Is(err, shop.ErrNotFound) {
		h.reply(Reply{Kind: KindOrder, Text: msg(h.lang, "verify_failed")})
		return nil
	}
	if err != nil {
		return err
	}
	h.show(o, action)
	return nil
}

// show renders o, a verified order: through the FAQ's order entry when
// the file has one, else the built-in text.
func (h *handling) show(o *shop.Order, action faq.Action) {
	if e := h.orderEntry(action); e != nil {
		if body, err := e.Render(h.lang, h.data(o)); err == nil {
			// Whatever the owner's template shows, a shipped order's
			// tracking is part of the answer.
			if d := orderData(o, h.lang, h.cfg.Location); d.TrackingNumber != "" && !strings.Contains(body, d.TrackingNumber) {
				body = strings.TrimRight(body, "\n") + "\n" + msg(h.lang, "order_tracking", d.Carrier, d.TrackingNumber, d.TrackingURL)
			}
			h.conv.Answered++
			h.reply(Reply{Kind: KindOrder, Text: body, Entry: e.ID, Link: orderData(o, h.lang, h.cfg.Location).TrackingURL})
			return
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

// orderData is what an order template sees, formatted for lang.
func orderData(o *shop.Order, lang string, loc *time.Location) *faq.Order {
	day := func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02")
	}
	ordered := o.OrderedAt
	d := &faq.Order{
		Number:         o.Number,
		Status:         string(o.Status),
		StatusText:     o.Status.Label(lang),
		Total:          formatMoney(o.Total, lang),
		Carrier:        shop.CarrierName(o.Carrier, lang),
		TrackingNumber: o.TrackingNumber,
		TrackingURL:    shop.TrackingURL(o.Carrier, o.TrackingNumber),
		OrderedAt:      day(&ordered),
		PaidAt:         day(o.PaidAt),
		ShippedAt:      day(o.ShippedAt),
		DeliveredAt:    day(o.DeliveredAt),
	}
	for _, it := range o.Items {
		d.Items = append(d.Items, faq.OrderItem{Name: it.Name, Qty: it.Qty})
	}
	return d
}

func formatMoney(won int64, lang string) string {
	s := shop.FormatWon(won)
	if lang == "ko" {
		return s
	}
	return "₩" + strings.TrimSuffix(s, "원")
}
