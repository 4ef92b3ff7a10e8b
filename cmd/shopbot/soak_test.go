package main

import (
	"bytes"
	"cmp"
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/dbtest"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

// soakLong is set by soak_long_test.go (go test -tags soak): the long
// versions of the soaks. Without the tag a short version of each runs with
// every `go test`, so the guarantees stay tested.
var soakLong = false

// soakPlan sizes a soak run.
type soakPlan struct {
	customers int
	kills     int
	instances int
	minGap    time.Duration // between a start and the next kill
	maxGap    time.Duration
	patience  time.Duration // how long a customer waits for a reply before writing on
	lease     string        // outbox.lease; "": the default (1m)
	seed      uint64
}

// plan returns the short or long plan, with the environment's knobs:
// SHOPBOT_SOAK_CUSTOMERS, SHOPBOT_SOAK_KILLS, SHOPBOT_SOAK_INSTANCES,
// SHOPBOT_SOAK_SEED, SHOPBOT_SOAK_LEASE.
func plan(t *testing.T, short, long soakPlan) soakPlan {
	t.Helper()
	p := short
	if soakLong {
		p = long
	}
	p.seed = uint64(time.Now().UnixNano())
	for _, k := range []struct {
		env string
		v   *int
	}{{"SHOPBOT_SOAK_CUSTOMERS", &p.customers}, {"SHOPBOT_SOAK_KILLS", &p.kills}, {"SHOPBOT_SOAK_INSTANCES", &p.instances}} {
		if s := os.Getenv(k.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				t.Fatalf("%s=%q: want a number", k.env, s)
			}
			*k.v = n
		}
	}
	if s := os.Getenv("SHOPBOT_SOAK_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SHOPBOT_SOAK_SEED=%q: want a number", s)
		}
		p.seed = n
	}
	if s := os.Getenv("SHOPBOT_SOAK_LEASE"); s != "" {
		p.lease = s
	}
	t.Logf("plan: %d customers, %d kills, %d instance(s), kill gaps %s–%s, outbox lease %s, seed %d (SHOPBOT_SOAK_SEED to replay)",
		p.customers, p.kills, p.instances, p.minGap, p.maxGap, cmp.Or(p.lease, "1m (default)"), p.seed)
	return p
}

func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// traffic starts the customers, each at a random moment within spread,
// and returns a function that waits for all of them to finish.
func (r *soakRig) traffic(ctx context.Context, p soakPlan, rng *rand.Rand, spread time.Duration) ([]*soakCustomer, func()) {
	r.t.Helper()
	var orders []soakOrder
	if err := r.db.SelectContext(ctx, &orders, `SELECT number, phone, status, shipped_at FROM orders`); err != nil {
		r.t.Fatal(err)
	}
	customers := soakScripts(rng, p.customers, orders)
	seen := &sentCounter{}
	sctx, stopSeen := context.WithCancel(ctx)
	go seen.run(sctx, r.tg)
	var wg sync.WaitGroup
	for _, c := range customers {
		at := between(rng, 0, spread)
		crng := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
		wg.Go(func() {
			select {
			case <-time.After(at):
			case <-ctx.Done():
				return
			}
			c.talk(ctx, r.tg, seen, crng, p.patience)
		})
	}
	return customers, func() { wg.Wait(); stopSeen() }
}

