package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/tickets"
)

// t0 is a fixed test clock, truncated to what PostgreSQL keeps.
var t0 = time.Date(2026, 11, 3, 9, 30, 0, 123456000, time.UTC)

func TestOpenJoinRaise(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		tk, created, err := s.Open(ctx, tickets.Ticket{
			Channel: "telegram", Chat: "42", Customer: "김민지", Category: tickets.Question,
			Priority: tickets.Normal, Lang: "ko",
		}, "선물 포장 되나요?", t0)
		if err != nil {
			t.Fatal(err)
		}
		if !created {
			t.Error("first Open: created = false")
		}
		if ok, _ := regexp.MatchString(`^[2-9A-HJ-NP-Z]{6}$`, tk.Ref); !ok {
			t.Errorf("Ref = %q, want six characters of 2-9 and A-Z without I and O", tk.Ref)
		}
		want := &tickets.Ticket{
			Ref: tk.Ref, ID: tk.ID, Channel: "telegram", Chat: "42", Customer: "김민지", Category: tickets.Question,
			Priority: tickets.Normal, Status: tickets.Open, Subject: "선물 포장 되나요?", Lang: "ko",
			CreatedAt: t0, UpdatedAt: t0, DueAt: t0.Add(24 * time.Hour), Messages: 1,
		}
		if diff := cmp.Diff(want, tk); diff != "" {
			t.Errorf("Open (-want +got):\n%s", diff)
		}

		// A complaint in the same conversation joins and raises the ticket.
		t1 := t0.Add(10 * time.Minute)
		got, created, err := s.Open(ctx, tickets.Ticket{
			Channel: "telegram", Chat: "42", Category: tickets.Complaint, Priority: tickets.High, OrderNumber: "A-100",
		}, "상품이 파손되어 왔어요", t1)
		if err != nil {
			t.Fatal(err)
		}
		if created {
			t.Error("second Open: created = true")
		}
		want.Priority, want.Category, want.OrderNumber = tickets.High, tickets.Complaint, "A-100"
		want.DueAt, want.UpdatedAt, want.Messages = t0.Add(4*time.Hour), t1, 2
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("joined Open (-want +got):\n%s", diff)
		}

		// A lower priority joins but never lowers.
		t2 := t1.Add(time.Minute)
		got, _, err = s.Open(ctx, tickets.Ticket{Channel: "telegram", Chat: "42", Category: tickets.Feedback, Priority: tickets.Low}, "그리고 건의사항", t2)
		if err != nil {
			t.Fatal(err)
		}
		// Three unanswered messages, but only the complaint pressed: the
		// question and the suggestion do not make it urgent.
		want.UpdatedAt, want.Messages = t2, 3
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("third Open (-want +got):\n%s", diff)
		}

		// Another conversation gets its own ticket.
		other, created, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "42"}, "hello", t2)
		if err != nil {
			t.Fatal(err)
		}
		if !created || other.ID == tk.ID || other.Priority != tickets.Normal || other.Category != tickets.Question {
			t.Errorf("other conversation: created %v, %+v", created, other)
		}

		cur, err := s.Current(ctx, "telegram", "42")
		if err != nil {
			t.Fatal(err)
		}
		if cur.ID != tk.ID {
			t.Errorf("Current = %d, want %d", cur.ID, tk.ID)
		}
		if _, err := s.Current(ctx, "telegram", "43"); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("Current of a conversation without a ticket: %v, want ErrNotFound", err)
		}
		msgs, err := s.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, m := range msgs {
			press := ""
			if m.Presses {
				press = " (presses)"
			}
			texts = append(texts, m.Author+":"+m.Text+press)
		}
		if diff := cmp.Diff([]string{"customer:선물 포장 되나요?", "customer:상품이 파손되어 왔어요 (presses)", "customer:그리고 건의사항"}, texts); diff != "" {
			t.Errorf("Messages (-want +got):\n%s", diff)
		}
		if !msgs[0].At.Equal(t0) || msgs[0].By != "김민지" || msgs[0].TicketID != tk.ID {
			t.Errorf("first message = %+v", msgs[0])
		}
	}, tickets.Schema)
}

