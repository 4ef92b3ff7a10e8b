package web

import "sync"

// hub wakes the open event streams of a key (a visitor id, or the owner)
// when something for them arrives. A wake carries no data: the stream
// reads what is new from the database, so a missed or merged wake never
// loses or repeats a message.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
	n    int
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]struct{}{}} }

func (h *hub) subscribe(key string) chan struct{} {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.subs[key]
	if m == nil {
		m = map[chan struct{}]struct{}{}
		h.subs[key] = m
	}
	m[c] = struct{}{}
	h.n++
	return c
}

func (h *hub) unsubscribe(key string, c chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.subs[key]; m != nil {
		if _, ok := m[c]; ok {
			delete(m, c)
			h.n--
		}
		if len(m) == 0 {
			delete(h.subs, key)
		}
	}
}

// wake tells key's streams to look; it reports whether any is open.
func (h *hub) wake(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs[key] {
		select {
		case c <- struct{}{}:
		default: // already woken
		}
	}
	return len(h.subs[key]) > 0
}

// open is the number of subscribed streams.
func (h *hub) open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// alerts keeps the owner's recent live alerts for the inbox's event
// stream: a ring with sequence numbers, so a reconnecting inbox gets what
// it missed (while it is still in the ring) exactly once.
type alerts struct {
	mu   sync.Mutex
	next int64
	ring []Alert
}

// Alert is a ticket event shown live in the owner inbox.
type Alert struct {
	Seq      int64  `json:"seq"`
	Ticket   int64  `json:"ticket"`
	Priority string `json:"priority"`
	Event    string `json:"event"`
	Text     string `json:"text"`
}

const alertRing = 100

func (a *alerts) add(al Alert) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	al.Seq = a.next
	a.ring = append(a.ring, al)
	if len(a.ring) > alertRing {
		a.ring = a.ring[len(a.ring)-alertRing:]
	}
}

// since returns the alerts after seq; after < 0 means none of the old ones.
func (a *alerts) since(after int64) (out []Alert, last int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if after < 0 {
		return nil, a.next
	}
	for _, al := range a.ring {
		if al.Seq > after {
			out = append(out, al)
		}
	}
	return out, a.next
}
