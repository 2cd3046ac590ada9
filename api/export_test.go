package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
	"github.com/taahod/taahod/reports/fa"
	"github.com/xuri/excelize/v2"
)

// exportWorld is a world with expenditures of both units that hold the
// cases a file must get right: cents, an 18-digit amount with cents (more
// than a spreadsheet number holds), vendor names a spreadsheet would run as
// formulas, a partial approval with a reason (a tax-office figure), a
// rejection; and a registry with a session, an overdue resolution and a
// case.
func exportWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	a1 := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1250000", "vendor_name", `=HYPERLINK("http://evil.example","x")`))
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "1500.5", "vendor_name", "+98 تجهیزات", "invoice_no", "0012"))
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "123456789012345678.25", "vendor_name", "-2+3 مصالح"))
	b1 := w.mustSubmit(w.accB, expenditure(w.pledgeB, "999999999999999", "vendor_name", "@SUM(A1)"))
	w.evidenceBy(w.accA, a1)
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", a1), w.tax,
		map[string]any{"decision": "approve", "approved_amount": "1000000", "reason": "دلیل-محرمانه-مالیاتی"}); r.status != 200 {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", b1), w.tax,
		map[string]any{"decision": "reject", "reason": "فاکتور ناخوانا"}); r.status != 200 {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	session := w.must(t, "POST", "/api/v1/sessions", w.sec, map[string]any{"kind": "formal", "held_on": "2025-05-01", "title": "جلسه اول"}, 201)
	w.must(t, "POST", "/api/v1/resolutions", w.sec, map[string]any{
		"session_id": session["id"], "unit_id": w.unitA.ID, "text": "=1+1 تمدید مهلت", "category": "banking",
		"agencies": []string{"بانک ملی", "اداره کل امور مالیاتی"}, "deadline": "2025-06-01",
	}, 201)
	w.must(t, "POST", "/api/v1/cases", w.sec, map[string]any{"unit_id": w.unitB.ID, "channel": "phone_inquiry",
		"subject": "بیمه", "opened_on": "2025-06-01", "outcome": "resolved"}, 201)
	return w
}

// jsonItems reads every item of a list through its JSON pages (limit 2, so
// that the paging is exercised), or the items field of a single answer.
func (w *world) jsonItems(t *testing.T, path, token, itemsKey string) []map[string]json.RawMessage {
	t.Helper()
	var out []map[string]json.RawMessage
	cursor := ""
	for {
		target := path
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		if itemsKey == "items" {
			target += sep + "limit=2"
			if cursor != "" {
				target += "&cursor=" + url.QueryEscape(cursor)
			}
		}
		r := w.do("GET", target, token, nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", target, r.status, r.body)
		}
		var page map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(page[itemsKey], &items); err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		var next *string
		_ = json.Unmarshal(page["next_cursor"], &next)
		if itemsKey != "items" || next == nil {
			return out
		}
		cursor = *next
	}
}

// expectedCells is what a file's row shows of a JSON item, column by
// column, worked out from the JSON alone: a date is its *_jalali twin and
// the ISO date, an instant its *_jalali twin, an amount its exact text, a
// list its values joined by the Persian comma. Amounts are compared as
// decimals by the callers (a number cell reads back as 1250000 or
// 1500.5).
func expectedCells(t *testing.T, item map[string]json.RawMessage, cols []exportColumn, today taahod.Date) []string {
	t.Helper()
	var out []string
	for _, c := range cols {
		if value, ok := jsonValues[c.EN]; ok {
			v := value(item, today)
			if v == nil {
				out = append(out, "")
			} else {
				out = append(out, fmt.Sprint(v))
			}
			continue
		}
		raw := jsonPath(item, c.EN)
		null := len(raw) == 0 || string(raw) == "null"
		switch c.Kind {
		case export.Date:
			if null {
				out = append(out, "", "")
				continue
			}
			var twin, iso string
			if err := json.Unmarshal(item[c.EN+"_jalali"], &twin); err != nil {
				t.Fatalf("%s has no Jalali twin: %v", c.EN, err)
			}
			_ = json.Unmarshal(raw, &iso)
			out = append(out, twin, iso)
		case export.Time:
			if null {
				out = append(out, "")
				continue
			}
			// The twin of a nested instant is not beside it; every instant
			// the files show is at the top.
			var twin string
			if err := json.Unmarshal(item[c.EN+"_jalali"], &twin); err != nil {
				t.Fatalf("%s has no Jalali twin: %v", c.EN, err)
			}
			out = append(out, twin)
		default:
			if null {
				out = append(out, "")
				continue
			}
			var s string
			var list []string
			switch {
			case json.Unmarshal(raw, &s) == nil:
				out = append(out, s)
			case json.Unmarshal(raw, &list) == nil:
				out = append(out, strings.Join(list, "، "))
			default:
				out = append(out, string(raw))
			}
		}
	}
	return out
}

