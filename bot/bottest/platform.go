package bottest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Transcripts keeps what each user of a chat platform's fake was shown,
// in order, as T (the platform's own message). The fakes of the platforms
// that call a webhook (kakaotest, talktalktest) embed it: their handlers
// Record, their tests read Shown. Safe for concurrent use; the zero value
// is ready.
type Transcripts[T any] struct {
	mu    sync.Mutex
	shown map[string][]T
}

// Record adds m to what user was shown.
func (ts *Transcripts[T]) Record(user string, m T) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.shown == nil {
		ts.shown = map[string][]T{}
	}
	ts.shown[user] = append(ts.shown[user], m)
}

// Shown returns what user was shown so far, in order.
func (ts *Transcripts[T]) Shown(user string) []T {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]T(nil), ts.shown[user]...)
}

// PostWebhook posts body to url as a platform calls a bot's webhook: with
// contentType, giving up after deadline (the platform's wait for an
// answer). It returns the answer's status and body; an error is the
// request's.
func PostWebhook(ctx context.Context, client *http.Client, url, contentType string, body []byte, deadline time.Duration) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}