func TestThirdMessageEscalation(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		open := func(chat string) *tickets.Ticket {
			t.Helper()
			tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: chat, Category: tickets.Complaint, Priority: tickets.High}, "first", t0)
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		add := func(id int64, author string, at time.Time) *tickets.Ticket {
			t.Helper()
			tk, err := s.AddMessage(ctx, id, author, "x", "more", at)
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}

		t.Run("three within 24h", func(t *testing.T) {
			tk := open("a")
			if got := add(tk.ID, tickets.AuthorCustomer, t0.Add(time.Hour)); got.Priority != tickets.High {
				t.Errorf("after 2 messages: %s, want high", got.Priority)
			}
			got := add(tk.ID, tickets.AuthorCustomer, t0.Add(2*time.Hour))
			if got.Priority != tickets.Urgent || !got.DueAt.Equal(t0.Add(time.Hour)) || got.Messages != 3 {
				t.Errorf("after 3 messages: %s due %v (%d messages), want urgent due %v", got.Priority, got.DueAt, got.Messages, t0.Add(time.Hour))
			}
			if !got.Overdue(t0.Add(2 * time.Hour)) {
				t.Error("urgent ticket past its hour is not overdue")
			}
		})
		t.Run("spread over more than 24h", func(t *testing.T) {
			tk := open("b")
			add(tk.ID, tickets.AuthorCustomer, t0.Add(20*time.Hour))
			if got := add(tk.ID, tickets.AuthorCustomer, t0.Add(25*time.Hour)); got.Priority != tickets.High {
				t.Errorf("got %s, want high", got.Priority)
			}
		})
		t.Run("owner answered in between", func(t *testing.T) {
			tk := open("c")
			add(tk.ID, tickets.AuthorCustomer, t0.Add(time.Minute))
			if got := add(tk.ID, tickets.AuthorOwner, t0.Add(2*time.Minute)); got.Status != tickets.Pending {
				t.Errorf("owner message: status %s, want pending", got.Status)
			}
			got := add(tk.ID, tickets.AuthorCustomer, t0.Add(3*time.Minute))
			if got.Priority != tickets.High || got.Status != tickets.Open {
				t.Errorf("got %s %s, want high open", got.Priority, got.Status)
			}
			add(tk.ID, tickets.AuthorCustomer, t0.Add(4*time.Minute))
			if got := add(tk.ID, tickets.AuthorCustomer, t0.Add(5*time.Minute)); got.Priority != tickets.Urgent {
				t.Errorf("third since the reply: %s, want urgent", got.Priority)
			}
		})
		t.Run("bot messages do not count", func(t *testing.T) {
			tk := open("d")
			add(tk.ID, tickets.AuthorBot, t0.Add(time.Minute))
			got := add(tk.ID, tickets.AuthorCustomer, t0.Add(2*time.Minute))
			if got.Priority != tickets.High || got.Messages != 3 {
				t.Errorf("got %s with %d messages, want high with 3", got.Priority, got.Messages)
			}
		})
		t.Run("remarks do not press", func(t *testing.T) {
			tk := open("f")
			for i := range 3 {
				got, err := s.Remark(ctx, tk.ID, "x", "감사합니다", t0.Add(time.Duration(i+1)*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				if got.Priority != tickets.High || got.Messages != i+2 {
					t.Errorf("after remark %d: %s with %d messages, want high with %d", i+1, got.Priority, got.Messages, i+2)
				}
			}
			if got := add(tk.ID, tickets.AuthorCustomer, t0.Add(time.Hour)); got.Priority != tickets.High {
				t.Errorf("second pressing message after three remarks: %s, want high", got.Priority)
			}
		})
		t.Run("a remark does not reopen", func(t *testing.T) {
			tk := open("g")
			add(tk.ID, tickets.AuthorOwner, t0.Add(time.Minute))
			got, err := s.Remark(ctx, tk.ID, "x", "thanks!", t0.Add(2*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tickets.Pending {
				t.Errorf("status after a remark = %s, want pending", got.Status)
			}
		})
		t.Run("questions never escalate", func(t *testing.T) {
			tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "h", Category: tickets.Question, Priority: tickets.Normal}, "선물 포장 돼요?", t0)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 4 {
				tk, _, err = s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "h", Category: tickets.Question, Priority: tickets.Normal}, "그리고 이것도요", t0.Add(time.Duration(i+1)*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				tk = add(tk.ID, tickets.AuthorCustomer, t0.Add(time.Duration(i+1)*time.Minute))
			}
			if tk.Priority != tickets.Normal || tk.Messages != 9 {
				t.Errorf("question after 9 messages: %s with %d messages, want normal with 9", tk.Priority, tk.Messages)
			}
		})
		t.Run("unknown author", func(t *testing.T) {
			tk := open("e")
			if _, err := s.AddMessage(ctx, tk.ID, "robot", "", "x", t0); err == nil {
				t.Error("unknown author accepted")
			}
		})
	}, tickets.Schema)
}