// fileKinds are the kinds of the file's columns; a Date column's
// Gregorian twin is -1.
func fileKinds(cols []exportColumn) []export.Kind {
	var kinds []export.Kind
	for _, c := range cols {
		kinds = append(kinds, c.Kind)
		if c.Kind == export.Date {
			kinds = append(kinds, -1) // the Gregorian twin
		}
	}
	return kinds
}

// visibleColumns are the list's columns the token's role gets.
func visibleColumns(l exportList, seesTax bool) []exportColumn {
	var out []exportColumn
	for _, c := range l.columns {
		if !c.tax || seesTax {
			out = append(out, c)
		}
	}
	return out
}

func headersOf(cols []exportColumn, english bool) []string {
	t := export.Table{}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.Column)
	}
	return t.Headers(english)
}

// checkExport downloads path as XLSX and as CSV and compares every cell
// with the list's JSON items.
func (w *world) checkExport(t *testing.T, path, token string, l exportList, seesTax bool) (csvBody []byte) {
	t.Helper()
	itemsKey := l.items
	if itemsKey == "" {
		itemsKey = "items"
	}
	items := w.jsonItems(t, path, token, itemsKey)
	if len(items) == 0 {
		t.Fatalf("%s: the JSON list is empty; the test would prove nothing", path)
	}
	cols := visibleColumns(l, seesTax)
	kinds := fileKinds(cols)
	today := taahod.Today(time.Now())
	want := make([][]string, len(items))
	for i, item := range items {
		want[i] = expectedCells(t, item, cols, today)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	same := func(where string, kind export.Kind, got, want string) {
		t.Helper()
		if kind == export.Amount && want != "" {
			g, err := decimal.NewFromString(got)
			if err != nil || !g.Equal(decimal.RequireFromString(want)) {
				t.Errorf("%s %s: amount %q, want %q", path, where, got, want)
			}
			return
		}
		if got != want {
			t.Errorf("%s %s: %q, want %q", path, where, got, want)
		}
	}

	// XLSX.
	r := w.do("GET", path+sep+"format=xlsx", token, nil)
	if r.status != 200 || r.header.Get("Content-Type") != export.XLSX.ContentType() {
		t.Fatalf("%s as xlsx: %d %q %s", path, r.status, r.header.Get("Content-Type"), abbreviate(r.body))
	}
	checkDisposition(t, r.header.Get("Content-Disposition"), l.nameFA, ".xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(items)+1 {
		t.Fatalf("%s as xlsx: %d rows, want a header and %d", path, len(rows), len(items))
	}
	if got, want := strings.Join(rows[0], "|"), strings.Join(headersOf(cols, false), "|"); got != want {
		t.Errorf("%s as xlsx: header %q, want %q", path, got, want)
	}
	for i, wantRow := range want {
		for j, cell := range wantRow {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
			got := ""
			if j < len(rows[i+1]) {
				got = rows[i+1][j]
			}
			if kinds[j] == -1 && cell != "" {
				// The Gregorian twin is a date cell: its shown value.
				got, _ = f.GetCellValue(sheet, ref)
			}
			same("xlsx "+ref, kinds[j], got, cell)
		}
	}
	if view, err := f.GetSheetView(sheet, -1); err != nil || view.RightToLeft == nil || !*view.RightToLeft {
		t.Errorf("%s as xlsx: the sheet is not right to left", path)
	}
	if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("%s as xlsx: the header row is not frozen", path)
	}

	// CSV, Persian headers.
	r = w.do("GET", path+sep+"format=csv", token, nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s as csv: %d %q %s", path, r.status, r.header.Get("Content-Type"), abbreviate(r.body))
	}
	checkDisposition(t, r.header.Get("Content-Disposition"), l.nameFA, ".csv")
	if !bytes.HasPrefix(r.body, []byte("\ufeff")) {
		t.Errorf("%s as csv: no byte order mark", path)
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("%s as csv: %v", path, err)
	}
	if len(records) != len(items)+1 {
		t.Fatalf("%s as csv: %d records, want a header and %d", path, len(records), len(items))
	}
	if got, want := strings.Join(records[0], "|"), strings.Join(headersOf(cols, false), "|"); got != want {
		t.Errorf("%s as csv: header %q, want %q", path, got, want)
	}
	for i, wantRow := range want {
		for j, cell := range wantRow {
			if kinds[j] == export.Text || kinds[j] == export.Identifier {
				// A formula-like text cell is neutralised.
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					cell = "'" + cell
				}
			}
			same(fmt.Sprintf("csv record %d field %d", i+1, j), kinds[j], records[i+1][j], cell)
		}
	}
	if r.header.Get("X-Export-Rows") != fmt.Sprint(len(items)) {
		t.Errorf("%s: X-Export-Rows %q, want %d", path, r.header.Get("X-Export-Rows"), len(items))
	}
	csvBody = r.body

	// CSV, English headers: the JSON's field names.
	r = w.do("GET", path+sep+"format=csv&headers=en", token, nil)
	records, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("%s as csv, English headers: %v", path, err)
	}
	if got, want := strings.Join(records[0], "|"), strings.Join(headersOf(cols, true), "|"); got != want {
		t.Errorf("%s as csv: English header %q, want %q", path, got, want)
	}
	return csvBody
}

