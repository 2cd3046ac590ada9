package registry

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/taahod/taahod"
)

// MaxImportRows bounds the rows of one imported file.
const MaxImportRows = 20_000

// CSVColumn is a column of an import file: its English header and its
// Persian one. Either names the column; headers are matched after foldKey,
// so case, spaces, half-spaces and Arabic letter forms do not matter.
type CSVColumn struct {
	Name     string // the English header, which problems name
	Persian  string
	Required bool
	Doc      string
}

// ResolutionColumns are the columns of a resolutions file. A row names its
// session by session_id, or by session_date and session_kind (which must
// match exactly one session), or names none (a resolution outside sessions,
// adopted on adopted_on, today by default). Its unit is named by national
// id, or left empty for a general resolution.
var ResolutionColumns = []CSVColumn{
	{"session_id", "شناسه جلسه", false, "the session's id"},
	{"session_date", "تاریخ جلسه", false, "the session's date, when it is named by date and kind"},
	{"session_kind", "نوع جلسه", false, "formal, field or site_visit (رسمی، میدانی، بازدید)"},
	{"unit_national_id", "شناسه ملی واحد", false, "the unit's national id; empty for a general resolution"},
	{"text", "متن مصوبه", true, "the resolution"},
	{"category", "دسته", true, "banking, tax, social_security, customs, gas, electricity, water, land, permits or other, or their Persian names"},
	{"agencies", "دستگاه‌های اجرایی", true, "the executive agencies it is notified to, separated by ; or ؛ or |"},
	{"deadline", "مهلت", false, "the deadline"},
	{"adopted_on", "تاریخ مصوبه", false, "the date of a resolution outside sessions; with a session, its date"},
	{"confidential", "محرمانه", false, "yes/no, true/false, 1/0, بله/خیر; empty is no"},
	{"status", "وضعیت", false, "the status reached: implemented, in_follow_up, not_implemented, cancelled (or notified, the default), or their Persian names"},
	{"status_on", "تاریخ وضعیت", false, "the day of that status; today by default"},
	{"status_note", "توضیح وضعیت", false, "a note on that status"},
}

// CaseColumns are the columns of a cases file.
var CaseColumns = []CSVColumn{
	{"unit_national_id", "شناسه ملی واحد", true, "the unit's national id"},
	{"channel", "نحوه رسیدگی", true, "phone_inquiry, written_inquiry, referral_provincial or referral_national, or their Persian names"},
	{"subject", "موضوع", true, "the problem or request"},
	{"category", "دسته", false, "as for resolutions; other by default"},
	{"opened_on", "تاریخ ثبت", true, "the day the case was opened"},
	{"closed_on", "تاریخ پایان", false, "the day it was closed"},
	{"outcome", "نتیجه", false, "open, resolved or referred (باز، حل شده، ارجاع شده); referred for a referral and open otherwise by default"},
	{"confidential", "محرمانه", false, "yes/no, true/false, 1/0, بله/خیر; empty is no"},
}

// csvRecord is a data row: its line in the file and its cells by column
// name (trimmed; absent columns are empty).
type csvRecord struct {
	line  int
	cells map[string]string
}

