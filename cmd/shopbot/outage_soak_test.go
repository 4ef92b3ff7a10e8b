//go:build soak

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// TestOutageRealRestart restarts the real PostgreSQL server under traffic
// (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`; with
// SHOPBOT_OUTAGE_DOWN=10s a stop, that long a wait, and a start) while
// `serve` runs in-process with Telegram, Slack and the web chat, and counts
// what came through. It disturbs every other user of the server: it runs
// only with -tags soak.
//
//	go test -tags soak -count=1 -run TestOutageRealRestart -v ./cmd/shopbot/
//
// Knobs: SHOPBOT_OUTAGE_CLUSTER ("15 main"), SHOPBOT_OUTAGE_DOWN (0: a
// plain restart), SHOPBOT_OUTAGE_CUSTOMERS (30), SHOPBOT_OUTAGE_RATE
// (Telegram messages a second, 20), SHOPBOT_OUTAGE_ALERT (the watchdog's
// threshold, 500ms so that even a quick restart is reported).
func TestOutageRealRestart(t *testing.T) {
	cluster := strings.Fields(envOr("SHOPBOT_OUTAGE_CLUSTER", "15 main"))
	down, _ := time.ParseDuration(envOr("SHOPBOT_OUTAGE_DOWN", "0s"))
	customers, _ := strconv.Atoi(envOr("SHOPBOT_OUTAGE_CUSTOMERS", "30"))
	rate, _ := strconv.Atoi(envOr("SHOPBOT_OUTAGE_RATE", "20"))
	alertAfter, _ := time.ParseDuration(envOr("SHOPBOT_OUTAGE_ALERT", "500ms"))
	if _, err := exec.LookPath("pg_ctlcluster"); err != nil {
		t.Skip("no pg_ctlcluster")
	}
	s := startOutageServe(t, shortOutageTimes(100*time.Millisecond, alertAfter)) // the proxy only forwards here: the server itself goes away

	users := make([]tgbotapi.User, customers)
	for i := range users {
		users[i] = tgbotapi.User{ID: int64(7000 + i), FirstName: fmt.Sprint("C", i), LanguageCode: "ko"}
	}
	questions := []string{"배송 얼마나 걸려요?", "배송비 얼마예요?", "영업시간이 어떻게 되나요?"}
	var mu sync.Mutex
	pushed := map[int64]int{}
	webSent, web503 := 0, 0
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	// Telegram: rate messages a second, round robin over the customers.
	wg.Go(func() {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			u := users[i%len(users)]
			s.tg.Text(u, questions[i%len(questions)])
			mu.Lock()
			pushed[u.ID]++
			mu.Unlock()
		}
	})
	// The web chat: three visitors, a message each every two seconds
	// (within the per-visitor and per-IP limits), each sent again (same id)
	// after a 503 until it is taken, as the widget does.
	visitors := make([]string, 3)
	for i := range visitors {
		visitors[i] = s.webSession()
	}
	for v, token := range visitors {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("v%d-%d", v, n)
				for {
					code, e := s.webSay(token, id, questions[n%len(questions)], "ko-KR")
					if code == http.StatusAccepted {
						break
					}
					if code == http.StatusTooManyRequests {
						time.Sleep(time.Duration(e.Error.RetryAfter) * time.Second)
						continue
					}
					mu.Lock()
					web503++
					mu.Unlock()
					if code != http.StatusServiceUnavailable {
						t.Errorf("web: %d, want 202 or 503", code)
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
				mu.Lock()
				webSent++
				mu.Unlock()
				time.Sleep(2 * time.Second)
			}
		})
	}

	time.Sleep(3 * time.Second)
	begin := time.Now()
	ctl := func(action string) {
		out, err := exec.Command("pg_ctlcluster", append([]string{"--skip-systemctl-redirect"}, append(cluster, action)...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("pg_ctlcluster %s: %v\n%s", action, err, out)
		}
	}
	if down > 0 {
		ctl("stop")
		time.Sleep(down)
		ctl("start")
	} else {
		ctl("restart")
	}
	upAgain := time.Now()
	t.Logf("pg_ctlcluster took %v", upAgain.Sub(begin).Round(time.Millisecond))
	s.tg.Wait(t, "/healthz ok", func() bool { code, _ := s.get("/healthz"); return code == http.StatusOK })
	healthy := time.Now()
	time.Sleep(3 * time.Second) // traffic goes on after the restart
	stop()
	wg.Wait()
	stopped := time.Now()

	// Quiescence: every Telegram message answered, every update confirmed.
	mu.Lock()
	want := map[int64]int{}
	total := 0
	for id, n := range pushed {
		want[id] = n
		total += n
	}
	mu.Unlock()
	defer func(d time.Duration) { telegramtest.WaitTimeout = d }(telegramtest.WaitTimeout)
	telegramtest.WaitTimeout = 2 * time.Minute
	s.tg.Wait(t, "every Telegram message answered", func() bool {
		for id, n := range want {
			if len(s.tg.SentTo(id)) < n {
				return false
			}
		}
		return s.tg.Pending() == 0
	})
	drained := time.Now()
	time.Sleep(3 * time.Second) // anything doubled would show by now
	s.running()
	lost, doubled, replies := 0, 0, 0
	for id, n := range want {
		got := len(s.tg.SentTo(id))
		replies += got
		if got < n {
			lost += n - got
		}
		if got > n {
			doubled += got - n
		}
	}
	webAnswers := 0
	for _, token := range visitors {
		for _, e := range webLog(t, s, token) {
			if e["from"] == "bot" {
				webAnswers++
			}
		}
	}
	tg, sl, out := s.ownerTexts()
	t.Logf("Telegram: %d messages in, %d replies out, %d lost, %d doubled", total, replies, lost, doubled)
	t.Logf("web: %d messages taken (%d refused with 503 and sent again), %d answers", webSent, web503, webAnswers)
	t.Logf("healthz ok %v after pg_ctlcluster returned; backlog drained %v after traffic stopped (%v after pg_ctlcluster returned)",
		healthy.Sub(upAgain).Round(time.Millisecond), drained.Sub(stopped).Round(time.Millisecond), drained.Sub(upAgain).Round(time.Millisecond))
	t.Logf("owner: Telegram %q; Slack %d messages; stdout %d alert blocks", tg, len(sl), strings.Count(out, "── owner alert ──"))
	if lost != 0 || doubled != 0 {
		t.Errorf("%d lost, %d doubled; want 0 and 0", lost, doubled)
	}
	if webAnswers != webSent {
		t.Errorf("web: %d answers to %d messages", webAnswers, webSent)
	}
	if n, m := countContaining(tg, "응답하지 않아요"), countContaining(tg, "돌아왔어요"); n > 1 || n != m {
		t.Errorf("owner told %d times of the outage and %d of its end; want one each (or none for a blink)", n, m)
	}
	if err := s.stop(); err != nil {
		t.Errorf("serve: %v", err)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// webLog reads a visitor's whole conversation from the event stream.
func webLog(t *testing.T, s *outageServe, token string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.base+"/api/events?t="+token, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var evs []map[string]any
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var e map[string]any
			json.Unmarshal([]byte(data), &e)
			evs = append(evs, e)
		}
	}
	return evs
}
