package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/notify"
	"github.com/shopbot/shopbot/tickets"
)

// Limits bound how many messages one conversation may send. Past a limit
// the bot stops answering that conversation (the messages are still
// journaled) and the owners get one note, not one per message.
type Limits struct {
	PerMinute int
	PerHour   int
}

// DefaultLimits allow a brisk human and stop a script.
var DefaultLimits = Limits{PerMinute: 20, PerHour: 200}

// flooding reports whether the conversation is past its limits. The first
// message past a limit sends the owners one note.
func (h *handling) flooding(ctx context.Context) (bool, error) {
	limits := []struct {
		n      int
		window time.Duration
	}{{h.cfg.Limits.PerMinute, time.Minute}, {h.cfg.Limits.PerHour, time.Hour}}
	if limits[0].n <= 0 && limits[1].n <= 0 {
		return false, nil
	}
	perMinute, perHour := h.perMinute, h.perHour
	if !h.counted {
		var err error
		perMinute, perHour, err = recentMessages(ctx, h.tx, h.m.Channel, h.m.Chat, h.now.Add(-time.Minute), h.now.Add(-time.Hour))
		if err != nil {
			return false, err
		}
	}
	for i, n := range []int{perMinute, perHour} {
		l := limits[i]
		if l.n <= 0 || n <= l.n {
			continue
		}
		if n == l.n+1 {
			h.log.Warn("conversation muted: too many messages", "channel", h.m.Channel, "chat", h.m.Chat, "limit", l.n, "window", l.window)
			e := notify.Event{Kind: notify.KindFlood, Priority: string(tickets.Low), Key: "flood:" + h.m.Channel + ":" + h.m.Chat,
				Text: ownerText(h.cfg.OwnerLang, "alert_flood", h.m.Channel, h.m.Chat, h.o(windowKey(l.window)), l.n)}
			h.raise(e)
		}
		return true, nil
	}
	return false, nil
}

func windowKey(d time.Duration) string {
	if d >= time.Hour {
		return "hour"
	}
	return "minute"
}

// recentMessages counts a chat's inbound messages since short and since long
// (short after long), the one being handled included.
func recentMessages(ctx context.Context, q sqlx.ExtContext, channel, chat string, short, long time.Time) (sinceShort, sinceLong int, err error) {
	// One query for both windows (short after long): the chat's index
	// (channel, chat, received_at) gives the long window's rows.
	var n struct {
		Short int `db:"short"`
		Long  int `db:"long"`
	}
	err = sqlx.GetContext(ctx, q, &n, q.Rebind(`SELECT COALESCE(SUM(CASE WHEN received_at > ? THEN 1 ELSE 0 END), 0) AS short, COUNT(*) AS long
		FROM inbound WHERE channel = ? AND chat = ? AND received_at > ?`), short.UTC(), channel, chat, long.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("bot: rate: %w", err)
	}
	return n.Short, n.Long, nil
}
