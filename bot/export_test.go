package bot

import "time"

// SetRenewTicks makes o renew its claims on the test's ticks instead of a
// ticker.
func SetRenewTicks(o *Outbox, ticks <-chan time.Time) { o.renewTicks = ticks }
