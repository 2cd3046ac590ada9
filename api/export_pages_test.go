package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// The export wrote the lists from their JSON pages before it read them
// from their stores: the decoding it did (exportCell and the JSON helpers
// below) stays here, as the reference every file must still match byte for
// byte.

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

// jsonValues make the cells of the columns that are no field of the JSON
// from the whole item, as the export did: a resolution's days overdue.
var jsonValues = map[string]func(item map[string]json.RawMessage, today taahod.Date) any{
	"days_overdue": daysOverdue,
}

// daysOverdue is how many days a resolution is past its deadline, today:
// empty for one that is not overdue (the JSON's overdue).
func daysOverdue(item map[string]json.RawMessage, today taahod.Date) any {
	var overdue bool
	var deadline string
	if json.Unmarshal(item["overdue"], &overdue) != nil || !overdue || json.Unmarshal(item["deadline"], &deadline) != nil {
		return nil
	}
	d, err := taahod.ParseDate(deadline)
	if err != nil {
		return nil
	}
	return int64(today.Time().Sub(d.Time()).Hours() / 24)
}

// exportCell is the value of a column in an item, of the column's kind, as
// the export read it from the list's JSON: the field the column's EN header
// names (a dotted path goes into objects), nil for null or absent, or what
// jsonValues makes of the whole item.
func exportCell(item map[string]json.RawMessage, col exportColumn, today taahod.Date) (any, error) {
	if value, ok := jsonValues[col.EN]; ok {
		return value(item, today), nil
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
