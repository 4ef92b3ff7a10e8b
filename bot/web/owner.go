package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/tickets"
)

const (
	ownerCookie = "shopbot_owner"
	flashCookie = "shopbot_flash"
	sessionLife = 30 * 24 * time.Hour
)

func (s *Server) registerOwner(mux *http.ServeMux) {
	mux.HandleFunc("GET /owner", s.ownerPage(s.inbox))
	mux.HandleFunc("GET /owner/t/{id}", s.ownerPage(s.ticketPage))
	mux.HandleFunc("GET /owner/login", s.loginLink)
	mux.HandleFunc("POST /owner/login", s.loginForm)
	mux.HandleFunc("POST /owner/logout", s.ownerPost(s.logout))
	mux.HandleFunc("POST /owner/t/{id}/{action}", s.ownerPost(s.ticketAction))
	mux.HandleFunc("POST /owner/command", s.ownerPost(s.command))
	mux.HandleFunc("GET /owner/events", s.ownerEvents)
}

// session returns the owner's session cookie value if it is valid now.
// err is set when that cannot be known (the database does not answer):
// the owner is then told to try again, not signed out.
func (s *Server) session(r *http.Request) (string, bool, error) {
	c, err := r.Cookie(ownerCookie)
	if err != nil || c.Value == "" {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.StoreWait)
	defer cancel()
	hash, err := getSetting(ctx, s.cfg.DB, keyOwnerToken)
	if err != nil {
		s.log.Error("web: owner session", "err", err)
		return "", false, err
	}
	if !s.sign.validSession(c.Value, hash, s.now()) {
		return "", false, nil
	}
	return c.Value, true, nil
}

// unavailablePage is the owner's "try again in a moment" page (503).
func (s *Server) unavailablePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retryUnavailable/time.Second)))
	s.render(w, r, http.StatusServiceUnavailable, "login", ownerView{Error: s.words()["unavailable"]})
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/owner", MaxAge: maxAge,
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteStrictMode})
}

