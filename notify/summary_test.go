package notify_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// summaryNow is a fixed Monday evening in Seoul, just before the summary.
var summaryNow = time.Date(2026, 11, 23, 20, 30, 0, 0, seoul)

// seedSummary fills db with the demo shop and a day of tickets and
// conversations, all relative to summaryNow.
func seedSummary(t testing.TB, db *sqlx.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := shop.SeedDemo(ctx, db, summaryNow); err != nil {
		t.Fatal(err)
	}
	ts := tickets.NewStore(db, nil)
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, seoul) }
	open := func(chat string, c tickets.Category, p tickets.Priority, text string, when time.Time) *tickets.Ticket {
		tk, _, err := ts.Open(ctx, tickets.Ticket{Channel: "telegram", Chat: chat, Customer: chat, Category: c, Priority: p, Lang: "ko"}, text, when)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	// Yesterday: a question answered and closed today.
	y := open("c0", tickets.Question, tickets.Normal, "선물 포장 되나요?", at(11, 0).AddDate(0, 0, -1))
	if _, err := ts.Reply(ctx, y.ID, "owner", "네 가능해요", at(9, 10)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Close(ctx, y.ID, "owner", at(9, 11)); err != nil {
		t.Fatal(err)
	}
	a := open("c1", tickets.Complaint, tickets.High, "티셔츠가 찢어져서 왔어요", at(10, 5))
	if _, err := ts.Reply(ctx, a.ID, "owner", "죄송합니다, 교환해 드릴게요", at(10, 47)); err != nil {
		t.Fatal(err)
	}
	open("c2", tickets.Cancellation, tickets.Urgent, "주문 1043 취소해 주세요", at(19, 40))
	open("c3", tickets.Question, tickets.Normal, "선물포장 가능한가요", at(13, 20))
	open("c4", tickets.Question, tickets.Normal, "선물 포장 해주시나요?", at(15, 2))
	open("c5", tickets.Question, tickets.Normal, "해외 배송도 하나요?", at(16, 45))
	b := open("c6", tickets.Refund, tickets.High, "환불은 언제 되나요", at(12, 0))
	if _, err := ts.Reply(ctx, b.ID, "owner", "내일 처리됩니다", at(12, 20)); err != nil {
		t.Fatal(err)
	}
	open("c7", tickets.Complaint, tickets.High, "배송이 너무 늦어요", at(14, 10))
	// Twelve conversations today: nine answered by the bot alone.
	for i, chat := range []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"} {
		answered := 1
		if i >= 14 {
			answered = 0 // asked something, left before an answer
		}
		created := at(9, 0).Add(time.Duration(i) * 30 * time.Minute)
		err := bot.NewConversations(db).Seed(ctx, bot.ConversationSeed{Channel: "telegram", Chat: chat, Answered: answered,
			Created: created, Updated: created.Add(5 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSummaryGolden(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		seedSummary(t, db)
		s := &notify.Summarizer{DB: db, Conversations: bot.NewConversations(db), Location: seoul, ShopName: "하루상점", UnshippedDays: 1, Now: func() time.Time { return summaryNow }}
		for _, lang := range []string{"ko", "en", "zh"} {
			t.Run(lang, func(t *testing.T) {
				got, err := s.Summary(context.Background(), summaryNow, lang)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, "summary_"+lang+".txt", got)
			})
		}
		t.Run("weekly", func(t *testing.T) {
			r, err := s.Report(context.Background(), summaryNow, true)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "summary_weekly_en.txt", r.Text("en"))
		})
		t.Run("past day", func(t *testing.T) {
			got, err := s.Summary(context.Background(), summaryNow.AddDate(0, 0, -1), "en")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "summary_yesterday_en.txt", got)
		})
		t.Run("chart", func(t *testing.T) {
			e, err := s.Event(context.Background(), summaryNow, false, "ko")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(e.Image))
			if err != nil {
				t.Fatalf("chart is not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 480 {
				t.Errorf("chart is %v, want 800×480", b)
			}
			if *update && dbtest.Engines[0] == "sqlite" {
				os.WriteFile(filepath.Join("testdata", "chart.png"), e.Image, 0o644)
			}
		})
	}, schemas()...)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestSummaryWords: a day after a day without sales says so instead of
// "+∞"; English counts agree with their nouns.
func TestSummaryWords(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, seoul)
	r := &notify.Report{Shop: "하루상점", From: day, To: day.AddDate(0, 0, 1), AsOf: day.Add(20 * time.Hour),
		Sales: shop.Sales{Orders: 1, Revenue: 29000, Units: 1}, UnshippedDays: 1,
		Unshipped: []shop.Order{{Number: "1043", CustomerName: "이준호"}}}
	tests := []struct {
		lang      string
		want, not []string
	}{
		{"en", []string{"💰 1 order · revenue ₩29,000 (none yesterday, none last Mon)", "paid over 1 day ago"}, []string{"∞", "1 orders", "1 days"}},
		{"ko", []string{"💰 주문 1건 · 매출 29,000원 (어제는 매출 없음, 지난주 월요일은 매출 없음)"}, []string{"∞"}},
		{"zh", []string{"💰 订单 1 笔 · 销售额 ₩29,000（昨日无销售，上周一无销售）"}, []string{"∞"}},
	}
	for _, tt := range tests {
		got := r.Text(tt.lang)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s summary:\n%s\nwant %q", tt.lang, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s summary:\n%s\nhas %q", tt.lang, got, n)
			}
		}
	}
}

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{0, 0, 0}, "▁▁▁"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{5, 10}, "▅█"},
	} {
		if got := notify.Sparkline(tc.in); got != tc.want {
			t.Errorf("Sparkline(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestGroupQuestions(t *testing.T) {
	got := notify.GroupQuestions([]string{
		"선물 포장 되나요?", "해외 배송도 하나요?", "선물포장 가능한가요", "선물 포장 해주시나요?",
		"do you ship abroad?", "Do you ship to Japan?", "", "\xff\xfe", "영수증 발급되나요",
	}, 3)
	want := []notify.Question{{Text: "선물 포장 되나요?", Count: 3}, {Text: "do you ship abroad?", Count: 2}, {Text: "해외 배송도 하나요?", Count: 1}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("group %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestStockEvent(t *testing.T) {
	p := func(stock int) shop.Product {
		return shop.Product{SKU: "TEA-GRN-20", Name: "녹차 티백", Stock: stock, SafetyStock: 5}
	}
	for _, tc := range []struct {
		name          string
		before, after int
		priority      string // "": no event
	}{
		{"sale above safety", 10, 9, ""},
		{"reaches safety", 6, 5, "high"},
		{"below safety again", 5, 4, ""},
		{"sells out", 1, 0, "urgent"},
		{"straight to zero", 10, 0, "urgent"},
		{"still zero", 0, 0, ""},
		{"restocked", 0, 20, ""},
		{"restocked to low", 0, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := notify.StockEvent(p(tc.before), p(tc.after), "en")
			if ok != (tc.priority != "") || e.Priority != tc.priority {
				t.Fatalf("StockEvent = %+v, %v; want priority %q", e, ok, tc.priority)
			}
			if ok && (e.Key != "stock:TEA-GRN-20" || e.Kind != notify.KindStock || e.Text == "") {
				t.Errorf("event %+v", e)
			}
		})
	}
}

func schemas() []schema.Set {
	return []schema.Set{shop.Schema, tickets.Schema, bot.Schema, notify.Schema}
}
