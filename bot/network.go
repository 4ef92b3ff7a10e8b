package bot

import (
	"net/netip"
	"strings"
)

// NetworkOf is the network an address belongs to for counting abuse: the
// /24 of an IPv4 address, the /64 of an IPv6 one (one customer line or
// host usually gets a whole /64). Anything that is not an address is
// returned as it is, so it still counts on its own.
func NetworkOf(addr string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	bits := 64
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return addr
	}
	return p.String()
}