func TestReplyCloseReopen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, tickets.SLA{tickets.High: 2 * time.Hour})
		tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "console", Chat: "me", Category: tickets.Refund, Priority: tickets.High}, "환불해 주세요", t0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tk.DueAt, t0.Add(2*time.Hour); !got.Equal(want) {
			t.Errorf("DueAt with a custom SLA = %v, want %v", got, want)
		}
		r1 := t0.Add(30 * time.Minute)
		got, err := s.Reply(ctx, tk.ID, "owner1", "확인해 볼게요", r1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tickets.Pending || got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(r1) {
			t.Errorf("after reply: %s first response %v, want pending at %v", got.Status, got.FirstResponseAt, r1)
		}
		got, err = s.Reply(ctx, tk.ID, "owner1", "환불 처리했어요", r1.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !got.FirstResponseAt.Equal(r1) {
			t.Errorf("second reply moved FirstResponseAt to %v", got.FirstResponseAt)
		}
		if got.Overdue(t0.Add(48 * time.Hour)) {
			t.Error("answered ticket is overdue")
		}
		got, err = s.Claim(ctx, tk.ID, "owner2", r1.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got.ClaimedBy != "owner2" {
			t.Errorf("ClaimedBy = %q", got.ClaimedBy)
		}
		c1 := r1.Add(3 * time.Hour)
		got, err = s.Close(ctx, tk.ID, "owner2", c1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tickets.Resolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(c1) || got.ResolvedBy != "owner2" {
			t.Errorf("after close: %+v", got)
		}
		for name, f := range map[string]func() error{
			"reply": func() error { _, err := s.Reply(ctx, tk.ID, "o", "x", c1); return err },
			"close": func() error { _, err := s.Close(ctx, tk.ID, "o", c1); return err },
			"claim": func() error { _, err := s.Claim(ctx, tk.ID, "o", c1); return err },
			"add":   func() error { _, err := s.AddMessage(ctx, tk.ID, tickets.AuthorCustomer, "c", "x", c1); return err },
		} {
			if err := f(); !errors.Is(err, tickets.ErrResolved) {
				t.Errorf("%s on a resolved ticket: %v, want ErrResolved", name, err)
			}
		}
		if _, err := s.Current(ctx, "console", "me"); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("Current after close: %v, want ErrNotFound", err)
		}
		next, created, err := s.Open(ctx, tickets.Ticket{Channel: "console", Chat: "me", Category: tickets.Question}, "또 질문", c1.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !created || next.ID == tk.ID || next.Status != tickets.Open || next.Messages != 1 {
			t.Errorf("after close, Open: created %v %+v", created, next)
		}
		msgs, err := s.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(msgs), 3; got != want {
			t.Errorf("messages on the closed ticket = %d, want %d", got, want)
		}
		if msgs[1].Author != tickets.AuthorOwner || msgs[1].By != "owner1" {
			t.Errorf("reply message = %+v", msgs[1])
		}
	}, tickets.Schema)
}

func TestNotFound(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		const id = 999
		calls := map[string]func() error{
			"get":      func() error { _, err := s.Get(ctx, id); return err },
			"messages": func() error { _, err := s.Messages(ctx, id); return err },
			"reply":    func() error { _, err := s.Reply(ctx, id, "o", "x", t0); return err },
			"close":    func() error { _, err := s.Close(ctx, id, "o", t0); return err },
			"claim":    func() error { _, err := s.Claim(ctx, id, "o", t0); return err },
			"add":      func() error { _, err := s.AddMessage(ctx, id, tickets.AuthorCustomer, "c", "x", t0); return err },
			"current":  func() error { _, err := s.Current(ctx, "web", "nobody"); return err },
		}
		for name, f := range calls {
			if err := f(); !errors.Is(err, tickets.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", name, err)
			}
		}
	}, tickets.Schema)
}

