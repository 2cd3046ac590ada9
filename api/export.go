package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// A list a person works from is also a file (issue 15): ?format=xlsx or
// ?format=csv on the list's own route, or an Accept of the format's media
// type, answers the whole list, with the same filters and the same scope,
// as a spreadsheet.
//
// Most lists are read straight from their store (exportList.stream,
// export_stream.go): one query, with the filters the list's handler reads
// and the store's own filter and scope builder, read row by row, each row's
// cells made from the store's record (field) and written as it arrives,
// never the whole list in memory. The others (a unit-year's statement, the
// certificate register, a yearly figure's rows) are made from the list's
// own JSON: the export calls the list's handler page after page
// (exportPageSize items a page, following next_cursor) and writes each
// item's fields as a row (exportRows). Either way a file never shows a row
// or a field the JSON would not, which the tests check cell by cell. The
// rows go to a temporary file first and the answer starts only once the
// file is whole: a failure on the way (the database, too many rows) is a
// problem document, never half a file.

// exportMaxRows is the most rows an export holds; a list with more is a 422
// asking for narrower filters. 100,000 rows is what the benchmark measures.
// A variable for the test of the bound.
var exportMaxRows = 100_000

// exportPageSize is the page the export asks the list's handler for: more
// than a client may ask (maxLimit), so that 100,000 rows take 100 queries,
// not 200, and few enough that a page's JSON stays small (the benchmark's
// peak memory grows with it). queryLimit gives it to a page asked for by an export
// (exportPageKey), whatever limit says.
const exportPageSize = 1000

// exportPageKey marks, in a page's context, a page asked for by an export.
const exportPageKey = "taahod.export_page"

// exportParams are the query parameters an exportable list takes besides
// its own.
var exportParams = []string{"format", "headers"}

// exportColumn is one column of a list's file: the export.Column (whose EN
// header is also the JSON field it reads, a dotted path for a nested one:
// "unit.name") and, for the fields only some roles see, tax.
type exportColumn struct {
	export.Column
	// tax marks a column of units' tax affairs: it is left out of the file
	// of a role that does not see them (taahod.Actor.SeesTaxFigures), as
	// the JSON leaves the field out or empty.
	tax bool
	// value, when set, makes the cell from the whole item instead of the
	// field EN names (a figure the JSON does not carry as such, like a
	// resolution's days overdue).
	value func(item map[string]json.RawMessage, today taahod.Date) any
	// get makes the cell of a list read from its store (exportList.stream)
	// from the store's item, a pointer to the list's item type: a value of
	// the column's kind, or nil where the JSON has null. Every column of
	// such a list has one (see field); the tests compare each cell with the
	// JSON list's field.
	get func(item any, today taahod.Date) any
}

// exportList describes a list's file.
type exportList struct {
	// nameFA and nameEN name the file (export.Disposition) and the sheet.
	nameFA, nameEN string
	// items is the JSON field that holds the rows; "" is "items".
	items   string
	columns []exportColumn
	// stream, when set, reads the list straight from its store: it reads
	// the request's filters as the list's handler does (an error is the
	// same problem) and calls each with every item of the list, in the
	// list's order and for the actor's scope, at most limit, from one query
	// read row by row. A list without one is written from its JSON pages
	// (exportRows).
	stream func(s *Server, c *gin.Context, limit int, each func(item any) error) error
}

// exportable wraps a list's handler: a request for a file is answered by
// exportFile, any other by the handler itself. list picks the file's
// description for the request (most lists have one; the rows of a yearly
// figure depend on the figure).
func (s *Server) exportable(list func(c *gin.Context) exportList, h handler) handler {
	return func(c *gin.Context) error {
		f, english, err := exportFormat(c)
		if err != nil {
			return err
		}
		if f == "" {
			return h(c)
		}
		return s.exportFile(c, list(c), f, english, h)
	}
}

// oneList is the list func of a route with one file description.
func oneList(l exportList) func(*gin.Context) exportList {
	return func(*gin.Context) exportList { return l }
}

