package web

import (
	"context"

	"github.com/shopbot/shopbot/bot/outlet"
)

// Run receives until ctx is done: the web chat receives on its HTTP
// handlers (Register), so Run only waits.
func (s *Server) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// Outlets is how the server sends (outlet.Serve runs them): replies to
// visitors are database writes, a round of them one transaction (SendTx,
// then Delivered wakes their streams); owner events go to the inbox one at
// a time (SendOwner).
func (s *Server) Outlets() []outlet.Outlet {
	return []outlet.Outlet{
		{Channel: Channel, SendTx: s.SendTx, Delivered: s.Delivered},
		{Channel: OwnerChannel, Send: s.SendOwner},
	}
}
