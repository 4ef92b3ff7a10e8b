package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/bottest"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/bot/web"
	"github.com/shopbot/shopbot/tickets"
)

// harness is a web server on a demo shop, with the outbox runners going.
type harness struct {
	t      *testing.T
	db     *sqlx.DB
	srv    *web.Server
	ts     *httptest.Server
	eng    *bot.Engine
	ob     *bot.Outbox
	token  string         // the owner token
	clock  *bottest.Clock // the server's (the engine reads the real time)
	cancel context.CancelFunc
}

func (h *harness) Now() time.Time { return h.clock.Now() }

func (h *harness) advance(d time.Duration) { h.clock.Advance(d) }

type option func(*web.Config)

func newHarness(t *testing.T, db *sqlx.DB, opts ...option) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, db: db, cancel: cancel}
	cfg := web.Config{DB: db, Tickets: tickets.NewStore(db, nil), ShopName: "하루상점", Lang: "ko", Demo: true,
		AllowedOrigins: []string{"https://shop.example"}, Now: h.Now}
	for _, o := range opts {
		o(&cfg)
	}
	// The engine speaks to the owner in the inbox's language and zone; the
	// harness clock is the server's.
	bh := bottest.Live(t, db, bottest.OwnerLang(cfg.OwnerLang), func(c *bot.Config) { c.Location = cfg.Location },
		bottest.Owners(bot.Address{Channel: web.OwnerChannel, Chat: web.OwnerChat}))
	h.eng, h.ob, h.clock = bh.Engine, bh.Outbox, bh.Clock
	cfg.Engine = h.eng
	var err error
	h.srv, err = web.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.srv.Register(mux)
	h.ts = httptest.NewServer(mux)
	if h.token, err = web.IssueOwnerToken(ctx, db, h.Now()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); h.ob.Run(ctx, web.Channel, h.srv.Send) }()
	go func() { defer wg.Done(); h.ob.Run(ctx, web.OwnerChannel, h.srv.SendOwner) }()
	t.Cleanup(func() {
		h.ts.CloseClientConnections()
		h.ts.Close()
		cancel()
		wg.Wait()
	})
	return h
}

// run runs f on a fresh SQLite and a fresh PostgreSQL database side by
// side; it must be the last thing its caller does.
func run(t *testing.T, f func(t *testing.T, db *sqlx.DB)) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			f(t, dbtest.Open(t, engine, shop.Schema, tickets.Schema, bot.Schema, web.Schema))
		})
	}
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (h *harness) do(method, path, token string, body any, hdr map[string]string, out any) *http.Response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = strings.NewReader(string(j))
	}
	req, _ := http.NewRequest(method, h.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: %d %q: %v", method, path, res.StatusCode, data, err)
		}
	}
	return res
}

type session struct {
	Token   string `json:"token"`
	Visitor string `json:"visitor"`
}

func (h *harness) session() session {
	h.t.Helper()
	var s session
	if res := h.do("POST", "/api/session", "", map[string]string{}, nil, &s); res.StatusCode != 200 {
		h.t.Fatalf("session: %d", res.StatusCode)
	}
	return s
}

var msgSeq atomic.Int64

func (h *harness) say(token, text string) *http.Response {
	h.t.Helper()
	return h.do("POST", "/api/messages", token, map[string]string{"id": fmt.Sprintf("m%d-%d", time.Now().UnixNano(), msgSeq.Add(1)), "text": text}, nil, nil)
}

type apiErr struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		RetryAfter int    `json:"retry_after"`
	} `json:"error"`
}

// stream is an open event stream.
type stream struct {
	res    *http.Response
	events chan event
}

type event struct {
	ID   string
	Data web.Event
}

func (h *harness) stream(token string, lastID string) *stream {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.ts.URL+"/api/events?t="+token, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	s := &stream{res: res, events: make(chan event, 100)}
	if res.StatusCode != 200 {
		res.Body.Close()
		close(s.events)
		return s
	}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var e event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.Data)
			case line == "" && e.ID != "":
				s.events <- e
				e = event{}
			}
		}
	}()
	h.t.Cleanup(func() { res.Body.Close() })
	return s
}

// next waits for the next event.
func (s *stream) next(t *testing.T) event {
	t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			t.Fatal("stream closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return event{}
}

// quiet reports whether no event arrives within d.
func (s *stream) quiet(d time.Duration) (event, bool) {
	select {
	case e, ok := <-s.events:
		return e, !ok
	case <-time.After(d):
		return event{}, true
	}
}

func clarifyQuery(t *testing.T, eng *bot.Engine) string {
	t.Helper()
	return bottest.ClarifyQuery(t, eng)
}
