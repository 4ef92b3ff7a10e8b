package schema_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// createTable finds the tables a migration creates.
var createTable = regexp.MustCompile(`(?i)\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)`)

// sqlVerb tells a string literal that is SQL from one that mentions a word.
var sqlVerb = regexp.MustCompile(`(?i)\b(select|insert|update|delete|create|alter|drop)\b`)

// tableRef finds a table named after a keyword that takes one.
var tableRef = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table|truncate)\s+([a-z_][a-z0-9_]*)`)

// testPeeks are the tests that still read or seed another package's
// tables directly (fixtures and end-to-end checks written before the
// rule was checked), as "file table". The list may only shrink: a new
// test asks the owner's methods instead.
var testPeeks = map[string]bool{
	"bot/engine_test.go orders":                  true, // customer text that tries SQL injection, not a query
	"bot/telegram/telegram_test.go outbox":       true,
	"cmd/shopbot/main_test.go orders":            true, // likewise: the customer text of TestBadCustomerInput
	"cmd/shopbot/soak_rig_test.go outbox":        true,
	"cmd/shopbot/soak_rig_test.go inbound":       true,
	"cmd/shopbot/soak_rig_test.go tickets":       true,
	"cmd/shopbot/soak_rig_test.go notify_claims": true,
	"cmd/shopbot/soak_test.go orders":            true,
	"cmd/shopbot/webhook_soak_test.go outbox":    true,
	"cmd/shopbot/webhook_soak_test.go inbound":   true,
	"bot/schema/sqlite_test.go orders":           true, // the pragmas and ANALYZE tested on a real table
}

// TestTablesHaveOneOwner is the design's rule "every table belongs to one
// package: only that package's code names it in SQL" checked over the
// module: the owner of a table is the package whose migrations create it
// (its schema/ or migrations/ folder), and every SQL string literal in
// every Go file may name only tables its own package owns (tests: except
// testPeeks). SQL put together at run time ("FROM " + table) is not seen.
func TestTablesHaveOneOwner(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{} // table → package directory
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") || strings.Contains(path, "testdata") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		i := slices.IndexFunc(parts, func(p string) bool { return p == "schema" || p == "migrations" })
		if i < 0 {
			t.Errorf("%s: a migration outside a schema/ or migrations/ folder", rel)
			return nil
		}
		pkg := strings.Join(parts[:i], "/")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			table := strings.ToLower(m[1])
			if o, ok := owner[table]; ok && o != pkg {
				t.Errorf("table %s is created by %s and by %s", table, o, pkg)
			}
			owner[table] = pkg
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(owner) < 10 {
		t.Fatalf("found only %d tables (%v): the walk missed the migrations", len(owner), owner)
	}

	fset := token.NewFileSet()
	files := 0
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != "." && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !sqlVerb.MatchString(s) {
				return true
			}
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				table := strings.ToLower(m[1])
				if o, ok := owner[table]; ok && o != pkg {
					if strings.HasSuffix(rel, "_test.go") && testPeeks[filepath.ToSlash(rel)+" "+table] {
						seen[filepath.ToSlash(rel)+" "+table] = true
						continue
					}
					t.Errorf("%s: SQL names table %s, owned by %s", fset.Position(lit.Pos()), table, o)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for peek := range testPeeks {
		if !seen[peek] {
			t.Errorf("testPeeks lists %q, which no longer peeks: take it off the list", peek)
		}
	}
	if files < 100 {
		t.Fatalf("checked only %d Go files: the walk missed the module", files)
	}
}
