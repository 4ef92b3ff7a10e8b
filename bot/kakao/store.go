package kakao

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/schema"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the Kakao channel's table: the recent skill requests, by user
// and utterance, with the answer each got (retries within RetryWindow get
// that answer instead of a second one).
var Schema = schema.Set{Name: "kakao", FS: mustSub(schemaFS, "schema")}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// requests is the kakao_requests table.
type requests struct{ db *sqlx.DB }

// digest names what a request asks: its utterance and the tapped extra.
func digest(text, extra string) string {
	h := sha256.Sum256([]byte(text + "\x00" + extra))
	return hex.EncodeToString(h[:12])
}

// claim records a request of user asking d at now. fresh is true for a
// new request, with the message id to journal it under; a request with
// the same user and d within window is a retry: fresh is false, id is the
// first one's message id, and response its answer ("" while the first is
// still being answered). Concurrent identical requests agree: one is fresh.
func (q requests) claim(ctx context.Context, user, d string, now time.Time, window time.Duration) (id string, fresh bool, response string, err error) {
	now = now.UTC()
	newID := d + ":" + strconv.FormatInt(now.UnixNano(), 36)
	var ids []string
	err = sqlx.SelectContext(ctx, q.db, &ids, q.db.Rebind(`INSERT INTO kakao_requests (user_key, digest, msg_id, response, at)
		VALUES (?, ?, ?, '', ?) ON CONFLICT DO NOTHING RETURNING msg_id`), user, d, newID, now)
	if err != nil {
		return "", false, "", fmt.Errorf("kakao: request: %w", err)
	}
	if len(ids) == 1 {
		return newID, true, "", nil
	}
	res, err := q.db.ExecContext(ctx, q.db.Rebind(`UPDATE kakao_requests SET msg_id = ?, response = '', at = ?
		WHERE user_key = ? AND digest = ? AND at < ?`), newID, now, user, d, now.Add(-window))
	if err != nil {
		return "", false, "", fmt.Errorf("kakao: request: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", false, "", fmt.Errorf("kakao: request: %w", err)
	} else if n == 1 {
		return newID, true, "", nil
	}
	var row struct {
		ID       string `db:"msg_id"`
		Response string `db:"response"`
	}
	err = sqlx.GetContext(ctx, q.db, &row, q.db.Rebind(`SELECT msg_id, response FROM kakao_requests WHERE user_key = ? AND digest = ?`), user, d)
	if errors.Is(err, sql.ErrNoRows) {
		// Pruned between the two statements: a new request after all.
		return q.claim(ctx, user, d, now, window)
	}
	if err != nil {
		return "", false, "", fmt.Errorf("kakao: request: %w", err)
	}
	return row.ID, false, row.Response, nil
}

// answered stores the response body given to request id.
func (q requests) answered(ctx context.Context, user, d, id string, body []byte) error {
	_, err := q.db.ExecContext(ctx, q.db.Rebind(`UPDATE kakao_requests SET response = ? WHERE user_key = ? AND digest = ? AND msg_id = ?`),
		string(body), user, d, id)
	if err != nil {
		return fmt.Errorf("kakao: store response: %w", err)
	}
	return nil
}

// response is the stored answer of request id ("" while none).
func (q requests) response(ctx context.Context, user, d, id string) (string, error) {
	var rs []string
	err := sqlx.SelectContext(ctx, q.db, &rs, q.db.Rebind(`SELECT response FROM kakao_requests WHERE user_key = ? AND digest = ? AND msg_id = ?`), user, d, id)
	if err != nil || len(rs) == 0 {
		return "", err
	}
	return rs[0], nil
}

// prune forgets requests older than before: they can no longer be retried,
// and their answers are customer data.
func (q requests) prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := q.db.ExecContext(ctx, q.db.Rebind(`DELETE FROM kakao_requests WHERE at < ?`), before.UTC())
	if err != nil {
		return 0, fmt.Errorf("kakao: prune: %w", err)
	}
	return res.RowsAffected()
}
