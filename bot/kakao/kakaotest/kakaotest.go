// Package kakaotest is a fake of Kakao's chatbot platform for tests: it
// calls a skill the way the platform does (JSON POST, a 5-second deadline,
// a one-shot callback URL that expires after a minute when the block has
// callbacks on) and serves the Event API (KakaoAK key checked), keeping
// what each user was shown.
package kakaotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/kakao"
)

// Deadline is how long the platform waits for a skill's answer.
const Deadline = 5 * time.Second

// CallbackTTL is how long a callback URL is valid.
const CallbackTTL = time.Minute

// Platform is the fake: an httptest server for the Event API and the
// callback URLs, and a client that calls the skill.
type Platform struct {
	Server *httptest.Server
	BotID  string
	APIKey string
	// SkillURL is where the skill is served (…/hooks/kakao/<secret>).
	SkillURL string
	// Callbacks: the block has the callback option on, so every request
	// carries a fresh callback URL.
	Callbacks bool
	// EventStatus, when not zero, is the Event API's answer status for the
	// next calls (429, 500…), to test failures.
	EventStatus int

	// Transcripts keeps what each user was shown (Shown).
	bottest.Transcripts[Shown]

	mu        sync.Mutex
	callbacks map[string]*pending
	events    int
	seq       int
	client    *http.Client
}

// Shown is one thing a user saw: a skill response's bubbles, a callback's
// or an event's text.
type Shown struct {
	Via      string // "skill", "callback", "event"
	Response kakao.SkillResponse
	Text     string // the event's data.text
}

type pending struct {
	user    string
	expires time.Time
	used    bool
}

// New starts a fake platform for the bot botID with the REST API key.
func New(botID, apiKey string) *Platform {
	p := &Platform{BotID: botID, APIKey: apiKey, callbacks: map[string]*pending{},
		client: &http.Client{Timeout: Deadline}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/bots/{bot}/talk", p.serveEvent)
	mux.HandleFunc("POST /callback/{id}", p.serveCallback)
	p.Server = httptest.NewServer(mux)
	return p
}

// Close stops the fake.
func (p *Platform) Close() { p.Server.Close() }

// URL is the Event API's base URL (kakao.api_url).
func (p *Platform) URL() string { return p.Server.URL }

// Say sends utterance from user to the skill as the platform does and
// returns the skill's response (a timeout after Deadline is an error, as
// the platform shows the user an error then).
func (p *Platform) Say(ctx context.Context, user, utterance string) (kakao.SkillResponse, error) {
	return p.call(ctx, user, utterance, nil)
}

// Tap sends a quick reply's tap: its message text with its extra.
func (p *Platform) Tap(ctx context.Context, user string, q kakao.QuickReply) (kakao.SkillResponse, error) {
	return p.call(ctx, user, q.MessageText, q.Extra)
}

// Request is the skill request the platform sends for utterance.
func (p *Platform) Request(user, utterance string, extra map[string]any) (kakao.SkillRequest, string) {
	var req kakao.SkillRequest
	req.Intent.ID, req.Intent.Name = "block-fallback", "폴백 블록"
	req.UserRequest.Timezone, req.UserRequest.Lang = "Asia/Seoul", "ko"
	req.UserRequest.Utterance = utterance
	req.UserRequest.User = kakao.User{ID: user, Type: "botUserKey",
		Properties: map[string]any{"botUserKey": user, "plusfriendUserKey": "pf-" + user, "isFriend": true}}
	req.Bot.ID, req.Bot.Name = p.BotID, "하루상점 봇"
	req.Action.ID, req.Action.Name = "skill-1", "shopbot"
	req.Action.Params = map[string]any{}
	req.Action.ClientExtra = extra
	cb := ""
	if p.Callbacks {
		p.mu.Lock()
		p.seq++
		cb = strconv.Itoa(p.seq)
		p.callbacks[cb] = &pending{user: user, expires: time.Now().Add(CallbackTTL)}
		p.mu.Unlock()
		req.UserRequest.CallbackURL = p.Server.URL + "/callback/" + cb
	}
	return req, cb
}

func (p *Platform) call(ctx context.Context, user, utterance string, extra map[string]any) (kakao.SkillResponse, error) {
	req, _ := p.Request(user, utterance, extra)
	body, _ := json.Marshal(req)
	status, raw, err := p.Post(ctx, body)
	if err != nil {
		return kakao.SkillResponse{}, err
	}
	if status != http.StatusOK {
		return kakao.SkillResponse{}, fmt.Errorf("kakaotest: skill answered %d: %s", status, raw)
	}
	var sr kakao.SkillResponse
	if err := json.Unmarshal(raw, &sr); err != nil {
		return sr, fmt.Errorf("kakaotest: skill response: %w: %s", err, raw)
	}
	if err := Validate(sr); err != nil {
		return sr, err
	}
	if sr.Template != nil {
		p.Record(user, Shown{Via: "skill", Response: sr})
	}
	return sr, nil
}

// Post sends a raw skill request body within the platform's deadline and
// returns the answer's status and body.
func (p *Platform) Post(ctx context.Context, body []byte) (int, []byte, error) {
	status, raw, err := bottest.PostWebhook(ctx, p.client, p.SkillURL, "application/json;charset=UTF-8", body, Deadline)
	if err != nil {
		return 0, nil, fmt.Errorf("kakaotest: skill: %w", err)
	}
	return status, raw, nil
}

// Validate checks a response against the platform's rules: version 2.0,
// 1 to 3 outputs of one kind each, at most 10 quick replies with labels of
// at most 14 characters, or useCallback alone.
func Validate(sr kakao.SkillResponse) error {
	if sr.Version != "2.0" {
		return fmt.Errorf("kakaotest: version %q", sr.Version)
	}
	if sr.UseCallback {
		return nil
	}
	if sr.Template == nil {
		return errors.New("kakaotest: no template")
	}
	if n := len(sr.Template.Outputs); n < 1 || n > kakao.MaxOutputs {
		return fmt.Errorf("kakaotest: %d outputs", n)
	}
	for i, o := range sr.Template.Outputs {
		switch {
		case o.SimpleText != nil && o.TextCard == nil:
			if strings.TrimSpace(o.SimpleText.Text) == "" {
				return fmt.Errorf("kakaotest: output %d: empty text", i)
			}
		case o.TextCard != nil && o.SimpleText == nil:
			if len(o.TextCard.Buttons) > 3 {
				return fmt.Errorf("kakaotest: output %d: %d buttons", i, len(o.TextCard.Buttons))
			}
		default:
			return fmt.Errorf("kakaotest: output %d: want exactly one component", i)
		}
	}
	if n := len(sr.Template.QuickReplies); n > kakao.MaxQuickReplies {
		return fmt.Errorf("kakaotest: %d quick replies", n)
	}
	for _, q := range sr.Template.QuickReplies {
		if len([]rune(q.Label)) > 14 || q.Label == "" || q.Action != "message" {
			return fmt.Errorf("kakaotest: quick reply %+v", q)
		}
	}
	return nil
}

func (p *Platform) serveCallback(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	cb := p.callbacks[r.PathValue("id")]
	ok := cb != nil && !cb.used && time.Now().Before(cb.expires)
	if ok {
		cb.used = true
	}
	p.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "FAIL", "message": "callback url expired or used"})
		return
	}
	var sr kakao.SkillResponse
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&sr); err != nil || Validate(sr) != nil || sr.UseCallback {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "FAIL", "message": "invalid skill response"})
		return
	}
	p.Record(cb.user, Shown{Via: "callback", Response: sr})
	json.NewEncoder(w).Encode(map[string]any{"taskId": "cb-" + r.PathValue("id"), "status": "SUCCESS"})
}

