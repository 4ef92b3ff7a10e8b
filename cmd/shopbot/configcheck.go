package main

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// configHints add a sentence to a wrong value of a key: what the key wants
// and where to find it. Keys are paths without list indexes.
var configHints = map[string]string{
	"telegram.owners": "owners are numeric chat ids, not @usernames: send your bot a message, then open " +
		"https://api.telegram.org/bot$TELEGRAM_BOT_TOKEN/getUpdates and copy message.chat.id (or ask @userinfobot)",
	"slack.owners": "owners are Slack user ids such as U0123456: in Slack, open your profile, ⋮, Copy member ID",
}

// checkConfigNode walks a parsed config document against the type it is
// decoded into, and returns the first mistake found, in the order of the
// file: a key the type does not have (with the nearest known key as a
// suggestion) or a value of the wrong shape or type, as a sentence that
// names the key and its line. It is generic: a new section or key in the
// config struct is checked with no change here.
func checkConfigNode(n *yaml.Node, t reflect.Type) error {
	if n.Kind == 0 {
		return nil // an empty file
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return checkNode(n, t, "")
}

// configError is a mistake at a line of the file.
type configError struct {
	line, col int
	msg       string
}

func (e *configError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func errAt(n *yaml.Node, format string, args ...any) error {
	return &configError{line: n.Line, col: n.Column, msg: fmt.Sprintf(format, args...)}
}

func checkNode(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil // an empty value keeps the default
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		return wrongValue(n, t, path, n.Decode(reflect.New(t).Interface()))
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if path == "" {
				return errAt(n, "the file must be keys and values (shop:, db:, …), not %s", describe(n))
			}
			return errAt(n, "%s: want a section of keys indented under it, not %s", path, describe(n))
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				return unknownKey(k, join(path, k.Value), fields)
			}
			if err := checkNode(v, f, join(path, k.Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return errAt(n, "%s: want keys and values indented under it, not %s", path, describe(n))
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkNode(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return errAt(n, "%s: want a list such as [a, b], not %s%s", path, describe(n), hint(path))
		}
		for i, e := range n.Content {
			if err := checkNode(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return errAt(n, "%s: want a single value, not %s%s", path, describe(n), hint(path))
	}
	return wrongValue(n, t, path, n.Decode(reflect.New(t).Interface()))
}

// wrongValue turns a scalar's decoding error into a sentence.
func wrongValue(n *yaml.Node, t reflect.Type, path string, err error) error {
	if err == nil {
		return nil
	}
	want := "a value of another kind"
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "a whole number"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Bool:
		want = "true or false"
	case reflect.String:
		want = "text"
	default:
		if e, ok := err.(*yaml.TypeError); ok && len(e.Errors) > 0 {
			want = "another value (" + strings.TrimPrefix(e.Errors[0], "yaml: ") + ")"
		} else {
			want = "another value (" + strings.TrimPrefix(err.Error(), "yaml: ") + ")"
		}
	}
	return errAt(n, "%s: %q is not %s%s", path, n.Value, want, hint(path))
}

func hint(path string) string {
	key := path
	for strings.HasSuffix(key, "]") {
		key = key[:strings.LastIndexByte(key, '[')]
	}
	if h := configHints[key]; h != "" {
		return "; " + h
	}
	return ""
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func unknownKey(k *yaml.Node, path string, fields map[string]reflect.Type) error {
	known := make([]string, 0, len(fields))
	for name := range fields {
		known = append(known, name)
	}
	slices.Sort(known)
	if s := nearest(k.Value, known); s != "" {
		return errAt(k, "%s: unknown key; did you mean %q?", path, s)
	}
	return errAt(k, "%s: unknown key; the keys here are %s", path, strings.Join(known, ", "))
}

// yamlFields are the keys a struct decodes, as yaml.v3 names them
// (inline structs flattened), and their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(opts, ","), "inline") {
			for k, v := range yamlFields(f.Type) {
				m[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = f.Type
	}
	return m
}

// nearest is the known key closest to s by edit distance, if it is close
// enough to be a slip (a third of the key's length, at least 1, at most 3).
func nearest(s string, known []string) string {
	best, bestD := "", 0
	for _, k := range known {
		d := editDistance(strings.ToLower(s), k)
		if best == "" || d < bestD {
			best, bestD = k, d
		}
	}
	limit := min(max(len(best)/3, 1), 3)
	if best == "" || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (adjacent swaps cost
// one) between a and b, in runes.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	d := make([][]int, len(s)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(s); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(s)][len(t)]
}
