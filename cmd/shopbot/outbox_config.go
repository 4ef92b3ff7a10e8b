package main

import (
	"fmt"
	"time"
)

// outboxConfig are the outbox: keys.
type outboxConfig struct {
	// Lease is how long a message being sent stays reserved for its
	// sender (default 1m, renewed while the send runs). After a crash or
	// a kill, the message that was being sent, and the later ones of its
	// conversation, wait this long before a restarted or another instance
	// sends it. Shorter recovers faster; longer tolerates a database that
	// is unreachable for longer while a send's outcome waits to be
	// recorded (several instances: another may then send it again).
	Lease string `yaml:"lease"`

	lease time.Duration // derived by validate; 0: the outbox's default
}

func (o *outboxConfig) validate() error {
	if o.Lease == "" {
		return nil
	}
	d, err := time.ParseDuration(o.Lease)
	if err != nil || d < time.Second {
		return fmt.Errorf("outbox.lease: %q: want a duration of at least 1s, e.g. 1m", o.Lease)
	}
	o.lease = d
	return nil
}
