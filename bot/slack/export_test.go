package slack

import "time"

// SetSocketRetry shortens the wait before Socket Mode starts again, for a
// test; it returns the function that restores it.
func SetSocketRetry(d time.Duration) (restore func()) {
	old := socketRetry
	socketRetry = d
	return func() { socketRetry = old }
}
