package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // time zones on machines without a zoneinfo database

	"gopkg.in/yaml.v3"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

// config is shopbot.yaml (design §8). Secrets never live here: they come
// from the environment.
type config struct {
	Shop struct {
		Name     string `yaml:"name"`
		Timezone string `yaml:"timezone"`
		Language string `yaml:"language"`
		Hours    string `yaml:"hours"`
		Contact  string `yaml:"contact"`
		Phone    string `yaml:"phone"`
		Email    string `yaml:"email"`
		Website  string `yaml:"website"`
	} `yaml:"shop"`
	DB           string            `yaml:"db"`
	FAQ          string            `yaml:"faq"`
	Listen       string            `yaml:"listen"`
	OrderPattern string            `yaml:"order_pattern"`
	SLA          map[string]string `yaml:"sla"`
	Telegram     telegramConfig    `yaml:"telegram"` // telegram.go
	Slack        struct {
		Channel string   `yaml:"channel"`
		Owners  []string `yaml:"owners"`
		APIURL  string   `yaml:"api_url"`
	} `yaml:"slack"`
	Kakao        *kakaoConfig    `yaml:"kakao"`        // kakao.go: the channel runs when the block is present
	TalkTalk     *talktalkConfig `yaml:"talktalk"`     // talktalk.go: likewise
	Web          webConfig       `yaml:"web"`          // web.go
	Outbox       outboxConfig    `yaml:"outbox"`       // outbox_config.go
	Verification verifyConfig    `yaml:"verification"` // verify_config.go
	Orders       struct {
		// NotifyShipped tells a customer whose conversation is linked to an
		// order when it ships (imports and webhooks). Off by default.
		NotifyShipped bool `yaml:"notify_shipped"`
	} `yaml:"orders"`
	Notify struct {
		DailyAt    string `yaml:"daily_at"`
		QuietHours string `yaml:"quiet_hours"`
		Language   string `yaml:"language"`

		notifyConfig `yaml:",inline"` // notify.go: the other keys
	} `yaml:"notify"`
	// Limits stop floods: a conversation past per_minute or per_hour
	// messages is muted (still journaled) and the owner told once; one IP
	// address may send the web chat ip_per_minute messages (bursts of as
	// many). 0 keeps a default (20, 200, 120).
	Limits struct {
		PerMinute   int `yaml:"per_minute"`
		PerHour     int `yaml:"per_hour"`
		IPPerMinute int `yaml:"ip_per_minute"`
	} `yaml:"limits"`
	// Retention is how many days records are kept before the daily purge
	// erases them; 0 keeps the default (bot.DefaultRetention: the Korean
	// e-commerce records periods). A shop may shorten them.
	Retention struct {
		ConversationsDays int `yaml:"conversations_days"`
		OrdersDays        int `yaml:"orders_days"`
		DeliveryDays      int `yaml:"delivery_days"`
	} `yaml:"retention"`

	// present are the top-level keys the file sets (a channel's block
	// present means the channel must run).
	present map[string]bool

	// Derived by validate.
	location *time.Location
	pattern  *regexp.Regexp
	sla      tickets.SLA
	keep     bot.Retention
}

// convLimits are the engine's flood limits from limits:.
func (c *config) convLimits() bot.Limits {
	l := bot.DefaultLimits
	if c.Limits.PerMinute > 0 {
		l.PerMinute = c.Limits.PerMinute
	}
	if c.Limits.PerHour > 0 {
		l.PerHour = c.Limits.PerHour
	}
	return l
}

// webLimits are the web chat's limits from limits: (zero fields: the web
// package's defaults).
func (c *config) webLimits() web.Limits {
	var l web.Limits
	if n := c.Limits.IPPerMinute; n > 0 {
		l.IPBurst, l.IPEvery = n, time.Minute/time.Duration(n)
	}
	return l
}

// defaultConfig is what runs with no config file at all.
func defaultConfig() *config {
	c := &config{}
	c.Shop.Name = "하루상점"
	c.Shop.Timezone = "Asia/Seoul"
	c.Shop.Language = "ko"
	c.Shop.Hours = "평일 10:00–18:00 (주말·공휴일 휴무)"
	c.Shop.Contact = "카카오톡 채널 @하루상점 · 02-123-4567 · help@haru.example"
	c.Shop.Phone = "02-123-4567"
	c.Shop.Email = "help@haru.example"
	c.DB = "sqlite:shopbot.db"
	c.Listen = "127.0.0.1:8080"
	c.Notify.DailyAt = "21:00"
	return c
}

