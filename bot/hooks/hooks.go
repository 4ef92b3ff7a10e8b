package hooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/shop"
)

// DefaultMaxBody is the largest webhook body accepted (a Shopify order
// with hundreds of line items is well under it).
const DefaultMaxBody = 2 << 20

// claimsKept is how long a delivery id is remembered: Shopify retries a
// failed delivery for 48 hours.
const claimsKept = 7 * 24 * time.Hour

// Handler receives the webhooks: POST /hooks/shopify (signed with the
// shop's webhook secret) and POST /hooks/generic (a bearer token). Each
// delivery lands in one transaction with its delivery id, so a redelivered
// webhook changes nothing twice; then the Announcer tells whoever needs
// to know.
type Handler struct {
	DB            *sqlx.DB
	Announcer     *Announcer // nil: nobody is told
	ShopifySecret string     // SHOPIFY_WEBHOOK_SECRET; empty: /hooks/shopify is not served
	Token         string     // SHOPBOT_HOOK_TOKEN; empty: /hooks/generic is not served
	MaxBody       int64      // 0: DefaultMaxBody
	Now           func() time.Time
	Log           *slog.Logger

	deliveries atomic.Int64 // deliveries with an id: every 100th forgets old ids
}

// Register adds the configured webhook routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	if h.ShopifySecret != "" {
		mux.HandleFunc("POST /hooks/shopify", h.shopify)
	}
	if h.Token != "" {
		mux.HandleFunc("POST /hooks/generic", h.generic)
	}
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.New(slog.DiscardHandler)
}

// body reads the request body up to the limit; false when it answered.
func (h *Handler) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			reply(w, http.StatusRequestEntityTooLarge, map[string]any{"error": "body too large"})
		} else {
			reply(w, http.StatusBadRequest, map[string]any{"error": "cannot read body"})
		}
		return nil, false
	}
	return body, true
}

// ValidShopifyHMAC reports whether signature (the X-Shopify-Hmac-Sha256
// header) is the base64 HMAC-SHA256 of body with secret, in constant time.
func ValidShopifyHMAC(secret string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) == 0 || secret == "" {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// errRejected is a delivery the sender must fix (422): nothing landed.
type errRejected struct{ msg string }

func (e errRejected) Error() string { return e.msg }

func rejectf(format string, args ...any) error { return errRejected{fmt.Sprintf(format, args...)} }

// applyFunc lands a delivery with st, inside the delivery's transaction.
type applyFunc func(ctx context.Context, tx *sqlx.Tx, st *shop.Store, now time.Time) (shop.ApplyResult, error)

// land runs apply in one transaction with the claims of the delivery's
// keys (its id, a digest of its body; none or "": no redelivery
// protection) and the announcement of its changes. A key claimed before
// makes it a duplicate: nothing lands.
func (h *Handler) land(ctx context.Context, source string, apply applyFunc, keys ...string) (res shop.ApplyResult, duplicate bool, err error) {
	now := h.now()
	tx, err := h.DB.BeginTxx(ctx, nil)
	if err != nil {
		return res, false, err
	}
	defer tx.Rollback()
	st := shop.NewStore(tx)
	prefix := "hook:" + source + ":"
	claimed := false
	for _, key := range keys {
		if key == "" {
			continue
		}
		fresh, err := st.Claim(ctx, prefix+key, now)
		if err != nil {
			return res, false, err
		}
		if !fresh {
			return res, true, nil
		}
		claimed = true
	}
	if res, err = apply(ctx, tx, st, now); err != nil {
		return res, false, err
	}
	if claimed && h.deliveries.Add(1)%100 == 0 {
		// Now and then, forget old delivery ids.
		if err := st.ForgetClaims(ctx, prefix, now.Add(-claimsKept)); err != nil {
			return res, false, err
		}
	}
	// The alerts and customer messages commit with the change: a failure
	// rolls both back and the platform redelivers.
	if err := h.Announcer.Announce(ctx, tx, res.Changes); err != nil {
		return res, false, err
	}
	if err := tx.Commit(); err != nil {
		return res, false, err
	}
	h.Announcer.Wake()
	return res, false, nil
}

// answer writes the outcome of land.
func (h *Handler) answer(w http.ResponseWriter, source, topic string, res shop.ApplyResult, duplicate bool, err error) {
	var rej errRejected
	switch {
	case errors.As(err, &rej):
		h.log().Warn("webhook rejected", "source", source, "topic", topic, "reason", rej.msg)
		reply(w, http.StatusUnprocessableEntity, map[string]any{"error": rej.msg})
	case errors.Is(err, shop.ErrInvalid):
		h.log().Warn("webhook rejected", "source", source, "topic", topic, "reason", err)
		reply(w, http.StatusUnprocessableEntity, map[string]any{"error": err.Error()})
	case err != nil:
		h.log().Error("webhook", "source", source, "topic", topic, "err", err)
		reply(w, http.StatusInternalServerError, map[string]any{"error": "could not store it; try again"})
	case duplicate:
		reply(w, http.StatusOK, map[string]any{"duplicate": true})
	default:
		h.log().Info("webhook", "source", source, "topic", topic, "inserted", res.Inserted, "updated", res.Updated, "unchanged", res.Unchanged)
		reply(w, http.StatusOK, map[string]any{"inserted": res.Inserted, "updated": res.Updated, "unchanged": res.Unchanged})
	}
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// generic is POST /hooks/generic: see GenericBody.
func (h *Handler) generic(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.Token)) != 1 {
		reply(w, http.StatusUnauthorized, map[string]any{"error": "bad or missing bearer token"})
		return
	}
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	var in GenericBody
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
		return
	}
	res, dup, err := h.land(r.Context(), "generic", in.apply, in.ID)
	h.answer(w, "generic", "", res, dup, err)
}
