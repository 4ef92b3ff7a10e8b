package web

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestEraseAndPurge: a forgotten web chat loses its transcript and no one
// else's; the retention purge removes what is older than the cut-off.
func TestEraseAndPurge(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		say := func(visitor, client string, at time.Time) {
			t.Helper()
			if _, _, err := appendEvent(ctx, db, visitor, 0, Event{From: "customer", Text: "hi", ClientID: client}, at); err != nil {
				t.Fatal(err)
			}
		}
		count := func(visitor string) int {
			t.Helper()
			var n int
			if err := db.GetContext(ctx, &n, db.Rebind(`SELECT COUNT(*) FROM web_messages WHERE visitor = ?`), visitor); err != nil {
				t.Fatal(err)
			}
			return n
		}
		say("v-1", "a", now)
		say("v-2", "a", now.AddDate(-4, 0, 0))
		say("v-2", "b", now)
		for _, tt := range []struct{ channel, chat string }{{"telegram", "v-2"}, {Channel, "v-1"}} {
			if err := EraseChat(ctx, db, tt.channel, tt.chat); err != nil {
				t.Fatal(err)
			}
		}
		if count("v-1") != 0 || count("v-2") != 2 {
			t.Fatalf("after erasing web chat v-1: v-1 %d, v-2 %d messages; want 0 and 2", count("v-1"), count("v-2"))
		}
		n, err := Purge(ctx, db, now.AddDate(-3, 0, 0))
		if err != nil || n != 1 || count("v-2") != 1 {
			t.Errorf("purge: %d deleted (%v), %d left; want 1 deleted, 1 left", n, err, count("v-2"))
		}
	}, Schema)
}
