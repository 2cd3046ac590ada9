package api

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/taahod/taahod"
)

// persianDigits writes s with Persian digits, as spreadsheets in Iran do.
func persianDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '۰' + (r - '0')
		}
		return r
	}, s)
}

func (e *env) postCSV(t *testing.T, path, token, body string, want int) response {
	t.Helper()
	r := e.do("POST", path, token, body, "Content-Type", "text/csv; charset=utf-8")
	r.t = t
	if r.status != want {
		t.Fatalf("POST %s: %d, want %d: %.2000s", path, r.status, want, r.body)
	}
	return r
}

func TestImportResolutions(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	u1 := e.mustCreateUnit("فولاد", "1010234567")
	u2 := e.mustCreateUnit("کاشی", "1010345678")
	formalDay, fieldDay := jalali(t, 1404, 2, 10), jalali(t, 1404, 3, 5)
	formal := num(t, e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on": formalDay.String()}, 201)["id"])
	e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "field", "held_on": fieldDay.String(), "county": "آوج"}, 201)

	const path = "/api/v1/resolutions/import"
	header := "session_id,session_date,session_kind,unit_national_id,text,category,agencies,deadline,adopted_on,confidential,status,status_on,status_note\n"

	t.Run("English headers and Gregorian dates", func(t *testing.T) {
		file := header +
			fmt.Sprintf("%d,,,%s,\"تمدید تسهیلات، بانک ملی\",banking,بانک ملی;اداره کل امور مالیاتی,2025-06-01,,no,implemented,2025-05-20,انجام شد\n", formal, u1.NationalID) +
			fmt.Sprintf(",%s,field,%s,انشعاب گاز,gas,شرکت گاز,,,yes,in_follow_up,,\n", fieldDay, u2.NationalID) +
			",,,,مصوبه عمومی,other,استانداری,,2025-07-01,,,,\n"
		audits := e.count("audit_log")
		r := e.postCSV(t, path, sec, file, 201)
		res := r.json()
		ids := res["ids"].([]any)
		if num(t, res["count"]) != 3 || len(ids) != 3 {
			t.Fatalf("import: %s", r.body)
		}
		want := []struct{ status, adopted string }{{"implemented", formalDay.String()}, {"in_follow_up", fieldDay.String()}, {"notified", "2025-07-01"}}
		for i, id := range ids {
			got := e.must(t, "GET", idPath("/api/v1/resolutions", id), sec, nil, 200)
			if got["status"] != want[i].status || got["adopted_on"] != want[i].adopted {
				t.Errorf("row %d: %v", i+1, got)
			}
		}
		first := e.must(t, "GET", idPath("/api/v1/resolutions", ids[0]), sec, nil, 200)
		if first["text"] != "تمدید تسهیلات، بانک ملی" || len(first["agencies"].([]any)) != 2 || first["deadline"] != "2025-06-01" {
			t.Fatalf("first row: %v", first)
		}
		if e.count("audit_log") != audits+1 {
			t.Fatalf("%d audit entries for one import", e.count("audit_log")-audits)
		}
		var changes string
		if err := e.db.Get(&changes, `SELECT changes FROM audit_log WHERE action = 'resolution.import'`); err != nil || !strings.Contains(changes, `"count":3`) {
			t.Fatalf("the import's audit entry: %s %v", changes, err)
		}
	})

	t.Run("Persian headers, Jalali dates, byte-order mark", func(t *testing.T) {
		file := "\uFEFFشناسه جلسه,تاريخ جلسه,نوع جلسه,شناسه ملی واحد,متن مصوبه,دسته,دستگاه های اجرایی,مهلت,تاریخ مصوبه,محرمانه,وضعیت,تاریخ وضعیت,توضیح وضعیت\r\n" +
			",۱۴۰۴/۰۲/۱۰,رسمی," + persianDigits(u1.NationalID) + ",تأمین نقدینگی,بانکی,بانک ملی|استانداری,۱۴۰۴/۰۳/۱۰,,خیر,اجرا شده,۱۴۰۴/۰۲/۲۰,\r\n" +
			",,,,مصوبه ستاد,مجوزها,سازمان صمت,,1404/5/1,بله,در حال پیگیری,1404/06/01,در انتظار پاسخ\r\n"
		r := e.postCSV(t, path, sec, file, 201)
		ids := r.json()["ids"].([]any)
		a := e.must(t, "GET", idPath("/api/v1/resolutions", ids[0]), sec, nil, 200)
		if a["session_id"] == nil || num(t, a["session_id"]) != formal || a["category"] != "banking" || a["status"] != "implemented" ||
			a["status_on_jalali"] != "1404/02/20" || a["deadline_jalali"] != "1404/03/10" || num(t, a["unit_id"]) != u1.ID {
			t.Fatalf("first Persian row: %v", a)
		}
		b := e.must(t, "GET", idPath("/api/v1/resolutions", ids[1]), sec, nil, 200)
		if b["category"] != "permits" || b["confidential"] != true || b["status"] != "in_follow_up" || b["adopted_on_jalali"] != "1404/05/01" {
			t.Fatalf("second Persian row: %v", b)
		}
	})

	t.Run("one bad date on line 7 writes nothing", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header)
		for line := 2; line <= 9; line++ {
			deadline := "1404/03/01"
			if line == 7 {
				deadline = "1404/13/01"
			}
			fmt.Fprintf(&b, "%d,,,,مصوبه سطر %d,tax,دستگاه تازه %d,%s,,,,,\n", formal, line, line, deadline)
		}
		before := map[string]int{}
		for _, table := range []string{"resolutions", "resolution_agencies", "agencies", "resolution_status_changes", "audit_log"} {
			before[table] = e.count(table)
		}
		r := e.postCSV(t, path, sec, b.String(), 422)
		if fe := r.fieldErrors(); len(fe) != 1 || fe["line 7: deadline"] != "invalid_date" {
			t.Fatalf("problems: %s", r.body)
		}
		for table, n := range before {
			if e.count(table) != n {
				t.Errorf("%s changed: %d → %d", table, n, e.count(table))
			}
		}
	})

	t.Run("every bad row is named", func(t *testing.T) {
		file := header +
			fmt.Sprintf("%d,,,,\"a text\nover two lines\",tax,x,,,,,,\n", formal) + // lines 2-3: fine
			",,,10109876548,unknown unit,tax,x,,,,,,\n" + // line 4
			",,,,bad category,roads,x,,,,,,\n" + // line 5
			",1404/02/11,formal,,no such session,tax,x,,,,,,\n" + // line 6
			fmt.Sprintf("%d,,,,,tax,x,,,,,,\n", formal) + // line 7: no text
			fmt.Sprintf("%d,,,,status before the session,tax,x,,,,implemented,1404/02/01,\n", formal) + // line 8
			fmt.Sprintf("%d,,,,confidential?,tax,x,,,maybe,,,\n", formal) + // line 9
			",,,,future,tax,x,,1499/01/01,,,,\n" // line 10
		r := e.postCSV(t, path, sec, file, 422)
		want := map[string]string{
			"line 4: unit_national_id": "not_found",
			"line 5: category":         "invalid_choice",
			"line 6: session_date":     "not_found",
			"line 7: text":             "required",
			"line 8: status_on":        "before_adoption",
			"line 9: confidential":     "invalid_flag",
			"line 10: adopted_on":      "future_date",
		}
		got := r.fieldErrors()
		for field, code := range want {
			if got[field] != code {
				t.Errorf("%s: %q, want %q", field, got[field], code)
			}
		}
		if len(got) != len(want) {
			t.Errorf("problems: %s", r.body)
		}
	})

	t.Run("files refused as a whole", func(t *testing.T) {
		for _, c := range []struct {
			name, file, field, code string
		}{
			{"unknown column", "text,category,agencies,colour\nx,tax,y,red\n", "line 1: colour", "unknown_column"},
			{"missing column", "text,category\nx,tax\n", "line 1: agencies", "missing_column"},
			{"twice the same column", "text,متن مصوبه,category,agencies\nx,y,tax,z\n", "line 1: متن مصوبه", "duplicate_column"},
			{"not UTF-8", "text,category,agencies\n\xe3\xd5\xe6\xc8\xe5,tax,x\n", "line 2", "not_utf8"},
			{"broken quotes", "text,category,agencies\n\"x,tax,y\nz\"q,tax,y\n", "line 3", "malformed_csv"},
			{"empty", "", "file", "empty_file"},
			{"header only", "text,category,agencies\n", "file", "no_rows"},
			{"a cell under no column", "text,category,agencies\nx,tax,y,extra\n", "line 2", "extra_cell"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.postCSV(t, path, sec, c.file, 422)
				if r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%s", r.body)
				}
			})
		}
		if r := e.do("POST", path, sec, "text\nx\n", "Content-Type", "application/json"); r.status != 415 {
			t.Fatalf("JSON content type: %d", r.status)
		}
		acc := e.userToken("acc", taahod.RoleAccountant, u1.ID)
		if r := e.do("POST", path, acc, header, "Content-Type", "text/csv"); r.status != 403 {
			t.Fatalf("an accountant imports: %d", r.status)
		}
	})

	t.Run("10,000 rows in one request", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("شناسه جلسه,شناسه ملی واحد,متن مصوبه,دسته,دستگاه‌های اجرایی,مهلت,وضعیت,تاریخ وضعیت\n")
		statuses := []string{"implemented", "in_follow_up", "", "cancelled"}
		for i := range 10_000 {
			nid := u1.NationalID
			if i%2 == 1 {
				nid = u2.NationalID
			}
			st, on := statuses[i%4], ""
			if st != "" {
				on = "1404/04/01"
			}
			fmt.Fprintf(&b, "%d,%s,مصوبه شماره %d درباره تأمین مواد اولیه و تسهیلات بانکی واحد تولیدی,banking,بانک ملی;بانک صادرات;اداره کل امور مالیاتی استان قزوین,1404/06/31,%s,%s\n",
				formal, nid, i, st, on)
		}
		if b.Len() <= defaultBodyLimit {
			t.Fatalf("the file is %d bytes: not over the default body limit", b.Len())
		}
		before := e.count("resolutions")
		r := e.postCSV(t, path, sec, b.String(), 201)
		if num(t, r.json()["count"]) != 10_000 || e.count("resolutions") != before+10_000 {
			t.Fatalf("imported %v", r.json()["count"])
		}
		f := e.must(t, "GET", "/api/v1/reports/registry?year=1404", sec, nil, 200)["resolutions"].(map[string]any)
		if num(t, f["cancelled"]) != 2500 {
			t.Fatalf("cancelled in 1404: %v", f)
		}
	})

	t.Run("idempotent", func(t *testing.T) {
		file := header + fmt.Sprintf("%d,,,,مصوبه تکراری,tax,x,,,,,,\n", formal)
		before := e.count("resolutions")
		first := e.do("POST", path, sec, file, "Content-Type", "text/csv", "Idempotency-Key", "import-once-1")
		again := e.do("POST", path, sec, file, "Content-Type", "text/csv", "Idempotency-Key", "import-once-1")
		if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || e.count("resolutions") != before+1 {
			t.Fatalf("%d %d %d", first.status, again.status, e.count("resolutions")-before)
		}
	})
}

