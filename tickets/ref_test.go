package tickets

import (
	"strings"
	"testing"
)

// TestNewRefHasALetter: a reference never reads as a ticket number, and
// uses only the phone-safe alphabet.
func TestNewRefHasALetter(t *testing.T) {
	for range 100_000 { // about 24 all-digit draws among these
		ref := newRef()
		if len(ref) != 6 || strings.Trim(ref, refAlphabet) != "" {
			t.Fatalf("ref %q: want six characters of %q", ref, refAlphabet)
		}
		if strings.Trim(ref, "0123456789") == "" {
			t.Fatalf("ref %q: all digits, reads as a ticket number", ref)
		}
	}
}
