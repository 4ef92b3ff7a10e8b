package bot_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
)

// TestOrderEnumerationLeaksNothing has 100 chats guess order numbers and
// the last four phone digits. Nothing about any order may come back, and
// every chat must trip its lockout. SHOPBOT_GUESSES sets the number of
// guesses (default 600; the figure in the README is from 10,000).
func TestOrderEnumerationLeaksNothing(t *testing.T) {
	guesses := 600
	if n, err := strconv.Atoi(os.Getenv("SHOPBOT_GUESSES")); err == nil {
		guesses = n
	}
	run(t, func(t *testing.T, h *harness) {
		rng := rand.New(rand.NewPCG(1, 2))
		const chats = 100
		leaks, locked := 0, map[string]bool{}
		for i := range guesses {
			chat := fmt.Sprint("attacker", i%chats)
			number := 1000 + rng.IntN(9000)
			for _, text := range []string{fmt.Sprintf("주문 %d 어디쯤이에요?", number), fmt.Sprintf("%04d", rng.IntN(10000))} {
				for _, r := range h.Say(chat, text) {
					if r.Kind == bot.KindTicket && strings.Contains(r.Text, "#") {
						locked[chat] = true
					}
					// An order shown has its items or status line; the
					// question and refusals never do.
					if strings.Contains(r.Text, "상태예요") || strings.Contains(r.Text, "택배사") || strings.Contains(r.Text, "상품:") {
						leaks++
						t.Errorf("chat %s got order data: %q", chat, r.Text)
					}
				}
			}
			if i%chats == chats-1 {
				h.Clock.Advance(time.Minute) // stay under the flood limit: test the lockout, not the mute
			}
		}
		if leaks != 0 {
			t.Errorf("%d replies leaked order data", leaks)
		}
		if want := min(chats, guesses/5); len(locked) < want {
			t.Errorf("%d chats locked out, want at least %d", len(locked), want)
		}
		t.Logf("%d guesses from %d chats: %d leaks, %d chats locked out", guesses, chats, leaks, len(locked))
	})
}