// checkDisposition checks an attachment named in Persian with today's
// Jalali date in Persian digits.
func checkDisposition(t *testing.T, d, nameFA, ext string) {
	t.Helper()
	kind, params, err := mime.ParseMediaType(d)
	if err != nil || kind != "attachment" {
		t.Fatalf("Content-Disposition %q: %v", d, err)
	}
	date := fa.Digits(strings.ReplaceAll(taahod.Today(time.Now()).Jalali(), "/", "-"))
	want := strings.ReplaceAll(nameFA, " ", "-") + "-" + date + ext
	if params["filename"] != want {
		t.Errorf("file name %q, want %q (%s)", params["filename"], want, d)
	}
}

func TestExportExpenditures(t *testing.T) {
	w := exportWorld(t)
	t.Run("tax_office_all", func(t *testing.T) {
		body := w.checkExport(t, "/api/v1/expenditures", w.tax, expenditureList, true)
		for _, want := range []string{"دلیل-محرمانه-مالیاتی", "@SUM(A1)", "'=HYPERLINK("} {
			if !strings.Contains(string(body), want) {
				t.Errorf("the tax office's file lacks %q", want)
			}
		}
	})
	t.Run("accountant_own", func(t *testing.T) {
		body := w.checkExport(t, "/api/v1/expenditures", w.accA, expenditureList, true)
		if strings.Contains(string(body), "@SUM(A1)") {
			t.Error("the accountant's file has the other unit's expenditure")
		}
	})
	t.Run("filters", func(t *testing.T) {
		body := w.checkExport(t, "/api/v1/expenditures?status=submitted&unit_id="+fmt.Sprint(w.unitA.ID), w.tax, expenditureList, true)
		if strings.Contains(string(body), "HYPERLINK") {
			t.Error("the filtered file has an approved expenditure")
		}
	})
	t.Run("education_officer_no_tax_figure", func(t *testing.T) {
		body := w.checkExport(t, "/api/v1/expenditures", w.edu, expenditureList, false)
		for _, secret := range []string{"دلیل-محرمانه-مالیاتی", "دلیل بررسی", "بررسی‌کننده", "فاکتور ناخوانا"} {
			if strings.Contains(string(body), secret) {
				t.Errorf("the education officer's file has %q", secret)
			}
		}
		r := w.do("GET", "/api/v1/expenditures?format=xlsx", w.edu, nil)
		f, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows(f.GetSheetName(0))
		for _, row := range rows {
			for _, cell := range row {
				if cell == "دلیل-محرمانه-مالیاتی" || cell == "دلیل بررسی" {
					t.Errorf("the education officer's workbook has %q", cell)
				}
			}
		}
	})
}