func TestListAndStats(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		// chat, priority, opened at (minutes after t0), answered after (minutes, 0: never), closed
		type spec struct {
			chat     string
			p        tickets.Priority
			at       int
			answer   int
			resolved bool
		}
		specs := []spec{
			{"low1", tickets.Low, 0, 0, false},
			{"norm1", tickets.Normal, 0, 0, false},
			{"urg1", tickets.Urgent, 60, 0, false},
			{"high1", tickets.High, 0, 30, false},
			{"high2", tickets.High, 10, 0, false},
			{"urg2", tickets.Urgent, 0, 10, true},
			{"norm2", tickets.Normal, 5, 90, false},
		}
		ids := map[string]int64{}
		for _, sp := range specs {
			at := t0.Add(time.Duration(sp.at) * time.Minute)
			tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: sp.chat, Priority: sp.p}, sp.chat, at)
			if err != nil {
				t.Fatal(err)
			}
			ids[sp.chat] = tk.ID
			if sp.answer > 0 {
				if _, err := s.Reply(ctx, tk.ID, "o", "ok", at.Add(time.Duration(sp.answer)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if sp.resolved {
				if _, err := s.Close(ctx, tk.ID, "o", at.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
		chats := func(ts []tickets.Ticket) []string {
			var out []string
			for _, tk := range ts {
				out = append(out, tk.Chat)
			}
			return out
		}
		tests := []struct {
			name string
			f    tickets.Filter
			want []string
		}{
			{"default: open and pending", tickets.Filter{}, []string{"urg1", "high1", "high2", "norm1", "norm2", "low1"}},
			{"resolved", tickets.Filter{Statuses: []tickets.Status{tickets.Resolved}}, []string{"urg2"}},
			{"all", tickets.Filter{Statuses: []tickets.Status{tickets.Open, tickets.Pending, tickets.Resolved}},
				[]string{"urg2", "urg1", "high1", "high2", "norm1", "norm2", "low1"}},
			{"pending", tickets.Filter{Statuses: []tickets.Status{tickets.Pending}}, []string{"high1", "norm2"}},
			{"urgent", tickets.Filter{Priority: tickets.Urgent}, []string{"urg1"}},
			{"high", tickets.Filter{Priority: tickets.High}, []string{"high1", "high2"}},
			{"limit", tickets.Filter{Limit: 2}, []string{"urg1", "high1"}},
			{"second page", tickets.Filter{Limit: 2, Offset: 2}, []string{"high2", "norm1"}},
			{"last page", tickets.Filter{Limit: 4, Offset: 4}, []string{"norm2", "low1"}},
			{"offset alone", tickets.Filter{Offset: 5}, []string{"low1"}},
			// At t0+5h: urg1 (due 2:00), high2 (due 4:10) are past due and unanswered.
			{"overdue", tickets.Filter{OverdueAt: t0.Add(5 * time.Hour)}, []string{"urg1", "high2"}},
			{"overdue later", tickets.Filter{OverdueAt: t0.Add(25 * time.Hour)}, []string{"urg1", "high2", "norm1"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := s.List(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, chats(got)); diff != "" {
					t.Errorf("List (-want +got):\n%s", diff)
				}
				n, err := s.Count(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if tt.f.Limit == 0 && tt.f.Offset == 0 && n != len(tt.want) {
					t.Errorf("Count = %d, want %d", n, len(tt.want))
				}
			})
		}
		if n, err := s.Count(ctx, tickets.Filter{Limit: 2, Offset: 2}); err != nil || n != 6 {
			t.Errorf("Count of a page = %d, %v; want 6 (the whole list)", n, err)
		}
		if _, err := s.List(ctx, tickets.Filter{Priority: "asap"}); err == nil {
			t.Error("List with an unknown priority: no error")
		}
		if _, err := s.List(ctx, tickets.Filter{Statuses: []tickets.Status{"closed"}}); err == nil {
			t.Error("List with an unknown status: no error")
		}

		// Answered: urg2 after 10 min, high1 after 30, norm2 after 90: median 30 min.
		st, err := s.Stats(ctx, t0, t0.Add(24*time.Hour), t0.Add(5*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := tickets.Stats{
			New: 7, Resolved: 1, Overdue: 2, MedianFirstResponse: 30 * time.Minute, Answered: 3,
			OpenByPriority: map[tickets.Priority]int{tickets.Urgent: 1, tickets.High: 2, tickets.Normal: 2, tickets.Low: 1},
		}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("Stats (-want +got):\n%s", diff)
		}
		// [t0+1m, t0+100m): opened urg1, high2, norm2; resolved urg2 (t0+60m);
		// first answered urg2 (10 min), high1 (30 min), norm2 (90 min).
		st, err = s.Stats(ctx, t0.Add(time.Minute), t0.Add(100*time.Minute), t0)
		if err != nil {
			t.Fatal(err)
		}
		want = tickets.Stats{
			New: 3, Resolved: 1, Overdue: 0, MedianFirstResponse: 30 * time.Minute, Answered: 3,
			OpenByPriority: want.OpenByPriority,
		}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("Stats of a window (-want +got):\n%s", diff)
		}
		empty, err := s.Stats(ctx, t0.Add(-48*time.Hour), t0.Add(-24*time.Hour), t0)
		if err != nil {
			t.Fatal(err)
		}
		if empty.New != 0 || empty.Answered != 0 || empty.MedianFirstResponse != 0 {
			t.Errorf("Stats of an empty window = %+v", empty)
		}

		// The figures of a past moment: OpenAt agrees with Stats at t0+5h,
		// and at t0+30m urg2 was still open and urg1 not yet.
		for _, tc := range []struct {
			at      time.Time
			open    map[tickets.Priority]int
			overdue int
		}{
			{t0.Add(5 * time.Hour), map[tickets.Priority]int{tickets.Urgent: 1, tickets.High: 2, tickets.Normal: 2, tickets.Low: 1}, 2},
			{t0.Add(30 * time.Minute), map[tickets.Priority]int{tickets.Urgent: 1, tickets.High: 2, tickets.Normal: 2, tickets.Low: 1}, 0},
			{t0.Add(-time.Minute), map[tickets.Priority]int{}, 0},
		} {
			open, overdue, err := s.OpenAt(ctx, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.open, open); diff != "" || overdue != tc.overdue {
				t.Errorf("OpenAt(%s): overdue %d, want %d; open (-want +got):\n%s", tc.at.Sub(t0), overdue, tc.overdue, diff)
			}
		}
		// urg2 was resolved at t0+60m: not open in [t0+61m, t0+2h).
		open, err := s.OpenChats(ctx, t0.Add(61*time.Minute), t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		wantOpen := map[tickets.Chat]bool{}
		for _, c := range []string{"low1", "norm1", "urg1", "high1", "high2", "norm2"} {
			wantOpen[tickets.Chat{Channel: "web", Chat: c}] = true
		}
		if diff := cmp.Diff(wantOpen, open); diff != "" {
			t.Errorf("OpenChats (-want +got):\n%s", diff)
		}
		opened, err := s.Opened(ctx, t0.Add(time.Minute), t0.Add(100*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(opened, time.Time.Compare)
		if diff := cmp.Diff([]time.Time{t0.Add(5 * time.Minute), t0.Add(10 * time.Minute), t0.Add(60 * time.Minute)}, opened); diff != "" {
			t.Errorf("Opened (-want +got):\n%s", diff)
		}

		gone, err := s.Forget(ctx, "web", "urg2")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{ids["urg2"]}, gone); diff != "" {
			t.Errorf("Forget deleted (-want +got):\n%s", diff)
		}
		if _, err := s.Get(ctx, ids["urg2"]); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("Get after Forget: %v", err)
		}

		// Retention: a resolved ticket goes once its last change is old
		// enough, with its messages; open ones stay whatever their age.
		if _, err := s.Close(ctx, ids["low1"], "o", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			before time.Time
			want   int64
		}{{t0.Add(2 * time.Hour), 0}, {t0.Add(3 * time.Hour), 1}, {t0.Add(300 * time.Hour), 0}} {
			if n, err := s.Purge(ctx, tc.before); err != nil || n != tc.want {
				t.Errorf("Purge(%s) = %d, %v; want %d", tc.before.Sub(t0), n, err, tc.want)
			}
		}
		for chat, want := range map[string]bool{"low1": false, "urg2": false, "norm1": true, "nobody": false} {
			if got, err := s.HasTickets(ctx, "web", chat); err != nil || got != want {
				t.Errorf("HasTickets(%s) = %v, %v; want %v", chat, got, err, want)
			}
		}
		var left int
		if err := db.GetContext(ctx, &left, db.Rebind(`SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = ?`), ids["low1"]); err != nil || left != 0 {
			t.Errorf("messages of a purged ticket: %d, %v", left, err)
		}
	}, tickets.Schema)
}

func TestConcurrentOpen(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		const n = 8
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			ids     = map[int64]int{}
			created int
			errs    []error
		)
		for i := range n {
			wg.Go(func() {
				tk, c, err := tickets.NewStore(db, nil).Open(ctx, tickets.Ticket{Channel: "telegram", Chat: "7", Priority: tickets.High, Category: tickets.Complaint},
					fmt.Sprintf("message %d", i), t0.Add(time.Duration(i)*time.Second))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				ids[tk.ID]++
				if c {
					created++
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("errors: %v", errs)
		}
		if len(ids) != 1 || created != 1 {
			t.Fatalf("%d tickets, %d created; want 1 and 1 (%v)", len(ids), created, ids)
		}
		for id := range ids {
			tk, err := tickets.NewStore(db, nil).Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Messages != n {
				t.Errorf("Messages = %d, want %d", tk.Messages, n)
			}
		}
	}, tickets.Schema)
}

func TestConcurrentOpenInCallerTx(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		const n = 8
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				tx, err := db.BeginTxx(ctx, nil)
				if err != nil {
					errc <- err
					return
				}
				defer tx.Rollback()
				if _, _, err := tickets.NewStore(tx, nil).Open(ctx, tickets.Ticket{Channel: "web", Chat: "tx"}, fmt.Sprint(i), t0); err != nil {
					errc <- err
					return
				}
				errc <- tx.Commit()
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Error(err)
			}
		}
		all, err := tickets.NewStore(db, nil).List(ctx, tickets.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Messages != n {
			t.Errorf("got %d tickets (%+v), want 1 with %d messages", len(all), all, n)
		}
	}, tickets.Schema)
}

func TestHostileText(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		bad := "a\xffb\x00c" + strings.Repeat("가", 1<<18) // invalid UTF-8, NUL, ~768 KB
		tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "bad\xff", Customer: "\x00"}, bad, t0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len([]rune(tk.Subject)), tickets.MaxSubjectRunes; got != want {
			t.Errorf("subject has %d runes, want %d", got, want)
		}
		if !strings.HasPrefix(tk.Subject, "a\uFFFDbc가") {
			t.Errorf("subject starts %q", tk.Subject[:10])
		}
		if _, err := s.AddMessage(ctx, tk.ID, tickets.AuthorCustomer, "\xfe", bad, t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: ""}, "x", t0); err == nil {
			t.Error("Open without a chat: no error")
		}
		if _, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: "c", Priority: "asap"}, "x", t0); err == nil {
			t.Error("Open with an unknown priority: no error")
		}
	}, tickets.Schema)
}

