package shop

import (
	"slices"
	"strings"
	"testing"
)

func TestMentioned(t *testing.T) {
	skus := func(ps []Product) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.SKU)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		text         string
		products     string // SKUs, best first
		named        int
		colour, size string
	}{
		{"티셔츠 화이트 M 재고 있어요?", "TEE-WHT-M", 4, "white", "M"},
		{"화이트 티셔츠 L 있나요", "TEE-WHT-L", 4, "white", "L"},
		{"흰색 티셔츠는 얼마예요?", "TEE-WHT-M TEE-WHT-L", 4, "white", ""},
		{"블랙 L은요?", "TEE-BLK-L", 0, "black", "L"},
		{"M 사이즈 남았어요?", "SHR-STR-M TEE-BLK-M TEE-WHT-M PNT-WID-M PJM-COT-M", 0, "", "M"},
		{"녹차 티백 남았어요?", "TEA-GRN-20", 1, "", ""},
		{"보리차는요?", "TEA-BRL-20", 1, "", ""},
		{"머그 있어요?", "MUG-CER-WH", 1, "", ""},
		{"린넨 제품 재고 있어요?", "BAG-ECO-F CUS-LIN-45 SKT-LIN-F", 3, "", ""},
		{"is the mug in stock?", "MUG-CER-WH", 1, "", ""},
		{"how much are the tees", "TEE-WHT-M TEE-WHT-L TEE-BLK-M TEE-BLK-L", 4, "", ""},
		{"is the blue one in stock", "DNM-BLU-30", 0, "blue", ""},
		{"데님 팬츠 30 사이즈 있어요?", "DNM-BLU-30", 1, "", "30"},
		{"白色T恤还有货吗", "MUG-CER-WH TEE-WHT-L TEE-WHT-M", 0, "white", ""},
		{"티셔츠 네이비 있어요?", "", 4, "navy", ""},
		// Not product names: a word that only begins with one, or nothing.
		{"노트북 파우치 재고 있어요?", "", 0, "", ""},
		{"배송비 얼마예요?", "", 0, "", ""},
		{"I'm looking for a linen tote", "", 0, "", ""},
		{"还有货吗", "", 0, "", ""},
	}
	for _, tt := range tests {
		m := Mentioned(demoProducts, tt.text)
		if got := skus(m.Products); got != tt.products || len(m.Named) != tt.named || m.Colour != tt.colour || m.Size != tt.size {
			t.Errorf("Mentioned(%q) = [%s] (%d named) colour %q size %q; want [%s] (%d named) colour %q size %q",
				tt.text, got, len(m.Named), m.Colour, m.Size, tt.products, tt.named, tt.colour, tt.size)
		}
	}
}

func TestFamilyAndOption(t *testing.T) {
	tests := []struct {
		sku, family, option, colour, size string
	}{
		{"TEE-WHT-M", "오버핏 코튼 티셔츠", "화이트 M", "white", "M"},
		{"HOD-NVY-L", "후드 집업", "네이비 L", "navy", "L"},
		{"DNM-BLU-30", "스트레이트 데님 팬츠", "30", "blue", "30"},
		{"MUG-CER-WH", "세라믹 머그컵", "화이트", "white", ""},
		{"BAG-ECO-F", "린넨 에코백", "린넨 에코백", "", "F"},
		{"TEA-GRN-20", "제주 유기농 녹차 티백 20입", "제주 유기농 녹차 티백 20입", "", ""},
	}
	for _, tt := range tests {
		var p Product
		for _, d := range demoProducts {
			if d.SKU == tt.sku {
				p = d
			}
		}
		if got := Family(p); got != tt.family {
			t.Errorf("Family(%s) = %q, want %q", tt.sku, got, tt.family)
		}
		if got := Option(p); got != tt.option {
			t.Errorf("Option(%s) = %q, want %q", tt.sku, got, tt.option)
		}
		if got := ProductColour(p); got != tt.colour {
			t.Errorf("ProductColour(%s) = %q, want %q", tt.sku, got, tt.colour)
		}
		if got := ProductSize(p); got != tt.size {
			t.Errorf("ProductSize(%s) = %q, want %q", tt.sku, got, tt.size)
		}
	}
}

// colourKeyByScan is colourKey as its doc defines it, walking every colour
// word: the oracle for the lookup tables.
func colourKeyByScan(w string) string {
	for key, c := range colours {
		for _, cw := range c.words {
			if w == cw || (!isLatinWord(cw) && strings.HasPrefix(w, cw) && runes(cw) >= 2 && slices.Contains(particles, w[len(cw):])) {
				return key
			}
		}
	}
	return ""
}

// TestColourKeyLookup checks the lookup against the scan for every colour
// word alone, with each particle, with a letter more or less, and for the
// words of the demo products and of some sentences.
func TestColourKeyLookup(t *testing.T) {
	var words []string
	for _, c := range colours {
		for _, cw := range c.words {
			words = append(words, cw, cw+"x", cw+"색", string([]rune(cw)[1:]), "x"+cw)
			for _, p := range particles {
				words = append(words, cw+p)
			}
		}
	}
	for _, p := range demoProducts {
		words = append(words, sentenceWords(p.Name)...)
	}
	words = append(words, sentenceWords("흰색은요 블랙으로 주세요 그레이도 있나요 white or Black? 白色的还有吗 하얀이요 청바지")...)
	for _, w := range words {
		if got, want := colourKey(w), colourKeyByScan(w); got != want {
			t.Errorf("colourKey(%q) = %q, want %q", w, got, want)
		}
	}
}

// BenchmarkMentioned is a product question read against the demo
// catalogue, as the engine does for a message that may be about products.
func BenchmarkMentioned(b *testing.B) {
	texts := []string{"티셔츠 화이트 M 재고 있어요?", "배송 언제 와요?", "is the mug in stock?", "白色T恤还有货吗", "what payment methods do you take"}
	for i := 0; b.Loop(); i++ {
		Mentioned(demoProducts, texts[i%len(texts)])
	}
}