func TestImportCases(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	u := e.mustCreateUnit("لبنیات", "1010678901")
	const path = "/api/v1/cases/import"

	t.Run("English and Persian headers", func(t *testing.T) {
		en := "unit_national_id,channel,subject,category,opened_on,closed_on,outcome,confidential\n" +
			u.NationalID + ",phone_inquiry,تأخیر در انشعاب برق,electricity,2025-05-01,2025-05-03,resolved,\n" +
			u.NationalID + ",referral_national,رفع تعهد ارزی,customs,2025-05-02,,,\n"
		fa := "شناسه ملی واحد,نحوه رسیدگی,موضوع,دسته,تاریخ ثبت,تاریخ پایان,نتیجه,محرمانه\n" +
			persianDigits(u.NationalID) + ",استعلام کتبی,بیمه کارکنان,تامین اجتماعی,۱۴۰۴/۰۲/۱۵,۱۴۰۴/۰۲/۲۰,حل شده,بله\n"
		ids := e.postCSV(t, path, sec, en, 201).json()["ids"].([]any)
		ids = append(ids, e.postCSV(t, path, sec, fa, 201).json()["ids"].([]any)...)
		var got []string
		for _, id := range ids {
			c := e.must(t, "GET", idPath("/api/v1/cases", id), sec, nil, 200)
			got = append(got, fmt.Sprint(c["channel"], " ", c["outcome"], " ", c["category"], " ", c["opened_on_jalali"], " ", c["confidential"]))
		}
		want := []string{"phone_inquiry resolved electricity 1404/02/11 false", "referral_national referred customs 1404/02/12 false",
			"written_inquiry resolved social_security 1404/02/15 true"}
		if !slices.Equal(got, want) {
			t.Fatalf("imported cases:\n%v\nwant\n%v", got, want)
		}
	})

	t.Run("a bad row writes nothing", func(t *testing.T) {
		file := "unit_national_id,channel,subject,opened_on,outcome\n" +
			u.NationalID + ",phone_inquiry,a,1404/02/01,resolved\n" +
			u.NationalID + ",phone_inquiry,b,1404/02/01,referred\n" + // line 3
			",phone_inquiry,c,1404/02/01,\n" + // line 4
			u.NationalID + ",fax,d,1404/02/31,\n" // line 5
		before := e.count("cases")
		r := e.postCSV(t, path, sec, file, 422)
		got := r.fieldErrors()
		if got["line 3: outcome"] != "referred_needs_referral" || got["line 4: unit_national_id"] != "required" ||
			got["line 5: channel"] != "invalid_choice" || len(got) != 3 || e.count("cases") != before {
			t.Fatalf("%s", r.body)
		}
	})

	t.Run("10,000 rows in one request", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("unit_national_id,channel,subject,category,opened_on,outcome\n")
		for i := range 10_000 {
			fmt.Fprintf(&b, "%s,written_inquiry,استعلام شماره %d درباره مجوز بهره‌برداری,permits,1404/%02d/%02d,resolved\n", u.NationalID, i, 1+i%12, 1+i%29)
		}
		r := e.postCSV(t, path, sec, b.String(), 201)
		if num(t, r.json()["count"]) != 10_000 {
			t.Fatalf("%s", r.body[:200])
		}
		f := e.must(t, "GET", "/api/v1/reports/registry?year=1404", sec, nil, 200)
		if num(t, f["cases_resolved_without_session"]) != 10_000+2 {
			t.Fatalf("resolved inquiries of 1404: %v", f["cases_resolved_without_session"])
		}
	})
}
