package tickets_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/tickets"
)

// TestLabels: every priority, category and status has a word in each
// owner language, distinct within its kind, and English is the fallback.
func TestLabels(t *testing.T) {
	type labeled interface{ Label(string) string }
	kinds := map[string][]labeled{}
	for _, p := range tickets.Priorities {
		kinds["priority"] = append(kinds["priority"], p)
	}
	for _, c := range tickets.Categories {
		kinds["category"] = append(kinds["category"], c)
	}
	for _, s := range tickets.Statuses {
		kinds["status"] = append(kinds["status"], s)
	}
	for kind, vs := range kinds {
		for _, lang := range []string{"ko", "en", "zh"} {
			seen := map[string]bool{}
			for _, v := range vs {
				l := v.Label(lang)
				if l == "" || seen[l] {
					t.Errorf("%s %v in %s: label %q empty or repeated", kind, v, lang, l)
				}
				seen[l] = true
				if lang != "en" && l == v.Label("en") {
					t.Errorf("%s %v in %s: %q is the English label", kind, v, lang, l)
				}
			}
		}
	}
	tests := []struct {
		got, want string
	}{
		{tickets.Complaint.Label("ko"), "불만"},
		{tickets.Urgent.Label("zh-CN"), "紧急"},
		{tickets.Pending.Label("en"), "pending"},
		{tickets.Refund.Label("fr"), "refund"},
		{tickets.Category("mystery").Label("ko"), "mystery"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("label %q, want %q", tt.got, tt.want)
		}
	}
}

func TestNeedsPerson(t *testing.T) {
	want := map[tickets.Category]bool{
		tickets.Complaint: true, tickets.Payment: true, tickets.Cancellation: true, tickets.Refund: true,
		tickets.Return: true, tickets.Exchange: true, tickets.Escalation: true,
		tickets.Question: false, tickets.Feedback: false, tickets.Abuse: false,
	}
	for _, c := range tickets.Categories {
		if got := c.NeedsPerson(); got != want[c] {
			t.Errorf("%s.NeedsPerson() = %v, want %v", c, got, want[c])
		}
	}
}

// TestLatestAndSilentOpen: Latest gives each ticket's newest message; a
// ticket opened without a customer message (the bot's own, with a subject
// saying why) has none until one is added.
func TestLatestAndSilentOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		a, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "a"}, "first", t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Reply(ctx, a.ID, "owner", "answer", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		b, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "b", Subject: "order lookups locked"}, "", t0)
		if err != nil {
			t.Fatal(err)
		}
		if b.Messages != 0 || b.Subject != "order lookups locked" {
			t.Errorf("silent open: %d messages, subject %q", b.Messages, b.Subject)
		}
		latest, err := s.Latest(ctx, []int64{a.ID, b.ID, 999})
		if err != nil {
			t.Fatal(err)
		}
		if len(latest) != 1 || latest[a.ID].Text != "answer" || latest[a.ID].Author != tickets.AuthorOwner {
			t.Errorf("Latest = %+v, want ticket %d's owner answer only", latest, a.ID)
		}
		if _, err := s.AddMessage(ctx, b.ID, tickets.AuthorBot, "bot", "5 failed verifications", t0); err != nil {
			t.Fatal(err)
		}
		if latest, err = s.Latest(ctx, []int64{b.ID}); err != nil || latest[b.ID].Author != tickets.AuthorBot {
			t.Errorf("Latest after a bot note = %+v, %v", latest, err)
		}
	}, tickets.Schema)
}

// TestUnanswered: the FAQ candidates are the first customer words of
// normal question tickets; off-topic (low) ones and the bot's own
// (no customer message) are not.
func TestUnanswered(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		open := func(chat string, c tickets.Category, p tickets.Priority, text, subject string) {
			t.Helper()
			if _, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: chat, Category: c, Priority: p, Subject: subject}, text, t0); err != nil {
				t.Fatal(err)
			}
		}
		open("a", tickets.Question, tickets.Normal, "선물 포장 되나요?", "")
		open("a", tickets.Question, tickets.Normal, "그리고 카드도요", "")
		open("b", tickets.Question, tickets.Low, "맛집 추천해 주세요", "")
		open("c", tickets.Question, tickets.Normal, "", "order 1043 lookups locked")
		open("d", tickets.Complaint, tickets.High, "깨져서 왔어요", "")
		got, err := s.Unanswered(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != "선물 포장 되나요?" {
			t.Errorf("Unanswered = %q, want the gift-wrap question only", got)
		}
		if got, _ := s.Unanswered(ctx, t0.Add(time.Hour), t0.Add(2*time.Hour)); len(got) != 0 {
			t.Errorf("Unanswered later = %q, want none", got)
		}
	}, tickets.Schema)
}
