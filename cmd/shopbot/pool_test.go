package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot/schema"
)

// TestPoolKeepsConnections runs serve on PostgreSQL behind a counting
// proxy and sends 300 messages at once, half from web visitors (each with
// its event stream open) and half from Telegram customers: every message
// is answered, and serve opens no more server sessions than its pool
// holds. With database/sql's default of two idle connections it opened
// hundreds (each burst past two closed the connections it had just made).
func TestPoolKeepsConnections(t *testing.T) {
	s := startOutageServe(t, timing{}, "  trust_proxy: true\n")
	const (
		visitors  = 20
		perVisit  = 7 // under the visitor burst: no message waits on the rate limit
		customers = 20
		perCust   = 8
	)
	questions := []string{"배송 얼마나 걸려요?", "how much is shipping", "영업시간이 어떻게 되나요?", "运费多少钱", "반품하려면 어떻게 해요", "what payment methods do you take", "현금영수증 발급되나요", "배송비 얼마예요?"}
	before := s.proxy.Dialed()

	var wg sync.WaitGroup
	errs := make(chan error, visitors+customers)
	for v := range visitors {
		wg.Go(func() {
			ip := fmt.Sprintf("10.0.%d.7", v+1) // one network each: the per-network limits count a /24 once
			token, err := webSessionFrom(s.base, ip)
			if err != nil {
				errs <- err
				return
			}
			// The visitor's event stream is open while the messages go out,
			// as the widget's is.
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/events?t="+token, nil)
			req.Header.Set("X-Forwarded-For", ip)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			for i := range perVisit {
				if code, err := webSayRetrying(s.base, ip, token, fmt.Sprintf("v%d-%d", v, i), questions[(v+i)%len(questions)]); err != nil || code != http.StatusAccepted {
					errs <- fmt.Errorf("visitor %d message %d: %d %v", v, i, code, err)
					return
				}
			}
			bots := 0
			for sc := bufio.NewScanner(res.Body); bots < perVisit && sc.Scan(); {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				var e struct{ From string }
				if ok && json.Unmarshal([]byte(data), &e) == nil && e.From == "bot" {
					bots++
				}
			}
			if bots != perVisit {
				errs <- fmt.Errorf("visitor %d: %d replies on the event stream, want %d", v, bots, perVisit)
			}
		})
	}
	for c := range customers {
		wg.Go(func() {
			u := tgbotapi.User{ID: int64(700 + c), FirstName: "C", LanguageCode: "ko"}
			for i := range perCust {
				s.tg.Text(u, questions[(c+i)%len(questions)])
			}
		})
	}
	for c := range customers {
		s.tg.WaitSent(t, int64(700+c), perCust)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	opened := s.proxy.Dialed() - before
	t.Logf("%d messages answered; %d new PostgreSQL sessions (pool %d), %d cancel requests", visitors*perVisit+customers*perCust, opened, schema.PoolSize, s.proxy.Cancels())
	if opened > schema.PoolSize {
		t.Errorf("serve opened %d PostgreSQL sessions for %d messages, want at most the pool's %d", opened, visitors*perVisit+customers*perCust, schema.PoolSize)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// webSessionFrom opens a visitor session as a client at ip (serve trusts
// X-Forwarded-For in this test, so each visitor has its own rate limits).
func webSessionFrom(base, ip string) (string, error) {
	req, _ := http.NewRequest("POST", base+"/api/session", strings.NewReader(`{}`))
	req.Header.Set("X-Forwarded-For", ip)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var sess struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&sess); err != nil || sess.Token == "" {
		return "", fmt.Errorf("session: %d %v", res.StatusCode, err)
	}
	return sess.Token, nil
}

// webSayRetrying sends as the widget does: a 503 (the database was too
// slow to take the message in time: a loaded machine) is sent again, same
// id, after a pause, at most 5 times — the server keeps one copy — and so
// is a 429 that the retries may cause.
func webSayRetrying(base, ip, token, id, text string) (int, error) {
	for attempt := 0; ; attempt++ {
		code, err := webSayFrom(base, ip, token, id, text)
		if err != nil || code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests || attempt == 4 {
			return code, err
		}
		time.Sleep(2 * time.Second)
	}
}

func webSayFrom(base, ip, token, id, text string) (int, error) {
	body, _ := json.Marshal(map[string]string{"id": id, "text": text})
	req, _ := http.NewRequest("POST", base+"/api/messages", strings.NewReader(string(body)))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
