package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/shopbot/shopbot/faq"
)

// shopDefaults are what `shopbot init` writes for a shop's language.
var shopDefaults = map[string]struct{ name, timezone, hours string }{
	"ko": {"우리상점", "Asia/Seoul", "평일 10:00–18:00 (주말·공휴일 휴무)"},
	"en": {"Our Shop", "UTC", "Mon–Fri 10:00–18:00"},
	"zh": {"我们的小店", "Asia/Shanghai", "周一至周五 10:00–18:00"},
}

var configTemplate = template.Must(template.New("shopbot.yaml").Parse(`# shopbot.yaml — written by ` + "`shopbot init`" + `. Check it with ` + "`shopbot check`" + `
# (or just start ` + "`shopbot serve --config shopbot.yaml`" + `: a mistake is named by key).
# Secrets never go here: tokens come from the environment (see shopbot.env).

shop:
  name: {{printf "%q" .Name}}
  timezone: {{.Timezone}}          # IANA zone of the shop: summaries and "today" follow it
  language: {{.Lang}}                    # ko, en or zh: the bot's words when a customer's language is unknown
  hours: {{printf "%q" .Hours}}
  contact: ""                     # how customers reach a person, e.g. "02-123-4567 · help@shop.example"
  # phone: "02-123-4567"
  # email: help@shop.example
  # website: https://shop.example

db: sqlite:shopbot.db             # the shop's database, next to this file; or postgres://user@host/db
faq: faq.yaml                     # your FAQ (edit it, then: shopbot faq check faq.yaml)
listen: {{.Listen}}            # web chat, owner inbox, /healthz; 0.0.0.0:8080 in a container

notify:
  daily_at: "21:00"               # the daily summary, in the shop's time zone
  quiet_hours: "22:00-08:00"      # only urgent alerts at night
  language: {{.Lang}}                    # the owner's language

# web:
#   public_url: https://chat.shop.example      # how customers reach this server (behind a proxy)
#   allowed_origins: ["https://shop.example"]  # your shop's site, to embed the chat widget

# Telegram (customers, and alerts and commands on your phone). Needs
# TELEGRAM_BOT_TOKEN in the environment; owners are numeric chat ids: send
# your bot a message, then open
# https://api.telegram.org/bot$TELEGRAM_BOT_TOKEN/getUpdates and copy message.chat.id.
# telegram:
#   owners: [123456789]

# Slack (the owners' channel). Needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN
# (or SLACK_SIGNING_SECRET) in the environment.
# slack:
#   channel: C0123456
#   owners: [U0123456]
`))

// envTemplate is the secrets file the systemd unit and docker --env-file read.
const envTemplate = `# shopbot.env — secrets for shopbot serve. Keep it private (chmod 600).
# One NAME=value a line, no quotes, no comment after a value (systemd's
# EnvironmentFile and docker --env-file read it alike). Uncomment what you use; a channel configured in shopbot.yaml without its
# token stops serve with an error naming the variable.
# TELEGRAM_BOT_TOKEN=123456:ABC...
# SLACK_BOT_TOKEN=xoxb-...
# SLACK_APP_TOKEN=xapp-...
# 32+ characters (openssl rand -hex 32): keeps visitors' sessions valid across a new database.
# SHOPBOT_WEB_SECRET=
`

var faqLanguageRE = regexp.MustCompile(`(?m)^language: \w+$`)