// TestExportAmountsAndFormulas: an 18-digit amount with cents reads back
// exactly, as text; amounts a number holds are numbers with #,##0; a
// formula-like vendor is text in XLSX and neutralised in CSV.
func TestExportAmountsAndFormulas(t *testing.T) {
	w := exportWorld(t)
	r := w.do("GET", "/api/v1/expenditures?format=xlsx", w.tax, nil)
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, _ := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	amountCol, vendorCol := -1, -1
	for i, h := range rows[0] {
		switch h {
		case "مبلغ":
			amountCol = i + 1
		case "فروشنده":
			vendorCol = i + 1
		}
	}
	found18, foundFormula := false, false
	for i := 2; i <= len(rows); i++ {
		ref, _ := excelize.CoordinatesToCellName(amountCol, i)
		raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(sheet, ref)
		shown, _ := f.GetCellValue(sheet, ref)
		switch raw {
		case "123456789012345678.25":
			found18 = true
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("the 18-digit amount is a cell of type %v, not text", typ)
			}
		case "1250000":
			if shown != "1,250,000" {
				t.Errorf("1250000 shows %q, want 1,250,000 (#,##0)", shown)
			}
		case "1500.5":
			if shown != "1,500.50" {
				t.Errorf("1500.5 shows %q, want 1,500.50", shown)
			}
		}
		vref, _ := excelize.CoordinatesToCellName(vendorCol, i)
		vendor, _ := f.GetCellValue(sheet, vref)
		if strings.HasPrefix(vendor, "=HYPERLINK") {
			foundFormula = true
			if formula, _ := f.GetCellFormula(sheet, vref); formula != "" {
				t.Errorf("the vendor cell holds a formula: %q", formula)
			}
		}
	}
	if !found18 || !foundFormula {
		t.Errorf("the workbook lacks the 18-digit amount (%v) or the formula-like vendor (%v)", found18, foundFormula)
	}
	r = w.do("GET", "/api/v1/expenditures?format=csv", w.tax, nil)
	body := string(r.body)
	for _, want := range []string{",123456789012345678.25,", `"'=HYPERLINK(""http://evil.example"",""x"")"`, ",'+98 تجهیزات,", ",'-2+3 مصالح,", ",'@SUM(A1),", ",0012,"} {
		if !strings.Contains(body, want) {
			t.Errorf("the CSV lacks %s", want)
		}
	}
	if strings.Count(body, "\r\n") != strings.Count(body, "\n") {
		t.Error("the CSV's lines do not all end in CRLF")
	}
}

func TestExportEveryList(t *testing.T) {
	w := exportWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accB, w.pledgeB, "4000000")
	w.assess(w.unitB.ID, "3000000.5")
	w.runOffset(w.unitB.ID)
	w.mustIssue(w.unitB.ID)
	for _, c := range []struct {
		name, path, token string
		list              exportList
		seesTax           bool
	}{
		{"review_queue", "/api/v1/reviews/queue", w.tax, reviewQueueList, true},
		{"statement", fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitB.ID), w.tax, statementList, true},
		{"statement_accountant", fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitB.ID), w.accB, statementList, true},
		{"certificates", "/api/v1/certificates", w.tax, certificateList, true},
		{"pledges", "/api/v1/pledges", w.tax, pledgeList, true},
		{"pledges_education", "/api/v1/pledges", w.edu, pledgeList, false},
		{"schools", "/api/v1/schools", w.edu, schoolList, false},
		{"resolutions", "/api/v1/resolutions", w.sec, resolutionList, false},
		{"cases", "/api/v1/cases", w.sec, caseList, false},
		{"figure_sessions", "/api/v1/reports/registry/rows?year=1404&figure=sessions.total", w.sec, figureLists[0].list, false},
		{"figure_resolutions", "/api/v1/reports/registry/rows?year=1404&figure=resolutions.total", w.edu, resolutionColumnsList(), false},
		{"figure_cases", "/api/v1/reports/registry/rows?year=1404&figure=cases_resolved_without_session", w.sec, exportList{columns: caseColumns}, false},
		{"figure_public", "/api/v1/public/registry/rows?year=1404&figure=units_examined", "", figureLists[3].list, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := c.list
			if strings.Contains(c.path, "registry/rows") {
				l.nameFA = "ردیف‌های آمار 1404"
			}
			w.checkExport(t, c.path, c.token, l, c.seesTax)
		})
	}
	// The overdue resolution's days past its deadline (2025-06-01).
	r := w.do("GET", "/api/v1/resolutions?format=csv&headers=en", w.sec, nil)
	records, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\ufeff")))).ReadAll()
	last := records[1][len(records[1])-1]
	days := int(taahod.Today(time.Now()).Time().Sub(taahod.MustParseDate("2025-06-01").Time()).Hours() / 24)
	if records[0][len(records[0])-1] != "days_overdue" || last != fmt.Sprint(days) {
		t.Errorf("days overdue %q (%q), want %d", last, records[0][len(records[0])-1], days)
	}
}

