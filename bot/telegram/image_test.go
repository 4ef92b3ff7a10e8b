package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// TestSummaryChart: a reply with an image (the daily summary's chart)
// arrives as its text and then the picture; a failure on the picture
// retries the picture alone, never the text.
func TestSummaryChart(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 4))); err != nil {
		t.Fatal(err)
	}
	chart := buf.Bytes()
	tests := []struct {
		name  string
		fault telegramtest.Fault
	}{
		{"first try", telegramtest.Fault{}},
		{"photo 500 twice", telegramtest.Fault{Method: "sendPhoto", Code: 500, Times: 2}},
		{"photo 429", telegramtest.Fault{Method: "sendPhoto", Code: 429, RetryAfter: 1}},
	}
	// One engine per database for the cases (each has its own fake Bot API
	// and adapter, and starts once the previous one's messages are sent).
	both(t, func(t *testing.T, db *sqlx.DB) {
		base := newHarness(t, db, nil, options{})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := base.on(t, telegramtest.New(t), options{})
				if tt.fault.Method != "" {
					h.srv.Inject(tt.fault)
				}
				if _, err := h.ob.Enqueue(context.Background(), bot.Reply{Channel: telegram.Channel, Chat: fmt.Sprint(owner.ID),
					Kind: bot.KindAlert, Text: "하루상점 11-23 요약\n주문 3건", Image: chart}); err != nil {
					t.Fatal(err)
				}
				h.start()
				h.settle()
				h.stop()
				sent := h.srv.SentTo(owner.ID)
				if len(sent) != 2 {
					t.Fatalf("%d messages arrived, want the text and the chart: %+v", len(sent), sent)
				}
				if sent[0].Text != "하루상점 11-23 요약\n주문 3건" || sent[0].Photo != nil {
					t.Errorf("first message = %q (photo %d bytes), want the summary text", sent[0].Text, len(sent[0].Photo))
				}
				if !bytes.Equal(sent[1].Photo, chart) {
					t.Errorf("second message carries %d bytes, want the %d-byte chart", len(sent[1].Photo), len(chart))
				}
			})
		}
	})
}
