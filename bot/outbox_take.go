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
// records the outcome under each claim. The claims are renewed while
// deliver runs and until the outcomes are recorded (see deliverOne); if
// one is taken over meanwhile, deliver is cancelled and nothing is recorded
// over the new holder's outcome.
func (o *Outbox) takeBatch(ctx context.Context, chat string, batch []Reply,
	deliver func(ctx context.Context, chat string, batch []Reply) error) (int, error) {
	bk := context.WithoutCancel(ctx)
	var claims []*claimed
	var claimed []Reply
	defer func() {
		for _, c := range claims {
			o.hold(c.id, false)
		}
	}()
	for _, r := range batch {
		c, err := o.claim(bk, r.ID)
		if err != nil {
			return 0, errors.Join(err, releaseAll(bk, claims))
		}
		if c == nil {
			break // another sender has it: what follows waits for it
		}
		claims = append(claims, c)
		claimed = append(claimed, r)
	}
	if len(claims) == 0 {
		return 0, nil
	}
	if ctx.Err() != nil {
		return 0, releaseAll(bk, claims)
	}
	sendCtx, cancel := o.sendContext(ctx)
	defer cancel()
	stops := make([]func(), len(claims))
	for i, c := range claims {
		stops[i] = o.keep(ctx, c, cancel)
	}
	err := deliver(sendCtx, chat, claimed)
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	for _, c := range claims {
		if c.isLost() {
			o.log.Warn("outbox: claim lost mid-delivery; the rest of the batch waits", "channel", claimed[0].Channel, "chat", chat, "id", c.id, "delivered", err == nil)
			return 0, nil
		}
	}
	switch {
	case err == nil:
		for _, c := range claims {
			if err := o.recordSent(ctx, c, ""); err != nil {
				return 0, err
			}
		}
		return len(claims), nil
	case errors.Is(err, ErrPermanent):
		o.log.Warn("outbox: permanent failure", "channel", claimed[0].Channel, "chat", chat, "messages", len(claims), "err", err)
		for _, c := range claims {
			if err := c.finish(bk, "failed", "", err.Error()); err != nil {
				return 0, err
			}
		}
	case ctx.Err() != nil:
		return 0, releaseAll(bk, claims)
	default:
		for _, c := range claims {
			if err := o.retry(bk, c, err); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

func releaseAll(ctx context.Context, cs []*claimed) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.release(ctx))
	}
	return errors.Join(errs...)
}

// Waker returns a channel that receives a value after Wake: a sender loop
// of an adapter's own (Take) waits on it besides its poll interval.
func (o *Outbox) Waker() <-chan struct{} { return o.waker() }
