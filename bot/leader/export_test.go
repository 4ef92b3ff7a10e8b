package leader

import "time"

// SetFrozenAfter shortens frozenAfter for a test; the returned func
// restores it.
func SetFrozenAfter(d time.Duration) (restore func()) {
	old := frozenAfter
	frozenAfter = d
	return func() { frozenAfter = old }
}