// readCSV reads a whole import file against its columns. Problems of the
// file as a whole (encoding, quoting, headers, size) make it return
// EINVALID, each named "line N" or "line 1: header" or "file"; problems of
// cells are left to the caller.
//
// The file is UTF-8, with or without a byte-order mark. Its delimiter is
// the comma, or the semicolon or tab when the header line has more of those
// (spreadsheets in some locales write them). Blank rows are skipped.
func readCSV(data []byte, columns []CSVColumn) ([]csvRecord, error) {
	var p taahod.Problems
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if len(bytes.TrimSpace(data)) == 0 {
		p.Add("file", "empty_file", "the file is empty: send a header line and at least one row")
		return nil, p.Err()
	}
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				bad = i
				break
			}
			i += size
		}
		line := 1 + bytes.Count(data[:bad], []byte("\n"))
		p.Add(fmt.Sprintf("line %d", line), "not_utf8", "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
		return nil, p.Err()
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delimiter(data)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, csvProblem(err)
	}
	index := make([]string, len(header)) // column name of each position
	seen := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue // a spreadsheet's empty trailing column
		}
		col, ok := findColumn(columns, h)
		switch {
		case !ok:
			p.Add("line 1: "+h, "unknown_column", "not a column of this file; the columns are "+columnList(columns))
		case seen[col.Name] > 0:
			p.Add("line 1: "+h, "duplicate_column", "the column "+col.Name+" appears twice")
		default:
			index[i] = col.Name
		}
		seen[col.Name]++
	}
	for _, c := range columns {
		if c.Required && seen[c.Name] == 0 {
			p.Add("line 1: "+c.Name, "missing_column", "the file needs the column "+c.Name+" («"+c.Persian+"»)")
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var records []csvRecord
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		line, _ := r.FieldPos(0)
		rec := csvRecord{line: line, cells: make(map[string]string, len(columns))}
		blank := true
		for i, f := range fields {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			blank = false
			if i >= len(index) || index[i] == "" {
				p.Add(fmt.Sprintf("line %d", line), "extra_cell", fmt.Sprintf("cell %d (%q) is under no column", i+1, f))
				continue
			}
			rec.cells[index[i]] = f
		}
		if blank {
			continue
		}
		if len(records) == MaxImportRows {
			p.Add(fmt.Sprintf("line %d", line), "too_many_rows", fmt.Sprintf("a file has at most %d rows: split it", MaxImportRows))
			return nil, p.Err()
		}
		records = append(records, rec)
	}
	if len(records) == 0 && len(p.Fields) == 0 {
		p.Add("file", "no_rows", "the file has a header line but no rows")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return records, nil
}

// delimiter picks the comma, or the semicolon or tab when the first line has
// more of it.
func delimiter(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(first, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(first, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func csvProblem(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return taahod.Invalid(fmt.Sprintf("line %d", pe.Line), "malformed_csv",
			"the CSV cannot be read here ("+pe.Err.Error()+"); check the quotes")
	}
	return taahod.Invalid("file", "malformed_csv", "the CSV cannot be read: "+err.Error())
}

func findColumn(columns []CSVColumn, header string) (CSVColumn, bool) {
	k := foldKey(header)
	for _, c := range columns {
		if k == foldKey(c.Name) || k == foldKey(c.Persian) {
			return c, true
		}
	}
	return CSVColumn{}, false
}

func columnList(columns []CSVColumn) string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = c.Name + " («" + c.Persian + "»)"
	}
	return strings.Join(parts, ", ")
}

// cellReader reads the cells of one record, recording a problem for a cell
// it cannot read.
type cellReader struct {
	rec      csvRecord
	problems []taahod.FieldError
}

func (c *cellReader) bad(column, code, msg string) {
	c.problems = append(c.problems, taahod.FieldError{Field: column, Code: code, Message: msg})
}

func (c *cellReader) text(column string) string { return c.rec.cells[column] }

func (c *cellReader) optionalText(column string) *string {
	if s := c.rec.cells[column]; s != "" {
		return &s
	}
	return nil
}

// date reads a date cell; an unreadable one is a problem and reads as the
// zero Date.
func (c *cellReader) date(column string) taahod.Date {
	d, err := ParseDateCell(c.rec.cells[column])
	if err != nil {
		for _, f := range fieldsOf(err) {
			c.bad(column, f.Code, f.Message)
		}
	}
	return d
}

// iso reads a date cell for a NewResolution or NewCase field, which takes
// the ISO form.
func (c *cellReader) iso(column string) string { return c.date(column).String() }

// choice reads a word of vocab, in English or Persian. An unknown word is
// kept as written for the domain's check to refuse with the list of words.
func (c *cellReader) choice(column string, vocab vocabulary) string {
	s := c.rec.cells[column]
	if v, ok := vocab.read(s); ok {
		return v
	}
	return s
}

func (c *cellReader) flag(column string) bool {
	switch foldKey(c.rec.cells[column]) {
	case "", "false", "no", "0", "خیر", "نه":
		return false
	case "true", "yes", "1", "بله", "آری", "محرمانه":
		return true
	}
	c.bad(column, "invalid_flag", "write yes or no (بله or خیر)")
	return false
}

// nationalID reads a unit's national id, with Persian digits made ASCII.
func (c *cellReader) nationalID(column string) string {
	s := taahod.ASCIIDigits(c.rec.cells[column])
	if s != "" {
		if _, err := taahod.ValidateNationalID(s); err != nil {
			for _, f := range fieldsOf(err) {
				c.bad(column, f.Code, f.Message)
			}
		}
	}
	return s
}

func (c *cellReader) id(column string) *int64 {
	s := taahod.ASCIIDigits(c.rec.cells[column])
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		c.bad(column, "invalid_id", "must be a record's id, a whole number")
		return nil
	}
	return &n
}

