package notify_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shopbot/shopbot/notify"
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

var (
	seoul   = mustLoc("Asia/Seoul")
	newYork = mustLoc("America/New_York")
)

// delivered is one message a destination received.
type delivered struct {
	Dest  notify.Destination
	Event notify.Event
}

// recorder is a Sender and a Poster that behaves like the outbox: one
// message per (Source, destination), posts handed straight to a router.
type recorder struct {
	mu     sync.Mutex
	seen   map[string]bool
	got    []delivered
	posts  []notify.Event
	router *notify.Router
	fail   error
}

func (r *recorder) Send(_ context.Context, d notify.Destination, e notify.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	k := fmt.Sprintf("%d|%s|%s", e.Source, d.Channel, d.Chat)
	if r.seen[k] {
		return nil
	}
	r.seen[k] = true
	r.got = append(r.got, delivered{d, e})
	return nil
}

func (r *recorder) Post(ctx context.Context, e notify.Event) error {
	r.mu.Lock()
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	k := fmt.Sprintf("post|%d", e.Source)
	dup := r.seen[k]
	r.seen[k] = true
	if !dup {
		r.posts = append(r.posts, e)
	}
	rt := r.router
	r.mu.Unlock()
	if dup || rt == nil {
		return nil
	}
	return rt.Route(ctx, e)
}

// to returns what destination d received.
func (r *recorder) to(d notify.Destination) []notify.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notify.Event
	for _, g := range r.got {
		if g.Dest.Channel == d.Channel && g.Dest.Chat == d.Chat {
			out = append(out, g.Event)
		}
	}
	return out
}

func (r *recorder) posted() []notify.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Event(nil), r.posts...)
}