func resolutionColumnsList() exportList { return exportList{columns: resolutionColumns} }

func TestExportRequests(t *testing.T) {
	w := exportWorld(t)
	t.Run("accept", func(t *testing.T) {
		r := w.do("GET", "/api/v1/pledges", w.tax, nil, "Accept", "text/csv")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Errorf("Accept text/csv: %d %q", r.status, r.header.Get("Content-Type"))
		}
		r = w.do("GET", "/api/v1/pledges", w.tax, nil, "Accept", export.XLSX.ContentType())
		if r.status != 200 || r.header.Get("Content-Type") != export.XLSX.ContentType() {
			t.Errorf("Accept xlsx: %d %q", r.status, r.header.Get("Content-Type"))
		}
		r = w.do("GET", "/api/v1/pledges", w.tax, nil, "Accept", "application/json, */*")
		if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("Accept json: %q", r.header.Get("Content-Type"))
		}
	})
	t.Run("bad_values", func(t *testing.T) {
		for _, q := range []string{"format=pdf", "format=csv&headers=de"} {
			r := w.do("GET", "/api/v1/pledges?"+q, w.tax, nil)
			if r.status != 422 {
				t.Errorf("%s: %d %s", q, r.status, r.body)
			}
		}
	})
	t.Run("filter_errors_stay_problems", func(t *testing.T) {
		r := w.do("GET", "/api/v1/expenditures?format=xlsx&status=nonsense", w.tax, nil)
		if r.status != 422 || r.problemCode() != taahod.EINVALID {
			t.Errorf("a bad filter: %d %s", r.status, r.body)
		}
		r = w.do("GET", "/api/v1/reviews/queue?format=csv", w.edu, nil)
		if r.status != 403 {
			t.Errorf("the education officer's queue: %d", r.status)
		}
	})
	t.Run("too_many_rows", func(t *testing.T) {
		old := exportMaxRows
		exportMaxRows = 3
		defer func() { exportMaxRows = old }()
		r := w.do("GET", "/api/v1/expenditures?format=csv", w.tax, nil)
		if r.status != 422 || r.fieldErrors()["format"] != "too_many_rows" {
			t.Errorf("4 rows over a bound of 3: %d %s", r.status, r.body)
		}
		if r := w.do("GET", "/api/v1/expenditures?format=csv&unit_id="+fmt.Sprint(w.unitA.ID), w.tax, nil); r.status != 200 {
			t.Errorf("3 rows: %d", r.status)
		}
	})
	t.Run("pages_cookie_link", func(t *testing.T) {
		token := w.login("acc-a")
		get := func(path string) int {
			req, _ := http.NewRequest("GET", w.http.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "taahod_session", Value: token})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if got := get("/api/v1/expenditures?format=csv"); got != 200 {
			t.Errorf("a download link with the pages' cookie: %d", got)
		}
		if got := get("/api/v1/expenditures"); got != 401 {
			t.Errorf("the JSON list with the pages' cookie: %d, want 401", got)
		}
	})
}