// TestSoakCrash drives the real binary with Telegram customers and kills
// it with SIGKILL at random moments, restarting it each time; afterwards
// every customer message must have been stored and answered, every ticket
// must have reached the owners' Slack channel and every owner alert the
// owner's Telegram chat. Duplicates (a reply sent, then the process killed
// before it recorded so) are counted and reported.
//
// Short by default; go test -tags soak -run Soak -v ./cmd/shopbot/ for
// the long version (SHOPBOT_SOAK_KILLS, SHOPBOT_SOAK_CUSTOMERS).
func TestSoakCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash soak builds and runs the binary")
	}
	p := plan(t,
		soakPlan{customers: 30, kills: 3, instances: 1, minGap: 700 * time.Millisecond, maxGap: 2500 * time.Millisecond, patience: 8 * time.Second, lease: "3s"},
		soakPlan{customers: 300, kills: 25, instances: 1, minGap: 500 * time.Millisecond, maxGap: 4 * time.Second, patience: 30 * time.Second})
	bin := buildShopbot(t)
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Parallel() // each engine its own serve runs, fakes and database
			wall := time.Now()
			rig := newSoakRig(t, bin, dbtest.URL(t, engine), 1, p.lease)
			in := rig.insts[0]
			in.start()
			in.ready()
			rig.openDB()
			rng := rand.New(rand.NewPCG(p.seed, 1))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			spread := time.Duration(p.kills) * (p.minGap + p.maxGap) / 2
			customers, finished := rig.traffic(ctx, p, rng, spread)

			kills, early := 0, 0
			for range p.kills {
				time.Sleep(between(rng, p.minGap, p.maxGap))
				if !in.serving() {
					early++ // killed while still starting
				}
				in.kill()
				kills++
				time.Sleep(between(rng, 0, 300*time.Millisecond)) // down for a moment
				in.start()
			}
			in.ready()
			finished()
			took, calm := rig.quiesce(90 * time.Second)
			if err := in.stop(); err != nil {
				t.Error(err)
			}
			s := rig.tally(customers)
			t.Logf("%s: %d kills (%d while starting), wall %s, quiescent %s after the last customer\n%s",
				engine, kills, early, time.Since(wall).Round(time.Millisecond), took.Round(time.Millisecond), s.report())
			if !calm {
				t.Errorf("not quiescent after %s: %d updates unconfirmed", took, rig.tg.Pending())
			}
			if ex := rig.unexpected(); len(ex) > 0 {
				t.Errorf("processes ended on their own: %v", ex)
			}
			if s.Lost() != 0 {
				t.Errorf("lost %d messages", s.Lost())
			}
			if s.In == 0 || s.Journaled != s.In || s.Replies < s.In {
				t.Errorf("in %d, stored %d, replies %d: every message must be stored and answered", s.In, s.Journaled, s.Replies)
			}
			if s.Tickets == 0 {
				t.Errorf("no tickets: the soak must exercise owner alerts")
			}
			// The day is claimed once; a kill between its delivery and the
			// record of it repeats it, like any other message (counted
			// among the duplicates).
			if s.Summaries != 1 || s.SummaryTG < 1 || s.SummarySlk < 1 {
				t.Errorf("daily summary: claimed %d, on Telegram %d, on Slack %d; want it claimed once and delivered", s.Summaries, s.SummaryTG, s.SummarySlk)
			}
			// Only a send in flight at a kill can be repeated after it.
			if s.Dups() > kills*6 {
				t.Errorf("%d duplicates for %d kills: more than the sends in flight at the kills", s.Dups(), kills)
			}
		})
	}
}

// serving reports whether the current process has said it serves.
func (in *soakInstance) serving() bool {
	in.mu.Lock()
	starts := in.starts
	in.mu.Unlock()
	data, _ := os.ReadFile(in.log)
	i := strings.LastIndex(string(data), "=== soak: start "+strconv.Itoa(starts)+" ===")
	return i >= 0 && soakServingRE.Match(data[i:])
}

