package faq

import (
	"fmt"
	"sort"
)

// Warning is a likely weakness of an FAQ file: not an error (the file
// works), but something that makes the bot answer less or wrongly.
type Warning struct {
	Line  int
	Entry string
	Msg   string
}

// Check looks for what makes m's FAQ hard to match: entries with a single
// phrasing; entries the built-in knowledge finds to be of the same kind of
// question (customers' questions may go to either); a phrasing that the
// matcher itself sends to another entry; and entries whose topic the
// built-in knowledge does not know, which then only match the owner's own
// words. Each warning carries a hint of what to do.
func (m *Matcher) Check() []Warning {
	idx := m.idx.Load()
	var out []Warning
	for e, en := range idx.entries {
		n := 0
		for _, q := range en.Questions {
			if normalize(q) != "" {
				n++
			}
		}
		if n == 1 {
			out = append(out, Warning{en.Line, en.ID, "only one phrasing: add two or three more, the way a customer would type them in a chat (short, casual, with the words customers use)"})
		}
		for _, q := range en.Questions {
			r := m.Match(q)
			switch {
			case r.Decision == Answer && r.Best != en:
				out = append(out, Warning{en.Line, en.ID, fmt.Sprintf("the phrasing %q is answered by entry %q: reword it, or move it there", truncate(q, 80), r.Best.ID)})
			case r.Decision == Clarify && r.Choices[0] != en:
				out = append(out, Warning{en.Line, en.ID, fmt.Sprintf("the phrasing %q is taken for entry %q first: reword it so that it says what only this entry answers", truncate(q, 80), r.Choices[0].ID)})
			}
		}
		if idx.kinds != nil && (len(idx.kinds.aff[e]) == 0 || idx.kinds.aff[e][0].p < ownedAt) {
			out = append(out, Warning{en.Line, en.ID, "not a kind of question the bot knows from other shops: it will match only words close to this entry's own, so give it three to five phrasings in customers' words"})
		}
	}
	if ki := idx.kinds; ki != nil {
		// Entries sharing a kind: a customer's question of that kind may go
		// to either.
		type pair struct{ a, b int32 }
		seen := map[pair]bool{}
		for k, owner := range ki.owner {
			if owner < 0 || ki.top[k] < ownedAt {
				continue
			}
			for e := range ki.aff {
				if int32(e) == owner || seen[pair{owner, int32(e)}] {
					continue
				}
				if a := ki.affinity(int32(e), int32(k)); a >= ownedAt && a >= ki.top[k]/2 {
					seen[pair{owner, int32(e)}] = true
					o, other := idx.entries[owner], idx.entries[e]
					out = append(out, Warning{other.Line, other.ID, fmt.Sprintf("both this entry and %q (line %d) look like %q questions (%s): customers' questions may go to either; merge them, or make each one's phrasings and answer say what only it covers", o.ID, o.Line, ki.km.kinds[k].ID, ki.km.kinds[k].About)})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}