// login checks token and opens a session; false (after a 429 or the
// login page with an error) when it does not.
func (s *Server) login(w http.ResponseWriter, r *http.Request, token string) bool {
	if ok, wait := s.logins.allow(s.clientNet(r), s.now()); !ok {
		if s.cfg.OnLimited != nil {
			s.cfg.OnLimited("login")
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		s.render(w, r, http.StatusTooManyRequests, "login", ownerView{Error: s.words()["slow"]})
		return false
	}
	hash, ok, err := checkOwnerToken(r.Context(), s.cfg.DB, strings.TrimSpace(token))
	if err != nil {
		s.log.Error("web: owner login", "err", err)
		s.render(w, r, http.StatusServiceUnavailable, "login", ownerView{Error: s.words()["unavailable"]})
		return false
	}
	if !ok {
		s.log.Warn("web: owner login refused", "ip", s.clientIP(r))
		s.render(w, r, http.StatusUnauthorized, "login", ownerView{Error: s.words()["badtoken"]})
		return false
	}
	s.setCookie(w, r, ownerCookie, s.sign.ownerSession(hash, s.now().Add(sessionLife)), int(sessionLife/time.Second))
	return true
}

// loginLink is the URL printed at start-up: /owner/login?token=…. It opens
// a session and moves on to /owner with a page of its own, so the token
// leaves the address bar and the next request is a same-site one (the
// SameSite=Strict cookie is then sent even if the link was opened from
// another site).
func (s *Server) loginLink(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if token == "" {
		s.render(w, r, http.StatusOK, "login", ownerView{})
		return
	}
	if !s.login(w, r, token) {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "moved", ownerView{})
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if !s.sameSite(r) {
		s.render(w, r, http.StatusForbidden, "login", ownerView{Error: s.words()["csrf"]})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !s.login(w, r, r.PostFormValue("token")) {
		return
	}
	http.Redirect(w, r, "/owner", http.StatusSeeOther)
}

// sameSite refuses a form posted from another site (the Origin header,
// when the browser sends one, must be this server).
func (s *Server) sameSite(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || sameOrigin(r, o)
}

// ownerPage serves a page to a signed-in owner and the login page to
// anyone else.
func (s *Server) ownerPage(page func(w http.ResponseWriter, r *http.Request, v ownerView)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok, err := s.session(r)
		if err != nil {
			s.unavailablePage(w, r)
			return
		}
		if !ok {
			s.render(w, r, http.StatusOK, "login", ownerView{})
			return
		}
		v := ownerView{CSRF: s.sign.csrf(sess)}
		if c, err := r.Cookie(flashCookie); err == nil {
			if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil {
				v.Flash = string(b)
			}
			s.setCookie(w, r, flashCookie, "", -1)
		}
		page(w, r, v)
	}
}

// ownerPost runs a form action for a signed-in owner whose form carries
// the session's CSRF token and comes from this site.
func (s *Server) ownerPost(action func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok, err := s.session(r)
		if err != nil {
			s.unavailablePage(w, r)
			return
		}
		if !ok {
			http.Redirect(w, r, "/owner", http.StatusSeeOther)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !s.sameSite(r) || !s.sign.equal(r.PostFormValue("csrf"), s.sign.csrf(sess)) {
			s.render(w, r, http.StatusForbidden, "login", ownerView{Error: s.words()["csrf"]})
			return
		}
		action(w, r)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.setCookie(w, r, ownerCookie, "", -1)
	http.Redirect(w, r, "/owner", http.StatusSeeOther)
}

// ownerView is what the inbox templates see.
type ownerView struct {
	Nonce   string // the page's script nonce (Content-Security-Policy)
	L       map[string]string
	Shop    string
	Lang    string
	CSRF    string
	Flash   string
	Error   string
	Groups  []ticketGroup
	Summary string
	Ticket  *ticketView
	Msgs    []messageView
	Now     time.Time
}

// messageView is one message of a ticket as the inbox shows it: who, in
// the owner's words, and when, in the shop's time zone.
type messageView struct {
	Author string // "customer", "owner", "bot": the style
	Who    string
	Text   string
	At     string
}

type ticketGroup struct {
	Priority string
	Label    string
	Tickets  []ticketView
}

type ticketView struct {
	tickets.Ticket
	Who      string
	Due      string // "in 3h 20m", "overdue 15m", "answered"
	Overdue  bool
	DueUnix  int64 // for the live countdown; 0 once answered
	Created  string
	Priority string // the labels, in the owner's language
	Category string
	Status   string
	Latest   *messageView // the newest message, for the list
}

func (s *Server) view(t tickets.Ticket, now time.Time) ticketView {
	lang := s.cfg.OwnerLang
	// Names and texts stored before they were cleaned are cleaned here too.
	t.Subject = bot.CleanText(t.Subject)
	v := ticketView{Ticket: t, Who: t.CustomerName(), Created: s.local(t.CreatedAt),
		Priority: t.Priority.Label(lang), Category: t.Category.Label(lang), Status: t.Status.Label(lang)}
	switch {
	case t.Status == tickets.Resolved:
		v.Due = s.words()["resolved"]
	case t.FirstResponseAt != nil:
		v.Due = s.words()["answered"]
	default:
		v.DueUnix = t.DueAt.Unix()
		v.Overdue = !now.Before(t.DueAt)
		v.Due = tickets.DueText(t.DueAt.Sub(now), lang)
	}
	return v
}

// local is a time in the shop's zone, as the inbox shows times.
func (s *Server) local(t time.Time) string { return t.In(s.cfg.Location).Format("01-02 15:04") }

// message is one ticket message for the inbox.
func (s *Server) message(m tickets.Message) messageView {
	return messageView{Author: m.Author, Who: s.words()[m.Author], Text: bot.CleanText(m.Text), At: s.local(m.At)}
}

// anonymous names a web visitor who gave no name, as the owner knows
// them on every channel: "Web visitor" and a short tag of their id (the
// same visitor, the same tag).
func (s *Server) anonymous(visitor string) string {
	id := strings.TrimPrefix(visitor, "v_")
	return s.words()["visitor"] + " " + visitorTag(id)
}

// visitorTag is four letters and digits derived from a visitor id, easy to
// read and tell apart in a list ("#K7Q2").
func visitorTag(id string) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I
	h := fnv.New32a()
	h.Write([]byte(id))
	n := h.Sum32()
	var b [5]byte
	b[0] = '#'
	for i := 1; i < 5; i++ {
		b[i] = alphabet[n%32]
		n /= 32
	}
	return string(b[:])
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v ownerView) {
	v.L, v.Shop, v.Lang, v.Nonce = s.words(), s.cfg.ShopName, s.cfg.OwnerLang, newNonce()
	if v.Now.IsZero() {
		v.Now = s.now()
	}
	securityHeaders(w, r, v.Nonce)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, "owner-"+name, v); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
	}
}

