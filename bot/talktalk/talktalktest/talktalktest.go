// Package talktalktest is a fake of Naver TalkTalk's chatbot platform for
// tests: it posts the customer's events to a webhook as Naver does (and
// reads the answer in the response), serves the send API with its token
// check, and plays the Partner Center's side of the hand-over: a thread
// passed to the partner marks the customer's messages standby, the
// owner's messages are echoed to the webhook, "상담 완료" passes it back.
package talktalktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/talktalk"
)

// Deadline is how long Naver waits for the webhook's answer.
const Deadline = 5 * time.Second

// Platform is the fake.
type Platform struct {
	Server     *httptest.Server
	Token      string
	WebhookURL string

	// Transcripts keeps what each customer saw (Shown).
	bottest.Transcripts[Shown]

	mu       sync.Mutex
	partner  map[string]bool // threads the Partner Center holds
	passes   int
	sends    int
	failNext int // the next send API calls answer 500
	client   *http.Client
}

// Shown is one message a customer saw.
type Shown struct {
	Via   string // "webhook" (the response), "api" (the send API), "partner" (the owner in the Partner Center)
	Event talktalk.Event
}

// Text is what the message shows.
func (s Shown) Text() string {
	switch {
	case s.Event.TextContent != nil:
		return s.Event.TextContent.Text
	case s.Event.CompositeContent != nil && len(s.Event.CompositeContent.CompositeList) > 0:
		return s.Event.CompositeContent.CompositeList[0].Description
	}
	return ""
}

// Buttons are the message's buttons.
func (s Shown) Buttons() []talktalk.Button {
	if s.Event.CompositeContent == nil || len(s.Event.CompositeContent.CompositeList) == 0 {
		return nil
	}
	return s.Event.CompositeContent.CompositeList[0].ButtonList
}

// New starts a fake whose send API accepts token.
func New(token string) *Platform {
	p := &Platform{Token: token, partner: map[string]bool{}, client: &http.Client{Timeout: Deadline}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /chatbot/v1/event", p.serveEvent)
	p.Server = httptest.NewServer(mux)
	return p
}

// Close stops the fake.
func (p *Platform) Close() { p.Server.Close() }

// URL is the send API's base URL (talktalk.api_url).
func (p *Platform) URL() string { return p.Server.URL }

// FailNext makes the next n send API calls answer 500.
func (p *Platform) FailNext(n int) {
	p.mu.Lock()
	p.failNext = n
	p.mu.Unlock()
}

// Say posts a customer's text message, standby when the Partner Center
// holds the thread, and returns the webhook's answer (nil: none).
func (p *Platform) Say(ctx context.Context, user, text string) (*talktalk.Event, error) {
	return p.post(ctx, user, &talktalk.TextContent{Text: text, InputType: "typing"})
}

// Tap posts a TEXT button's tap: its title as the text, with its code.
// A tap is never standby (Naver lets the bot answer its own buttons).
func (p *Platform) Tap(ctx context.Context, user string, b talktalk.Button) (*talktalk.Event, error) {
	ev := talktalk.Event{Event: "send", User: user, TextContent: &talktalk.TextContent{Text: b.Data.Title, Code: b.Data.Code}}
	return p.deliver(ctx, user, ev)
}

func (p *Platform) post(ctx context.Context, user string, tc *talktalk.TextContent) (*talktalk.Event, error) {
	p.mu.Lock()
	standby := p.partner[user]
	p.mu.Unlock()
	ev := talktalk.Event{Event: "send", User: user, Standby: standby, TextContent: tc}
	return p.deliver(ctx, user, ev)
}

func (p *Platform) deliver(ctx context.Context, user string, ev talktalk.Event) (*talktalk.Event, error) {
	status, raw, err := p.Post(ctx, ev)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("talktalktest: webhook answered %d: %s", status, raw)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	var out talktalk.Event
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("talktalktest: webhook answer: %w: %s", err, raw)
	}
	if err := validate(out); err != nil {
		return nil, err
	}
	p.Record(user, Shown{Via: "webhook", Event: out})
	return &out, nil
}

// Post sends one event to the webhook within Naver's deadline and
// returns the answer's status and body.
func (p *Platform) Post(ctx context.Context, ev any) (int, []byte, error) {
	body, _ := json.Marshal(ev)
	status, raw, err := bottest.PostWebhook(ctx, p.client, p.WebhookURL, "application/json", body, Deadline)
	if err != nil {
		return 0, nil, fmt.Errorf("talktalktest: webhook: %w", err)
	}
	return status, raw, nil
}

