package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// A list a person works from is also a file (issue 15): ?format=xlsx or
// ?format=csv on the list's own route, or an Accept of the format's media
// type, answers the whole list, with the same filters and the same scope,
// as a spreadsheet.
//
// Every list is read straight from its store (exportList.stream,
// export_stream.go): one query, with the filters the list's handler reads
// and the store's own filter and scope builder, read row by row, each row's
// cells made from the store's record (field) and written as it arrives,
// never the whole list in memory. A file never shows a row or a field the
// JSON would not, which the tests check cell by cell, and its bytes are
// those the list's JSON pages made when files were written from them
// (export_pages_test.go). The rows go to a temporary file first and the
// answer starts only once the file is whole: a failure on the way (the
// database, too many rows) is a problem document, never half a file.

// exportMaxRows is the most rows an export holds; a list with more is a 422
// asking for narrower filters. 100,000 rows is what the benchmark measures.
// A variable for the test of the bound.
var exportMaxRows = 100_000

// exportPageSize is the limit queryLimit gives a list's filter read for an
// export (exportPageKey), whatever the request's limit says: a file is the
// whole list, and the export sets the query's bound itself (exportMaxRows).
const exportPageSize = 1000

// exportPageKey marks, in a request's context, a list read for an export.
const exportPageKey = "taahod.export_page"

// exportParams are the query parameters an exportable list takes besides
// its own.
var exportParams = []string{"format", "headers"}

// exportColumn is one column of a list's file: the export.Column (whose EN
// header is also the JSON field it shows, a dotted path for a nested one:
// "unit.name"), how its cell is made, and, for the fields only some roles
// see, tax.
type exportColumn struct {
	export.Column
	// tax marks a column of units' tax affairs: it is left out of the file
	// of a role that does not see them (taahod.Actor.SeesTaxFigures), as
	// the JSON leaves the field out or empty.
	tax bool
	// get makes the cell from the store's item (exportList.stream), a
	// pointer to the list's item type: a value of the column's kind, or nil
	// where the JSON has null. Every column has one (see field); the tests
	// compare each cell with the JSON list's field.
	get func(item any, today taahod.Date) any
}

// exportList describes a list's file.
type exportList struct {
	// nameFA and nameEN name the file (export.Disposition) and the sheet.
	nameFA, nameEN string
	// items is the field of the list's JSON that holds the rows ("" is
	// "items"), which the tests compare the file with.
	items   string
	columns []exportColumn
	// stream reads the list straight from its store: it reads the
	// request's filters as the list's handler does (an error is the same
	// problem) and calls each with every item of the list, in the list's
	// order and for the actor's scope, at most limit, from one query read
	// row by row.
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
		return s.exportFile(c, list(c), f, english)
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
func (s *Server) exportFile(c *gin.Context, list exportList, f export.Format, english bool) error {
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
	rows, err := s.streamRows(c, list, cols, today, w)
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
