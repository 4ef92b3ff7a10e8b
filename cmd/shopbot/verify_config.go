package main

import (
	"fmt"
	"time"

	"github.com/shopbot/shopbot/bot"
)

// verifyConfig are the verification: keys: how long a customer's proof of
// an order lasts. The lockouts (5 failures lock an order number, 20 a
// network, with back-off) are bot.DefaultVerifyLimits.
type verifyConfig struct {
	// ProofLasts is how long a conversation may see an order again without
	// proving it is theirs anew (default 1h).
	ProofLasts string `yaml:"proof_lasts"`

	lasts time.Duration // derived by validate; 0: the default
}

func (v *verifyConfig) validate() error {
	if v.ProofLasts == "" {
		return nil
	}
	d, err := time.ParseDuration(v.ProofLasts)
	if err != nil || d < time.Minute || d > 30*24*time.Hour {
		return fmt.Errorf("verification.proof_lasts: %q: want a duration from 1m to 720h, e.g. 1h", v.ProofLasts)
	}
	v.lasts = d
	return nil
}

// limits are the engine's verification limits.
func (v verifyConfig) limits() bot.VerifyLimits {
	l := bot.DefaultVerifyLimits
	if v.lasts > 0 {
		l.TTL = v.lasts
	}
	return l
}
