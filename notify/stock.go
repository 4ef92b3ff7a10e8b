package notify

import (
	"fmt"

	"github.com/shopbot/shopbot/bot/shop"
)

// StockEvent decides whether a stock change from before to after (the same
// product, as shop.Store.AdjustStock or an import returns them) is news for
// the owner: it is once per crossing, when the stock falls to zero (urgent:
// sales stop) or to its safety stock (high: time to reorder), and never on
// a sale that leaves it on the same side. A product restocked above its
// safety stock can cross again later. The event's Text is in lang ("ko",
// "en", "zh"); Key is "stock:SKU"; Source is left 0 (the router gives
// it one). The import and webhook paths hand it to the router through
// hooks.Announcer, in the transaction that lands the change.
func StockEvent(before, after shop.Product, lang string) (Event, bool) {
	w := wordsFor(lang)
	name := oneLine(after.Name, 80)
	if name == "" {
		name = after.SKU
	}
	e := Event{Kind: KindStock, Key: "stock:" + after.SKU}
	switch {
	case after.Stock <= 0 && before.Stock > 0:
		e.Priority = "urgent"
		e.Text = fmt.Sprintf(w["stock_out"], name, after.SKU)
	case after.Stock > 0 && after.Stock <= after.SafetyStock && before.Stock > before.SafetyStock:
		e.Priority = "high"
		e.Text = fmt.Sprintf(w["stock_low"], name, after.SKU, after.Stock, after.SafetyStock)
	default:
		return Event{}, false
	}
	return e, true
}
