package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzConfig: whatever the file holds, loading it does not panic, and a
// mistake is told in the config's words, never Go's type names.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{"lisen: 1\n", "telegram:\n  owners: [\"@me\"]\n", "shop:\n\tname: x\n", "shop: {name: a: b}\n",
		"notify: [1, 2]\n", "sla: {urgent: [1]}\n", "&a x: *a\n", "web:\n  allowed_origins: {a: 1}\n", "- 1\n- 2\n", "outbox: {lease: {}}\n"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		path := filepath.Join(dir, "shopbot.yaml")
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := loadConfig(path)
		if err != nil && (strings.Contains(err.Error(), "main.config") || strings.Contains(err.Error(), "unmarshal") || strings.Contains(err.Error(), "!!")) {
			t.Errorf("error shows a Go type: %v", err)
		}
		_ = yamlSyntax("x.yaml", []byte(s))
	})
}
