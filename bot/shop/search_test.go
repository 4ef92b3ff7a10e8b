package shop

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/shopbot/shopbot/bot/dbtest"
)

func TestSearchKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"녹차", "ㄴㅗㄱㅊㅏ"},
		{"ㄴㅊ", "ㄴㅊ"},
		{"녹ㅊ", "ㄴㅗㄱㅊ"},
		{"닭", "ㄷㅏㄹㄱ"},
		{"과자", "ㄱㅗㅏㅈㅏ"},
		{"ㅘ", "ㅗㅏ"},
		{"TEE-WHT-M", "TEE-WHT-M"},
		{"\u1102\u1169\u11a8", "ㄴㅗㄱ"}, // 녹 decomposed (NFD), as macOS writes it
		{"a\xffb", "a\uFFFDb"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := searchKey(tt.in); got != tt.want {
				t.Errorf("searchKey(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// Every syllable decomposes to letters only.
	for r := rune(0xAC00); r <= 0xD7A3; r++ {
		k := searchKey(string(r))
		if n := utf8.RuneCountInString(k); n < 2 || n > 6 || strings.ContainsAny(k, " ") {
			t.Fatalf("searchKey(%q) = %q", string(r), k)
		}
	}
}

func TestInitialsKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"녹차 티백", "ㄴㅊ ㅌㅂ"},
		{"A5 도트 노트", "A5 ㄷㅌ ㄴㅌ"},
		{"ㄳ", "ㄱㅅ"},
		{"\xff녹", "\uFFFDㄴ"},
	}
	for _, tt := range tests {
		if got := initialsKey(tt.in); got != tt.want {
			t.Errorf("initialsKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want bool
	}{{"ㄴㅊ", true}, {"ㄴㅊ ㅌㅂ", true}, {"ㄴㅗ", false}, {"ㄴa", false}, {" ", false}, {"", false}} {
		if got := isConsonants(tt.in); got != tt.want {
			t.Errorf("isConsonants(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSearchProducts(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *sqlx.DB) {
		now := time.Date(2025, 11, 23, 5, 0, 0, 0, time.UTC)
		if _, err := SeedDemo(t.Context(), db, now); err != nil {
			t.Fatal(err)
		}
		st := NewStore(db)
		tests := []struct {
			query string
			limit int
			first string   // the best match
			all   []string // when set, exactly these, in any order
		}{
			{query: "녹차", first: "TEA-GRN-20"},
			{query: "ㄴㅊ", first: "TEA-GRN-20"},
			{query: "녹ㅊ", first: "TEA-GRN-20"},
			{query: "  녹차  ", first: "TEA-GRN-20"},
			{query: "보리", first: "TEA-BRL-20"},
			{query: "ㄴㅊ ㅌㅂ", first: "TEA-GRN-20", all: []string{"TEA-GRN-20"}},
			{query: "ㅌㅅㅊ", all: []string{"TEE-WHT-M", "TEE-WHT-L", "TEE-BLK-M", "TEE-BLK-L", "SHR-STR-M"}}, // 스트라이프 셔츠 too
			{query: "ㅋㄷ", all: []string{"CND-SOY-LAV", "DIF-COT-200"}},                                     // 캔들, 코튼 디퓨저
			{query: "TEE-", all: []string{"TEE-WHT-M", "TEE-WHT-L", "TEE-BLK-M", "TEE-BLK-L"}},
			{query: "tee-wht", all: []string{"TEE-WHT-M", "TEE-WHT-L"}},
			{query: "오버핏화이트", all: []string{"TEE-WHT-M", "TEE-WHT-L"}}, // a subsequence, no typos
			{query: "캔들", first: "CND-SOY-LAV", all: []string{"CND-SOY-LAV"}},
			{query: "티셔츠", limit: 2, all: []string{"TEE-BLK-L", "TEE-BLK-M"}},
			{query: "zzzz", all: []string{}},
			{query: "녹차녹차녹차녹차녹차녹차녹차녹차녹차녹차녹차녹차녹차녹차", all: []string{}},
			{query: "'; DROP TABLE products;--", all: []string{}},
			{query: "\xff\xfe", all: []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.query, func(t *testing.T) {
				got, err := st.SearchProducts(t.Context(), tt.query, tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				ids := skuList(got)
				if tt.first != "" && (len(ids) == 0 || ids[0] != tt.first) {
					t.Errorf("SearchProducts(%q) = %v, want %s first", tt.query, ids, tt.first)
				}
				if tt.all != nil {
					slices.Sort(ids)
					want := slices.Clone(tt.all)
					slices.Sort(want)
					if diff := cmp.Diff(want, ids); diff != "" {
						t.Errorf("SearchProducts(%q) (-want +got):\n%s", tt.query, diff)
					}
				}
			})
		}

		// Empty query: everything, low stock first (the sold-out one first).
		all, err := st.SearchProducts(t.Context(), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(all), len(demoProducts); got != want {
			t.Fatalf("empty query: %d products, want %d", got, want)
		}
		if all[0].Stock != 0 {
			t.Errorf("empty query: first is %+v, want the sold-out product", all[0])
		}
		lowDone := false
		for _, p := range all {
			if !p.Low() {
				lowDone = true
			} else if lowDone {
				t.Errorf("empty query: low %s after products in stock", p.SKU)
			}
		}
		if got, err := st.SearchProducts(t.Context(), "", 3); err != nil || len(got) != 3 {
			t.Errorf("empty query with limit 3: %d products, %v", len(got), err)
		}
	}, Schema)
}

func skuList(ps []Product) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.SKU)
	}
	return out
}

// TestSearchLongQuery checks the cap: a query longer than fuzzy can score
// still finds a product with a long name.
func TestSearchLongQuery(t *testing.T) {
	name := strings.Repeat("가나다라마바사", 10)
	ps := []Product{{SKU: "LONG", Name: name}, {SKU: "SHORT", Name: "가나"}}
	got := searchProducts(ps, name, 0)
	if diff := cmp.Diff([]string{"LONG"}, skuList(got)); diff != "" {
		t.Errorf("long query (-want +got):\n%s", diff)
	}
}

func FuzzSearchProducts(f *testing.F) {
	ps := slices.Clone(demoProducts)
	for _, s := range []string{"녹차", "ㄴㅊ", "녹ㅊ", "TEE-", "", "\xff", "ㄳㅘ", strings.Repeat("가", 100), "\u1102\u1169\u11a8"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, query string, limit int) {
		got := searchProducts(ps, query, limit)
		if limit > 0 && len(got) > limit {
			t.Fatalf("searchProducts(%q, %d): %d results", query, limit, len(got))
		}
		if len(got) > len(ps) {
			t.Fatalf("searchProducts(%q): %d results from %d products", query, len(got), len(ps))
		}
		seen := map[string]bool{}
		for _, p := range got {
			if seen[p.SKU] {
				t.Fatalf("searchProducts(%q): %s twice", query, p.SKU)
			}
			seen[p.SKU] = true
		}
		if k := searchKey(query); !utf8.ValidString(k) {
			t.Fatalf("searchKey(%q) = %q: invalid UTF-8", query, k)
		}
	})
}

// benchProducts are n made-up products named like the demo's.
func benchProducts(n int) []Product {
	ps := make([]Product, n)
	for i := range ps {
		d := demoProducts[i%len(demoProducts)]
		ps[i] = Product{SKU: fmt.Sprintf("%s-%04d", d.SKU, i), Name: fmt.Sprintf("%s %d호", d.Name, i), Price: d.Price, Stock: i % 50, SafetyStock: 5}
	}
	return ps
}

func BenchmarkSearchProducts(b *testing.B) {
	ps := benchProducts(1000)
	for _, q := range []string{"녹차", "ㄴㅊ", "TEE-WHT", "오버핏 코튼 티셔츠 화이트", ""} {
		b.Run("memory/"+q, func(b *testing.B) {
			for b.Loop() {
				searchProducts(ps, q, 10)
			}
		})
	}
	for _, engine := range dbtest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := dbtest.Open(b, engine, Schema)
			st := NewStore(db)
			now := time.Now()
			for _, p := range ps {
				if err := st.UpsertProduct(b.Context(), p, now); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				if _, err := st.SearchProducts(b.Context(), "녹차", 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
