package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// cmdLearn adds the first customer message of a ticket as a new phrasing
// of a FAQ entry: stored in the database (the FAQ file stays the owner's)
// and added to the running matcher at once.
func (h *handling) cmdLearn(ctx context.Context, args string) (string, error) {
	idText, entryID, _ := strings.Cut(args, " ")
	entryID = strings.TrimSpace(entryID)
	id, err := h.parseTicketID(ctx, idText)
	if err != nil || entryID == "" {
		return h.usage("usage_learn"), nil
	}
	if h.cfg.FAQ.Entry(entryID) == nil {
		return h.o("no_entry", entryID), nil
	}
	msgs, err := h.tickets.Messages(ctx, id)
	if err != nil {
		return "", err
	}
	question := ""
	for _, m := range msgs {
		if m.Author == "customer" {
			question = strings.TrimSpace(m.Text)
			break
		}
	}
	if question == "" {
		return h.o("no_question", id), nil
	}
	question = truncate(question, 300)
	_, err = h.tx.ExecContext(ctx, h.tx.Rebind(`INSERT INTO learned (entry_id, question, ticket_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (entry_id, question) DO NOTHING`), entryID, question, id, h.now.UTC())
	if err != nil {
		return "", fmt.Errorf("bot: learn: %w", err)
	}
	if err := h.matcher.Learn(entryID, question); err != nil {
		return "", fmt.Errorf("bot: learn: %w", err)
	}
	return h.o("learned", question, entryID), nil
}

// learnChoice remembers that a customer who asked question picked entry
// from the offered choices, so that the same question is answered next
// time: stored like an owner's /learn (ticket 0) and added to the running
// matcher. A question learned before is not learned twice.
func (h *handling) learnChoice(ctx context.Context, entry, question string) error {
	question = strings.TrimSpace(truncate(question, 300))
	if question == "" {
		return nil
	}
	res, err := h.tx.ExecContext(ctx, h.tx.Rebind(`INSERT INTO learned (entry_id, question, ticket_id, created_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (entry_id, question) DO NOTHING`), entry, question, h.now.UTC())
	if err != nil {
		return fmt.Errorf("bot: learn a choice: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := h.matcher.Learn(entry, question); err != nil {
		h.log.Warn("bot: learn a choice", "entry", entry, "err", err) // an empty question after normalising: nothing to learn
	}
	return nil
}

// loadLearned adds the phrasings learned earlier to the matcher; entries
// that the FAQ file no longer has are skipped.
func (e *Engine) loadLearned(ctx context.Context) error {
	learned, err := Learned(ctx, e.cfg.DB)
	if err != nil {
		return err
	}
	all := map[string][]string{}
	for _, l := range learned {
		if e.cfg.FAQ.Entry(l.Entry) != nil {
			all[l.Entry] = l.Questions
		}
	}
	if err := e.matcher.LearnAll(all); err != nil {
		return fmt.Errorf("bot: learned phrasings: %w", err)
	}
	return nil
}

// LearnedEntry is the phrasings learned for one FAQ entry, oldest first.
type LearnedEntry struct {
	Entry     string
	Questions []string
}

// Learned lists the phrasings learned from tickets (/learn) and from
// customers' choices, per FAQ entry in the order first learned.
func Learned(ctx context.Context, db sqlx.QueryerContext) ([]LearnedEntry, error) {
	var rows []struct {
		Entry    string `db:"entry_id"`
		Question string `db:"question"`
	}
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT entry_id, question FROM learned ORDER BY id`); err != nil {
		return nil, fmt.Errorf("bot: learned phrasings: %w", err)
	}
	var out []LearnedEntry
	at := map[string]int{}
	for _, r := range rows {
		i, ok := at[r.Entry]
		if !ok {
			i = len(out)
			at[r.Entry] = i
			out = append(out, LearnedEntry{Entry: r.Entry})
		}
		out[i].Questions = append(out[i].Questions, r.Question)
	}
	return out, nil
}
