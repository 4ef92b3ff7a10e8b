// Package faq owns the shop's FAQ file (loading and validation), the matcher
// that maps a customer's question to an entry, and the answer templates.
package faq

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

// File is a parsed and validated FAQ file (design §4).
type File struct {
	Name      string     // file name used in errors
	Version   int        // always 1
	Language  string     // "ko", "en", "zh": language of built-in messages when the customer's is unknown
	Threshold float64    // 0 = matcher default
	Synonyms  [][]string // optional owner synonym groups, each term of a group matches the others
	Entries   []*Entry
}

// Action tells the bot what to do besides rendering an entry's answer.
type Action string

// Actions an entry may name.
const (
	ActionNone        Action = ""
	ActionOrderStatus Action = "order_status"
	ActionDelivery    Action = "delivery"
	ActionHuman       Action = "human"
)

// Entry is one question the shop answers.
type Entry struct {
	ID        string
	Questions []string          // example phrasings, any language
	Keywords  []string          // words that strongly indicate this entry
	Answer    string            // text/template source
	Answers   map[string]string // per-language variants, keys "ko", "en", "zh"
	Action    Action
	Line      int // line of the entry in the file

	tmpl  *template.Template            // Answer, parsed at Parse time
	tmpls map[string]*template.Template // Answers, parsed at Parse time
}

// Error is one problem in an FAQ file. Parse returns all of them joined
// with errors.Join, so callers can list every problem at once.
type Error struct {
	File  string
	Line  int    // 0 if unknown
	Entry string // entry id, empty for file-level problems
	Msg   string
}

// Error formats the problem as "file:line: entry \"id\": msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Entry != "" {
		fmt.Fprintf(&b, "entry %q: ", e.Entry)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Languages the built-in messages and per-language answers support.
var languages = []string{"ko", "en", "zh"}

