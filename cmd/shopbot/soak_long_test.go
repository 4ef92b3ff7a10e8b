//go:build soak

package main

// The long soaks: go test -tags soak -run Soak -v ./cmd/shopbot/
// (knobs: SHOPBOT_SOAK_CUSTOMERS, SHOPBOT_SOAK_KILLS, SHOPBOT_SOAK_INSTANCES,
// SHOPBOT_SOAK_SEED).
func init() { soakLong = true }
