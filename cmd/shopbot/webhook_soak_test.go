package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/kakao/kakaotest"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/talktalk/talktalktest"
)

// kakaoProc is one `shopbot serve` with a kakao: block on a fixed address
// (Kakao calls one skill URL), restarted after each kill.
type kakaoProc struct {
	t        *testing.T
	bin, cfg string
	db, log  string
	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	starts   int
	env      []string // more environment
}

func (p *kakaoProc) start() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	p.starts++
	fmt.Fprintf(f, "\n=== kakao soak: start %d ===\n", p.starts)
	cmd := exec.Command(p.bin, "serve", "--demo", "--config", p.cfg, "--db", p.db)
	cmd.Dir = filepath.Dir(p.cfg)
	cmd.Env = []string{"HOME=" + filepath.Dir(p.cfg), "KAKAO_SKILL_SECRET=soak-secret",
		"TALKTALK_WEBHOOK_SECRET=soak-hook", "TALKTALK_TOKEN=soak-token"}
	cmd.Env = append(cmd.Env, p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	exited := make(chan struct{})
	p.cmd, p.exited = cmd, exited
	go func() { cmd.Wait(); f.Close(); close(exited) }()
}

// ready waits until the current process serves.
func (p *kakaoProc) ready() {
	p.t.Helper()
	p.mu.Lock()
	marker := fmt.Sprintf("=== kakao soak: start %d ===", p.starts)
	p.mu.Unlock()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		data, _ := os.ReadFile(p.log)
		if i := strings.LastIndex(string(data), marker); i >= 0 && soakServingRE.Match(data[i:]) {
			return
		}
	}
	p.t.Fatalf("serve did not start:\n%s", tail(p.log, 40))
}

func (p *kakaoProc) signal(sig syscall.Signal) {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	cmd.Process.Signal(sig)
	<-exited
}