func knownLanguage(s string) bool {
	for _, l := range languages {
		if s == l {
			return true
		}
	}
	return false
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9_-]+$`)
	yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	tmplLineError = regexp.MustCompile(`^template: [^:]*:(\d+)(?::\d+)?: (.*)$`)
)

var (
	topKeys   = []string{"version", "language", "threshold", "synonyms", "entries"}
	entryKeys = []string{"id", "questions", "keywords", "answer", "answers", "action"}
)

// Load reads and parses the FAQ file at path. Read errors are wrapped;
// validation errors are as from Parse.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("faq: load: %w", err)
	}
	return Parse(path, data)
}

// Parse parses and validates an FAQ file. On error it returns every problem
// found, joined with errors.Join, each a *Error naming the file, the line and
// the entry id.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name}
	f := p.parse(data)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return f, nil
}

type parser struct {
	name string
	errs []error
}

func (p *parser) errorf(line int, entry, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.name, Line: line, Entry: entry, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(data []byte) *File {
	f := &File{Name: p.name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg, line := err.Error(), 0
		if m := yamlLineError.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		p.errorf(line, "", "yaml: %s", msg)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		p.errorf(1, "", "empty file: want version: 1 and entries")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errorf(root.Line, "", "top level must be a mapping with version and entries")
		return nil
	}
	var sawVersion, sawEntries bool
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			p.errorf(k.Line, "", "duplicate key %q (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "version":
			sawVersion = true
			if err := v.Decode(&f.Version); err != nil || f.Version != 1 {
				p.errorf(v.Line, "", "version must be 1, got %q", v.Value)
			}
		case "language":
			if err := v.Decode(&f.Language); err != nil || !knownLanguage(f.Language) {
				p.errorf(v.Line, "", "language must be one of ko, en, zh, got %q", v.Value)
			}
		case "threshold":
			if err := v.Decode(&f.Threshold); err != nil || f.Threshold < 0 || f.Threshold > 1 {
				p.errorf(v.Line, "", "threshold must be a number from 0 to 1, got %q", v.Value)
				f.Threshold = 0
			}
		case "synonyms":
			p.synonyms(f, v)
		case "entries":
			sawEntries = true
			p.entries(f, v)
		default:
			p.errorf(k.Line, "", "unknown key %q%s", k.Value, suggest(k.Value, topKeys))
		}
	}
	if !sawVersion {
		p.errorf(root.Line, "", "version is required (version: 1)")
	}
	if !sawEntries {
		p.errorf(root.Line, "", "entries are required")
	}
	return f
}

func (p *parser) synonyms(f *File, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "", "synonyms must be a list of lists, like [[택배, 배송], [refund, money back]]")
		return
	}
	for _, g := range v.Content {
		var group []string
		if err := g.Decode(&group); err != nil {
			p.errorf(g.Line, "", "synonyms: each group must be a list of words")
			continue
		}
		var clean []string
		for _, s := range group {
			if s = strings.TrimSpace(s); s != "" {
				clean = append(clean, s)
			}
		}
		if len(clean) < 2 {
			p.errorf(g.Line, "", "synonyms: a group needs at least two words")
			continue
		}
		f.Synonyms = append(f.Synonyms, clean)
	}
}

func (p *parser) entries(f *File, v *yaml.Node) {
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, "", "entries must be a list")
		return
	}
	if len(v.Content) == 0 {
		p.errorf(v.Line, "", "entries: the list is empty")
		return
	}
	ids := map[string]int{}
	for _, n := range v.Content {
		e := p.entry(n)
		if e == nil {
			continue
		}
		if e.ID != "" {
			if first, dup := ids[e.ID]; dup {
				p.errorf(e.Line, e.ID, "duplicate id (first at line %d)", first)
			} else {
				ids[e.ID] = e.Line
			}
		}
		f.Entries = append(f.Entries, e)
	}
}

func (p *parser) entry(n *yaml.Node) *Entry {
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, "", "an entry must be a mapping with id, questions and answer")
		return nil
	}
	e := &Entry{Line: n.Line}
	// The id first, so every other problem can name it.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "id" {
			v := n.Content[i+1]
			if err := v.Decode(&e.ID); err != nil {
				p.errorf(v.Line, "", "id must be a string")
			}
			e.ID = strings.TrimSpace(e.ID)
		}
	}
	if e.ID == "" {
		p.errorf(n.Line, "", "id is required")
	} else if !idPattern.MatchString(e.ID) {
		p.errorf(n.Line, e.ID, "id must use only a-z, 0-9, _ and -")
	}
	var answerNode *yaml.Node
	answerNodes := map[string]*yaml.Node{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			p.errorf(k.Line, e.ID, "duplicate key %q (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "id":
		case "questions":
			if err := v.Decode(&e.Questions); err != nil {
				p.errorf(v.Line, e.ID, "questions must be a list of strings")
			}
		case "keywords":
			if err := v.Decode(&e.Keywords); err != nil {
				p.errorf(v.Line, e.ID, "keywords must be a list of strings")
			}
		case "answer":
			if err := v.Decode(&e.Answer); err != nil {
				p.errorf(v.Line, e.ID, "answer must be text")
			}
			answerNode = v
		case "answers":
			if v.Kind != yaml.MappingNode {
				p.errorf(v.Line, e.ID, "answers must map a language (ko, en, zh) to text")
				continue
			}
			e.Answers = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				lk, lv := v.Content[j], v.Content[j+1]
				var text string
				if !knownLanguage(lk.Value) {
					p.errorf(lk.Line, e.ID, "answers: unknown language %q (want ko, en or zh)", lk.Value)
					continue
				}
				if err := lv.Decode(&text); err != nil || strings.TrimSpace(text) == "" {
					p.errorf(lv.Line, e.ID, "answers.%s must be non-empty text", lk.Value)
					continue
				}
				e.Answers[lk.Value] = text
				answerNodes[lk.Value] = lv
			}
		case "action":
			var a string
			if err := v.Decode(&a); err != nil {
				p.errorf(v.Line, e.ID, "action must be a string")
				continue
			}
			switch Action(a) {
			case ActionNone, ActionOrderStatus, ActionDelivery, ActionHuman:
				e.Action = Action(a)
			default:
				p.errorf(v.Line, e.ID, "unknown action %q (want order_status, delivery or human)", a)
			}
		default:
			p.errorf(k.Line, e.ID, "unknown key %q%s", k.Value, suggest(k.Value, entryKeys))
		}
	}
	nq := 0
	for _, q := range e.Questions {
		if strings.TrimSpace(q) != "" {
			nq++
		}
	}
	if nq == 0 {
		p.errorf(n.Line, e.ID, "at least one non-empty question is required")
	}
	if strings.TrimSpace(e.Answer) == "" {
		p.errorf(n.Line, e.ID, "answer is required")
	} else if t, err := compile(e.ID, e.Answer); err != nil {
		p.templateError(answerNode, e.ID, "answer", err)
	} else {
		e.tmpl = t
	}
	for lang, text := range e.Answers {
		t, err := compile(e.ID+"."+lang, text)
		if err != nil {
			p.templateError(answerNodes[lang], e.ID, "answers."+lang, err)
			continue
		}
		if e.tmpls == nil {
			e.tmpls = map[string]*template.Template{}
		}
		e.tmpls[lang] = t
	}
	return e
}

// templateError reports a template problem at the file line it comes from.
func (p *parser) templateError(v *yaml.Node, id, field string, err error) {
	line, msg := v.Line, err.Error()
	if m := tmplLineError.FindStringSubmatch(msg); m != nil {
		tl, _ := strconv.Atoi(m[1])
		msg = m[2]
		if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line += tl // block scalars start on the line after the indicator
		} else {
			line += tl - 1
		}
	}
	p.errorf(line, id, "%s: template: %s", field, msg)
}

// suggest returns ` (did you mean "x"?)` for a key close to a known one.
func suggest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Damerau (optimal string alignment) distance in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 64
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Entry returns the entry with the given id, or nil.
func (f *File) Entry(id string) *Entry {
	for _, e := range f.Entries {
		if e.ID == id {
			return e
		}
	}
	return nil
}
