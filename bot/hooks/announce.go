// Package hooks keeps the shop's data current from the platforms it sells
// on — Shopify's webhooks and a generic JSON webhook — and tells people
// what the changes mean: the owner when a product runs low, and (opt-in) a
// customer when their parcel ships. Imports (`shopbot import`) tell
// through the same Announcer.
package hooks

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/notify"
)

// Waker is told when messages were queued and committed (*bot.Outbox is).
type Waker interface{ Wake() }

// Announcer is the one path from data changes to people: every stock
// change passes its safety-stock check (notify.StockEvent) and every
// shipment its customer message.
type Announcer struct {
	// Outbox, if set, is woken after a commit that queued messages.
	Outbox Waker
	// Owners takes the owner's stock alerts within the change's
	// transaction (the notify router, or a queue for it). nil: the owner
	// is not told.
	Owners notify.TxPoster
	// NotifyShipped sends a customer whose conversation is linked to an
	// order (they verified it) a message when it ships. Off by default.
	NotifyShipped bool
	OwnerLang     string         // language of owner alerts ("ko", "en", "zh")
	Location      *time.Location // the shop's time zone, for "today"; nil: UTC
	Now           func() time.Time
	Log           *slog.Logger
}

// staleShipment is how old a shipment may be and still be news to the
// customer: importing last month's export tells no one anything.
const staleShipment = 48 * time.Hour

// Announce queues the owner alerts and customer messages that c calls for
// in q, the transaction that lands c, so that they are sent if and only if
// the change commits. Call Wake after the commit.
func (a *Announcer) Announce(ctx context.Context, q sqlx.ExtContext, c shop.Changes) error {
	if a == nil {
		return nil
	}
	now := a.now()
	for _, sc := range c.Stock {
		e, ok := notify.StockEvent(sc.Before, sc.After, a.OwnerLang)
		if !ok || a.Owners == nil {
			continue
		}
		if err := a.Owners.PostTx(ctx, q, e); err != nil {
			return fmt.Errorf("hooks: stock alert %s: %w", sc.After.SKU, err)
		}
	}
	if !a.NotifyShipped {
		return nil
	}
	for _, o := range c.Shipped {
		if o.ShippedAt != nil && now.Sub(*o.ShippedAt) > staleShipment {
			continue
		}
		if err := a.shipped(ctx, q, o, now); err != nil {
			return err
		}
	}
	return nil
}

// Wake tells the outbox that Announce's messages are committed.
func (a *Announcer) Wake() {
	if a != nil && a.Outbox != nil {
		a.Outbox.Wake()
	}
}

func (a *Announcer) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// shipped tells each conversation linked to o that it has shipped.
func (a *Announcer) shipped(ctx context.Context, q sqlx.ExtContext, o shop.Order, now time.Time) error {
	chats, err := bot.NewConversations(q).Verified(ctx, o.Number)
	if err != nil {
		return fmt.Errorf("hooks: shipment %s: %w", o.Number, err)
	}
	for _, c := range chats {
		text := ShippedText(o, c.Lang, a.today(o, now))
		if _, err := bot.EnqueueTx(ctx, q, bot.Reply{Channel: c.Channel, Chat: c.Chat, Kind: bot.KindOrder, Text: text}, now); err != nil {
			return fmt.Errorf("hooks: shipment %s: %w", o.Number, err)
		}
		if a.Log != nil {
			a.Log.Info("shipment told", "order", o.Number, "channel", c.Channel, "chat", c.Chat)
		}
	}
	return nil
}

// today reports whether o shipped today in the shop's time zone (unknown:
// it is news now, so yes).
func (a *Announcer) today(o shop.Order, now time.Time) bool {
	if o.ShippedAt == nil {
		return true
	}
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	y1, m1, d1 := o.ShippedAt.In(loc).Date()
	y2, m2, d2 := now.In(loc).Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// ShippedText is the customer's message that order o has shipped, in
// lang ("ko" by default, "en", "zh"), with the carrier, tracking number and
// tracking link when known.
func ShippedText(o shop.Order, lang string, today bool) string {
	w := shippedWords[langOf(lang)]
	s := fmt.Sprintf(w.shipped, o.Number)
	if today {
		s = fmt.Sprintf(w.today, o.Number)
	}
	if o.TrackingNumber != "" {
		s += fmt.Sprintf(w.tracking, shop.CarrierName(o.Carrier, w.carrierLang), o.TrackingNumber)
	}
	if u := o.TrackingURL(); u != "" {
		s += w.track + u
	}
	return s
}

// shippedWords are ShippedText's words per language: the sentences (order
// number), the tracking clause (carrier, number), the link's label and
// the language of carrier names.
var shippedWords = map[string]struct{ shipped, today, tracking, track, carrierLang string }{
	"ko": {"주문 %s 상품이 출고되었어요.", "주문 %s 상품이 오늘 출고되었어요.", " %s 운송장 %s", "\n배송 조회: ", "ko"},
	"en": {"Your order %s has shipped.", "Your order %s shipped today.", " %s tracking number %s", "\nTrack it: ", "en"},
	"zh": {"您的订单 %s 已发货。", "您的订单 %s 今天已发货。", " %s 运单号 %s", "\n查询: ", "en"},
}

func langOf(lang string) string {
	if len(lang) >= 2 {
		switch lang[:2] {
		case "en", "EN", "En":
			return "en"
		case "zh", "ZH", "Zh":
			return "zh"
		}
	}
	return "ko"
}
