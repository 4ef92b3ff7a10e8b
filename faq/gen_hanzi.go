//go:build ignore

// gen_hanzi writes hanzi.txt from the Unicode Character Database's Unihan
// files (Debian's unicode-data package: /usr/share/unicode):
//
//	go run gen_hanzi.go /usr/share/unicode > hanzi.txt
//
// It keeps the traditional characters that have a simplified variant in GB
// 2312 (kSimplifiedVariant) and the toneless Mandarin reading (kMandarin)
// of every GB 2312 character (kGB0).
package main

import (
	"bufio"
	"compress/bzip2"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
	"unicode"
)

func main() {
	dir := os.Args[1]
	gb := map[rune]bool{}
	each(dir, "Unihan_OtherMappings.txt", func(r rune, field, value string) {
		if field == "kGB0" {
			gb[r] = true
		}
	})
	simp := map[rune]rune{}
	each(dir, "Unihan_Variants.txt", func(r rune, field, value string) {
		if field != "kSimplifiedVariant" || gb[r] {
			return
		}
		v := cp(strings.Fields(value)[0])
		if v != r && gb[v] {
			simp[r] = v
		}
	})
	reading := map[string][]rune{}
	each(dir, "Unihan_Readings.txt", func(r rune, field, value string) {
		if field != "kMandarin" || !gb[r] {
			return
		}
		p := toneless(strings.Fields(value)[0])
		reading[p] = append(reading[p], r)
	})
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintln(w, "# Traditional characters with their simplified form (t), and the toneless")
	fmt.Fprintln(w, "# Mandarin reading of each GB 2312 character (p), from the Unicode Character")
	fmt.Fprintln(w, "# Database's Unihan 15.0 (kSimplifiedVariant, kMandarin, kGB0), as in Debian's")
	fmt.Fprintln(w, "# unicode-data package. Made by gen_hanzi.go.")
	fmt.Fprintln(w, "# Copyright © 1991-2022 Unicode, Inc. Unicode License v3:")
	fmt.Fprintln(w, "# https://www.unicode.org/license.txt")
	var trad []rune
	for r := range simp {
		trad = append(trad, r)
	}
	sort.Slice(trad, func(i, j int) bool { return trad[i] < trad[j] })
	for i := 0; i < len(trad); i += 32 {
		var b strings.Builder
		b.WriteString("t ")
		for _, r := range trad[i:min(i+32, len(trad))] {
			b.WriteRune(r)
			b.WriteRune(simp[r])
		}
		fmt.Fprintln(w, b.String())
	}
	var ps []string
	for p := range reading {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	for _, p := range ps {
		rs := reading[p]
		sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
		fmt.Fprintf(w, "p %s %s\n", p, string(rs))
	}
}

func cp(s string) rune {
	s = strings.SplitN(s, "<", 2)[0]
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "U+"), 16, 32)
	if err != nil {
		panic(err)
	}
	return rune(n)
}

// toneless drops tone marks: zhōng → zhong, lǜ → lü.
func toneless(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) && r != 0x308 {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

func each(dir, name string, fn func(r rune, field, value string)) {
	var rd io.Reader
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		f, err = os.Open(filepath.Join(dir, name+".bz2"))
		if err != nil {
			panic(err)
		}
		rd = bzip2.NewReader(f)
	} else {
		rd = f
	}
	defer f.Close()
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		parts := strings.SplitN(l, "\t", 3)
		if len(parts) < 3 {
			continue
		}
		fn(cp(parts[0]), parts[1], parts[2])
	}
}
