package web

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// EraseChat is Forget for bot.Forget: it deletes the web transcript of an
// erased conversation and ignores other channels' chats.
func EraseChat(ctx context.Context, q sqlx.ExtContext, channel, chat string) error {
	if channel != Channel {
		return nil
	}
	return Forget(ctx, q, chat)
}

// Purge deletes the web transcripts' messages written before before (the
// retention of conversations) and reports how many it deleted.
func Purge(ctx context.Context, q sqlx.ExtContext, before time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM web_messages WHERE created_at < ?`), before.UTC())
	if err != nil {
		return 0, fmt.Errorf("web: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
