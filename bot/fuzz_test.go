package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// FuzzOwnerCommand sends the owner's command parser anything: every input
// gets exactly one answer to the owner (a result or a usage line), never
// an error, a panic or an empty message. Customer texts open tickets first,
// so /reply, /close and /ticket meet real ticket numbers.
func FuzzOwnerCommand(f *testing.F) {
	for _, s := range []string{
		"/reply 1 배송은 내일 출발해요", "/reply 1", "/reply x hi", "/reply 99999999999999999999999 hi",
		"/close 1", "/close -1", "/close", "/ticket 1", "/ticket 0x10", "/claim 1",
		"/tickets", "/tickets urgent", "/tickets overdue", "/tickets 😀",
		"/stock 티셔츠", "/stock", "/stock %s%d{{.}}", "/sales 7d", "/sales month", "/sales 1999-01-01",
		"/summary", "/faq 배송 언제 와요", "/faq", "/learn 1 shipping-time", "/learn 1", "/learn a b c",
		"/help", "/start@shop_bot", "/REPLY 1 hi", "hello", "", "/", "//", "/reply 1 \x00\xff",
	} {
		f.Add(s, int64(0))
	}
	f.Add("어떻게 되고 있나요?", int64(1))
	db := dbtest.Open(f, "sqlite", shop.Schema, tickets.Schema, bot.Schema)
	h := newHarness(f, db)
	for _, s := range []string{"물건이 깨져서 왔어요", "환불해 주세요", "주문 1043 취소해 주세요"} {
		h.Say("fuzz-customer", s)
	}
	var seq int
	f.Fuzz(func(t *testing.T, text string, ticket int64) {
		seq++
		m := bot.Message{Channel: "console", Chat: "owner", User: "owner", Owner: true,
			ID: fmt.Sprint("fuzz-", seq), Text: text, Ticket: ticket}
		rs, err := h.Engine.Handle(context.Background(), m)
		if err != nil {
			t.Fatalf("owner %q (ticket %d): %v", text, ticket, err)
		}
		var toOwner []bot.Reply
		for _, r := range rs {
			if r.Chat == "owner" {
				toOwner = append(toOwner, r)
			}
		}
		if len(toOwner) != 1 || strings.TrimSpace(toOwner[0].Text) == "" || !utf8.ValidString(toOwner[0].Text) {
			t.Fatalf("owner %q (ticket %d): answers %+v, want one non-empty valid-UTF-8 answer", text, ticket, toOwner)
		}
	})
}
