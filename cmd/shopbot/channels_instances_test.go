package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
	"github.com/shopbot/shopbot/bot/talktalk/talktalktest"
)

// TestWebhookChannelsInstances runs two serve processes on one PostgreSQL
// behind a round-robin "load balancer" (each customer message goes to the
// next instance), with Kakao (Event API on) and TalkTalk: each owner answer
// is pushed exactly once although both instances run the senders; then one
// instance is killed (SIGKILL) and the other serves everyone, and the
// owner's later answers still go out once.
func TestWebhookChannelsInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := buildShopbot(t)
	db := dbtest.URL(t, "postgres")
	kk := kakaotest.New("bot-multi", "rest-multi")
	defer kk.Close()
	tt := talktalktest.New("tt-multi")
	defer tt.Close()
	var procs []*kakaoProc
	var addrs []string
	for i := range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, ln.Addr().String())
		ln.Close()
		dir := t.TempDir()
		cfg := filepath.Join(dir, "shopbot.yaml")
		yaml := fmt.Sprintf("listen: %s\nkakao:\n  bot_id: bot-multi\n  event_api: true\n  api_url: %s\ntalktalk:\n  api_url: %s\noutbox: {lease: 3s}\n",
			addrs[i], kk.URL(), tt.URL())
		os.WriteFile(cfg, []byte(yaml), 0o644)
		procs = append(procs, &kakaoProc{t: t, bin: bin, cfg: cfg, db: db, log: filepath.Join(dir, "serve.log"),
			env: []string{"KAKAO_REST_API_KEY=rest-multi", "TALKTALK_TOKEN=tt-multi"}})
	}
	defer func() {
		for i, p := range procs {
			p.signal(syscall.SIGKILL)
			if t.Failed() {
				t.Logf("serve %d log (tail):\n%s", i+1, tail(p.log, 40))
			}
		}
	}()
	procs[0].start()
	procs[0].ready() // migrates and seeds
	procs[1].start()
	procs[1].ready()

	var mu sync.Mutex
	next := 0
	alive := []bool{true, true}
	// pick is the load balancer: the next live instance.
	pick := func() string {
		mu.Lock()
		defer mu.Unlock()
		for {
			next = (next + 1) % len(addrs)
			if alive[next] {
				return "http://" + addrs[next]
			}
		}
	}
	ctx := context.Background()
	kakaoSay := func(user, text string) string {
		t.Helper()
		kk.SkillURL = pick() + "/hooks/kakao/soak-secret"
		sr, err := kk.Say(ctx, user, text)
		if err != nil {
			t.Fatalf("kakao %s: %v", text, err)
		}
		return strings.Join(kakaotest.ResponseTexts(sr), "\n")
	}
	ttSay := func(user, text string) string {
		t.Helper()
		tt.WebhookURL = pick() + "/hooks/talktalk/soak-hook"
		ev, err := tt.Say(ctx, user, text)
		if err != nil {
			t.Fatalf("talktalk %s: %v", text, err)
		}
		if ev == nil {
			return ""
		}
		return talktalktest.Shown{Event: *ev}.Text()
	}
	num := ticketRE // the reference customers see
	// owner answers the tickets from one `chat --as owner` session (another
	// process on the same database), a /reply line each: one engine built
	// for a round instead of one per ticket.
	owner := func(tag string, tickets []string) {
		t.Helper()
		var lines strings.Builder
		for _, id := range tickets {
			fmt.Fprintf(&lines, "/reply %s 답변 %s #%s\n", id, tag, id)
		}
		if _, errOut, err := shopbotLive(t, nil, lines.String(), "chat", "--as", "owner", "--db", db); err != nil {
			t.Fatalf("owner: %v\n%s", err, errOut)
		}
	}
	const customers = 6
	round := func(tag string) {
		t.Helper()
		var tickets []string
		for c := range customers {
			ku, tu := fmt.Sprintf("k-%s-%d", tag, c), fmt.Sprintf("t-%s-%d", tag, c)
			if got := kakaoSay(ku, "배송 얼마나 걸려요?"); !strings.Contains(got, "출고") {
				t.Fatalf("kakao answer %q", got)
			}
			if got := ttSay(tu, "배송비 얼마예요?"); !strings.Contains(got, "3,000") {
				t.Fatalf("talktalk answer %q", got)
			}
			for _, got := range []string{kakaoSay(ku, "컵이 깨져서 왔어요 환불해 주세요"), ttSay(tu, "컵이 깨져서 왔어요 환불해 주세요")} {
				m := num.FindStringSubmatch(got)
				if m == nil {
					t.Fatalf("no ticket in %q", got)
				}
				tickets = append(tickets, m[1])
			}
		}
		owner(tag, tickets)
	}
	countOwner := func(tag string) (kakaoN, ttN int) {
		for c := range customers {
			for _, s := range kk.Shown(fmt.Sprintf("k-%s-%d", tag, c)) {
				if s.Via == "event" && strings.Contains(s.Text, "답변 "+tag) {
					kakaoN++
				}
			}
			for _, s := range tt.Shown(fmt.Sprintf("t-%s-%d", tag, c)) {
				if s.Via == "api" && strings.Contains(s.Text(), "답변 "+tag) {
					ttN++
				}
			}
		}
		return
	}
	waitAnswers := func(tag string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if k, n := countOwner(tag); k >= customers && n >= customers {
				break
			}
		}
		time.Sleep(time.Second) // a double would come now
		if k, n := countOwner(tag); k != customers || n != customers {
			t.Errorf("round %s: owner answers pushed: kakao %d, talktalk %d; want %d each, once", tag, k, n, customers)
		}
	}
	round("a")
	waitAnswers("a")
	procs[1].signal(syscall.SIGKILL)
	mu.Lock()
	alive[1] = false
	mu.Unlock()
	round("b")
	waitAnswers("b")
	t.Logf("2 instances, then 1: Kakao events %d, TalkTalk send API messages %d, for %d owner answers per channel", kk.Events(), tt.Sends(), 2*customers)
}
