package bot

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
)

// ReadHook reads the body of a platform's call to a webhook whose path
// carries secret (POST /hooks/…/{secret}): a wrong or missing secret is a
// 404, as if there were no such hook; a body over max bytes a 413; a body
// that cannot be read a 400. ok false: the response is written.
func ReadHook(w http.ResponseWriter, r *http.Request, secret string, max int64) (body []byte, ok bool) {
	if subtle.ConstantTimeCompare([]byte(r.PathValue("secret")), []byte(secret)) != 1 {
		http.NotFound(w, r)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return nil, false
	case err != nil:
		http.Error(w, "bad request", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// Clip cuts s to at most n characters, the last of them "…" when cut: for
// a platform's limits on a text's length.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
