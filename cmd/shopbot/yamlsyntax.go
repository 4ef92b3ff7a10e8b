package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/shopbot/shopbot/faq"
)

// loadFAQFile is faq.Load with a YAML syntax error told as
// file:line:column and a hint, for an owner who edits the file by hand.
func loadFAQFile(path string) (*faq.File, error) {
	f, err := faq.Load(path)
	if err != nil {
		if data, rerr := os.ReadFile(path); rerr == nil {
			if serr := yamlSyntax(path, data); serr != nil {
				return nil, serr
			}
		}
		return nil, err
	}
	return f, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlSyntax parses data as YAML and, when that fails, returns the error
// as "name:line:column: YAML syntax: what; hint" (nil when data parses).
func yamlSyntax(name string, data []byte) error {
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	if err == nil {
		return nil
	}
	m := yamlLineRE.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%s: YAML syntax: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	lines := strings.Split(string(data), "\n")
	// A tab in the indentation is the commonest cause, and the parser may
	// report the line before or after it: report the first one up to the
	// line after, or anywhere when the parser speaks of a tab.
	upTo := line + 1
	if strings.Contains(msg, "tab") {
		upTo = len(lines)
	}
	for i := 0; i < len(lines) && i < upTo; i++ {
		l := lines[i]
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if j := strings.IndexByte(indent, '\t'); j >= 0 {
			return fmt.Errorf("%s:%d:%d: YAML syntax: a tab in the indentation; YAML indents with spaces only: replace the tab with spaces", name, i+1, j+1)
		}
	}
	text := ""
	if line >= 1 && line <= len(lines) {
		text = strings.TrimRight(lines[line-1], "\r")
	}
	col := len(text) - len(strings.TrimLeft(text, " ")) + 1
	hint := ""
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		// key: value: more — the second ": " is where the parser stops.
		if k := strings.Index(text, ": "); k >= 0 {
			if k2 := strings.Index(text[k+2:], ": "); k2 >= 0 {
				col = utf8.RuneCountInString(text[:k+2+k2]) + 1
			}
		}
		hint = `a value that contains ": " must be quoted, e.g. answer: "영업시간: 10시-18시"`
	case strings.Contains(msg, "did not find expected key"), strings.Contains(msg, "could not find expected ':'"):
		hint = "check this line's indentation against the line above: keys of one entry line up, list items start with \"- \""
	case strings.Contains(msg, "found character that cannot start any token"):
		if k := strings.IndexAny(text, "\t@`%"); k >= 0 {
			col = utf8.RuneCountInString(text[:k]) + 1
		}
		hint = "a value starting with @, ` or % must be quoted"
	case strings.Contains(msg, "did not find expected") || strings.Contains(msg, "found unexpected end of stream"):
		hint = "a quote or bracket is not closed"
	}
	if hint != "" {
		hint = "; " + hint
	}
	return fmt.Errorf("%s:%d:%d: YAML syntax: %s%s", name, line, col, msg, hint)
}