func (s *Server) inbox(w http.ResponseWriter, r *http.Request, v ownerView) {
	ctx := r.Context()
	now := s.now()
	list, err := s.cfg.Tickets.List(ctx, tickets.Filter{Limit: 300})
	if err != nil {
		s.log.Error("web: inbox", "err", err)
		s.render(w, r, http.StatusServiceUnavailable, "login", ownerView{Error: s.words()["unavailable"]})
		return
	}
	ids := make([]int64, len(list))
	for i, t := range list {
		ids[i] = t.ID
	}
	latest, err := s.cfg.Tickets.Latest(ctx, ids)
	if err != nil {
		s.log.Error("web: inbox", "err", err)
		s.render(w, r, http.StatusServiceUnavailable, "login", ownerView{Error: s.words()["unavailable"]})
		return
	}
	for _, p := range tickets.Priorities {
		g := ticketGroup{Priority: string(p), Label: p.Label(s.cfg.OwnerLang)}
		for _, t := range list {
			if t.Priority == p {
				tv := s.view(t, now)
				if m, ok := latest[t.ID]; ok {
					mv := s.message(m)
					tv.Latest = &mv
				}
				g.Tickets = append(g.Tickets, tv)
			}
		}
		v.Groups = append(v.Groups, g)
	}
	if s.cfg.Summary != nil {
		if v.Summary, err = s.cfg.Summary.Summary(ctx, now, s.cfg.OwnerLang); err != nil {
			s.log.Warn("web: inbox summary", "err", err)
			v.Summary = ""
		}
	}
	v.Now = now
	s.render(w, r, http.StatusOK, "inbox", v)
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request, v ownerView) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	t, err := s.cfg.Tickets.Get(ctx, id)
	if errors.Is(err, tickets.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	var msgs []tickets.Message
	if err == nil {
		msgs, err = s.cfg.Tickets.Messages(ctx, id)
	}
	for _, m := range msgs {
		v.Msgs = append(v.Msgs, s.message(m))
	}
	if err != nil {
		s.log.Error("web: ticket page", "ticket", id, "err", err)
		s.render(w, r, http.StatusServiceUnavailable, "login", ownerView{Error: s.words()["unavailable"]})
		return
	}
	tv := s.view(*t, s.now())
	v.Ticket = &tv
	s.render(w, r, http.StatusOK, "ticket", v)
}

// ownerSays hands the engine an owner message from the inbox and returns
// the text of its answers, for the next page.
func (s *Server) ownerSays(ctx context.Context, text string) (string, error) {
	b := make([]byte, 12)
	rand.Read(b)
	m := bot.Message{Channel: OwnerChannel, ID: "inbox-" + hex.EncodeToString(b), Chat: OwnerChat, User: "inbox", Name: "inbox",
		Text: text, Owner: true, Time: s.now()}
	replies, err := s.cfg.Engine.Handle(ctx, m)
	if err != nil {
		return "", err
	}
	var out []string
	for _, r := range replies {
		out = append(out, r.Text)
	}
	return strings.Join(out, "\n\n"), nil
}

func (s *Server) flash(w http.ResponseWriter, r *http.Request, text string) {
	if len(text) > 2400 {
		text = text[:2400]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
		text += "…"
	}
	s.setCookie(w, r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(text)), 60)
}

func (s *Server) ticketAction(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	var cmd string
	switch r.PathValue("action") {
	case "reply":
		text := strings.TrimSpace(strings.ToValidUTF8(r.PostFormValue("text"), "\uFFFD"))
		if text == "" {
			http.Redirect(w, r, fmt.Sprintf("/owner/t/%d", id), http.StatusSeeOther)
			return
		}
		// "/reply N text" carries any text, even one that starts with "/".
		cmd = fmt.Sprintf("/reply %d %s", id, text)
	case "claim":
		cmd = fmt.Sprintf("/claim %d", id)
	case "close":
		cmd = fmt.Sprintf("/close %d", id)
	default:
		http.NotFound(w, r)
		return
	}
	out, err := s.ownerSays(r.Context(), cmd)
	if err != nil {
		s.log.Error("web: owner action", "ticket", id, "action", r.PathValue("action"), "err", err)
		out = s.words()["unavailable"]
	}
	s.flash(w, r, out)
	http.Redirect(w, r, fmt.Sprintf("/owner/t/%d", id), http.StatusSeeOther)
}

func (s *Server) command(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(strings.ToValidUTF8(r.PostFormValue("text"), "\uFFFD"))
	if text == "" {
		http.Redirect(w, r, "/owner", http.StatusSeeOther)
		return
	}
	if !strings.HasPrefix(text, "/") {
		text = "/" + text
	}
	out, err := s.ownerSays(r.Context(), text)
	if err != nil {
		s.log.Error("web: owner command", "err", err)
		out = s.words()["unavailable"]
	}
	s.flash(w, r, out)
	http.Redirect(w, r, "/owner#command", http.StatusSeeOther)
}

