package shop

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings an import file can be in, as the report names them.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8 (BOM)"
	EncodingUTF16   = "utf-16"
	EncodingCP949   = "cp949"
	EncodingXLSX    = "xlsx"
)

// maxCell bounds one cell: a longer one is cut (and its row rejected by
// the field that needs it), so a hostile file cannot make one row huge.
const maxCell = 64 << 10

// table is a source of rows, one at a time.
type table interface {
	// next returns the next row's cells; io.EOF at the end.
	next() ([]string, error)
	close() error
}

// sniffSize is how much of a file is looked at to tell its kind,
// encoding and delimiter.
const sniffSize = 64 << 10

// openTable reads r as an Excel workbook (its first sheet) or as CSV/TSV
// in UTF-8 (with or without BOM), UTF-16 with BOM or CP949/EUC-KR (what
// Korean Excel writes when it saves CSV). An input that is not valid UTF-8
// in its first 64 KB is taken as CP949.
func openTable(r io.Reader) (table, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", fmt.Errorf("read: %w", err)
	}
	full := len(head) == sniffSize // more may follow: the last rune may be cut
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return openXLSX(br)
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		br.Discard(3)
		return newCSV(br, delimiter(head[3:])), EncodingUTF8BOM, nil
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return newCSV(transform.NewReader(br, dec), delimiter(head)), EncodingUTF16, nil
	case validUTF8Prefix(head, full):
		return newCSV(br, delimiter(head)), EncodingUTF8, nil
	}
	return newCSV(transform.NewReader(br, korean.EUCKR.NewDecoder()), delimiter(head)), EncodingCP949, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// at its end when more of the input follows.
func validUTF8Prefix(b []byte, more bool) bool {
	if more {
		for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
			if utf8.RuneStart(b[len(b)-i]) {
				if !utf8.FullRune(b[len(b)-i:]) {
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// delimiter is the most frequent of comma, tab (Excel's "Unicode text")
// and semicolon (European spreadsheets) in the first line; comma on a tie.
func delimiter(head []byte) rune {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{'\t', ';'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

type csvTable struct{ r *csv.Reader }

func newCSV(r io.Reader, comma rune) *csvTable {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // rows may be short or long; the layout decides
	cr.LazyQuotes = true    // spreadsheets write stray quotes
	return &csvTable{r: cr}
}

func (t *csvTable) next() ([]string, error) {
	rec, err := t.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && rec != nil {
			// A malformed line: hand its cells over; the row is judged by
			// its values like any other.
			return clean(rec), nil
		}
		return nil, err
	}
	return clean(rec), nil
}

func (t *csvTable) close() error { return nil }

// clean makes every cell valid UTF-8 without surrounding space, cut to
// maxCell.
func clean(rec []string) []string {
	for i, c := range rec {
		if len(c) > maxCell {
			c = c[:maxCell]
		}
		rec[i] = strings.TrimSpace(strings.ToValidUTF8(c, "\uFFFD"))
	}
	return rec
}

type xlsxTable struct {
	f    *excelize.File
	rows *excelize.Rows
}

// openXLSX opens the workbook's first sheet. Cells come raw (unformatted):
// numbers without thousands separators, dates as Excel serial numbers.
func openXLSX(r io.Reader) (table, string, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, "", fmt.Errorf("xlsx: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, "", errors.New("xlsx: no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, "", fmt.Errorf("xlsx: %w", err)
	}
	return &xlsxTable{f: f, rows: rows}, EncodingXLSX, nil
}

func (t *xlsxTable) next() ([]string, error) {
	if !t.rows.Next() {
		if err := t.rows.Error(); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
		return nil, io.EOF
	}
	cols, err := t.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return clean(cols), nil
}

func (t *xlsxTable) close() error {
	t.rows.Close()
	return t.f.Close()
}