// PartnerSays is the owner writing in the Partner Center: the customer
// sees it and the webhook gets its echo.
func (p *Platform) PartnerSays(ctx context.Context, user, text string) error {
	ev := talktalk.Event{Event: "send", User: user, TextContent: &talktalk.TextContent{Text: text}}
	p.Record(user, Shown{Via: "partner", Event: ev})
	owner := 10007
	p.mu.Lock()
	if p.partner[user] {
		owner = talktalk.PartnerID
	}
	p.mu.Unlock()
	echo := talktalk.Event{Event: "echo", EchoedEvent: "send", User: user, TextContent: &talktalk.TextContent{Text: text, InputType: "typing"},
		Options: &talktalk.Options{SourceID: talktalk.PartnerID, ThreadOwnerID: owner, ManagerNickname: "사장님"}}
	status, raw, err := p.Post(ctx, echo)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("talktalktest: echo answered %d: %s", status, raw)
	}
	return err
}

// Complete is the owner's "상담 완료": the thread goes back to the bot.
func (p *Platform) Complete(ctx context.Context, user string) error {
	p.mu.Lock()
	p.partner[user] = false
	p.mu.Unlock()
	ev := talktalk.Event{Event: "handover", User: user, Options: &talktalk.Options{Control: "passThread",
		Metadata: `{"managerNickname":"사장님","autoEnd":false}`}}
	_, _, err := p.Post(ctx, ev)
	return err
}

// WithPartner tells whether the Partner Center holds user's thread.
func (p *Platform) WithPartner(user string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.partner[user]
}

// Passes counts passThread calls to the partner.
func (p *Platform) Passes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.passes
}

// Sends counts messages delivered by the send API.
func (p *Platform) Sends() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sends
}

func (p *Platform) serveEvent(w http.ResponseWriter, r *http.Request) {
	answer := func(ok bool, code, msg string) {
		json.NewEncoder(w).Encode(map[string]any{"success": ok, "resultCode": code, "resultMessage": msg})
	}
	if r.Header.Get("Authorization") != p.Token {
		answer(false, "01", "Authorization 정보 에러")
		return
	}
	p.mu.Lock()
	if p.failNext > 0 {
		p.failNext--
		p.mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	p.mu.Unlock()
	var ev talktalk.Event
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil || ev.User == "" {
		answer(false, "02", "request json 문자열 파싱 에러")
		return
	}
	switch ev.Event {
	case "send":
		if err := validate(ev); err != nil {
			answer(false, "02", err.Error())
			return
		}
		p.mu.Lock()
		p.sends++
		p.mu.Unlock()
		p.Record(ev.User, Shown{Via: "api", Event: ev})
	case "handover":
		if ev.Options == nil {
			answer(false, "02", "no options")
			return
		}
		p.mu.Lock()
		switch {
		case ev.Options.Control == "passThread" && ev.Options.TargetID == talktalk.PartnerID:
			p.partner[ev.User] = true
			p.passes++
		case ev.Options.Control == "takeThread":
			p.partner[ev.User] = false
		}
		p.mu.Unlock()
	default:
		answer(false, "99", "unknown event "+ev.Event)
		return
	}
	answer(true, "00", "success")
}

// validate checks a send event: one content, text within 10,000
// characters, button titles within 18.
func validate(ev talktalk.Event) error {
	if ev.Event != "send" {
		return fmt.Errorf("talktalktest: event %q in an answer", ev.Event)
	}
	switch {
	case ev.TextContent != nil && ev.CompositeContent == nil:
		if n := len([]rune(ev.TextContent.Text)); n == 0 || n > 10000 {
			return fmt.Errorf("talktalktest: text of %d characters", n)
		}
	case ev.CompositeContent != nil && ev.TextContent == nil:
		for _, c := range ev.CompositeContent.CompositeList {
			for _, b := range c.ButtonList {
				if n := len([]rune(b.Data.Title)); n == 0 || n > 18 {
					return fmt.Errorf("talktalktest: button title %q", b.Data.Title)
				}
				if b.Type == "LINK" && (b.Data.URL == "" || b.Data.MobileURL == "") {
					return fmt.Errorf("talktalktest: link button without both urls")
				}
			}
		}
	default:
		return fmt.Errorf("talktalktest: want exactly one content")
	}
	return nil
}
