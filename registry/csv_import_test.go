package registry

import (
	"strings"
	"testing"

	"github.com/taahod/taahod"
)

func TestParseResolutionsCSV(t *testing.T) {
	file := "\uFEFFمتن مصوبه;دسته;دستگاه‌های اجرایی;مهلت;شناسه ملی واحد;نوع جلسه;تاریخ جلسه;وضعیت\n" +
		"\"متن ؛ با جداکننده\";مالیاتی;اداره کل امور مالیاتی|استانداری;۱۴۰۴/۰۳/۰۱;۱۰۱۰۲۳۴۵۶۷۳;میدانی;1404/02/10;اجرا شده\n" +
		"\n" +
		"دوم;other;x;;;;;\n"
	rows, err := ParseResolutionsCSV([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows %d, lines %d %d", len(rows), rows[0].Line, rows[len(rows)-1].Line)
	}
	r := rows[0]
	if r.Text != "متن ؛ با جداکننده" || r.Category != "tax" || len(r.Agencies) != 2 || r.Deadline != "2025-05-22" ||
		r.UnitNationalID != "10102345673" || taahod.MakeLegalEntityID("1010234567") == "10102345673" || r.SessionKind != KindField ||
		r.SessionDate.Jalali() != "1404/02/10" || r.Status != StatusImplemented || len(r.cellProblems) != 1 {
		t.Fatalf("row: %+v", r)
	}
	if r.cellProblems[0].Field != "unit_national_id" {
		t.Fatalf("the national id ۱۰۱۰۲۳۴۵۶۷۳ has a wrong check digit: %v", r.cellProblems)
	}
}

func TestDelimiter(t *testing.T) {
	for in, want := range map[string]rune{"a,b,c\n1;2": ',', "a;b;c\n": ';', "a\tb\tc": '\t', "a": ',', "a;b,c,d": ','} {
		if got := delimiter([]byte(in)); got != want {
			t.Errorf("delimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

// fuzzCSV checks the invariants of an import parser on any input: no
// panic; a refused file names its problems; an accepted one has rows on
// increasing lines after the header, each cell problem named by a column.
func fuzzCSV[T interface{ line() int }](t *testing.T, rows []T, problems func(T) []taahod.FieldError, columns []CSVColumn, err error) {
	if err != nil {
		if taahod.ErrorCode(err) != taahod.EINVALID || len(fieldsOf(err)) == 0 {
			t.Fatalf("a refused file must name its problems: %v", err)
		}
		for _, f := range fieldsOf(err) {
			if f.Field != "file" && !strings.HasPrefix(f.Field, "line ") {
				t.Fatalf("problem named %q", f.Field)
			}
		}
		return
	}
	if len(rows) == 0 || len(rows) > MaxImportRows {
		t.Fatalf("%d rows accepted", len(rows))
	}
	last := 1
	for _, r := range rows {
		if r.line() <= last {
			t.Fatalf("row on line %d after line %d", r.line(), last)
		}
		last = r.line()
		for _, p := range problems(r) {
			if _, ok := findColumn(columns, p.Field); !ok {
				t.Fatalf("cell problem names %q", p.Field)
			}
		}
	}
}

func FuzzParseResolutionsCSV(f *testing.F) {
	f.Add("text,category,agencies\nx,tax,y\n")
	f.Add("\uFEFFمتن مصوبه,دسته,دستگاه‌های اجرایی,مهلت\nمتن,بانکی,الف;ب,۱۴۰۴/۰۲/۳۱\n")
	f.Add("session_id,session_date,session_kind,text,category,agencies,status,status_on,confidential\n1,,,\"a\nb\",tax,x,implemented,1404/13/01,maybe\n")
	f.Add("text;category;agencies\n\"x;tax;y\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := ParseResolutionsCSV([]byte(data))
		fuzzCSV(t, rows, func(r ResolutionRow) []taahod.FieldError { return r.cellProblems }, ResolutionColumns, err)
	})
}

func FuzzParseCasesCSV(f *testing.F) {
	f.Add("unit_national_id,channel,subject,opened_on\n10102345673,phone_inquiry,x,2025-05-01\n")
	f.Add("شناسه ملی واحد,نحوه رسیدگی,موضوع,تاریخ ثبت,نتیجه\n۱,استعلام کتبی,الف,۱۴۰۴/۰۲/۱۵,حل شده\n")
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := ParseCasesCSV([]byte(data))
		fuzzCSV(t, rows, func(r CaseRow) []taahod.FieldError { return r.cellProblems }, CaseColumns, err)
	})
}