// ownerEvents streams ticket alerts to an open inbox. A reconnect names
// the last alert it saw (Last-Event-ID) and gets the ones after it.
func (s *Server) ownerEvents(w http.ResponseWriter, r *http.Request) {
	_, ok, err := s.session(r)
	if err != nil {
		// Any answer but 200 ends an EventSource for good: this one says
		// to come back later.
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		fmt.Fprintf(w, "retry: %d\n\n", retryUnavailable/time.Millisecond)
		return
	}
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	after := int64(-1)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		after = id
	}
	wake := s.owner.subscribe(OwnerChat)
	defer s.owner.unsubscribe(OwnerChat, wake)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	beat := time.NewTicker(s.limits.HeartbeatEvery)
	defer beat.Stop()
	end := s.streamEnd()
	for {
		if !s.streamWrite(rc, end) {
			return
		}
		list, last := s.alerts.since(after)
		for _, a := range list {
			b, _ := json.Marshal(a)
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", a.Seq, b)
		}
		if after < 0 {
			fmt.Fprintf(w, "id: %d\n: ready\n\n", last)
		}
		after = last
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-wake:
		case <-beat.C:
			if !s.streamWrite(rc, end) {
				return
			}
			fmt.Fprint(w, ": ping\n\n")
		}
	}
}

// words are the inbox's words in the owner's language.
func init() {
	// The first-response clock's words are the tickets package's.
	for lang, w := range ownerWords {
		maps.Copy(w, tickets.ClockWords(lang))
	}
}

func (s *Server) words() map[string]string {
	if w, ok := ownerWords[s.cfg.OwnerLang]; ok {
		return w
	}
	return ownerWords["en"]
}

var ownerWords = map[string]map[string]string{
	"ko": {
		"title": "문의함", "login": "로그인", "token": "관리자 토큰", "tokenhelp": "서버를 시작할 때 출력된 토큰, 또는 `shopbot owner token`으로 새로 만든 토큰을 붙여 넣으세요.",
		"badtoken": "토큰이 맞지 않아요.", "slow": "시도가 너무 많아요. 잠시 뒤에 다시 해 주세요.", "unavailable": "지금은 처리할 수 없어요. 잠시 뒤 다시 시도해 주세요.",
		"csrf":   "이 요청은 확인할 수 없어 거절했어요. 페이지를 새로 고친 뒤 다시 해 주세요.",
		"urgent": "긴급", "high": "높음", "normal": "보통", "low": "낮음", "none": "없음",
		"answered": "답변함", "resolved": "해결됨",
		"summary": "오늘의 요약", "reply": "답장", "send": "보내기", "claim": "담당하기", "close": "해결 처리", "back": "← 문의함",
		"command": "명령", "run": "실행", "logout": "로그아웃", "customer": "고객", "visitor": "웹 방문자", "owner": "나", "bot": "봇", "live": "새 알림",
		"claimed": "담당", "order": "주문", "empty": "대기 중인 문의가 없어요.", "placeholder": "고객에게 보낼 답장",
		"latest": "최근", "conversation": "대화",
	},
	"en": {
		"title": "Inbox", "login": "Sign in", "token": "Owner token", "tokenhelp": "Paste the token printed when the server started, or a new one from `shopbot owner token`.",
		"badtoken": "That token does not match.", "slow": "Too many attempts. Try again in a moment.", "unavailable": "That did not work right now. Please try again.",
		"csrf":   "This request could not be verified and was refused. Reload the page and try again.",
		"urgent": "Urgent", "high": "High", "normal": "Normal", "low": "Low", "none": "none",
		"answered": "answered", "resolved": "resolved",
		"summary": "Today", "reply": "Reply", "send": "Send", "claim": "Claim", "close": "Close", "back": "← Inbox",
		"command": "Command", "run": "Run", "logout": "Sign out", "customer": "Customer", "visitor": "Web visitor", "owner": "You", "bot": "Bot", "live": "New alert",
		"claimed": "claimed by", "order": "order", "empty": "Nothing waiting.", "placeholder": "Your reply to the customer",
		"latest": "latest", "conversation": "conversation",
	},
	"zh": {
		"title": "收件箱", "login": "登录", "token": "店主令牌", "tokenhelp": "粘贴服务器启动时打印的令牌，或用 `shopbot owner token` 生成的新令牌。",
		"badtoken": "令牌不正确。", "slow": "尝试次数过多，请稍后再试。", "unavailable": "暂时无法处理，请稍后再试。",
		"csrf":   "无法验证此请求，已拒绝。请刷新页面后重试。",
		"urgent": "紧急", "high": "高", "normal": "普通", "low": "低", "none": "无",
		"answered": "已回复", "resolved": "已解决",
		"summary": "今日摘要", "reply": "回复", "send": "发送", "claim": "认领", "close": "关闭工单", "back": "← 收件箱",
		"command": "命令", "run": "执行", "logout": "退出", "customer": "顾客", "visitor": "网页访客", "owner": "我", "bot": "机器人", "live": "新提醒",
		"claimed": "负责人", "order": "订单", "empty": "没有等待处理的工单。", "placeholder": "回复顾客的内容",
		"latest": "最新", "conversation": "对话",
	},
}