// initCmd runs `shopbot init`: a commented shopbot.yaml, a faq.yaml to
// edit (the built-in example, in the shop's language) and a shopbot.env
// for the secrets, in --dir; then checks them as serve would. Existing
// files are kept unless --force.
func (e env) initCmd(ctx context.Context, args []string) error {
	fs := newFlags("init", e.stderr)
	dir := fs.String("dir", ".", "where to write shopbot.yaml, faq.yaml and shopbot.env")
	lang := fs.String("lang", "ko", "the shop's language: ko, en or zh")
	name := fs.String("name", "", "the shop's name (default: a placeholder to edit)")
	tz := fs.String("timezone", "", "the shop's time zone, e.g. Asia/Seoul (default: by language)")
	listen := fs.String("listen", "127.0.0.1:8080", "the address to serve on")
	force := fs.Bool("force", false, "overwrite existing files")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{"usage: shopbot init [--dir DIR] [--lang ko|en|zh] [--name NAME] [--timezone ZONE] [--listen ADDR] [--force]"}
	}
	d, ok := shopDefaults[*lang]
	if !ok {
		return usageError{fmt.Sprintf("--lang %q: want ko, en or zh", *lang)}
	}
	data := struct{ Name, Timezone, Lang, Hours, Listen string }{d.name, d.timezone, *lang, d.hours, *listen}
	if *name != "" {
		data.Name = *name
	}
	if *tz != "" {
		data.Timezone = *tz
	}
	var cfg bytes.Buffer
	if err := configTemplate.Execute(&cfg, data); err != nil {
		return err
	}
	faqText := faqLanguageRE.ReplaceAll(faq.Example(), []byte("language: "+*lang))
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"shopbot.yaml", cfg.Bytes(), 0o644},
		{"faq.yaml", faqText, 0o644},
		{"shopbot.env", []byte(envTemplate), 0o600},
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	for _, f := range files {
		path := filepath.Join(*dir, f.name)
		flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if *force {
			flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		w, err := os.OpenFile(path, flag, f.mode)
		if errors.Is(err, os.ErrExist) {
			fmt.Fprintf(e.stderr, "kept %s (it exists; --force overwrites it)\n", path)
			continue
		}
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		_, err = w.Write(f.data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", path)
	}
	return e.checkSetup(filepath.Join(*dir, "shopbot.yaml"))
}

// checkSetup loads a config and its FAQ as serve would and says what it
// found.
func (e env) checkSetup(path string) error {
	c, err := loadConfig(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: ok (shop %q, %s, %s)\n", path, c.Shop.Name, c.Shop.Language, c.Shop.Timezone)
	if c.FAQ == "" {
		fmt.Fprintln(e.stdout, "faq: the built-in example (set faq: in the config for your own)")
		return nil
	}
	fp := c.FAQ
	f, err := loadFAQFile(fp)
	if err != nil {
		return err
	}
	warnings := faq.NewMatcher(f).Check()
	fmt.Fprintf(e.stdout, "%s: ok, %d entries, %d warnings (details: shopbot faq check %s)\n", fp, len(f.Entries), len(warnings), fp)
	return nil
}

// check runs `shopbot check [--config FILE]`.
func (e env) check(args []string) error {
	fs := newFlags("check", e.stderr)
	config := fs.String("config", "shopbot.yaml", "the configuration file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := e.checkSetup(*config); err != nil {
		return err
	}
	c, _ := loadConfig(*config)
	if err := c.missingSecrets(e.getenv); err != nil {
		fmt.Fprintf(e.stdout, "warning: %v\n", err)
	}
	return nil
}

var unitTemplate = template.Must(template.New("unit").Parse(`# shopbot.service — written by ` + "`shopbot install-service`" + `.
# Install:  shopbot install-service | sudo tee /etc/systemd/system/shopbot.service
#           sudo systemctl daemon-reload && sudo systemctl enable --now shopbot
# Logs:     journalctl -u shopbot -f
[Unit]
Description=shopbot chat bot ({{.Dir}})
Wants=network-online.target
After=network-online.target postgresql.service

[Service]
Type=simple
User={{.User}}
WorkingDirectory={{.Dir}}
EnvironmentFile=-{{.Dir}}/shopbot.env
ExecStart={{.Bin}} serve --config {{.Config}}
Restart=always
RestartSec=5
# shopbot writes only its database, next to the config.
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={{.Dir}}
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`))

// installService runs `shopbot install-service`: a systemd unit that runs
// this binary's serve with the config, restarted on failure and at boot.
// It prints the unit (--write FILE writes it).
func (e env) installService(args []string) error {
	fs := newFlags("install-service", e.stderr)
	config := fs.String("config", "shopbot.yaml", "the configuration file the service uses")
	user := fs.String("user", "", "the user the service runs as (default: the current one)")
	bin := fs.String("bin", "", "the shopbot binary (default: this one)")
	write := fs.String("write", "", "write the unit to FILE instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := filepath.Abs(*config)
	if err != nil {
		return err
	}
	if _, err := loadConfig(cfg); err != nil {
		return err
	}
	if *bin == "" {
		if *bin, err = os.Executable(); err != nil {
			return err
		}
		if strings.Contains(*bin, string(filepath.Separator)+"go-build") {
			return fmt.Errorf("install-service: this is go run's temporary binary: build one first (go build -o shopbot ./cmd/shopbot) and run its install-service, or pass --bin")
		}
	}
	if *bin, err = filepath.Abs(*bin); err != nil {
		return err
	}
	if *user == "" {
		*user = e.getenv("USER")
	}
	if *user == "" {
		*user = "root"
	}
	var b bytes.Buffer
	err = unitTemplate.Execute(&b, struct{ Dir, Config, Bin, User string }{filepath.Dir(cfg), cfg, *bin, *user})
	if err != nil {
		return err
	}
	if *write != "" {
		return os.WriteFile(*write, b.Bytes(), 0o644)
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}
