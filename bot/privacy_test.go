package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/shop"
)

func count(t *testing.T, h *harness, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB.Get(&n, h.DB.Rebind(query), args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// orders counts the shop's orders (numbered n, or all with n "").
func orders(t *testing.T, h *harness, n string) int {
	t.Helper()
	numbers, err := shop.NewStore(h.DB).OrderNumbers(context.Background(), func(string, string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if n == "" {
		return len(numbers)
	}
	found := 0
	for _, number := range numbers {
		if number == n {
			found++
		}
	}
	return found
}

func TestForgetCustomer(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		// Minji verifies for her order and complains; Bob is someone else.
		h.Say("minji", "주문 1042 어디쯤이에요?")
		h.Say("minji", "5678")
		h.Say("minji", "물건이 깨져서 왔어요")
		h.Say("bob", "오늘 날씨 어때요?")
		// Someone typed Emily's email while trying her order.
		h.Say("emily", "where is my order 1044")
		h.Say("emily", "emily@example.com")

		tests := []struct {
			name, phone, email, gone, kept string
		}{
			{"by phone", "010-1234-5678", "", "minji", "bob"},
			{"by email", "", "EMILY@example.com", "emily", "bob"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f, err := bot.Forget(context.Background(), h.DB, tt.phone, tt.email)
				if err != nil {
					t.Fatal(err)
				}
				if f.Conversations != 1 || f.Messages == 0 {
					t.Errorf("Forget = %+v, want one conversation and its messages", f)
				}
				for _, table := range []string{"conversations", "inbound", "outbox", "tickets"} {
					if n := count(t, h, "SELECT COUNT(*) FROM "+table+" WHERE chat = ?", tt.gone); n != 0 {
						t.Errorf("%s still holds %d rows of %s", table, n, tt.gone)
					}
					if table != "tickets" && table != "outbox" && count(t, h, "SELECT COUNT(*) FROM "+table+" WHERE chat = ?", tt.kept) == 0 {
						t.Errorf("%s lost %s's rows", table, tt.kept)
					}
				}
			})
		}
		if orders(t, h, "1042") != 1 {
			t.Error("Forget deleted an order: orders are kept for their own period")
		}
		if _, err := bot.Forget(context.Background(), h.DB, "12", ""); err == nil {
			t.Error("Forget accepted a partial phone number")
		}
	})
}

func TestPurgeKeepsWhatTheLawAsksAndOpenTickets(t *testing.T) {
	run(t, func(t *testing.T, h *harness) {
		h.Say("old", "물건이 깨져서 왔어요") // a ticket, left open
		h.Say("older", "배송비 얼마예요")
		future := testNow.Add(4 * 365 * 24 * time.Hour)
		p, err := bot.Purge(context.Background(), h.DB, bot.DefaultRetention, future)
		if err != nil {
			t.Fatal(err)
		}
		if p.Messages == 0 || p.Conversations != 1 {
			t.Errorf("Purge = %+v, want the journal and the ticketless conversation gone", p)
		}
		if count(t, h, "SELECT COUNT(*) FROM conversations WHERE chat = ?", "old") != 1 {
			t.Error("a conversation with an open ticket was purged")
		}
		if orders(t, h, "") == 0 {
			t.Error("orders purged after 4 years; the law keeps them 5")
		}
		if _, err := bot.Purge(context.Background(), h.DB, bot.DefaultRetention, testNow.Add(6*365*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n := orders(t, h, ""); n != 0 {
			t.Errorf("%d orders left after 6 years", n)
		}
	})
}
