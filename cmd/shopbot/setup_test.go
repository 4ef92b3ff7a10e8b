package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInit: `shopbot init` writes a config, a FAQ in the shop's language
// and a private secrets file that serve accepts as they are; a second run
// keeps the owner's edits.
func TestInit(t *testing.T) {
	for _, lang := range []string{"ko", "en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "shop")
			out, errOut, err := shopbot(t, nil, "", "init", "--dir", dir, "--lang", lang, "--name", "Test "+lang)
			if err != nil {
				t.Fatalf("init: %v\n%s", err, errOut)
			}
			for _, want := range []string{"wrote " + filepath.Join(dir, "shopbot.yaml"), "wrote " + filepath.Join(dir, "faq.yaml"), "shopbot.yaml: ok", "faq.yaml: ok, 29 entries"} {
				if !strings.Contains(out, want) {
					t.Errorf("init output lacks %q:\n%s", want, out)
				}
			}
			cfg, err := loadConfig(filepath.Join(dir, "shopbot.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Shop.Language != lang || cfg.Shop.Name != "Test "+lang || cfg.FAQ != filepath.Join(dir, "faq.yaml") || cfg.DB != "sqlite:"+filepath.Join(dir, "shopbot.db") {
				t.Errorf("config: language %q, name %q, faq %q, db %q", cfg.Shop.Language, cfg.Shop.Name, cfg.FAQ, cfg.DB)
			}
			f, err := loadFAQFile(cfg.FAQ)
			if err != nil {
				t.Fatal(err)
			}
			if f.Language != lang {
				t.Errorf("faq language %q, want %q", f.Language, lang)
			}
			if fi, err := os.Stat(filepath.Join(dir, "shopbot.env")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("shopbot.env: %v, %v; want mode 0600", fi, err)
			}
			// The owner's edits survive a second init.
			if err := os.WriteFile(filepath.Join(dir, "faq.yaml"), []byte("version: 1\nentries:\n  - id: a\n    questions: [x]\n    answer: y\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, errOut, err = shopbot(t, nil, "", "init", "--dir", dir, "--lang", lang)
			if err != nil || !strings.Contains(errOut, "kept "+filepath.Join(dir, "faq.yaml")) {
				t.Errorf("second init: %v\n%s", err, errOut)
			}
			// check works from any working directory.
			out, _, err = shopbot(t, nil, "", "check", "--config", filepath.Join(dir, "shopbot.yaml"))
			if err != nil || !strings.Contains(out, "faq.yaml: ok, 1 entries") {
				t.Errorf("check: %v\n%s", err, out)
			}
		})
	}
	if _, _, err := shopbot(t, nil, "", "init", "--lang", "fr", "--dir", t.TempDir()); err == nil || !strings.Contains(err.Error(), "want ko, en or zh") {
		t.Errorf("init --lang fr: %v", err)
	}
}

// TestInstallService: the unit runs this binary's serve with the config
// from the config's directory, restarts it, starts at boot, and passes
// systemd-analyze verify where systemd is installed.
func TestInstallService(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := shopbot(t, nil, "", "init", "--dir", dir); err != nil {
		t.Fatal(err)
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "shopbot.yaml")
	unit := filepath.Join(dir, "shopbot.service")
	if _, _, err := shopbot(t, map[string]string{"USER": "root"}, "", "install-service", "--config", cfg, "--bin", bin, "--write", unit); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=" + bin + " serve --config " + cfg, "WorkingDirectory=" + dir, "EnvironmentFile=-" + dir + "/shopbot.env",
		"Restart=always", "WantedBy=multi-user.target", "ReadWritePaths=" + dir} {
		if !strings.Contains(string(b), want) {
			t.Errorf("unit lacks %q:\n%s", want, b)
		}
	}
	if _, _, err := shopbot(t, nil, "", "install-service", "--config", filepath.Join(dir, "nope.yaml"), "--bin", bin); err == nil {
		t.Error("install-service with a missing config: no error")
	}
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed: unit syntax not verified")
	}
	out, err := exec.Command(sa, "verify", unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "shopbot.service:") {
		t.Errorf("systemd-analyze verify warns about the unit:\n%s", out)
	}
}