// TestSoakInstances runs several serve processes on one PostgreSQL under
// Telegram traffic and kills the one that polls (SIGKILL) again and again:
// another must take over polling within 10 s, no two may poll at once,
// nothing may be lost or doubled by the handover, and the daily summary
// goes out once.
func TestSoakInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("the instances soak builds and runs the binary")
	}
	p := plan(t,
		soakPlan{customers: 30, kills: 2, instances: 3, minGap: 2 * time.Second, maxGap: 3 * time.Second, patience: 8 * time.Second, lease: "3s"},
		soakPlan{customers: 200, kills: 10, instances: 3, minGap: 2 * time.Second, maxGap: 5 * time.Second, patience: 30 * time.Second})
	if p.instances < 2 {
		t.Fatalf("SHOPBOT_SOAK_INSTANCES=%d: want 2 or more", p.instances)
	}
	bin := buildShopbot(t)
	wall := time.Now()
	rig := newSoakRig(t, bin, dbtest.URL(t, "postgres"), p.instances, p.lease)
	// The first one migrates and seeds; the others join it.
	rig.insts[0].start()
	rig.insts[0].ready()
	for _, in := range rig.insts[1:] {
		in.start()
	}
	for _, in := range rig.insts[1:] {
		in.ready()
	}
	rig.openDB()
	rng := rand.New(rand.NewPCG(p.seed, 2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	spread := time.Duration(p.kills) * (p.minGap + p.maxGap) / 2
	customers, finished := rig.traffic(ctx, p, rng, spread)

	var takeovers []time.Duration
	for k := range p.kills {
		time.Sleep(between(rng, p.minGap, p.maxGap))
		leader := rig.waitLeader(t)
		in := rig.insts[leader-1]
		in.kill()
		killed := time.Now()
		next, took := rig.waitTakeover(t, leader, killed, 30*time.Second)
		takeovers = append(takeovers, took)
		t.Logf("kill %d: instance %d (the poller) killed; instance %d polls %s later", k+1, leader, next, took.Round(time.Millisecond))
		if took > 10*time.Second {
			t.Errorf("takeover after kill %d took %s, want within 10 s", k+1, took)
		}
		in.start() // back as a stand-by
	}
	for _, in := range rig.insts {
		in.ready()
	}
	finished()
	took, calm := rig.quiesce(90 * time.Second)
	for _, in := range rig.insts {
		if err := in.stop(); err != nil {
			t.Error(err)
		}
	}
	s := rig.tally(customers)
	var worst, sum time.Duration
	for _, d := range takeovers {
		worst = max(worst, d)
		sum += d
	}
	mean := time.Duration(0)
	if len(takeovers) > 0 {
		mean = sum / time.Duration(len(takeovers))
	}
	t.Logf("%d instances, %d leader kills, takeover mean %s max %s, 409 conflicts %d, wall %s, quiescent %s after the last customer\n%s",
		p.instances, len(takeovers), mean.Round(time.Millisecond), worst.Round(time.Millisecond), rig.proxy.conflictCount(),
		time.Since(wall).Round(time.Millisecond), took.Round(time.Millisecond), s.report())
	if !calm {
		t.Errorf("not quiescent after %s: %d updates unconfirmed", took, rig.tg.Pending())
	}
	if ex := rig.unexpected(); len(ex) > 0 {
		t.Errorf("processes ended on their own: %v", ex)
	}
	if n := rig.proxy.conflictCount(); n != 0 {
		t.Errorf("%d getUpdates calls while another instance polled (409)", n)
	}
	if s.Lost() != 0 {
		t.Errorf("lost %d messages", s.Lost())
	}
	if s.In == 0 || s.Journaled != s.In || s.Replies < s.In {
		t.Errorf("in %d, stored %d, replies %d: every message must be stored and answered", s.In, s.Journaled, s.Replies)
	}
	if s.Summaries != 1 || s.SummaryTG < 1 || s.SummarySlk < 1 {
		t.Errorf("daily summary with %d instances: claimed %d, on Telegram %d, on Slack %d; want it claimed once and delivered", p.instances, s.Summaries, s.SummaryTG, s.SummarySlk)
	}
	if s.Dups() > len(takeovers)*6 {
		t.Errorf("%d duplicates for %d kills: more than the sends in flight at the kills", s.Dups(), len(takeovers))
	}
}

// waitLeader returns the instance polling now: the last to start a
// getUpdates call, while alive.
func (r *soakRig) waitLeader(t *testing.T) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n, _ := r.proxy.lastPoller(); n > 0 && r.insts[n-1].alive() {
			return n
		}
	}
	t.Fatal("no instance polls Telegram")
	return 0
}

// waitTakeover waits for an instance other than old to poll after t and
// returns it with the delay.
func (r *soakRig) waitTakeover(t *testing.T, old int, at time.Time, limit time.Duration) (int, time.Duration) {
	t.Helper()
	for deadline := at.Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, e := range r.proxy.pollsAfter(at) {
			if e.inst != old {
				return e.inst, e.at.Sub(at)
			}
		}
	}
	t.Fatalf("no instance took over polling within %s of killing instance %d", limit, old)
	return 0, 0
}

// tgInstance is one serve service's Telegram channel, run in-process.
type tgInstance struct {
	cancel context.CancelFunc
	done   chan error
	log    *syncBuf
	ob     *bot.Outbox
}

