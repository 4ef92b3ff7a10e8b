package faq

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// synthFile builds a deterministic FAQ with n phrasings (10 per entry) from
// a Zipf-distributed vocabulary of Korean and English words, and queries that
// are phrasings with a word dropped and one swapped.
func synthFile(n int) (*File, []string) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	vocab := make([]string, 4000)
	for i := range vocab {
		var b strings.Builder
		if i%2 == 0 {
			for range 2 + rng.IntN(2) {
				b.WriteRune(rune(0xAC00 + rng.IntN(11172)))
			}
		} else {
			for range 3 + rng.IntN(6) {
				b.WriteByte(byte('a' + rng.IntN(26)))
			}
		}
		vocab[i] = b.String()
	}
	zipf := rand.NewZipf(rand.New(rand.NewPCG(2, uint64(n))), 1.1, 2, uint64(len(vocab)-1))
	sentence := func() []string {
		w := make([]string, 4+rng.IntN(5))
		for i := range w {
			w[i] = vocab[zipf.Uint64()]
		}
		return w
	}
	f := &File{Name: "synth", Version: 1, Language: "ko"}
	var queries []string
	for e := 0; e*10 < n; e++ {
		ent := &Entry{ID: fmt.Sprintf("e%d", e), Answer: "a"}
		topic := sentence()[:2]
		for q := 0; q < 10 && e*10+q < n; q++ {
			ws := append(append([]string{}, topic...), sentence()...)
			ent.Questions = append(ent.Questions, strings.Join(ws, " "))
			if q == 0 {
				ws[len(ws)-1] = vocab[zipf.Uint64()]
				queries = append(queries, strings.Join(ws[1:], " "))
			}
		}
		f.Entries = append(f.Entries, ent)
	}
	return f, queries
}

// benchmarkMatch times Match on an FAQ of n phrasings and reports, beside
// the mean, the median and 99th percentile of single calls (p50-µs, p99-µs).
func benchmarkMatch(b *testing.B, n int) {
	f, queries := synthFile(n)
	m := NewMatcher(f)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		m.Match(queries[i%len(queries)])
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func BenchmarkMatch100(b *testing.B)   { benchmarkMatch(b, 100) }
func BenchmarkMatch1000(b *testing.B)  { benchmarkMatch(b, 1000) }
func BenchmarkMatch10000(b *testing.B) { benchmarkMatch(b, 10000) }

func BenchmarkMatchExample(b *testing.B) {
	m := NewMatcher(ExampleFile())
	qs := []string{"배송 언제 와요", "where is my package", "오늘 날씨 좋다", "반품 주소가 어디예요", "什么时候发货"}
	for i := 0; b.Loop(); i++ {
		m.Match(qs[i%len(qs)])
	}
}

func BenchmarkNewMatcher1000(b *testing.B) {
	f, _ := synthFile(1000)
	for b.Loop() {
		NewMatcher(f)
	}
}

// BenchmarkMatch1000NoRepair is BenchmarkMatch1000 without the lexicon
// repair (word splitting and typo correction), to show its cost.
func BenchmarkMatch1000NoRepair(b *testing.B) {
	f, queries := synthFile(1000)
	p := defaultParams()
	p.repair = false
	m := newMatcher(f, p)
	for i := 0; b.Loop(); i++ {
		m.Match(queries[i%len(queries)])
	}
}

// BenchmarkNewMatcher20000 is the load time of a 2,000-entry FAQ with ten
// phrasings each: index, lexicon and the trained linear model.
func BenchmarkNewMatcher20000(b *testing.B) {
	f, _ := synthFile(20000)
	for b.Loop() {
		NewMatcher(f)
	}
}

func BenchmarkMatchClincSize(b *testing.B) { benchmarkMatch(b, 1500) }

// BenchmarkMatchShops times Match on the development shops' FAQs with
// their customers' messages: real-style questions against small FAQs,
// where the built-in knowledge does most of the work.
func BenchmarkMatchShops(b *testing.B) {
	sets := shopSets(evalDir())
	var ms []*Matcher
	var texts [][]string
	for _, s := range sets {
		if _, err := os.Stat(s.faq); err != nil {
			b.Skipf("no eval data: %v", err)
		}
		f, cases := loadEvalSet(b, s)
		ms = append(ms, NewMatcher(f))
		var t []string
		for _, c := range cases {
			t = append(t, c.Text)
		}
		texts = append(texts, t)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(ms)
		start := time.Now()
		ms[k].Match(texts[k][(i/len(ms))%len(texts[k])])
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkLearnOne times learning one phrasing on a 10,000-phrasing FAQ
// (on top of the index: no rebuild); BenchmarkNewMatcher… times the
// rebuild that every maxRecent+1-th phrasing costs.
func BenchmarkLearnOne(b *testing.B) {
	f, queries := synthFile(10000)
	m := NewMatcher(f)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%maxRecent == 0 {
			b.StopTimer()
			m.recent.Store(&[]recentPhrase{}) // start a fresh batch: measure the no-rebuild path only
			b.StartTimer()
		}
		if err := m.Learn(f.Entries[i%len(f.Entries)].ID, queries[i%len(queries)]+" 요"); err != nil {
			b.Fatal(err)
		}
	}
}
