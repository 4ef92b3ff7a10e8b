package bot_test

import (
	"context"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// TestRoundTripsPerMessage counts the times the engine waits for
// PostgreSQL (simple queries and Syncs, through a counting proxy, on the
// DSN serve uses) for each kind of customer message, the transaction's
// BEGIN and COMMIT included. A statement merged away must not come back:
// each count is the most it may take. (pgbench -N takes 5.)
func TestRoundTripsPerMessage(t *testing.T) {
	url, p := dbtest.PostgresProxy(t)
	ctx := context.Background()
	db, err := schema.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := schema.Migrate(ctx, db, shop.Schema, tickets.Schema, bot.Schema); err != nil {
		t.Fatal(err)
	}
	h := bottest.New(t, db)
	tests := []struct {
		name, chat, text string
		kind             bot.Kind
		max              int
	}{
		// Before the statements were merged: 8, 9, 8, 11 and 16 (12 for the
		// complaint after the first merges; 10 once the ticket is read once;
		// the order question 8 until its checks of failed and proved
		// verifications were one statement, and of the lockouts another;
		// the code 11 while the order it proves was read twice).
		{"a new conversation's FAQ question", "a", "배송 언제 와요?", bot.KindFAQ, 5},
		{"an FAQ question that may be about a product", "a", "how much is shipping", bot.KindFAQ, 6},
		{"another FAQ question", "a", "반품하려면 어떻게 해요", bot.KindFAQ, 5},
		{"an order number asked", "b", "주문 1042 어디쯤이에요?", bot.KindOrder, 7},
		{"the code that proves it", "b", "5678", bot.KindOrder, 9},
		{"a complaint (a ticket)", "c", "받은 컵이 깨져서 왔어요", bot.KindTicket, 10},
	}
	for _, c := range tests {
		before := p.RoundTrips()
		rs := h.Say(c.chat, c.text)
		got := p.RoundTrips() - before
		t.Logf("%s: %d round trips", c.name, got)
		bottest.One(t, rs, c.kind)
		if got > c.max {
			t.Errorf("%s: %d round trips, want at most %d", c.name, got, c.max)
		}
	}
}