// startTelegramInstances runs n serve services' Telegram channels on one
// PostgreSQL schema against api, instance i through proxy prefix /i<i+1>;
// webhook "" polls.
func startTelegramInstances(t *testing.T, n int, api *telegramtest.Server, proxy *pollProxy, webhook string) []tgInstance {
	t.Helper()
	url := dbtest.URL(t, "postgres")
	ctx := context.Background()
	var insts []tgInstance
	for i := 1; i <= n; i++ {
		e := env2(map[string]string{"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_WEBHOOK_SECRET": "s3cret"})
		e.now, e.timing.leaderRetry = time.Now, 100*time.Millisecond
		st, err := e.open(ctx, common{db: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.db.Close() })
		st.cfg.Telegram.APIEndpoint = proxy.URL + "/i" + strconv.Itoa(i) + "/bot%s/%s"
		st.cfg.Telegram.WebhookURL = webhook
		log := &syncBuf{}
		lg := newLogger(log, 0)
		eng, ob, err := st.engine(ctx, lg, nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := &service{st: st, eng: eng, ob: ob, log: lg, mux: http.NewServeMux(), env: e}
		c, ok, err := svc.telegramChannel(ctx)
		if err != nil || !ok {
			t.Fatalf("telegramChannel: %v %v", ok, err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- svc.runChannel(rctx, c) }()
		insts = append(insts, tgInstance{cancel, done, log, ob})
		t.Cleanup(func() { cancel(); <-done })
	}
	return insts
}

// queueReplies queues n customer replies, alternately through each
// instance's outbox.
func queueReplies(t *testing.T, insts []tgInstance, n int) {
	t.Helper()
	for i := range n {
		r := bot.Reply{Channel: telegram.Channel, Chat: strconv.Itoa(5000 + i), Kind: bot.KindFAQ, Text: "hello"}
		if _, err := insts[i%len(insts)].ob.Enqueue(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTelegramPollLeader wires two serve services on one PostgreSQL to the
// fake Bot API: only one polls and sends; when it stops, the other takes
// over.
func TestTelegramPollLeader(t *testing.T) {
	api := telegramtest.New(t)
	proxy := newPollProxy(t, api.URL)
	insts := startTelegramInstances(t, 2, api, proxy, "")
	waitUntil(t, "a poller", func() bool { n, _ := proxy.lastPoller(); return n > 0 })
	time.Sleep(500 * time.Millisecond) // the stand-by tries a few times meanwhile
	first, _ := proxy.lastPoller()
	for _, e := range proxy.pollsAfter(time.Time{}) {
		if e.inst != first {
			t.Fatalf("instance %d polled while instance %d leads", e.inst, first)
		}
	}
	if !strings.Contains(insts[first-1].log.String(), "this instance leads") {
		t.Errorf("the leader does not log that it leads:\n%s", insts[first-1].log.String())
	}
	// Replies queued by either instance go out through the leader alone,
	// so one process keeps Telegram's rate limits.
	queueReplies(t, insts, 4)
	waitUntil(t, "the leader sending the 4 replies", func() bool { return proxy.sendsBy(first) >= 4 })
	if n := proxy.sendsBy(3 - first); n != 0 {
		t.Errorf("the stand-by sent %d messages, want none", n)
	}
	// The leader stops; the stand-by takes over.
	stopped := time.Now()
	insts[first-1].cancel()
	<-insts[first-1].done
	insts[first-1].done <- nil // for the cleanup
	waitUntil(t, "the stand-by polling", func() bool {
		for _, e := range proxy.pollsAfter(stopped) {
			if e.inst != first {
				return true
			}
		}
		return false
	})
	api.Text(tgbotapi.User{ID: 7001, FirstName: "Mina", LanguageCode: "ko"}, "배송비 얼마예요?")
	api.WaitSent(t, 7001, 1)
	if n := proxy.conflictCount(); n != 0 {
		t.Errorf("%d polls while another instance polled", n)
	}
}

// TestTelegramWebhookLeader: in webhook mode too, one instance registers
// the webhook and sends, whichever instance queued the reply.
func TestTelegramWebhookLeader(t *testing.T) {
	api := telegramtest.New(t)
	proxy := newPollProxy(t, api.URL)
	insts := startTelegramInstances(t, 2, api, proxy, "https://shop.example/tg/hook")
	waitUntil(t, "the webhook registered", func() bool { return api.Webhook().URL != "" })
	queueReplies(t, insts, 4)
	waitUntil(t, "4 replies sent", func() bool { return proxy.sendsBy(1)+proxy.sendsBy(2) >= 4 })
	time.Sleep(300 * time.Millisecond)
	if a, b := proxy.sendsBy(1), proxy.sendsBy(2); a != 0 && b != 0 {
		t.Errorf("both instances sent (%d and %d), want one sender", a, b)
	}
	if n := api.Calls("setWebhook"); n != 1 {
		t.Errorf("setWebhook called %d times, want once (by the leader)", n)
	}
}

func TestPollLockName(t *testing.T) {
	tests := []struct{ token, where, want string }{
		{"123456:TEST-token-secret", "test.public", "telegram-poll/123456@test.public"},
		{"42:x", "shop.t_1", "telegram-poll/42@shop.t_1"},
	}
	for _, tc := range tests {
		if got := pollLockName(tc.token, tc.where); got != tc.want {
			t.Errorf("pollLockName(%q, %q) = %q, want %q", tc.token, tc.where, got, tc.want)
		}
	}
}

// syncBuf is a log buffer safe for concurrent writes and reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
