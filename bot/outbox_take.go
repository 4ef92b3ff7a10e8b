package bot

import (
	"context"
	"errors"
)

// Take hands the due messages of channel (and of chat, if not empty) to
// deliver in batches, one chat at a time, for platforms that carry several
// messages in one answer (a Kakao skill response, a TalkTalk webhook
// reply) or that must not be sent everything (a paid push API).
//
// want picks the messages deliver may have (nil: all); a chat's batch ends
// at its first message want refuses, so a conversation never sees its
// messages out of order. max bounds a batch (0: no bound). Each batch is
// claimed before deliver runs, so no other sender has it meanwhile, and
// recorded sent when deliver returns nil; an ErrPermanent records it
// failed; any other error retries it with backoff (or the platform's
// RetryAfter). Take returns how many messages were sent.
func (o *Outbox) Take(ctx context.Context, channel, chat string, want func(Reply) bool, max int,
	deliver func(ctx context.Context, chat string, batch []Reply) error) (int, error) {
	pending, err := o.Pending(ctx, channel, chat, 100)
	if err != nil {
		return 0, err
	}
	var chats []string
	batches := map[string][]Reply{}
	closed := map[string]bool{}
	for _, r := range pending {
		if closed[r.Chat] || o.holding(r.ID) || (want != nil && !want(r)) || (max > 0 && len(batches[r.Chat]) >= max) {
			closed[r.Chat] = true
			continue
		}
		if _, seen := batches[r.Chat]; !seen {
			chats = append(chats, r.Chat)
		}
		batches[r.Chat] = append(batches[r.Chat], r)
	}
	sent := 0
	for _, c := range chats {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		n, err := o.takeBatch(ctx, c, batches[c], deliver)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// takeBatch claims batch (the claimed prefix, in order), delivers it and
// records the outcome.
func (o *Outbox) takeBatch(ctx context.Context, chat string, batch []Reply,
	deliver func(ctx context.Context, chat string, batch []Reply) error) (int, error) {
	bk := context.WithoutCancel(ctx)
	var claimed []Reply
	for _, r := range batch {
		ok, err := o.claim(bk, r.ID)
		if err != nil {
			o.releaseAll(bk, claimed)
			return 0, err
		}
		if !ok {
			break // another sender has it: what follows waits for it
		}
		claimed = append(claimed, r)
	}
	if len(claimed) == 0 {
		return 0, nil
	}
	if ctx.Err() != nil {
		return 0, o.releaseAll(bk, claimed)
	}
	stops := make([]func(), len(claimed))
	for i, r := range claimed {
		stops[i] = o.keep(ctx, r.ID)
	}
	err := deliver(ctx, chat, claimed)
	for _, stop := range stops {
		stop()
	}
	switch {
	case err == nil:
		for _, r := range claimed {
			if err := o.recordSent(ctx, r.ID, ""); err != nil {
				return 0, err
			}
		}
		return len(claimed), nil
	case errors.Is(err, ErrPermanent):
		o.log.Warn("outbox: permanent failure", "channel", claimed[0].Channel, "chat", chat, "messages", len(claimed), "err", err)
		for _, r := range claimed {
			if err := o.finish(bk, r.ID, "failed", "", err.Error()); err != nil {
				return 0, err
			}
		}
	case ctx.Err() != nil:
		return 0, o.releaseAll(bk, claimed)
	default:
		for _, r := range claimed {
			if err := o.retry(bk, r.ID, err); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

func (o *Outbox) releaseAll(ctx context.Context, rs []Reply) error {
	var first error
	for _, r := range rs {
		if err := o.release(ctx, r.ID); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Waker returns a channel that receives a value after Wake: a sender loop
// of an adapter's own (Take) waits on it besides its poll interval.
func (o *Outbox) Waker() <-chan struct{} { return o.waker() }
