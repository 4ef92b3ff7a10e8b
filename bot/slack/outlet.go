package slack

import "github.com/shopbot/shopbot/bot/outlet"

// Outlets is how the adapter sends (outlet.Serve runs them): Send, one
// message a call. An alert without a ticket needs no database, so the
// outage alert can go through it.
func (a *Adapter) Outlets() []outlet.Outlet {
	return []outlet.Outlet{{Channel: Channel, Send: a.Send, Direct: true, Log: a.log}}
}