// TestWebhookSoakCrash drives `serve` with Kakao and TalkTalk customers
// through the fake platforms and kills it with SIGKILL at random moments.
// A customer whose request fails (connection refused or reset, the
// platform's deadline, a 5xx) sends the same words again, as a user does;
// each Kakao customer ends with a last message that brings what was held.
// Afterwards: every message was stored, every reply was delivered (in a
// response or by TalkTalk's send API), and the test reports the replies a
// kill cut off after they were taken (lost in flight: neither platform
// acknowledges a webhook's response), the messages stored twice (a
// resend after Kakao's 10-second retry window, or a TalkTalk resend of a
// message that was stored: neither platform gives a message an id) and
// the send API messages sent twice (a kill between Naver's acceptance and
// the "sent" mark).
func TestWebhookSoakCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash soak builds and runs the binary")
	}
	bin := buildShopbot(t)
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel() // each engine its own serve runs, fakes and database
			dir := t.TempDir()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			kk := kakaotest.New("bot-soak", "")
			defer kk.Close()
			kk.SkillURL = "http://" + addr + "/hooks/kakao/soak-secret"
			tt := talktalktest.New("soak-token")
			defer tt.Close()
			tt.WebhookURL = "http://" + addr + "/hooks/talktalk/soak-hook"
			cfg := filepath.Join(dir, "shopbot.yaml")
			// A reply claimed by a killed process waits for its claim to run out
			// (outbox.lease) before the next message can take it.
			os.WriteFile(cfg, []byte("listen: "+addr+"\nkakao:\n  bot_id: bot-soak\ntalktalk:\n  api_url: "+tt.URL()+"\noutbox: {lease: 3s}\n"), 0o644)
			p := &kakaoProc{t: t, bin: bin, cfg: cfg, db: dbtest.URL(t, engine), log: filepath.Join(dir, "serve.log")}
			defer func() {
				if t.Failed() {
					t.Logf("serve log (tail):\n%s", tail(p.log, 60))
				}
			}()
			p.start()
			p.ready()

			questions := []string{"배송 얼마나 걸려요?", "교환 되나요?", "how much is shipping?", "什么时候发货？",
				"주문 1042 어디쯤이에요?", "5678", "컵이 깨져서 왔어요 환불해 주세요", "반품은 어떻게 하나요?"}
			const customers, kills = 20, 3
			var mu sync.Mutex
			sent, resends := 0, 0
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var wg sync.WaitGroup
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
			seeds := make([]uint64, customers)
			for i := range seeds {
				seeds[i] = rng.Uint64()
			}
			for c := range customers {
				wg.Go(func() {
					crng := rand.New(rand.NewPCG(seeds[c], 1))
					user := fmt.Sprintf("soak-%02d", c)
					script := append(slicesShuffle(crng, questions)[:5], "감사합니다")
					for _, q := range script {
						time.Sleep(time.Duration(crng.IntN(800)) * time.Millisecond)
						for ctx.Err() == nil {
							_, err := kk.Say(ctx, user, q)
							if err == nil {
								break
							}
							mu.Lock()
							resends++
							mu.Unlock()
							time.Sleep(time.Duration(300+crng.IntN(1500)) * time.Millisecond)
						}
						mu.Lock()
						sent++
						mu.Unlock()
					}
				})
			}
			ttSent, ttResends := 0, 0
			for c := range customers {
				wg.Go(func() {
					crng := rand.New(rand.NewPCG(seeds[c], 2))
					user := fmt.Sprintf("tt-%02d", c)
					for _, q := range slicesShuffle(crng, questions)[:5] {
						time.Sleep(time.Duration(crng.IntN(800)) * time.Millisecond)
						for ctx.Err() == nil {
							if _, err := tt.Say(ctx, user, q); err == nil {
								break
							}
							mu.Lock()
							ttResends++
							mu.Unlock()
							time.Sleep(time.Duration(300+crng.IntN(1500)) * time.Millisecond)
						}
						mu.Lock()
						ttSent++
						mu.Unlock()
					}
				})
			}
			for range kills {
				time.Sleep(time.Duration(1000+rng.IntN(2000)) * time.Millisecond)
				p.signal(syscall.SIGKILL)
				time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
				p.start()
				p.ready()
			}
			wg.Wait()
			if ctx.Err() != nil {
				t.Fatal("customers did not finish")
			}
			// A last message from everyone, once the claims of the killed
			// processes ran out, brings what is still held; TalkTalk's
			// send API delivers what its webhooks did not carry.
			time.Sleep(4 * time.Second)
			for c := range customers {
				if _, err := kk.Say(context.Background(), fmt.Sprintf("soak-%02d", c), "안녕히 계세요"); err != nil {
					t.Fatal(err)
				}
			}
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if db, err := schema.Open(context.Background(), p.db); err == nil {
					var n int
					db.Get(&n, `SELECT COUNT(*) FROM outbox WHERE channel = 'talktalk' AND status = 'pending'`)
					db.Close()
					if n == 0 {
						break
					}
				}
			}
			p.signal(syscall.SIGTERM)

			db, err := schema.Open(context.Background(), p.db)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var journaled, pending int
			db.Get(&journaled, `SELECT COUNT(*) FROM inbound WHERE channel = 'kakao'`)
			db.Get(&pending, `SELECT COUNT(*) FROM outbox WHERE channel = 'kakao' AND status = 'pending'`)
			var rows []struct {
				Chat    string `db:"chat"`
				Payload string `db:"payload"`
			}
			if err := db.Select(&rows, `SELECT chat, payload FROM outbox WHERE channel = 'kakao' AND status = 'sent'`); err != nil {
				t.Fatal(err)
			}
			// A reply taken into a response the kill cut off was never
			// seen: count the sent replies missing from what the customer
			// was shown.
			cut := 0
			seen := map[string]string{}
			for c := range customers {
				user := fmt.Sprintf("soak-%02d", c)
				seen[user] = strings.Join(kk.Texts(user), "\n")
			}
			for _, r := range rows {
				var rep struct{ Text string }
				json.Unmarshal([]byte(r.Payload), &rep)
				if !strings.Contains(seen[r.Chat], strings.TrimSpace(rep.Text)) {
					cut++
				}
			}
			total := sent + customers
			t.Logf("%s: %d kills, %d messages (%d resent after a failure), %d stored (%d more than sent: resends past the retry window), %d replies sent, %d of them cut off by a kill (taken, never shown), %d still pending",
				engine, kills, total, resends, journaled, journaled-total, len(rows), cut, pending)
			var ttJournaled, ttPending int
			db.Get(&ttJournaled, `SELECT COUNT(*) FROM inbound WHERE channel = 'talktalk'`)
			db.Get(&ttPending, `SELECT COUNT(*) FROM outbox WHERE channel = 'talktalk' AND status = 'pending'`)
			var ttRows []struct {
				Chat    string `db:"chat"`
				Payload string `db:"payload"`
			}
			if err := db.Select(&ttRows, `SELECT chat, payload FROM outbox WHERE channel = 'talktalk' AND status = 'sent'`); err != nil {
				t.Fatal(err)
			}
			ttCut, ttDup := 0, 0
			for _, r := range ttRows {
				var rep struct{ Text string }
				json.Unmarshal([]byte(r.Payload), &rep)
				want := strings.TrimSpace(rep.Text)
				n := 0
				for _, s := range tt.Shown(r.Chat) {
					if strings.Contains(s.Text(), want) {
						n++
					}
				}
				if n == 0 {
					ttCut++
				}
			}
			apiTexts := map[string]int{}
			for c := range customers {
				user := fmt.Sprintf("tt-%02d", c)
				for _, s := range tt.Shown(user) {
					if s.Via == "api" {
						apiTexts[user+"\x00"+s.Text()]++
					}
				}
			}
			for _, n := range apiTexts {
				ttDup += n - 1
			}
			t.Logf("%s talktalk: %d messages (%d resent after a failure), %d stored, %d replies sent (%d by the send API), %d cut off by a kill, %d send API messages repeated, %d still pending",
				engine, ttSent, ttResends, ttJournaled, len(ttRows), tt.Sends(), ttCut, ttDup, ttPending)
			if ttJournaled < ttSent {
				t.Errorf("talktalk: %d messages stored, %d accepted: messages lost", ttJournaled, ttSent)
			}
			if ttPending != 0 {
				t.Errorf("talktalk: %d replies still pending", ttPending)
			}
			if journaled < total {
				t.Errorf("%d messages stored, %d sent: messages lost", journaled, total)
			}
			if pending != 0 {
				t.Errorf("%d replies still pending after every customer's last message", pending)
			}
			if cut > kills*customers {
				t.Errorf("%d replies cut off by %d kills: more than the responses in flight", cut, kills)
			}
		})
	}
}

func slicesShuffle(rng *rand.Rand, s []string) []string {
	out := append([]string(nil), s...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
