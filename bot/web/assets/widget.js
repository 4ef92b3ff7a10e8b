/* shopbot chat widget: <script src="https://HOST/widget.js" data-shop="Shop"
   data-color="#2f6f4e" data-lang="ko|en|zh" data-position="right|left" async></script>
   Plain JavaScript, no dependencies, no requests to anyone but HOST. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.shopbotWidget) return;
  var CSS = "/*CSS*/";
  var d = script.dataset || {};
  var api = new URL(script.src, location.href).origin;
  var T = {
    ko: {open: '채팅 열기', close: '채팅 닫기', sub: '궁금한 점을 물어보세요', ph: '메시지를 입력하세요', send: '보내기', msgs: '대화 내용',
      hello: '안녕하세요! {shop}입니다. 배송, 주문 조회, 교환·반품 무엇이든 물어보세요.', you: '나', staff: '{shop} 담당자',
      verify: '본인 확인: 주문할 때 입력한 휴대폰 번호 뒤 4자리 또는 이메일을 입력해 주세요.', order: '주문번호를 입력해 주세요 (예: 1042).',
      handoff: '담당자에게 전달했어요 (문의 #{n}). 답변이 오면 여기에 표시돼요. 창을 닫아도 괜찮아요.', replied: '담당자가 답변했어요 (문의 #{n}).',
      net: '연결이 끊겼어요. 다시 연결하는 중…', error: '보내지 못했어요. 다시 시도해 주세요.', slow: '너무 빨리 보내고 있어요. {s}초 뒤에 다시 보내 주세요.',
      long: '메시지가 너무 길어요.', origin: '이 사이트에서는 채팅을 사용할 수 없어요.', unread: '새 메시지 {n}개',
      busy: '지금은 메시지를 받을 수 없어요. 쓰신 내용은 그대로 있고, 잠시 후 다시 보내 볼게요.', retry: '다시 보내기'},
    en: {open: 'Open chat', close: 'Close chat', sub: 'Ask us anything', ph: 'Type a message', send: 'Send', msgs: 'Conversation',
      hello: 'Hi! This is {shop}. Ask about delivery, your order, returns or exchanges.', you: 'You', staff: '{shop} staff',
      verify: 'To confirm it is you: the last 4 digits of the phone number or the email used for the order.', order: 'Your order number, please (e.g. 1042).',
      handoff: 'A person will answer you here (ticket #{n}). You can close this window; the reply will be waiting.', replied: 'The shop replied (ticket #{n}).',
      net: 'Connection lost. Reconnecting…', error: 'Not sent. Please try again.', slow: 'You are sending too fast. Try again in {s} s.',
      long: 'That message is too long.', origin: 'The chat is not available on this site.', unread: '{n} new messages',
      busy: 'We can\'t take messages for a moment. Your text is kept; we will send it again shortly.', retry: 'Try again'},
    zh: {open: '打开聊天', close: '关闭聊天', sub: '有问题请随时提问', ph: '输入消息', send: '发送', msgs: '对话',
      hello: '您好！这里是{shop}。配送、订单查询、退换货都可以问我。', you: '我', staff: '{shop} 客服',
      verify: '身份验证：请输入下单时手机号的后4位或邮箱。', order: '请输入订单号（例如 1042）。',
      handoff: '已转交客服（工单 #{n}），回复会显示在这里，您可以关闭窗口。', replied: '客服已回复（工单 #{n}）。',
      net: '连接已断开，正在重新连接…', error: '发送失败，请重试。', slow: '发送太快了，请 {s} 秒后再试。',
      long: '消息太长了。', origin: '此网站无法使用聊天。', unread: '{n} 条新消息',
      busy: '暂时无法接收消息。您写的内容已保留，稍后会自动重新发送。', retry: '重新发送'}
  };
  var lang = String(d.lang || navigator.language || 'ko').slice(0, 2).toLowerCase();
  if (!T[lang]) lang = 'en';
  var t = T[lang];
  var shop = d.shop || '';
  var color = /^#[0-9a-fA-F]{3,8}$/.test(d.color || '') ? d.color : '#2f6f4e';
  var side = d.position === 'left' ? 'left' : 'right';
  function f(s, v) { return s.replace(/\{(\w+)\}/g, function (_, k) { return v && v[k] != null ? v[k] : (k === 'shop' ? shop : ''); }); }

  var host = document.createElement('div');
  host.setAttribute('data-shopbot', '');
  var root = host.attachShadow({mode: 'open'});
  root.innerHTML = '<style>' + CSS + '</style>' +
    '<div class="sb ' + side + '">' +
    '<section class="panel" id="p" role="dialog" aria-labelledby="h" hidden>' +
    '<header><div><h2 id="h"></h2><p></p></div><button class="x" type="button">×</button></header>' +
    '<div class="state net" role="status" aria-live="polite" hidden></div>' +
    '<div class="state hand" role="status" aria-live="polite" hidden></div>' +
    '<ol role="log" aria-live="polite"></ol>' +
    '<p class="hint" id="hint" hidden></p>' +
    '<form><label class="vh" for="in"></label><textarea id="in" rows="1" maxlength="2000" aria-describedby="hint"></textarea>' +
    '<button class="send" type="submit"></button></form>' +
    '</section>' +
    '<button class="bubble" type="button" aria-expanded="false" aria-controls="p">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>' +
    '<span class="dot" hidden></span></button></div>';
  var $ = function (s) { return root.querySelector(s); };
  var box = $('.sb'), panel = $('.panel'), bubble = $('.bubble'), log = $('ol'), input = $('textarea'), form = $('form');
  var netState = $('.net'), hand = $('.hand'), hint = $('.hint'), dot = $('.dot');
  box.style.setProperty('--c', color);
  $('h2').textContent = shop || 'Chat';
  $('header p').textContent = t.sub;
  $('.x').setAttribute('aria-label', t.close);
  bubble.setAttribute('aria-label', t.open + (shop ? ' — ' + shop : ''));
  $('label').textContent = t.ph;
  input.placeholder = t.ph;
  $('.send').textContent = t.send;
  log.setAttribute('aria-label', t.msgs);

  var key = 'shopbot.token:' + api;
  var token = null, session = null, es = null, lastSeq = 0, seen = {}, pending = {}, unread = 0, backoff = 1000, greeted = false;
  try { token = localStorage.getItem(key); } catch (e) {}

  function store(v) { token = v; try { if (v) localStorage.setItem(key, v); else localStorage.removeItem(key); } catch (e) {} }

  function ensureSession() {
    if (session) return session;
    session = fetch(api + '/api/session', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token: token || ''})})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(function (j) { if (j.token !== token) { store(j.token); lastSeq = 0; } return j; })
      .catch(function (e) { session = null; throw e; });
    return session;
  }

  function linkify(el, text) {
    var re = /https?:\/\/[^\s<>"']+/g, i = 0, m;
    while ((m = re.exec(text))) {
      el.appendChild(document.createTextNode(text.slice(i, m.index)));
      var a = document.createElement('a');
      a.href = m[0]; a.textContent = m[0]; a.target = '_blank'; a.rel = 'noopener noreferrer';
      el.appendChild(a);
      i = m.index + m[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(i)));
  }

  function add(from, text) {
    var li = document.createElement('li');
    li.className = from;
    var who = document.createElement('span');
    who.className = from === 'me' ? 'vh' : 'who';
    who.textContent = from === 'me' ? t.you + ':' : from === 'owner' ? f(t.staff) : (shop || 'Bot');
    var b = document.createElement('div');
    b.className = 't';
    if (from === 'me') b.textContent = text; else linkify(b, text);
    li.appendChild(who);
    li.appendChild(b);
    log.appendChild(li);
    follow(from === 'me');
    return li;
  }

  // The log follows the newest message, whatever grows under or around
  // it (choice buttons, a banner, the hint, a notice, the phone keyboard),
  // unless the visitor has scrolled up to read: then it stays put until
  // they come back down or send something.
  var stick = true;
  function follow(force) {
    if (force) stick = true;
    if (stick && !panel.hidden) log.scrollTop = log.scrollHeight;
  }
  log.addEventListener('scroll', function () { stick = log.scrollHeight - log.scrollTop - log.clientHeight < 40; });
  if (window.MutationObserver) new MutationObserver(function () { follow(false); }).observe(log, {childList: true, subtree: true, characterData: true});
  if (window.ResizeObserver) new ResizeObserver(function () { follow(false); }).observe(log);

  function greet() {
    if (greeted) return;
    greeted = true;
    var li = add('bot', f(t.hello));
    li.classList.add('hello');
  }

  function setAsk(ask) {
    var h = ask === 'verify' ? t.verify : ask === 'order_number' ? t.order : '';
    hint.textContent = h;
    hint.hidden = !h;
    input.setAttribute('inputmode', ask === 'order_number' ? 'numeric' : 'text');
  }

  function onEvent(e) {
    if (!e || !e.seq || seen[e.seq]) return;
    seen[e.seq] = true;
    if (e.seq > lastSeq) lastSeq = e.seq;
    if (e.from === 'me') {
      var p = pending[e.client_id];
      if (p) { p.classList.remove('sending'); delete pending[e.client_id]; return; }
      add('me', e.text);
      return;
    }
    var li = add(e.from === 'owner' ? 'owner' : 'bot', e.text);
    li.setAttribute('data-kind', e.kind || '');
    if (e.choices && e.choices.length) {
      var ch = document.createElement('div');
      ch.className = 'ch';
      ch.setAttribute('role', 'group');
      e.choices.forEach(function (c) {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = c.label;
        btn.setAttribute('data-entry', c.entry);
        btn.addEventListener('click', function () {
          ch.querySelectorAll('button').forEach(function (x) { x.disabled = true; });
          send(c.label, c.entry);
        });
        ch.appendChild(btn);
      });
      li.appendChild(ch);
    }
    setAsk(e.ask);
    if (e.kind === 'ticket' || e.kind === 'handoff') showHand(t.handoff, e.ref || e.ticket, false);
    else if (e.from === 'owner') showHand(t.replied, e.ref || e.ticket, true);
    // The bot answers on while a question waits for a person: the banner
    // stays until the person has answered.
    else if ((e.kind === 'faq' || e.kind === 'order' || e.kind === 'clarify') && box.getAttribute('data-state') !== 'handoff') hand.hidden = true;
    if (panel.hidden) { unread++; dot.textContent = unread; dot.hidden = false; bubble.setAttribute('aria-label', t.open + ' — ' + f(t.unread, {n: unread})); }
  }

  function showHand(text, n, ok) {
    hand.textContent = f(text, {n: n || ''});
    hand.classList.toggle('ok', ok);
    hand.hidden = false;
    box.setAttribute('data-state', ok ? 'answered' : 'handoff');
  }

  var connecting = false;
  function connect() {
    if (es || connecting || !token) return;
    // The stream's URL carries a one-minute ticket, never the token
    // (an EventSource cannot send headers; URLs end up in proxy logs).
    connecting = true;
    fetch(api + '/api/stream', {method: 'POST', headers: {'Authorization': 'Bearer ' + token}})
      .then(function (r) { if (!r.ok) throw r.status; return r.json(); })
      .then(function (j) { connecting = false; if (!es) listen(j.ticket); }, function () {
        connecting = false;
        netState.textContent = t.net;
        netState.hidden = false;
        setTimeout(function () { session = null; ensureSession().then(connect, function () { setTimeout(connect, backoff); }); }, backoff);
        backoff = Math.min(backoff * 2, 30000);
      });
  }

  function listen(ticket) {
    es = new EventSource(api + '/api/events?s=' + encodeURIComponent(ticket) + '&after=' + lastSeq);
    es.onopen = function () { netState.hidden = true; backoff = 1000; };
    es.onmessage = function (m) { try { onEvent(JSON.parse(m.data)); } catch (x) {} };
    es.onerror = function () {
      netState.textContent = t.net;
      netState.hidden = false;
      if (es.readyState === 2) { // closed for good (the server refused): start again
        es = null;
        setTimeout(function () { session = null; ensureSession().then(connect, function () { setTimeout(connect, backoff); }); }, backoff);
        backoff = Math.min(backoff * 2, 30000);
      }
    };
  }

  function errorText(status, j) {
    var c = j && j.error ? j.error.code : '';
    if (c === 'rate_limited') return f(t.slow, {s: j.error.retry_after || 2});
    if (c === 'too_long' || c === 'too_large') return t.long;
    if (c === 'origin_not_allowed') return t.origin;
    return t.error;
  }

  function post(id, text, choice, li, attempt) {
    ensureSession().then(function () {
      connect();
      return fetch(api + '/api/messages', {method: 'POST', headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
        body: JSON.stringify({id: id, text: text, choice: choice || '', lang: navigator.language || ''})});
    }).then(function (r) {
      if (r.ok) { sent(li); return; }
      return r.json().catch(function () { return null; }).then(function (j) {
        if (r.status === 401 && attempt < 1) { store(null); session = null; if (es) { es.close(); es = null; } return post(id, text, choice, li, attempt + 1); }
        var again = function () { post(id, text, choice, li, 0); };
        if (r.status === 503 || (j && j.error && j.error.code === 'unavailable')) { later(li, again, (j && j.error && j.error.retry_after) || 5); return; }
        fail(li, id, errorText(r.status, j), r.status === 429 || r.status >= 500 ? again : null);
      });
    }).catch(function () {
      if (attempt < 3) setTimeout(function () { post(id, text, choice, li, attempt + 1); }, 1000 * (attempt + 1));
      else fail(li, id, t.error, function () { post(id, text, choice, li, 0); });
    });
  }

  // The shop cannot take messages for a moment (its database is away):
  // the message stays in the log, text and all, with a polite notice and a
  // "try again" button, and is sent again by itself, less and less often.
  // A repeat keeps the message's id, so the shop handles it once.
  function later(li, again, secs) {
    var n = (Number(li.getAttribute('data-tries')) || 0) + 1;
    li.setAttribute('data-tries', String(n));
    notice(li, t.busy, again);
    clearTimeout(li.retryTimer);
    if (n <= 10) li.retryTimer = setTimeout(again, Math.min(secs * 1000 * Math.pow(2, n - 1), 60000));
  }

  function sent(li) {
    clearTimeout(li.retryTimer);
    li.removeAttribute('data-tries');
    li.classList.remove('sending', 'failed');
    var e = li.querySelector('.err'), b = li.querySelector('.retry');
    if (e) e.remove();
    if (b) b.remove();
  }

  function fail(li, id, msg, again) {
    if (!again) delete pending[id];
    notice(li, msg, again);
  }

  // notice marks li as not sent with msg and, when again is given, a
  // button that sends it again.
  function notice(li, msg, again) {
    li.classList.remove('sending');
    li.classList.add('failed');
    var e = li.querySelector('.err');
    if (!e) {
      e = document.createElement('span');
      e.className = 'err';
      e.setAttribute('role', 'alert');
      li.appendChild(e);
    }
    e.textContent = msg;
    var b = li.querySelector('.retry');
    if (!again) { if (b) b.remove(); return; }
    if (!b) {
      b = document.createElement('button');
      b.type = 'button';
      b.className = 'retry';
      li.appendChild(b);
    }
    b.textContent = t.retry;
    b.disabled = false;
    b.onclick = function () {
      clearTimeout(li.retryTimer);
      b.disabled = true;
      li.classList.add('sending');
      again();
    };
  }

  function send(text, choice) {
    text = text.trim();
    if (!text && !choice) return;
    var id = 'c' + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    var li = add('me', text);
    li.classList.add('sending');
    pending[id] = li;
    post(id, text, choice, li, 0);
  }

  function submit() {
    var text = input.value;
    if (!text.trim()) return;
    input.value = '';
    grow();
    send(text);
  }

  function grow() { input.style.height = 'auto'; input.style.height = Math.min(input.scrollHeight + 2, 110) + 'px'; }

  function open(yes) {
    panel.hidden = !yes;
    panel.classList.toggle('open', yes);
    box.classList.toggle('open', yes);
    bubble.setAttribute('aria-expanded', String(yes));
    if (yes) {
      unread = 0; dot.hidden = true;
      bubble.setAttribute('aria-label', t.close + (shop ? ' — ' + shop : ''));
      greet();
      ensureSession().then(connect, function () {});
      follow(true); // what came while closed (or before a reload) ends in view
      input.focus();
    } else {
      bubble.setAttribute('aria-label', t.open + (shop ? ' — ' + shop : ''));
      bubble.focus();
    }
  }

  // Korean, Japanese and Chinese input: Enter that ends a composition is
  // not a send (isComposing, and keyCode 229 for browsers that fire the
  // keydown after compositionend).
  var composing = false;
  input.addEventListener('compositionstart', function () { composing = true; });
  input.addEventListener('compositionend', function () { composing = false; });
  input.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || e.shiftKey) return;
    if (e.isComposing || e.keyCode === 229 || composing) return;
    e.preventDefault();
    submit();
  });
  input.addEventListener('input', grow);
  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); input.focus(); });
  bubble.addEventListener('click', function () { open(panel.hidden); });
  $('.x').addEventListener('click', function () { open(false); });
  root.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !panel.hidden) open(false); });

  window.shopbotWidget = {open: function () { open(true); }, close: function () { open(false); }};
  function start() {
    document.body.appendChild(host);
    // A returning visitor: pick up replies that came while away.
    if (token) ensureSession().then(function () { greet(); connect(); }, function () {});
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
