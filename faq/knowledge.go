package faq

import (
	"embed"
	"fmt"
	"path"
	"strings"
	"sync"
)

// knowledgeFS is the built-in shop knowledge: the kinds of question small
// shops of every trade are asked (knowledge/kinds.txt) and, per language,
// how customers ask each kind (knowledge/ko.txt, en.txt, zh.txt), written
// for shopbot. It only widens how an owner's entry is recognised: an entry
// that its own phrasings and answer show to be of a kind is also matched by
// that kind's phrasings; a kind that no entry is of marks a question the FAQ
// does not answer. It never makes an entry or an answer.
//
//go:embed knowledge/*.txt
var knowledgeFS embed.FS

// Kind is one kind of shop question of the built-in knowledge.
type Kind struct {
	ID      string
	About   string              // what a customer asking it wants
	Phrases map[string][]string // language → how customers ask it
}

// parseKnowledge reads kinds.txt and the language files of fsys.
func parseKnowledge(fsys embed.FS) ([]*Kind, error) {
	b, err := fsys.ReadFile("knowledge/kinds.txt")
	if err != nil {
		return nil, err
	}
	var kinds []*Kind
	byID := map[string]*Kind{}
	for n, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		id, about, ok := strings.Cut(l, "|")
		id = strings.TrimSpace(id)
		if !ok || id == "" || byID[id] != nil {
			return nil, fmt.Errorf("knowledge/kinds.txt:%d: want a new \"id | meaning\"", n+1)
		}
		k := &Kind{ID: id, About: strings.TrimSpace(about), Phrases: map[string][]string{}}
		kinds = append(kinds, k)
		byID[id] = k
	}
	files, err := fsys.ReadDir("knowledge")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := f.Name()
		if name == "kinds.txt" {
			continue
		}
		lang := strings.TrimSuffix(name, path.Ext(name))
		lang, _, _ = strings.Cut(lang, "_")
		if !knownLanguage(lang) {
			return nil, fmt.Errorf("knowledge/%s: not a language file (ko, en, zh)", name)
		}
		b, err := fsys.ReadFile("knowledge/" + name)
		if err != nil {
			return nil, err
		}
		var cur *Kind
		for n, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSpace(l)
			switch {
			case l == "" || strings.HasPrefix(l, "#"):
			case strings.HasPrefix(l, "=="):
				id := strings.TrimSpace(strings.TrimPrefix(l, "=="))
				if cur = byID[id]; cur == nil {
					return nil, fmt.Errorf("knowledge/%s:%d: unknown kind %q", name, n+1, id)
				}
			case cur == nil:
				return nil, fmt.Errorf("knowledge/%s:%d: a phrasing before the first \"== kind\"", name, n+1)
			default:
				cur.Phrases[lang] = append(cur.Phrases[lang], l)
			}
		}
	}
	return kinds, nil
}

// kindModel is the built-in knowledge prepared for matching: a matcher whose
// entries are the kinds. It is built once per process and shared by every
// FAQ's matcher.
type kindModel struct {
	kinds []*Kind
	m     *Matcher
}

var (
	kindsOnce   sync.Once
	kindsShared *kindModel
)

// builtinKinds is the kind model, built at its first use.
func builtinKinds() *kindModel {
	kindsOnce.Do(func() { kindsShared = buildKinds() })
	return kindsShared
}

func buildKinds() *kindModel {
	kinds, err := parseKnowledge(knowledgeFS)
	if err != nil {
		panic("faq: built-in knowledge: " + err.Error()) // TestKnowledge keeps this from shipping
	}
	return newKindModel(kinds)
}

// newKindModel builds the kind matcher over kinds.
func newKindModel(kinds []*Kind) *kindModel {
	f := &File{Name: "knowledge", Version: 1}
	for _, k := range kinds {
		e := &Entry{ID: k.ID}
		for _, l := range languages {
			e.Questions = append(e.Questions, k.Phrases[l]...)
		}
		f.Entries = append(f.Entries, e)
	}
	p := defaultParams()
	p.useKinds = false
	p.epochs = 3    // the knowledge is large: three passes rank its kinds as well as ten (TestKindDev)
	p.minPost = 0.1 // light phrasing postings add little to a best-phrasing cosine and cost a quarter of a match's instructions (callgrind)
	p.minIDF = 0.5  // a feature in most kinds weighs next to nothing; skipping it halves the time (BenchmarkClassifyShops)
	return &kindModel{kinds: kinds, m: newMatcher(f, p)}
}

// Prepare builds the built-in knowledge now unless it is built: about a
// second and a half of CPU, once per process. A program that will load an
// FAQ can start it early (go faq.Prepare()) so that loading does not wait
// for all of it.
func Prepare() { builtinKinds() }
