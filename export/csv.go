package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// bom is UTF-8's byte order mark: without it Excel reads a CSV file in the
// machine's code page and the Persian comes out as mojibake.
const bom = "\ufeff"

// csvWriter writes RFC 4180 CSV with CRLF line ends.
type csvWriter struct {
	t Table
	w *csv.Writer
	// record is reused for every row: the rows of a long list are not kept.
	record []string
	days   dayTexts
}

// NewCSV starts a CSV file of t on w: the byte order mark, then the header
// row in Persian, or in English when english is set.
func NewCSV(w io.Writer, t Table, english bool) (Writer, error) {
	if _, err := io.WriteString(w, bom); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	headers := t.Headers(english)
	if err := cw.Write(headers); err != nil {
		return nil, err
	}
	return &csvWriter{t: t, w: cw, record: make([]string, 0, len(headers)), days: dayTexts{}}, nil
}

func (c *csvWriter) Write(row []any) error {
	if err := c.t.check(row); err != nil {
		return err
	}
	c.record = c.record[:0]
	for i, v := range row {
		kind := c.t.Columns[i].Kind
		switch x := v.(type) {
		case nil:
			c.record = append(c.record, "")
			if kind == Date {
				c.record = append(c.record, "")
			}
		case string:
			c.record = append(c.record, Neutralise(x))
		case int:
			c.record = append(c.record, strconv.Itoa(x))
		case int64:
			c.record = append(c.record, strconv.FormatInt(x, 10))
		case decimal.Decimal:
			// The contract's form: no exponent, no trailing zeros.
			c.record = append(c.record, taahod.FormatAmount(x))
		case taahod.Date:
			day := c.days.of(x)
			c.record = append(c.record, day.jalali, day.iso)
		case time.Time:
			c.record = append(c.record, taahod.JalaliTime(x))
		}
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// Abort flushes what is buffered; the caller drops the unfinished file.
func (c *csvWriter) Abort() { c.w.Flush() }

// Neutralise makes a text cell safe from a spreadsheet that would run it as
// a formula (CSV injection): a cell beginning with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which spreadsheets show as
// text and do not evaluate. Other text is unchanged.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
