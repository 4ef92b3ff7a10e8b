package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOutboxLeaseConfig(t *testing.T) {
	tests := []struct {
		yaml string
		want time.Duration // 0: the outbox's default
		err  string
	}{
		{"", 0, ""},
		{"outbox: {lease: 10s}", 10 * time.Second, ""},
		{"outbox: {lease: 2m}", 2 * time.Minute, ""},
		{"outbox: {lease: 500ms}", 0, "outbox.lease"},
		{"outbox: {lease: soon}", 0, "outbox.lease"},
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
		if err != nil || c.Outbox.lease != tc.want {
			t.Errorf("%q: lease %s, err %v; want %s", tc.yaml, c.Outbox.lease, err, tc.want)
		}
	}
}
