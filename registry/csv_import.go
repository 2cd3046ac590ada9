package registry

import (
	"bufio"
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

// Bounds of an import file, whatever its size: what one file can make the
// server hold or answer stays small (an import's body is limited too, by
// the API and the pages).
const (
	// MaxImportColumns bounds the columns of a line (the header's too):
	// the files have a dozen, and a spreadsheet's empty trailing ones.
	MaxImportColumns = 64
	// MaxImportLine bounds a line of the file, in bytes.
	MaxImportLine = 64 << 10
	// MaxImportCell bounds a cell, in bytes (a resolution's text is at
	// most 10,000 letters, two bytes each in Persian).
	MaxImportCell = 32 << 10
)

// csvRecord is a data row: its line in the file and its cells, trimmed, in
// the order of the file's columns (absent columns are empty).
type csvRecord struct {
	line  int
	cells []string
}

// importProblems collects the problems of an import: the first
// taahod.MaxFieldErrors of them, and how many in all.
type importProblems struct {
	fields []taahod.FieldError
	total  int
}

func (p *importProblems) add(field, code, message string) {
	p.total++
	if len(p.fields) < taahod.MaxFieldErrors {
		p.fields = append(p.fields, taahod.FieldError{Field: field, Code: code, Message: message})
	}
}

// err is nil when nothing was found, else EINVALID with the problems kept
// and their total.
func (p *importProblems) err() error {
	if p.total == 0 {
		return nil
	}
	e := &taahod.Error{Code: taahod.EINVALID, Message: "the request has invalid fields", Fields: p.fields}
	if p.total > len(p.fields) {
		e.Total = p.total
	}
	return e
}

// errLineTooLong stops the reading of a line longer than MaxImportLine.
var errLineTooLong = errors.New("line too long")

// lineLimit passes a file through, failing with errLineTooLong as soon as a
// line grows past MaxImportLine bytes, so that no line is ever held whole
// beyond it; line counts the lines read so far.
type lineLimit struct {
	r    io.Reader
	run  int // bytes since the last line feed
	line int
}

func (l *lineLimit) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for i := 0; i < n; {
		j := bytes.IndexByte(b[i:n], '\n')
		if j < 0 {
			l.run += n - i
			break
		}
		l.run += j
		if l.run > MaxImportLine {
			break
		}
		l.run, l.line, i = 0, l.line+1, i+j+1
	}
	if l.run > MaxImportLine {
		return 0, errLineTooLong
	}
	return n, err
}

// readCSV reads an import file against its columns as a stream, holding
// only its rows: at most MaxImportRows of them, each line at most
// MaxImportLine bytes with at most MaxImportColumns cells of at most
// MaxImportCell bytes. Problems of the file as a whole (encoding, quoting,
// headers, size) make it return EINVALID, each named "line N" or "line 1:
// header" or "file", at most taahod.MaxFieldErrors of them with their
// total; problems of cells are left to the caller. A read error of in that
// is not the file's (the body's limit) is returned as it is.
//
// The file is UTF-8, with or without a byte-order mark. Its delimiter is
// the comma, or the semicolon or tab when the header line has more of those
// (spreadsheets in some locales write them). Blank rows are skipped.
func readCSV(in io.Reader, columns []CSVColumn) ([]csvRecord, error) {
	var p importProblems
	limit := &lineLimit{r: in}
	br := bufio.NewReaderSize(limit, MaxImportLine+16)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		_, _ = br.Discard(3)
	}
	first, err := br.Peek(MaxImportLine + 1)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, readProblem(err, limit)
	}
	if len(bytes.TrimSpace(first)) == 0 {
		p.add("file", "empty_file", "the file is empty: send a header line and at least one row")
		return nil, p.err()
	}
	r := csv.NewReader(br)
	r.Comma = delimiter(first)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, readProblem(err, limit)
	}
	if len(header) > MaxImportColumns {
		p.add("line 1", "too_many_columns", fmt.Sprintf("the header has %d columns; a file has at most %d", len(header), MaxImportColumns))
		return nil, p.err()
	}
	at := make([]int, len(header)) // position in columns of each cell, -1 for none
	seen := map[string]int{}
	for i, h := range header {
		at[i] = -1
		if !utf8.ValidString(h) {
			return nil, notUTF8(1)
		}
		h = strings.TrimSpace(h)
		if h == "" {
			continue // a spreadsheet's empty trailing column
		}
		col, ok := findColumn(columns, h)
		switch {
		case !ok:
			p.add("line 1: "+shorten(h), "unknown_column", "not a column of this file; the columns are "+columnList(columns))
		case seen[col.Name] > 0:
			p.add("line 1: "+shorten(h), "duplicate_column", "the column "+col.Name+" appears twice")
		default:
			at[i] = columnIndex(columns, col.Name)
		}
		seen[col.Name]++
	}
	for _, c := range columns {
		if c.Required && seen[c.Name] == 0 {
			p.add("line 1: "+c.Name, "missing_column", "the file needs the column "+c.Name+" («"+c.Persian+"»)")
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	var records []csvRecord
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readProblem(err, limit)
		}
		line, _ := r.FieldPos(0)
		if len(fields) > MaxImportColumns {
			p.add(fmt.Sprintf("line %d", line), "too_many_columns", fmt.Sprintf("the line has %d cells; a file has at most %d columns", len(fields), MaxImportColumns))
			return nil, p.err()
		}
		var cells []string // made for the first cell that is not blank
		for i, f := range fields {
			if !utf8.ValidString(f) {
				return nil, notUTF8(line)
			}
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if i >= len(at) || at[i] < 0 {
				p.add(fmt.Sprintf("line %d", line), "extra_cell", fmt.Sprintf("cell %d (%q) is under no column", i+1, shorten(f)))
				continue
			}
			if len(f) > MaxImportCell {
				p.add(fmt.Sprintf("line %d: %s", line, columns[at[i]].Name), "too_long",
					fmt.Sprintf("the cell is longer than %d bytes", MaxImportCell))
				continue
			}
			if cells == nil {
				cells = make([]string, len(columns))
			}
			// A copy, so that the rows kept hold their cells and not
			// the whole lines they were read from.
			cells[at[i]] = strings.Clone(f)
		}
		if cells == nil {
			continue
		}
		if len(records) == MaxImportRows {
			p.add(fmt.Sprintf("line %d", line), "too_many_rows", fmt.Sprintf("a file has at most %d rows: split it", MaxImportRows))
			return nil, p.err()
		}
		records = append(records, csvRecord{line: line, cells: cells})
	}
	if len(records) == 0 && p.total == 0 {
		p.add("file", "no_rows", "the file has a header line but no rows")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return records, nil
}