// agencies splits the agencies cell: ; ؛ | and line breaks separate names
// (not the Persian comma, which agency names contain).
func (c *cellReader) agencies(column string) []string {
	s := c.rec.cells[column]
	if s == "" {
		return nil
	}
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '؛' || r == '|' || r == '\n' || r == '\r' })
}

// ParseResolutionsCSV reads a resolutions file (ResolutionColumns) into
// rows for ImportResolutions, which reports the problems of cells together
// with the others, every one named "line N: column". Problems of the file as
// a whole are returned at once as EINVALID.
func ParseResolutionsCSV(data []byte) ([]ResolutionRow, error) {
	records, err := readCSV(data, ResolutionColumns)
	if err != nil {
		return nil, err
	}
	rows := make([]ResolutionRow, len(records))
	for i, rec := range records {
		c := cellReader{rec: rec}
		row := ResolutionRow{
			Line: rec.line,
			NewResolution: NewResolution{
				SessionID:    c.id("session_id"),
				Text:         c.text("text"),
				Category:     c.choice("category", Categories),
				Agencies:     c.agencies("agencies"),
				Deadline:     c.iso("deadline"),
				AdoptedOn:    c.iso("adopted_on"),
				Confidential: c.flag("confidential"),
			},
			SessionDate:    c.date("session_date"),
			UnitNationalID: c.nationalID("unit_national_id"),
			Status:         c.choice("status", Statuses),
			StatusOn:       c.date("status_on"),
			StatusNote:     c.optionalText("status_note"),
		}
		if k := c.text("session_kind"); k != "" {
			row.SessionKind = c.choice("session_kind", SessionKinds)
		}
		row.cellProblems = c.problems
		rows[i] = row
	}
	return rows, nil
}

// ParseCasesCSV reads a cases file (CaseColumns) into rows for ImportCases,
// as ParseResolutionsCSV does.
func ParseCasesCSV(data []byte) ([]CaseRow, error) {
	records, err := readCSV(data, CaseColumns)
	if err != nil {
		return nil, err
	}
	rows := make([]CaseRow, len(records))
	for i, rec := range records {
		c := cellReader{rec: rec}
		row := CaseRow{
			Line: rec.line,
			NewCase: NewCase{
				Channel:      c.choice("channel", Channels),
				Subject:      c.text("subject"),
				Category:     c.choice("category", Categories),
				OpenedOn:     c.iso("opened_on"),
				ClosedOn:     c.iso("closed_on"),
				Outcome:      c.choice("outcome", Outcomes),
				Confidential: c.flag("confidential"),
			},
			UnitNationalID: c.nationalID("unit_national_id"),
		}
		row.cellProblems = c.problems
		rows[i] = row
	}
	return rows, nil
}