// TestRefs: each ticket's reference is its own and finds it; it follows
// no order a customer could count on.
func TestRefs(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := tickets.NewStore(db, nil)
		refs := map[string]int64{}
		var prev string
		increasing := 0
		for i := range 50 {
			tk, _, err := s.Open(ctx, tickets.Ticket{Channel: "web", Chat: fmt.Sprint("v", i)}, "hello", t0)
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := refs[tk.Ref]; dup || len(tk.Ref) != 6 {
				t.Fatalf("ticket %d: ref %q (seen: %v)", tk.ID, tk.Ref, dup)
			}
			refs[tk.Ref] = tk.ID
			if tk.Ref > prev {
				increasing++
			}
			prev = tk.Ref
		}
		if increasing > 40 {
			t.Errorf("%d of 50 refs larger than the one before: they count", increasing)
		}
		for ref, id := range refs {
			for _, q := range []string{ref, "#" + ref, strings.ToLower(ref)} {
				if tk, err := s.ByRef(ctx, q); err != nil || tk.ID != id {
					t.Errorf("ByRef(%q) = %v, %v; want ticket %d", q, tk, err, id)
				}
			}
		}
		if _, err := s.ByRef(ctx, "ZZZZZZ"); !errors.Is(err, tickets.ErrNotFound) {
			t.Errorf("ByRef(unknown) err = %v, want ErrNotFound", err)
		}
	}, tickets.Schema)
}
