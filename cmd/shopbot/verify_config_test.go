package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
)

func TestVerificationConfig(t *testing.T) {
	tests := []struct {
		yaml string
		want time.Duration
		err  string
	}{
		{"", bot.DefaultVerifyLimits.TTL, ""},
		{"verification: {proof_lasts: 15m}", 15 * time.Minute, ""},
		{"verification: {proof_lasts: 24h}", 24 * time.Hour, ""},
		{"verification: {proof_lasts: 10s}", 0, "verification.proof_lasts"},
		{"verification: {proof_lasts: forever}", 0, "verification.proof_lasts"},
	}
	for _, tc := range tests {
		path := filepath.Join(t.TempDir(), "shopbot.yaml")
		if err := os.WriteFile(path, []byte(tc.yaml+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := loadConfig(path)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want one naming %s", tc.yaml, err, tc.err)
			}
			continue
		}
		if err != nil || c.Verification.limits().TTL != tc.want {
			t.Errorf("%q: proof lasts %s, err %v; want %s", tc.yaml, c.Verification.limits().TTL, err, tc.want)
		}
	}
}
