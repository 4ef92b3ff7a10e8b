package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTelegramWebhookConfig: telegram.webhook_url is checked when the
// config is loaded, with or without TELEGRAM_BOT_TOKEN, and a bad one is
// named once; a good one gives the path the channel serves.
func TestTelegramWebhookConfig(t *testing.T) {
	tests := []struct {
		url  string
		path string // served on; "": long polling
		err  string // in the error; "": none
	}{
		{"", "", ""},
		{"https://shop.example/telegram/webhook", "/telegram/webhook", ""},
		{"https://shop.example:8443/tg/hook?x=1", "/tg/hook", ""},
		{"http://shop.example/telegram/webhook", "", "want a public https URL"},
		{"https:///telegram/webhook", "", "want a public https URL"},
		{"shop.example/telegram/webhook", "", "want a public https URL"},
		{"https://shop.example", "", "needs a path"},
		{"https://shop.example/", "", "needs a path"},
		{"https://shop.example/%zz", "", "want a public https URL"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shopbot.yaml")
			if err := os.WriteFile(path, []byte("telegram:\n  webhook_url: '"+tc.url+"'\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := loadConfig(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				if n := strings.Count(err.Error(), "telegram.webhook_url"); n != 1 {
					t.Errorf("err = %v: names telegram.webhook_url %d times, want once", err, n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.Telegram.webhookPath(); err != nil || got != tc.path {
				t.Errorf("webhook path = %q, %v; want %q", got, err, tc.path)
			}
		})
	}
}

// TestCheckTelegramWebhook: shopbot check reports a bad webhook_url, named
// once, without TELEGRAM_BOT_TOKEN in the environment.
func TestCheckTelegramWebhook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shopbot.yaml")
	if err := os.WriteFile(path, []byte("telegram:\n  webhook_url: http://shop.example/tg/hook\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := shopbot(t, nil, "", "check", "--config", path)
	all := out + errOut
	if err != nil {
		all += err.Error()
	}
	if err == nil || strings.Count(all, "telegram.webhook_url") != 1 || !strings.Contains(all, path) {
		t.Errorf("check: err %v, output %q; want an error naming %s and telegram.webhook_url once", err, out+errOut, path)
	}
}
