package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/schema"
)

func TestSummaryCommand(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			url := dbtest.URL(t, engine)
			out, errOut, err := shopbot(t, nil, "", "summary", "--db", url, "--demo")
			if err != nil {
				t.Fatalf("summary: %v\n%s", err, errOut)
			}
			for _, want := range []string{"하루상점 · 11월 23일 (월) 요약", "주문 ", "재고 부족", "📈"} {
				if !strings.Contains(out, want) {
					t.Errorf("summary lacks %q:\n%s", want, out)
				}
			}
			out, _, err = shopbot(t, nil, "", "summary", "--db", url, "--date", "2026-11-20")
			if err != nil || !strings.Contains(out, "11월 20일 (금)") {
				t.Errorf("--date: %v\n%s", err, out)
			}
			if _, _, err := shopbot(t, nil, "", "summary", "--db", url, "--date", "20.11."); err == nil {
				t.Error("--date 20.11.: no error")
			}
			// --send queues it, chart and all, for the router of `serve`.
			if _, errOut, err := shopbot(t, nil, "", "summary", "--db", url, "--send"); err != nil || !strings.Contains(errOut, "queued") {
				t.Fatalf("--send: %v\n%s", err, errOut)
			}
			ctx := context.Background()
			db, err := schema.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			pending, err := bot.NewOutbox(db, frozenNow, nil).Pending(ctx, notifyChannel, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) != 1 || pending[0].Event != "summary" || len(pending[0].Image) < 1000 {
				t.Fatalf("notify channel holds %d messages, want the summary with its chart", len(pending))
			}
		})
	}
}

func TestNotifyConfig(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"notify:\n  max_per_hour: -1\n", "notify.max_per_hour"},
		{"notify:\n  coalesce: soon\n", "notify.coalesce"},
		{"notify:\n  weekly: someday\n", "notify.weekly"},
		{"notify:\n  stuck_after: 0s\n", "notify.stuck_after"},
		{"notify:\n  max_per_hour: 5\n  coalesce: 10m\n  weekly: monday\n  quiet_urgent: true\n  unshipped_days: 3\n", ""},
	} {
		t.Run(tt.want, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shopbot.yaml")
			os.WriteFile(path, []byte(tt.file), 0o644)
			c, err := loadConfig(path)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				n := c.Notify.notifyConfig
				if n.MaxPerHour != 5 || n.window.Minutes() != 10 || !n.weekly || n.weeklyDay.String() != "Monday" || !n.QuietUrgent || n.hour != 21 {
					t.Errorf("parsed %+v", n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to name %q", err, tt.want)
			}
		})
	}
}