// exportFormat reads what the request asks for: ?format= first, then
// Accept; "" is the JSON list. english is ?headers=en (CSV only: a
// workbook's headers are Persian).
func exportFormat(c *gin.Context) (export.Format, bool, error) {
	var p taahod.Problems
	var f export.Format
	switch v, given := c.GetQuery("format"); {
	case !given:
		f = acceptedExport(c.GetHeader("Accept"))
	case v == "json":
	case v == string(export.CSV) || v == string(export.XLSX):
		f = export.Format(v)
	default:
		p.Add("format", "invalid_choice", "format must be json, csv or xlsx")
	}
	english := false
	switch v := c.Query("headers"); v {
	case "", "fa":
	case "en":
		english = true
	default:
		p.Add("headers", "invalid_choice", "headers must be fa or en")
	}
	return f, english, p.Err()
}

// acceptedExport is the export format an Accept header names explicitly
// (text/csv, or the XLSX media type), "" for any other: */* or
// application/json keep the JSON list.
func acceptedExport(accept string) export.Format {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" || params["q"] == "0.0" || params["q"] == "0.00" || params["q"] == "0.000" {
			continue
		}
		switch mt {
		case "text/csv":
			return export.CSV
		case mime.TypeByExtension(".xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
			return export.XLSX
		}
	}
	return ""
}

// exportFile answers the list h answers as a file of format f.
func (s *Server) exportFile(c *gin.Context, list exportList, f export.Format, english bool, h handler) error {
	a, _ := actorOf(c)
	signedIn := a.UserID != 0
	table := export.Table{Sheet: list.nameFA}
	var cols []exportColumn
	for _, col := range list.columns {
		if col.tax && (!signedIn || !a.SeesTaxFigures()) {
			continue
		}
		cols = append(cols, col)
		table.Columns = append(table.Columns, col.Column)
	}
	spool, err := os.CreateTemp("", "taahod-export-*")
	if err != nil {
		return fmt.Errorf("export: spool: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	var w export.Writer
	if f == export.XLSX {
		w, err = export.NewXLSX(spool, table)
	} else {
		w, err = export.NewCSV(spool, table, english)
	}
	if err != nil {
		return err
	}
	today := taahod.Today(time.Now())
	var rows int
	if list.stream != nil {
		rows, err = s.streamRows(c, list, cols, today, w)
	} else {
		rows, err = s.exportRows(c, list, cols, today, h, w)
	}
	if err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	size, err := spool.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("export: spool: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export: spool: %w", err)
	}
	c.Header("Content-Disposition", export.Disposition(list.nameFA, list.nameEN, today, f))
	c.Header("Content-Length", strconv.FormatInt(size, 10))
	c.Header("X-Export-Rows", strconv.Itoa(rows))
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, size, f.ContentType(), spool, nil)
	return nil
}

// tooManyRows is the 422 of a list longer than a file holds.
func tooManyRows() error {
	return &taahod.Error{Code: taahod.EINVALID, Message: fmt.Sprintf("the list has more than %d rows, the most one file holds", exportMaxRows),
		Fields: []taahod.FieldError{{Field: "format", Code: "too_many_rows",
			Message: fmt.Sprintf("an export holds at most %d rows: narrow the filters", exportMaxRows)}}}
}

