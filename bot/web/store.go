package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/schema"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the web channel's tables: its settings (the generated server
// secret, the owner token's hash) and the visitors' message log the event
// streams replay from.
var Schema = schema.Embedded("web", schemaFS, "schema")

// Setting keys in web_settings.
const (
	keySecret     = "secret"
	keyOwnerToken = "owner_token_sha256"
)

func getSetting(ctx context.Context, q sqlx.ExtContext, key string) (string, error) {
	var v string
	err := sqlx.GetContext(ctx, q, &v, q.Rebind(`SELECT value FROM web_settings WHERE key = ?`), key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("web: setting %s: %w", key, err)
	}
	return v, nil
}

// Secret returns the server secret that signs visitor tokens and owner
// sessions: generated once and stored, so every instance on the database
// and every restart share it. Concurrent first calls agree on one value.
func Secret(ctx context.Context, q sqlx.ExtContext, now time.Time) ([]byte, error) {
	b := make([]byte, 32)
	rand.Read(b)
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO web_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`),
		keySecret, hex.EncodeToString(b), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("web: secret: %w", err)
	}
	v, err := getSetting(ctx, q, keySecret)
	if err != nil {
		return nil, err
	}
	s, err := hex.DecodeString(v)
	if err != nil || len(s) < 16 {
		return nil, fmt.Errorf("web: secret: stored value is not a 16+ byte hex string")
	}
	return s, nil
}

// IssueOwnerToken makes a new owner-inbox login token, stores its SHA-256
// hash (the token itself is never stored) and returns it. The previous
// token and every session it opened stop working.
func IssueOwnerToken(ctx context.Context, q sqlx.ExtContext, now time.Time) (string, error) {
	b := make([]byte, 24)
	rand.Read(b)
	token := "sbo_" + base64.RawURLEncoding.EncodeToString(b)
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO web_settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
		keyOwnerToken, hashToken(token), now.UTC())
	if err != nil {
		return "", fmt.Errorf("web: issue owner token: %w", err)
	}
	return token, nil
}

// HasOwnerToken reports whether an owner token was ever issued.
func HasOwnerToken(ctx context.Context, q sqlx.ExtContext) (bool, error) {
	v, err := getSetting(ctx, q, keyOwnerToken)
	return v != "", err
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// checkOwnerToken compares token with the stored hash in constant time and
// returns the hash (which owner sessions are bound to) when it matches.
func checkOwnerToken(ctx context.Context, q sqlx.ExtContext, token string) (string, bool, error) {
	stored, err := getSetting(ctx, q, keyOwnerToken)
	if err != nil || stored == "" {
		return "", false, err
	}
	got := hashToken(token)
	return stored, subtle.ConstantTimeCompare([]byte(got), []byte(stored)) == 1, nil
}

// Event is one message in a visitor's conversation as the widget sees it:
// what the visitor wrote (From "me") or a reply (From "bot" or "owner").
type Event struct {
	Seq      int64        `json:"seq"`
	From     string       `json:"from"`
	Kind     string       `json:"kind,omitempty"`
	Text     string       `json:"text"`
	Choices  []choiceJSON `json:"choices,omitempty"`
	Ask      string       `json:"ask,omitempty"`
	Ticket   int64        `json:"ticket,omitempty"` // events stored before references: the ticket's id
	Ref      string       `json:"ref,omitempty"`    // the ticket's reference
	ClientID string       `json:"client_id,omitempty"`
	At       time.Time    `json:"at"`
}

type choiceJSON struct {
	Entry string `json:"entry"`
	Label string `json:"label"`
}

// appendEvent stores e for visitor. A repeat of the same outbox reply or
// the same client message id is not stored twice: fresh is false.
func appendEvent(ctx context.Context, q sqlx.ExtContext, visitor string, outboxID int64, e Event, now time.Time) (seq int64, fresh bool, err error) {
	e.Seq, e.At = 0, now.UTC()
	payload, err := json.Marshal(e)
	if err != nil {
		return 0, false, fmt.Errorf("web: store message: %w", err)
	}
	var ob, cid any
	if outboxID != 0 {
		ob = outboxID
	}
	if e.ClientID != "" {
		cid = e.ClientID
	}
	var ids []int64
	query, args := `INSERT INTO web_messages (visitor, outbox_id, client_id, payload, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`, []any{visitor, ob, cid, string(payload), now.UTC()}
	if q.DriverName() == "postgres" {
		// A visitor's stream reads the log by seq, so one visitor's events
		// must commit in seq order. SQLite commits one writer at a time; on
		// PostgreSQL a round of replies written in one transaction
		// (SendTx) could commit seq 100 after the visitor's next message
		// took and committed 101, and the stream, already past 101, would
		// never show 100. The visitor's transaction lock, taken before
		// seq is drawn and held to the commit, keeps them in order.
		query = `WITH turn AS (SELECT pg_advisory_xact_lock(hashtextextended(CAST(? AS text), 7001)))
			INSERT INTO web_messages (visitor, outbox_id, client_id, payload, created_at)
			SELECT ?, ?, ?, ?, ? FROM turn ON CONFLICT DO NOTHING RETURNING seq`
		args = append([]any{"web:" + visitor}, args...)
	}
	err = sqlx.SelectContext(ctx, q, &ids, q.Rebind(query), args...)
	if err != nil {
		return 0, false, fmt.Errorf("web: store message: %w", err)
	}
	if len(ids) == 1 {
		return ids[0], true, nil
	}
	return 0, false, nil
}

// events returns visitor's events after seq, oldest first, at most limit.
// With after == 0 it returns the newest limit events (a fresh page load
// shows the recent conversation, not all of it).
func events(ctx context.Context, q sqlx.ExtContext, visitor string, after int64, limit int) ([]Event, error) {
	var rows []struct {
		Seq     int64     `db:"seq"`
		Payload string    `db:"payload"`
		At      time.Time `db:"created_at"`
	}
	var err error
	if after <= 0 {
		err = sqlx.SelectContext(ctx, q, &rows, q.Rebind(`SELECT seq, payload, created_at FROM web_messages
			WHERE visitor = ? ORDER BY seq DESC LIMIT ?`), visitor, limit)
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	} else {
		err = sqlx.SelectContext(ctx, q, &rows, q.Rebind(`SELECT seq, payload, created_at FROM web_messages
			WHERE visitor = ? AND seq > ? ORDER BY seq LIMIT ?`), visitor, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("web: events: %w", err)
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		var e Event
		if err := json.Unmarshal([]byte(r.Payload), &e); err != nil {
			continue // a row this binary cannot read is skipped, not fatal
		}
		e.Seq, e.At = r.Seq, r.At.UTC()
		out = append(out, e)
	}
	return out, nil
}

// Forget deletes the message log of visitor (a web chat id), for
// `shopbot forget`; the conversation's tickets are the tickets package's.
func Forget(ctx context.Context, q sqlx.ExtContext, visitor string) error {
	_, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM web_messages WHERE visitor = ?`), visitor)
	if err != nil {
		return fmt.Errorf("web: forget: %w", err)
	}
	return nil
}
