package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad holds many visitors' event streams open on a running server
// (SHOPBOT_LOAD_URL, e.g. http://127.0.0.1:8080 of `shopbot serve --demo`)
// while some of them chat, and reports reply latency and the server's
// memory (from its /metrics). Visitors come from 200 loopback addresses
// (127.0.0.2…), so the per-IP limits apply as they would to real people.
// SHOPBOT_LOAD_IDLE and SHOPBOT_LOAD_CHAT set the counts (1000, 100).
func TestLoad(t *testing.T) {
	base := os.Getenv("SHOPBOT_LOAD_URL")
	if base == "" {
		t.Skip("load test: set SHOPBOT_LOAD_URL to a running shopbot serve")
	}
	idle, chat := envInt("SHOPBOT_LOAD_IDLE", 1000), envInt("SHOPBOT_LOAD_CHAT", 100)
	clients := make([]*http.Client, 200)
	for i := range clients {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}}
		clients[i] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 100}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mem0 := scrape(t, base)
	t.Logf("before: %s", mem0)

	type visitor struct {
		c      *http.Client
		token  string
		events chan string // event data of bot and owner replies
	}
	var open atomic.Int64
	start := func(i int) *visitor {
		v := &visitor{c: clients[i%len(clients)], events: make(chan string, 64)}
		res, err := v.c.Post(base+"/api/session", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var s session
		json.NewDecoder(res.Body).Decode(&s)
		res.Body.Close()
		if s.Token == "" {
			t.Fatalf("visitor %d: session refused (%d)", i, res.StatusCode)
		}
		v.token = s.Token
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/events?t="+s.Token, nil)
		res, err = v.c.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("visitor %d: stream: %v %v", i, err, res)
		}
		open.Add(1)
		go func() {
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if l := sc.Text(); strings.HasPrefix(l, "data: ") && !strings.Contains(l, `"from":"me"`) {
					v.events <- l
				}
			}
		}()
		return v
	}
	t0 := time.Now()
	var vs []*visitor
	for i := range idle + chat {
		vs = append(vs, start(i))
	}
	t.Logf("%d streams open in %s", open.Load(), time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	memIdle := scrape(t, base)
	t.Logf("with %d open streams: %s", open.Load(), memIdle)

	questions := []string{"배송 언제 와요?", "배송비 얼마예요?", "교환", "사이즈 어떻게 골라요", "where is my order 1042"}
	var mu sync.Mutex
	var lat []time.Duration
	var limited, failed atomic.Int64
	var wg sync.WaitGroup
	t1 := time.Now()
	for i, v := range vs[idle:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%20) * 100 * time.Millisecond)
			for n, q := range questions {
				body := fmt.Sprintf(`{"id":"load-%d-%d","text":%q}`, i, n, q)
				req, _ := http.NewRequest("POST", base+"/api/messages", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+v.token)
				sent := time.Now()
				res, err := v.c.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusTooManyRequests {
					limited.Add(1)
					continue
				}
				if res.StatusCode != http.StatusAccepted {
					failed.Add(1)
					continue
				}
				select {
				case <-v.events:
					mu.Lock()
					lat = append(lat, time.Since(sent))
					mu.Unlock()
				case <-time.After(10 * time.Second):
					failed.Add(1)
				}
				time.Sleep(2500 * time.Millisecond) // a person typing
			}
		}()
	}
	wg.Wait()
	memChat := scrape(t, base)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)].Round(time.Millisecond)
	}
	t.Logf("%d chatting visitors: %d replies in %s, 429s %d, failures %d; reply latency p50 %s p90 %s p99 %s max %s",
		chat, len(lat), time.Since(t1).Round(time.Millisecond), limited.Load(), failed.Load(), pct(.5), pct(.9), pct(.99), pct(1))
	t.Logf("after chatting, %d streams open: %s", open.Load(), memChat)
	if failed.Load() > 0 {
		t.Errorf("%d failures", failed.Load())
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n >= 0 {
		return n
	}
	return def
}

var metricRE = regexp.MustCompile(`(?m)^(process_resident_memory_bytes|go_goroutines|go_memstats_heap_inuse_bytes) (\S+)$`)

// scrape reads the server's memory and goroutines from its /metrics.
func scrape(t *testing.T, base string) string {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var parts []string
	for _, m := range metricRE.FindAllStringSubmatch(string(b), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if strings.HasSuffix(m[1], "bytes") {
			parts = append(parts, fmt.Sprintf("%s=%.1f MiB", m[1], v/(1<<20)))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%.0f", m[1], v))
		}
	}
	return strings.Join(parts, " ")
}
