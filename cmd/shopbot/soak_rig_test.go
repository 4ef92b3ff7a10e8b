package main

// The crash-soak rig: the real shopbot binary, built once per test, run as
// one or several `serve` processes against the fake Telegram and Slack
// APIs, killed with SIGKILL and restarted, and an account of every message
// afterwards, taken from the fakes (what the platforms received) and the
// database (what the bot decided to send).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/slack/slacktest"
	"github.com/shopbot/shopbot/bot/telegram"
	"github.com/shopbot/shopbot/bot/telegram/telegramtest"
)

const (
	soakOwner     = 900       // the owner's Telegram chat
	soakSlackChan = "COWNERS" // the owners' Slack channel
	soakSlackTok  = "xoxb-soak-test"
	soakFirstUser = 10001 // customers are Telegram users 10001, 10002…
)

// buildShopbot compiles the shopbot binary (without -race: it is the
// system under test, not the test) into a temporary directory.
func buildShopbot(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shopbot")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// soakRig is one run: the fakes, the database and the serve processes.
type soakRig struct {
	t      *testing.T
	bin    string
	dir    string
	dbURL  string
	tg     *telegramtest.Server
	slack  *slacktest.Server
	proxy  *pollProxy
	insts  []*soakInstance
	db     *sqlx.DB // the test's own connection, to read what the bot stored
	begin  time.Time
	exitMu sync.Mutex
	exits  []string // processes that ended without being told to
}

// newSoakRig starts the fakes and writes one configuration per instance;
// no process runs yet.
func newSoakRig(t *testing.T, bin, dbURL string, instances int, lease string) *soakRig {
	t.Helper()
	r := &soakRig{t: t, bin: bin, dir: t.TempDir(), dbURL: dbURL, begin: time.Now()}
	r.tg = telegramtest.New(t)
	// Telegram's flood limits: a message over them is refused with 429
	// and counted; the bot must wait and retry.
	r.tg.Limit(time.Second, 30)
	r.slack = slacktest.NewServer(t, soakSlackTok)
	r.proxy = newPollProxy(t, r.tg.URL)
	for n := 1; n <= instances; n++ {
		cfg := filepath.Join(r.dir, fmt.Sprintf("shopbot-%d.yaml", n))
		yaml := fmt.Sprintf(`listen: 127.0.0.1:0
shop: {name: 하루상점, timezone: Asia/Seoul, language: ko}
telegram:
  owners: [%d]
  api_endpoint: %q
slack:
  channel: %s
  owners: [UOWNER]
  api_url: %q
notify:
  daily_at: "00:00"   # due at once: the day's summary is sent at start, once
  weekly: none
%s`, soakOwner, r.proxy.URL+fmt.Sprintf("/i%d", n)+"/bot%s/%s", soakSlackChan, r.slack.URL, leaseYAML(lease))
		if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		r.insts = append(r.insts, &soakInstance{rig: r, n: n, cfg: cfg, log: filepath.Join(r.dir, fmt.Sprintf("serve-%d.log", n))})
	}
	t.Cleanup(func() {
		for _, in := range r.insts {
			in.kill()
		}
		if r.db != nil {
			r.db.Close()
		}
		if t.Failed() {
			for _, in := range r.insts {
				t.Logf("serve %d log (tail):\n%s", in.n, tail(in.log, 60))
			}
		}
	})
	return r
}

func leaseYAML(lease string) string {
	if lease == "" {
		return "" // the default
	}
	return "outbox: {lease: " + lease + "}\n"
}

// openDB opens the test's own connection to the bot's database (after the
// first start has migrated it).
func (r *soakRig) openDB() {
	r.t.Helper()
	db, err := schema.Open(context.Background(), r.dbURL)
	if err != nil {
		r.t.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	r.db = db
}

// unexpected lists processes that exited without a signal from the test.
func (r *soakRig) unexpected() []string {
	r.exitMu.Lock()
	defer r.exitMu.Unlock()
	return slices.Clone(r.exits)
}

// soakInstance is one `shopbot serve` process slot, restarted after each
// kill.
type soakInstance struct {
	rig *soakRig
	n   int
	cfg string
	log string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	killed  bool // the test signalled the current process
	starts  int
	base    string // http://host:port of the current process
	started time.Time
}

var soakServingRE = regexp.MustCompile(`shopbot serving on (http://\S+) `)

// start launches the process and returns at once; ready waits for it.
func (in *soakInstance) start() {
	t := in.rig.t
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	f, err := os.OpenFile(in.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	in.starts++
	fmt.Fprintf(f, "\n=== soak: start %d ===\n", in.starts)
	cmd := exec.Command(in.rig.bin, "serve", "--demo", "--config", in.cfg, "--db", in.rig.dbURL)
	cmd.Dir = in.rig.dir
	cmd.Env = []string{
		"HOME=" + in.rig.dir,
		"TELEGRAM_BOT_TOKEN=" + telegramtest.Token,
		"SLACK_BOT_TOKEN=" + soakSlackTok,
		"SLACK_SIGNING_SECRET=soak-signing-secret", // HTTP mode: nothing to connect to
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start serve %d: %v", in.n, err)
	}
	exited := make(chan struct{})
	in.cmd, in.exited, in.killed, in.base, in.started = cmd, exited, false, "", time.Now()
	go func() {
		err := cmd.Wait()
		f.Close()
		in.mu.Lock()
		told := in.killed
		in.mu.Unlock()
		if !told {
			in.rig.exitMu.Lock()
			in.rig.exits = append(in.rig.exits, fmt.Sprintf("serve %d (start %d): %v", in.n, in.starts, err))
			in.rig.exitMu.Unlock()
		}
		close(exited)
	}()
}

// ready waits until the current process serves HTTP and returns its
// address.
func (in *soakInstance) ready() string {
	t := in.rig.t
	t.Helper()
	in.mu.Lock()
	starts, exited := in.starts, in.exited
	in.mu.Unlock()
	marker := fmt.Sprintf("=== soak: start %d ===", starts)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(25 * time.Millisecond) {
		data, _ := os.ReadFile(in.log)
		if i := strings.LastIndex(string(data), marker); i >= 0 {
			if m := soakServingRE.FindStringSubmatch(string(data[i:])); m != nil {
				in.mu.Lock()
				in.base = m[1]
				in.mu.Unlock()
				return m[1]
			}
		}
		select {
		case <-exited:
			t.Fatalf("serve %d ended at start:\n%s", in.n, tail(in.log, 40))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve %d did not start:\n%s", in.n, tail(in.log, 40))
		}
	}
}

// signal sends sig to the current process and waits for it to end; false
// if none was running.
func (in *soakInstance) signal(sig syscall.Signal) bool {
	in.mu.Lock()
	cmd, exited := in.cmd, in.exited
	if cmd == nil || cmd.Process == nil {
		in.mu.Unlock()
		return false
	}
	select {
	case <-exited:
		in.mu.Unlock()
		return false
	default:
	}
	in.killed = true
	in.mu.Unlock()
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	return true
}

func (in *soakInstance) kill() bool { return in.signal(syscall.SIGKILL) }

// stop ends the process gracefully (SIGTERM) and reports how it exited.
func (in *soakInstance) stop() error {
	in.mu.Lock()
	cmd := in.cmd
	in.mu.Unlock()
	if !in.signal(syscall.SIGTERM) {
		return fmt.Errorf("serve %d was not running", in.n)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("serve %d: exit status %d after SIGTERM", in.n, code)
	}
	return nil
}

func (in *soakInstance) alive() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.exited == nil {
		return false
	}
	select {
	case <-in.exited:
		return false
	default:
		return true
	}
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// pollProxy stands between the instances and the fake Bot API. Each
// instance's api_endpoint has its own prefix (/i1, /i2…), so the proxy
// knows who calls getUpdates; like Telegram, it refuses a poll while
// another instance's is in flight (409 Conflict), and counts those.
type pollProxy struct {
	URL string
	rp  *httputil.ReverseProxy

	mu        sync.Mutex
	inflight  map[int]int
	polls     []pollEvent
	conflicts int
	sends     map[int]int // sendMessage/sendPhoto calls per instance
}

// pollEvent is the start of one getUpdates call.
type pollEvent struct {
	inst int
	at   time.Time
}

func newPollProxy(t *testing.T, target string) *pollProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &pollProxy{rp: httputil.NewSingleHostReverseProxy(u), inflight: map[int]int{}, sends: map[int]int{}}
	p.rp.ErrorLog = nil
	p.rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) }
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

var proxyPathRE = regexp.MustCompile(`^/i(\d+)(/bot[^/]+/(\w+))$`)

func (p *pollProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := proxyPathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	inst, _ := strconv.Atoi(m[1])
	r.URL.Path = m[2]
	if strings.HasPrefix(m[3], "send") {
		p.mu.Lock()
		p.sends[inst]++
		p.mu.Unlock()
	}
	if m[3] == "getUpdates" {
		p.mu.Lock()
		for other, n := range p.inflight {
			if other != inst && n > 0 {
				p.conflicts++
				p.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`)
				return
			}
		}
		p.inflight[inst]++
		p.polls = append(p.polls, pollEvent{inst: inst, at: time.Now()})
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inflight[inst]--
			p.mu.Unlock()
		}()
	}
	p.rp.ServeHTTP(w, r)
}

// pollsAfter returns the getUpdates calls started after t, in order.
func (p *pollProxy) pollsAfter(t time.Time) []pollEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []pollEvent
	for _, e := range p.polls {
		if e.at.After(t) {
			out = append(out, e)
		}
	}
	return out
}

// sendsBy returns how many messages instance inst sent so far.
func (p *pollProxy) sendsBy(inst int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sends[inst]
}

// lastPoller is the instance that started the latest getUpdates call.
func (p *pollProxy) lastPoller() (int, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.polls) == 0 {
		return 0, time.Time{}
	}
	e := p.polls[len(p.polls)-1]
	return e.inst, e.at
}

func (p *pollProxy) conflictCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conflicts
}

// soakOrder is a demo order a customer asks about.
type soakOrder struct {
	Number  string     `db:"number"`
	Phone   string     `db:"phone"`
	Status  string     `db:"status"`
	Shipped *time.Time `db:"shipped_at"`
}

// soakFAQ are questions the example FAQ answers with confidence, each with
// its entry: a customer asks about distinct entries, so every reply in a
// conversation differs and a repeat can only be a duplicate.
var soakFAQ = []struct{ entry, text string }{
	{"shipping-time", "배송 얼마나 걸려요?"}, {"shipping-fee", "배송비 얼마예요?"}, {"free-shipping", "무료배송 되나요?"},
	{"remote-area", "제주도도 배송 되나요?"}, {"exchange-size-cost", "사이즈 교환 배송비 얼마예요?"}, {"return-how", "반품 어떻게 보내요?"},
	{"refund-timing", "환불 언제 돼요?"}, {"payment-methods", "결제 방법 뭐 있어요?"}, {"cash-receipt", "현금영수증 발급 되나요?"},
	{"tax-invoice", "세금계산서 발행 되나요?"}, {"size-guide", "사이즈 어떻게 골라요?"}, {"restock", "재입고 언제 돼요?"},
	{"gift-wrap", "선물 포장 되나요?"}, {"bulk-order", "대량 구매 할인 되나요?"}, {"store-hours", "영업시간이 어떻게 돼요?"},
	{"contact", "전화번호 알려주세요"}, {"coupon-points", "쿠폰 어떻게 써요?"}, {"overseas-shipping", "해외 배송 되나요?"},
	{"product-care", "세탁 어떻게 해요?"}, {"order-change", "옵션 변경 가능해요?"},
}

// soakComplaints open a ticket (high priority); a cancellation of an
// unshipped order is urgent and also reaches the owner's phone.
var soakComplaints = []string{"물건이 깨져서 왔어요", "환불해 주세요", "사이즈가 달라요 교환해 주세요", "배송이 너무 늦어요 화나네요"}

// soakCustomer is one simulated Telegram customer and what they will say:
// every message gets exactly one reply, and the conversation ends with
// the ticket, if any (after it the bot stays quiet for a person).
type soakCustomer struct {
	user   tgbotapi.User
	script []string
	kind   string // faq, order, complaint, cancel
	pushed []int  // update ids, in order
}

// soakScripts makes n customers from rng: FAQ questions, order lookups
// with verification, complaints and cancellations.
func soakScripts(rng *rand.Rand, n int, orders []soakOrder) []*soakCustomer {
	var unshipped, any []soakOrder
	for _, o := range orders {
		if len(o.Phone) < 4 {
			continue
		}
		any = append(any, o)
		if o.Shipped == nil && o.Status == "paid" {
			unshipped = append(unshipped, o)
		}
	}
	out := make([]*soakCustomer, n)
	for i := range out {
		c := &soakCustomer{user: tgbotapi.User{ID: int64(soakFirstUser + i), FirstName: fmt.Sprintf("손님%d", i+1), LanguageCode: "ko"}}
		faqs := rng.Perm(len(soakFAQ))
		ask := func(k int) {
			for range k {
				c.script = append(c.script, soakFAQ[faqs[0]].text)
				faqs = faqs[1:]
			}
		}
		switch x := rng.IntN(100); {
		case x < 45:
			c.kind = "faq"
			ask(2 + rng.IntN(3))
		case x < 70 && len(any) > 0:
			c.kind = "order"
			o := any[rng.IntN(len(any))]
			c.script = append(c.script, "주문 "+o.Number+" 어디쯤이에요?", o.Phone[len(o.Phone)-4:])
			ask(rng.IntN(2))
		case x < 85 || len(unshipped) == 0:
			c.kind = "complaint"
			ask(rng.IntN(3))
			c.script = append(c.script, soakComplaints[rng.IntN(len(soakComplaints))])
		default:
			c.kind = "cancel"
			ask(rng.IntN(2))
			c.script = append(c.script, "주문 "+unshipped[rng.IntN(len(unshipped))].Number+" 취소해 주세요")
		}
		out[i] = c
	}
	return out
}

// sentCounter snapshots, a few times a second, how many messages the fake
// Telegram delivered to each chat, so hundreds of customers can wait for
// their replies without each scanning the whole record.
type sentCounter struct {
	mu     sync.Mutex
	counts map[int64]int
}

func (s *sentCounter) run(ctx context.Context, tg *telegramtest.Server) {
	for {
		counts := map[int64]int{}
		for _, m := range tg.Sent() {
			counts[m.ChatID]++
		}
		s.mu.Lock()
		s.counts = counts
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *sentCounter) get(chat int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[chat]
}

// talk plays c's script: each message, then a wait for its reply (at most
// patience: a customer does not wait forever, and Telegram keeps the
// messages while the bot is down), then a pause to think.
func (c *soakCustomer) talk(ctx context.Context, tg *telegramtest.Server, seen *sentCounter, rng *rand.Rand, patience time.Duration) {
	for i, text := range c.script {
		if ctx.Err() != nil {
			return
		}
		c.pushed = append(c.pushed, tg.Text(c.user, text))
		for deadline := time.Now().Add(patience); seen.get(c.user.ID) < i+1 && time.Now().Before(deadline) && ctx.Err() == nil; {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
	}
}

// soakTally is the account of one run.
type soakTally struct {
	In          int // customer messages sent to the bot
	Journaled   int // of them, stored by the bot
	LostIn      int // sent, never stored
	Replies     int // replies the bot stored for customers
	Unanswered  int // customer messages without a stored reply
	Out         int // messages Telegram delivered to customers
	LostOut     int // stored replies Telegram never delivered
	Dup         int // customer replies delivered more than once (extra copies)
	OutOfOrder  int // conversations whose replies arrived out of order
	Tickets     int
	OwnerRows   int // messages stored for the owner's Telegram chat
	OwnerOut    int // delivered there
	OwnerLost   int
	OwnerDup    int
	SlackRows   int // ticket events and summaries stored for Slack
	SlackOut    int // Slack messages posted (not ephemeral)
	SlackLost   int
	SlackDup    int
	NoAlert     int // tickets with no Slack message
	NotifyStuck int // ticket events never routed to the owners
	Summaries   int // daily summaries claimed
	SummaryTG   int // daily summaries delivered to the owner's Telegram chat
	SummarySlk  int // …and to Slack
	Photos      int // charts sent to Telegram (the summary's)
	Failed      int // outbox rows that failed permanently
	Limited     int // Telegram 429s (flood limits) the bot ran into
}

// Lost is everything lost, in and out, customers and owners.
func (s soakTally) Lost() int {
	return s.LostIn + s.Unanswered + s.LostOut + s.OwnerLost + s.SlackLost + s.NoAlert + s.NotifyStuck + s.Failed
}

// Dups is every extra copy delivered.
func (s soakTally) Dups() int { return s.Dup + s.OwnerDup + s.SlackDup }

type soakRow struct {
	ID      int64  `db:"id"`
	Channel string `db:"channel"`
	Chat    string `db:"chat"`
	Ticket  int64  `db:"ticket"`
	Payload string `db:"payload"`
	Status  string `db:"status"`
}

func (r soakRow) reply() (text, event string) {
	var p struct {
		Text  string `json:"text"`
		Event string `json:"event"`
	}
	json.Unmarshal([]byte(r.Payload), &p)
	return p.Text, p.Event
}

// pending counts the messages still waiting to be sent on the channels
// the soak watches (the console owner's inbox has no sender in serve).
func (r *soakRig) pending(ctx context.Context) (int, error) {
	var n int
	err := r.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND channel IN ('telegram', 'slack', 'notify')`)
	return n, err
}

// quiesce waits until every update is confirmed and every message sent,
// twice in a row; it gives up after limit (the tally then shows what is
// missing).
func (r *soakRig) quiesce(limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	calm := 0
	for time.Since(start) < limit {
		n, err := r.pending(context.Background())
		if err == nil && n == 0 && r.tg.Pending() == 0 {
			if calm++; calm == 3 {
				return time.Since(start), true
			}
		} else {
			calm = 0
		}
		time.Sleep(300 * time.Millisecond)
	}
	return time.Since(start), false
}

// tally counts what came in and went out, from the fakes and the
// database.
func (r *soakRig) tally(customers []*soakCustomer) soakTally {
	t := r.t
	t.Helper()
	ctx := context.Background()
	var s soakTally
	var inbound []struct {
		PlatformID string `db:"platform_id"`
		Chat       string `db:"chat"`
	}
	if err := r.db.SelectContext(ctx, &inbound, `SELECT platform_id, chat FROM inbound WHERE channel = 'telegram'`); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, m := range inbound {
		stored[m.PlatformID] = true
	}
	var rows []soakRow
	if err := r.db.SelectContext(ctx, &rows, `SELECT id, channel, chat, ticket, payload, status FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	byChat := map[string][]soakRow{}
	for _, row := range rows {
		byChat[row.Channel+"/"+row.Chat] = append(byChat[row.Channel+"/"+row.Chat], row)
		switch {
		case row.Status == "failed":
			s.Failed++
		case row.Channel == notifyChannel && row.Status != "sent":
			s.NotifyStuck++
		}
	}
	sent := map[int64][]string{}
	for _, m := range r.tg.Sent() {
		if m.Photo != nil {
			s.Photos++ // the summary's chart, after its text
			continue
		}
		sent[m.ChatID] = append(sent[m.ChatID], m.Text)
	}
	for _, c := range customers {
		chat := strconv.FormatInt(c.user.ID, 10)
		for _, id := range c.pushed {
			s.In++
			u, ok := r.tg.Update(id)
			if ok && u.Message != nil && stored[fmt.Sprintf("m%d:%d", u.Message.Chat.ID, u.Message.MessageID)] {
				s.Journaled++
			} else {
				s.LostIn++
			}
		}
		mine := byChat["telegram/"+chat]
		s.Replies += len(mine)
		s.Unanswered += max(0, len(c.pushed)-len(mine))
		lost, dup, order := matchTexts(mine, sent[c.user.ID])
		s.Out += len(sent[c.user.ID])
		s.LostOut += lost
		s.Dup += dup
		if !order {
			s.OutOfOrder++
		}
	}
	owner := byChat["telegram/"+strconv.Itoa(soakOwner)]
	s.OwnerRows, s.OwnerOut = len(owner), len(sent[soakOwner])
	s.OwnerLost, s.OwnerDup, _ = matchTexts(owner, sent[soakOwner])
	// Slack: every stored event is one chat.postMessage (a ticket's
	// message, or a post in its thread), however often the ticket's
	// message is updated.
	slackRows := byChat["slack/"+soakSlackChan]
	s.SlackRows = len(slackRows)
	posted := 0
	for _, m := range r.slack.Messages(soakSlackChan) {
		if !m.Ephemeral {
			posted++
		}
	}
	s.SlackOut = posted
	sentRows := 0
	for _, row := range slackRows {
		if row.Status == "sent" {
			sentRows++
		} else {
			s.SlackLost++
		}
	}
	s.SlackDup = max(0, posted-sentRows)
	s.SlackLost += max(0, sentRows-posted)
	var ticketIDs []int64
	if err := r.db.SelectContext(ctx, &ticketIDs, `SELECT id FROM tickets`); err != nil {
		t.Fatal(err)
	}
	s.Tickets = len(ticketIDs)
	alerted := map[int64]bool{}
	for _, row := range slackRows {
		if row.Ticket != 0 && row.Status == "sent" {
			alerted[row.Ticket] = true
		}
	}
	for _, id := range ticketIDs {
		if !alerted[id] {
			s.NoAlert++
		}
	}
	if err := r.db.GetContext(ctx, &s.Summaries, `SELECT COUNT(*) FROM notify_claims WHERE key LIKE 'daily:%'`); err != nil {
		t.Fatal(err)
	}
	summaryTexts := map[string]bool{}
	for _, row := range owner {
		if text, ev := row.reply(); ev == "summary" {
			summaryTexts[telegram.Split(text, telegram.MaxText)[0]] = true
		}
	}
	for _, text := range sent[soakOwner] {
		if summaryTexts[text] {
			s.SummaryTG++
		}
	}
	for _, row := range slackRows {
		if _, ev := row.reply(); ev == "summary" && row.Status == "sent" {
			s.SummarySlk++
		}
	}
	s.Limited = r.tg.Violations()
	return s
}

// matchTexts compares the replies stored for a chat with the texts the
// platform received: lost are stored parts never received, dup received
// parts beyond their stored count; inOrder is false if the first copies
// arrived in another order than stored.
func matchTexts(rows []soakRow, got []string) (lost, dup int, inOrder bool) {
	var want []string
	for _, row := range rows {
		text, _ := row.reply()
		want = append(want, telegram.Split(text, telegram.MaxText)...)
	}
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	seen := map[string]int{}
	var firsts []string
	for _, g := range got {
		seen[g]++
		if seen[g] <= count[g] {
			firsts = append(firsts, g)
		}
	}
	for text, n := range count {
		lost += max(0, n-seen[text])
	}
	for text, n := range seen {
		dup += max(0, n-count[text])
	}
	// In order: the delivered copies follow the stored order.
	j := 0
	for _, w := range want {
		if j < len(firsts) && firsts[j] == w {
			j++
		}
	}
	return lost, dup, j == len(firsts)
}

// report formats a tally for the log.
func (s soakTally) report() string {
	var b strings.Builder
	w := bufio.NewWriter(&b)
	fmt.Fprintf(w, "customers: in %d (stored %d, lost %d) · replies stored %d (unanswered %d) · delivered %d (lost %d, duplicated %d, conversations out of order %d)\n",
		s.In, s.Journaled, s.LostIn, s.Replies, s.Unanswered, s.Out, s.LostOut, s.Dup, s.OutOfOrder)
	fmt.Fprintf(w, "owner: tickets %d · Telegram stored %d delivered %d (lost %d, duplicated %d) · Slack stored %d posted %d (lost %d, duplicated %d) · tickets without a Slack message %d · events not routed %d\n",
		s.Tickets, s.OwnerRows, s.OwnerOut, s.OwnerLost, s.OwnerDup, s.SlackRows, s.SlackOut, s.SlackLost, s.SlackDup, s.NoAlert, s.NotifyStuck)
	fmt.Fprintf(w, "daily summaries: claimed %d, on Telegram %d (charts %d), on Slack %d · failed sends %d · Telegram 429s %d\n",
		s.Summaries, s.SummaryTG, s.Photos, s.SummarySlk, s.Failed, s.Limited)
	fmt.Fprintf(w, "LOST %d · DUPLICATED %d", s.Lost(), s.Dups())
	w.Flush()
	return b.String()
}