// shorten cuts a cell or header to 40 letters for a problem's message, so
// that no answer repeats a long cell.
func shorten(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

func notUTF8(line int) error {
	return taahod.Invalid(fmt.Sprintf("line %d", line), "not_utf8", "the file is not UTF-8 text: save it as \"CSV UTF-8\"")
}

// readProblem is the problem of a file that could not be read: a line too
// long or bad quoting is the file's; any other error is the reader's
// (say, the body's limit) and is returned as it is.
func readProblem(err error, limit *lineLimit) error {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errLineTooLong):
		return taahod.Invalid(fmt.Sprintf("line %d", limit.line+1), "line_too_long",
			fmt.Sprintf("the line is longer than %d bytes", MaxImportLine))
	case errors.As(err, &pe) && pe.Err != nil && !isReadError(pe.Err):
		return taahod.Invalid(fmt.Sprintf("line %d", pe.Line), "malformed_csv",
			"the CSV cannot be read here ("+pe.Err.Error()+"); check the quotes")
	case errors.As(err, &pe):
		return readProblem(pe.Err, limit)
	}
	return fmt.Errorf("read the import file: %w", err)
}

// isReadError tells csv's own parse errors from the reader's.
func isReadError(err error) bool {
	return !errors.Is(err, csv.ErrQuote) && !errors.Is(err, csv.ErrBareQuote) && !errors.Is(err, csv.ErrFieldCount)
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

func columnIndex(columns []CSVColumn, name string) int {
	for i, c := range columns {
		if c.Name == name {
			return i
		}
	}
	return -1
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
	columns  []CSVColumn
	problems []taahod.FieldError
}

// checkText refuses, as a problem of its cell, a cell with a control
// character (taahod.EdgeText: line breaks only in the multi-line columns,
// and in agencies, which they separate); the cell then reads as empty.
func (c *cellReader) checkText() {
	for i, col := range c.columns {
		multiLine := taahod.MultiLine(col.Name) || col.Name == "agencies"
		if fe := taahod.EdgeText(col.Name, c.rec.cells[i], multiLine); fe != nil {
			c.bad(col.Name, fe.Code, fe.Message)
			c.rec.cells[i] = ""
		}
	}
}

// cell is the record's cell of column, "" when the file has none.
func (c *cellReader) cell(column string) string {
	if i := columnIndex(c.columns, column); i >= 0 {
		return c.rec.cells[i]
	}
	return ""
}

func (c *cellReader) bad(column, code, msg string) {
	c.problems = append(c.problems, taahod.FieldError{Field: column, Code: code, Message: msg})
}

func (c *cellReader) text(column string) string { return c.cell(column) }

func (c *cellReader) optionalText(column string) *string {
	if s := c.cell(column); s != "" {
		return &s
	}
	return nil
}

// date reads a date cell; an unreadable one is a problem and reads as the
// zero Date.
func (c *cellReader) date(column string) taahod.Date {
	d, err := ParseDateCell(c.cell(column))
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
	s := c.cell(column)
	if v, ok := vocab.read(s); ok {
		return v
	}
	return s
}

func (c *cellReader) flag(column string) bool {
	switch foldKey(c.cell(column)) {
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
	s := taahod.ASCIIDigits(c.cell(column))
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
	s := taahod.ASCIIDigits(c.cell(column))
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
	s := c.cell(column)
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
	return ReadResolutionsCSV(bytes.NewReader(data))
}

// ReadResolutionsCSV is ParseResolutionsCSV reading the file as a stream:
// it holds the rows, never the file. An error of in itself (not the
// file's) is returned wrapped.
func ReadResolutionsCSV(in io.Reader) ([]ResolutionRow, error) {
	records, err := readCSV(in, ResolutionColumns)
	if err != nil {
		return nil, err
	}
	rows := make([]ResolutionRow, len(records))
	for i, rec := range records {
		c := cellReader{rec: rec, columns: ResolutionColumns}
		c.checkText()
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
	return ReadCasesCSV(bytes.NewReader(data))
}

// ReadCasesCSV is ParseCasesCSV reading the file as a stream, as
// ReadResolutionsCSV does.
func ReadCasesCSV(in io.Reader) ([]CaseRow, error) {
	records, err := readCSV(in, CaseColumns)
	if err != nil {
		return nil, err
	}
	rows := make([]CaseRow, len(records))
	for i, rec := range records {
		c := cellReader{rec: rec, columns: CaseColumns}
		c.checkText()
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