// loadConfig reads path over the defaults ("" keeps the defaults) and
// validates the result. Errors name the file, the key and what is wrong.
func loadConfig(path string) (*config, error) {
	c := defaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := yamlSyntax(path, data); err != nil {
			return nil, fmt.Errorf("config %w", err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err == nil {
			// Unknown keys and values of the wrong type, named by key with
			// a suggestion, before yaml.v3's own Go-flavoured errors.
			if err := checkConfigNode(&doc, reflect.TypeFor[config]()); err != nil {
				var ce *configError
				if errors.As(err, &ce) {
					return nil, fmt.Errorf("config %s:%d:%d: %s", path, ce.line, ce.col, ce.msg)
				}
				return nil, fmt.Errorf("config %s: %w", path, err)
			}
			c.present = topKeys(&doc)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
			return nil, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
	if path != "" {
		c.relativeTo(filepath.Dir(path))
	}
	if err := c.validate(); err != nil {
		name := path
		if name == "" {
			name = "(defaults)"
		}
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

func (c *config) validate() error {
	var err error
	if c.location, err = time.LoadLocation(c.Shop.Timezone); err != nil || c.Shop.Timezone == "" {
		return fmt.Errorf("shop.timezone: unknown time zone %q (e.g. Asia/Seoul)", c.Shop.Timezone)
	}
	switch c.Shop.Language {
	case "ko", "en", "zh":
	default:
		return fmt.Errorf("shop.language: %q: want ko, en or zh", c.Shop.Language)
	}
	if c.Notify.Language == "" {
		c.Notify.Language = c.Shop.Language
	}
	switch c.Notify.Language {
	case "ko", "en", "zh":
	default:
		return fmt.Errorf("notify.language: %q: want ko, en or zh", c.Notify.Language)
	}
	if c.OrderPattern != "" {
		if c.pattern, err = regexp.Compile(c.OrderPattern); err != nil {
			return fmt.Errorf("order_pattern: %v", err)
		}
	}
	// notify.go: daily_at, quiet_hours and the other notify: keys, each
	// checked once and kept parsed.
	if err := c.validateNotify(); err != nil {
		return err
	}
	c.sla = tickets.SLA{}
	for k, v := range tickets.DefaultSLA {
		c.sla[k] = v
	}
	for k, v := range c.SLA {
		p, err := tickets.ParsePriority(k)
		if err != nil {
			return fmt.Errorf("sla.%s: unknown priority (want urgent, high, normal, low)", k)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("sla.%s: %q: want a duration such as 4h or 30m", k, v)
		}
		c.sla[p] = d
	}
	for key, n := range map[string]int{"per_minute": c.Limits.PerMinute, "per_hour": c.Limits.PerHour, "ip_per_minute": c.Limits.IPPerMinute} {
		if n < 0 {
			return fmt.Errorf("limits.%s: %d: want a number of messages (0: the default)", key, n)
		}
	}
	c.keep = bot.DefaultRetention
	for _, r := range []struct {
		key  string
		days int
		d    *time.Duration
	}{
		{"conversations_days", c.Retention.ConversationsDays, &c.keep.Conversations},
		{"orders_days", c.Retention.OrdersDays, &c.keep.Orders},
		{"delivery_days", c.Retention.DeliveryDays, &c.keep.Delivery},
	} {
		switch {
		case r.days < 0:
			return fmt.Errorf("retention.%s: %d: want a number of days (0: the default)", r.key, r.days)
		case r.days > 0:
			*r.d = time.Duration(r.days) * 24 * time.Hour
		}
	}
	if err := c.Outbox.validate(); err != nil {
		return err
	}
	if err := c.Verification.validate(); err != nil {
		return err
	}
	if err := c.Kakao.validate(); err != nil {
		return err
	}
	if err := c.TalkTalk.validate(); err != nil {
		return err
	}
	if err := c.Web.validate(); err != nil {
		return err
	}
	if err := c.Telegram.validate(); err != nil {
		return err
	}
	if c.Slack.Channel != "" && !strings.HasPrefix(c.Slack.Channel, "C") && !strings.HasPrefix(c.Slack.Channel, "G") {
		return fmt.Errorf("slack.channel: %q: want a channel id such as C0123456 (not its name)", c.Slack.Channel)
	}
	for i, o := range c.Slack.Owners {
		if !strings.HasPrefix(o, "U") && !strings.HasPrefix(o, "W") {
			return fmt.Errorf("slack.owners[%d]: %q: want a user id such as U0123456", i, o)
		}
	}
	return nil
}

// relativeTo makes the file's relative faq: and sqlite db: paths
// relative to dir, the config file's directory, so that serve finds them
// from any working directory (a service, a cron job).
func (c *config) relativeTo(dir string) {
	if c.FAQ != "" && !filepath.IsAbs(c.FAQ) {
		c.FAQ = filepath.Join(dir, c.FAQ)
	}
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && c.present["db"] && p != "" &&
		!filepath.IsAbs(p) && !strings.HasPrefix(p, ":") && !strings.HasPrefix(p, "file:") {
		c.DB = "sqlite:" + filepath.Join(dir, p)
	}
}

// topKeys are the keys of a document's top-level mapping.
func topKeys(doc *yaml.Node) map[string]bool {
	m := map[string]bool{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return m
	}
	root := doc.Content[0]
	for i := 0; i < len(root.Content); i += 2 {
		m[root.Content[i].Value] = true
	}
	return m
}

// channelSecrets are the environment variables a channel's block needs:
// a block in the file without its variable is a start-up error (design
// §8), not a channel silently left out.
var channelSecrets = []struct {
	key, env, what string
}{
	{"telegram", "TELEGRAM_BOT_TOKEN", "the token @BotFather gave you"},
	{"slack", "SLACK_BOT_TOKEN", "the Bot User OAuth Token (xoxb-…) of your Slack app"},
}

// missingSecrets names the first configured channel whose secret is not
// in the environment.
func (c *config) missingSecrets(getenv func(string) string) error {
	for _, s := range channelSecrets {
		if c.present[s.key] && getenv(s.env) == "" {
			return fmt.Errorf("config: %s: is configured but %s is not set: set it to %s in the environment (never in the file), or remove the %s: block to run without it",
				s.key, s.env, s.what, s.key)
		}
	}
	return nil
}