func (p *Platform) serveEvent(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "KakaoAK "+p.APIKey || r.PathValue("bot") != p.BotID {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"status": "FAIL", "message": "unauthorized"})
		return
	}
	p.mu.Lock()
	status := p.EventStatus
	p.mu.Unlock()
	if status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		w.WriteHeader(status)
		return
	}
	var req struct {
		Event struct {
			Name string            `json:"name"`
			Data map[string]string `json:"data"`
		} `json:"event"`
		User []struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"user"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.Event.Name == "" || len(req.User) == 0 || len(req.User) > 100 {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "FAIL", "message": "bad request"})
		return
	}
	for _, u := range req.User {
		if u.Type != "botUserKey" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		p.Record(u.ID, Shown{Via: "event", Text: req.Event.Data["text"]})
	}
	p.mu.Lock()
	p.events += len(req.User)
	n := p.events
	p.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"taskId": "task-" + strconv.Itoa(n), "status": "SUCCESS"})
}

// SetEventStatus makes the Event API answer status (0: normally).
func (p *Platform) SetEventStatus(status int) {
	p.mu.Lock()
	p.EventStatus = status
	p.mu.Unlock()
}

// Events counts the Event API messages sent (each is paid).
func (p *Platform) Events() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.events
}

// Texts flattens what user was shown into the bubbles' texts.
func (p *Platform) Texts(user string) []string {
	var out []string
	for _, s := range p.Shown(user) {
		if s.Text != "" {
			out = append(out, s.Text)
		}
		if s.Response.Template != nil {
			out = append(out, ResponseTexts(s.Response)...)
		}
	}
	return out
}

// ResponseTexts are a response's bubbles' texts.
func ResponseTexts(sr kakao.SkillResponse) []string {
	var out []string
	if sr.Template == nil {
		return nil
	}
	for _, o := range sr.Template.Outputs {
		switch {
		case o.SimpleText != nil:
			out = append(out, o.SimpleText.Text)
		case o.TextCard != nil:
			out = append(out, o.TextCard.Description)
		}
	}
	return out
}
