package api

import (
	"bytes"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// pagesFile is the file the export made of a list from the list's JSON
// pages, before the list was read from its store: every item of the JSON
// list, each column's cell decoded from the item's field (exportCell), in
// the list's order, written by the same writer to the same table. A list
// read from its store must give these very bytes.
func (w *world) pagesFile(t *testing.T, path, token string, l exportList, seesTax bool, f export.Format, english bool) []byte {
	t.Helper()
	itemsKey := l.items
	if itemsKey == "" {
		itemsKey = "items"
	}
	items := w.jsonItems(t, path, token, itemsKey)
	cols := visibleColumns(l, seesTax)
	table := export.Table{Sheet: l.nameFA}
	for _, c := range cols {
		table.Columns = append(table.Columns, c.Column)
	}
	var out bytes.Buffer
	var fw export.Writer
	var err error
	if f == export.XLSX {
		fw, err = export.NewXLSX(&out, table)
	} else {
		fw, err = export.NewCSV(&out, table, english)
	}
	if err != nil {
		t.Fatal(err)
	}
	today := taahod.Today(time.Now())
	row := make([]any, len(cols))
	for _, item := range items {
		for i, c := range cols {
			if row[i], err = exportCell(item, c, today); err != nil {
				t.Fatal(err)
			}
		}
		if err := fw.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// samePagesFile checks that the file of path, as CSV with either headers
// and as XLSX, is byte for byte the one its JSON pages make (pagesFile),
// and that it is not empty.
func (w *world) samePagesFile(t *testing.T, path, token string, l exportList, seesTax bool) {
	t.Helper()
	sep := "?"
	if bytes.ContainsRune([]byte(path), '?') {
		sep = "&"
	}
	for _, c := range []struct {
		query   string
		format  export.Format
		english bool
	}{{"format=csv", export.CSV, false}, {"format=csv&headers=en", export.CSV, true}, {"format=xlsx", export.XLSX, false}} {
		r := w.do("GET", path+sep+c.query, token, nil)
		if r.status != 200 {
			t.Fatalf("%s?%s: %d %s", path, c.query, r.status, abbreviate(r.body))
		}
		if r.header.Get("X-Export-Rows") == "0" {
			t.Fatalf("%s?%s: no rows; the comparison would prove little", path, c.query)
		}
		if want := w.pagesFile(t, path, token, l, seesTax, c.format, c.english); !bytes.Equal(r.body, want) {
			t.Errorf("%s?%s: %d bytes, not the %d bytes its JSON pages make", path, c.query, len(r.body), len(want))
			if c.format == export.CSV {
				t.Logf("got:\n%s\nwant:\n%s", r.body, want)
			}
		}
	}
}