// exportRows writes the rows of every page of the list to w and returns how
// many there were. Each page is the handler's own JSON answer, asked for
// with the request's filters, exportPageSize items and the cursor of the
// page before.
func (s *Server) exportRows(c *gin.Context, list exportList, cols []exportColumn, today taahod.Date, h handler, w export.Writer) (int, error) {
	query := c.Request.URL.Query()
	for _, name := range []string{"format", "headers", "cursor", "limit"} {
		query.Del(name)
	}
	itemsKey := list.items
	if itemsKey == "" {
		itemsKey = "items"
	}
	rows := 0
	row := make([]any, len(cols))
	for {
		// Each page is asked of a copy of the request's context: gin keeps
		// the query it first read, and the copy reads the page's own.
		page := c.Copy()
		page.Set(exportPageKey, true)
		page.Request = c.Request.Clone(c.Request.Context())
		page.Request.URL.RawQuery = query.Encode()
		capture := &capturedAnswer{ResponseWriter: c.Writer, header: http.Header{}}
		page.Writer = capture
		if err := h(page); err != nil {
			return rows, err
		}
		var answer map[string]json.RawMessage
		if err := json.Unmarshal(capture.body.Bytes(), &answer); err != nil {
			return rows, fmt.Errorf("export: read the list's answer: %w", err)
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(answer[itemsKey], &items); err != nil {
			return rows, fmt.Errorf("export: read the list's %s: %w", itemsKey, err)
		}
		if rows+len(items) > exportMaxRows {
			return rows, tooManyRows()
		}
		for _, item := range items {
			for i, col := range cols {
				v, err := exportCell(item, col, today)
				if err != nil {
					return rows, err
				}
				row[i] = v
			}
			if err := w.Write(row); err != nil {
				return rows, err
			}
			rows++
		}
		var next *string
		if raw, ok := answer["next_cursor"]; ok {
			if err := json.Unmarshal(raw, &next); err != nil {
				return rows, fmt.Errorf("export: read next_cursor: %w", err)
			}
		}
		if next == nil || *next == "" || len(items) == 0 {
			return rows, nil
		}
		query.Set("cursor", *next)
	}
}

// exportCell is the value of a column in an item, of the column's kind: the
// field the column's EN header names (a dotted path goes into objects), nil
// for null or absent.
func exportCell(item map[string]json.RawMessage, col exportColumn, today taahod.Date) (any, error) {
	if col.value != nil {
		return col.value(item, today), nil
	}
	raw := jsonPath(item, col.EN)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	fail := func(err error) (any, error) {
		return nil, fmt.Errorf("export: field %s: %w", col.EN, err)
	}
	switch col.Kind {
	case export.Integer:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return fail(err)
		}
		return n, nil
	case export.Amount:
		s, err := jsonString(raw)
		if err != nil {
			return fail(err)
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			return fail(err)
		}
		return d, nil
	case export.Date:
		s, err := jsonString(raw)
		if err != nil {
			return fail(err)
		}
		d, err := taahod.ParseDate(s)
		if err != nil {
			return fail(err)
		}
		return d, nil
	case export.Time:
		s, err := jsonString(raw)
		if err != nil {
			return fail(err)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fail(err)
		}
		return t, nil
	}
	return jsonText(raw), nil
}

// jsonString is a JSON string's value; one without escapes (amounts, dates,
// instants, most names) is cut out of the JSON text without a decoder.
func jsonString(raw json.RawMessage) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// jsonPath is the value at a dotted path of object fields.
func jsonPath(item map[string]json.RawMessage, path string) json.RawMessage {
	name, rest, nested := strings.Cut(path, ".")
	raw := item[name]
	if !nested || len(raw) == 0 {
		return raw
	}
	var inner map[string]json.RawMessage
	if json.Unmarshal(raw, &inner) != nil {
		return nil
	}
	return jsonPath(inner, rest)
}

// jsonText is a JSON value as a text cell: a string as it is, a list of
// values joined by the Persian comma, true and false as they are, any other
// value as its JSON.
func jsonText(raw json.RawMessage) string {
	if s, err := jsonString(raw); err == nil {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		parts := make([]string, len(list))
		for i, v := range list {
			parts[i] = jsonText(v)
		}
		return strings.Join(parts, "، ")
	}
	return string(bytes.TrimSpace(raw))
}

// capturedAnswer keeps a handler's answer (one page of the list) instead of
// sending it.
type capturedAnswer struct {
	gin.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *capturedAnswer) Header() http.Header { return w.header }
func (w *capturedAnswer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *capturedAnswer) WriteHeaderNow()                   {}
func (w *capturedAnswer) Write(b []byte) (int, error)       { return w.body.Write(b) }
func (w *capturedAnswer) WriteString(s string) (int, error) { return w.body.WriteString(s) }
func (w *capturedAnswer) Status() int                       { return w.status }
func (w *capturedAnswer) Size() int                         { return w.body.Len() }
func (w *capturedAnswer) Written() bool                     { return w.status != 0 || w.body.Len() > 0 }
func (w *capturedAnswer) Flush()                            {}
