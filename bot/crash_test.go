package bot_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopbot/shopbot/bot"
	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
	"github.com/shopbot/shopbot/tickets"
)

// TestCommittedSurvivesSIGKILL backs SQLite's synchronous=NORMAL: a
// process handling messages as fast as it can, with the background
// checkpointer running, is killed with SIGKILL mid-stream, twice
// on the same file. Every message whose Handle had returned (it
// printed the id after the commit) is still journaled — sending it again
// is a duplicate — and its reply is in the outbox; the file passes
// SQLite's integrity check.
func TestCommittedSurvivesSIGKILL(t *testing.T) {
	if path := os.Getenv("SHOPBOT_KILL_DB"); path != "" {
		killChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	t.Parallel() // mostly waits for its children
	path := filepath.Join(t.TempDir(), "shop.db")
	var committed []int
	for round, kill := range []int{40, 90} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCommittedSurvivesSIGKILL$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SHOPBOT_KILL_DB="+path, fmt.Sprintf("SHOPBOT_KILL_FROM=%d", round*100000))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			id, ok := strings.CutPrefix(sc.Text(), "committed ")
			if !ok {
				continue
			}
			i, err := strconv.Atoi(id)
			if err != nil {
				t.Fatalf("child printed %q", sc.Text())
			}
			committed = append(committed, i)
			if n++; n == kill {
				break
			}
		}
		if n != kill {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: the child stopped after %d messages, before the kill", round, n)
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-stream
			t.Fatal(err)
		}
		cmd.Wait()
	}

	ctx := context.Background()
	db, err := schema.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.Get(&check, "PRAGMA integrity_check"); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	h := newHarness(t, db)
	pending, err := h.Outbox.Pending(ctx, "kill", "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	replied := map[string]bool{}
	for _, r := range pending {
		replied[r.Chat] = true
	}
	for _, i := range committed {
		m := killMessage(i)
		if _, err := h.Engine.Handle(ctx, m); !errors.Is(err, bot.ErrDuplicate) {
			t.Errorf("message %d, committed before the kill, is not in the journal (Handle again: %v)", i, err)
		}
		if !replied[m.Chat] {
			t.Errorf("message %d, committed before the kill, has no reply in the outbox", i)
		}
	}
	t.Logf("%d committed messages over 2 kills, all kept", len(committed))
}

func killMessage(i int) bot.Message {
	return bot.Message{Channel: "kill", ID: strconv.Itoa(i), Chat: strconv.Itoa(i), User: "u", Text: benchQuestions[i%len(benchQuestions)]}
}

// killChild is the process that gets killed: it handles messages on the
// file at path until it dies, printing each id once Handle has returned.
func killChild(t *testing.T, path string) {
	ctx := context.Background()
	db, err := schema.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Migrate(ctx, db, shop.Schema, tickets.Schema, bot.Schema); err != nil {
		t.Fatal(err)
	}
	defer schema.Checkpoints(db, time.Millisecond, nil)() // checkpoints die mid-way too
	h := newHarness(t, db)
	from, _ := strconv.Atoi(os.Getenv("SHOPBOT_KILL_FROM"))
	for i := from; ; i++ {
		if _, err := h.Engine.Handle(ctx, killMessage(i)); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", i)
	}
}
