package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

func TestExpenditureMalformedAmounts(t *testing.T) {
	w := newWorld(t)
	auditBefore := w.count("audit_log")
	cases := []struct {
		name string
		raw  string // the amount's raw JSON
		code string
	}{
		{"zero", `"0"`, "not_positive"},
		{"zero_with_decimals", `"0.00"`, "not_positive"},
		{"negative", `"-1500"`, "not_positive"},
		{"negative_number", `-1500`, "not_positive"},
		{"three_decimals", `"1500.123"`, "too_many_decimals"},
		{"three_decimals_number", `1500.123`, "too_many_decimals"},
		{"nineteen_integer_digits", `"1234567890123456789"`, "too_large"},
		{"exponent", `"1.5e5"`, "exponent_not_allowed"},
		{"exponent_number", `1.5e5`, "exponent_not_allowed"},
		{"exponent_upper", `"15E3"`, "exponent_not_allowed"},
		{"nan", `"NaN"`, "not_a_number"},
		{"infinity", `"Infinity"`, "not_a_number"},
		{"minus_infinity", `"-Infinity"`, "not_a_number"},
		{"empty", `""`, "required"},
		{"null", `null`, "required"},
		{"whitespace", `" "`, "not_a_number"},
		{"padded", `" 1500 "`, "not_a_number"},
		{"comma_separators", `"1,500,000"`, "separators_not_allowed"},
		{"space_separators", `"1 500 000"`, "separators_not_allowed"},
		{"arabic_separator", `"1٬500"`, "separators_not_allowed"},
		{"persian_digits", `"۱۵۰۰"`, "non_ascii_digits"},
		{"arabic_indic_digits", `"١٥٠٠"`, "non_ascii_digits"},
		{"letters", `"abc"`, "not_a_number"},
		{"plus_sign", `"+1500"`, "not_a_number"},
		{"trailing_point", `"1500."`, "not_a_number"},
		{"leading_point", `".5"`, "not_a_number"},
		{"boolean", `true`, "not_a_number"},
		{"object", `{"value":"1500"}`, "not_a_number"},
		{"array", `["1500"]`, "not_a_number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := fmt.Sprintf(`{"pledge_id":%d,"amount":%s,"spent_on":"2025-10-01","invoice_no":"X-%s","vendor_name":"فروشنده","category":"other"}`,
				w.pledgeA, tc.raw, tc.name)
			r := w.do("POST", "/api/v1/expenditures", w.accA, body)
			if r.status != 422 || r.problemCode() != taahod.EINVALID || r.fieldErrors()["amount"] != tc.code {
				t.Fatalf("%s: %d %s", tc.raw, r.status, r.body)
			}
		})
	}
	t.Run("absent", func(t *testing.T) {
		r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, nil, "amount", nil))
		if r.status != 422 || r.fieldErrors()["amount"] != "required" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	if n := w.count("expenditures"); n != 0 {
		t.Fatalf("%d expenditures created by malformed requests", n)
	}
	if n := w.count("audit_log"); n != auditBefore {
		t.Fatalf("audit rows went from %d to %d", auditBefore, n)
	}
	var pledged string
	if err := w.db.Get(&pledged, `SELECT submitted_total::text FROM pledges WHERE id = $1`, w.pledgeA); err != nil || pledged != "0" {
		t.Fatalf("pledge total moved: %s %v", pledged, err)
	}
}

func TestExpenditureAmountIsExact(t *testing.T) {
	w := newWorld(t)
	big := w.mustPledge(w.admin, w.unitA.ID, w.school, "99999999999999999.99", "2025-04-01")
	for _, raw := range []string{`1234567890123.45`, `"1234567890123.45"`} {
		body := fmt.Sprintf(`{"pledge_id":%d,"amount":%s,"spent_on":"2025-10-01","invoice_no":"EXACT-%d","vendor_name":"v","category":"other"}`,
			big, raw, len(raw))
		r := w.do("POST", "/api/v1/expenditures", w.accA, body)
		if r.status != 201 || r.json()["amount"] != "1234567890123.45" {
			t.Fatalf("%s: %d %s", raw, r.status, r.body)
		}
		var stored string
		if err := w.db.Get(&stored, `SELECT amount::text FROM expenditures WHERE id = $1`, str(r.json()["id"])); err != nil || stored != "1234567890123.45" {
			t.Fatalf("stored %s %v", stored, err)
		}
	}
	r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(big, "1500.50"))
	if r.status != 201 || r.json()["amount"] != "1500.5" {
		t.Fatalf("canonical output: %s", r.body)
	}
	r = w.do("POST", "/api/v1/expenditures", w.accA, expenditure(big, "999999999999999999.99"))
	if r.status != 201 || r.json()["amount"] != "999999999999999999.99" {
		t.Fatalf("largest amount: %d %s", r.status, r.body)
	}
}

func TestExpenditureSubmission(t *testing.T) {
	w := newWorld(t)
	t.Run("answer", func(t *testing.T) {
		r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "1000", "spent_on", nil, "spent_on_jalali", "1404/07/09",
			"vendor_national_id", taahod.MakeLegalEntityID("1010999999")))
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["status"] != "submitted" || m["spent_on"] != "2025-10-01" || m["spent_on_jalali"] != "1404/07/09" ||
			str(m["fiscal_year"]) != "1404" || m["exceeds_pledge"] != false || str(m["unit_id"]) != str(w.unitA.ID) ||
			str(m["school_id"]) != str(w.school) || m["approved_amount"] != nil || m["created_at_jalali"] != "1404/09/05 13:30:00" {
			t.Fatalf("answer: %s", r.body)
		}
	})
	t.Run("fiscal year at the turn of the year", func(t *testing.T) {
		early := w.mustPledge(w.admin, w.unitA.ID, w.school, "1000000", "2025-01-01")
		for on, year := range map[string]string{"2025-03-20": "1403", "2025-03-21": "1404"} {
			r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(early, "10", "spent_on", on))
			if r.status != 201 || str(r.json()["fiscal_year"]) != year {
				t.Fatalf("%s: %d %s", on, r.status, r.body)
			}
		}
		r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(early, "10", "spent_on", nil, "spent_on_jalali", "1403/12/30"))
		if r.status != 201 || r.json()["spent_on"] != "2025-03-20" || str(r.json()["fiscal_year"]) != "1403" {
			t.Fatalf("1403/12/30: %d %s", r.status, r.body)
		}
	})
	refused := []struct {
		name   string
		body   map[string]any
		status int
		field  string
		code   string
	}{
		{"no such day", expenditure(w.pledgeA, "10", "spent_on", nil, "spent_on_jalali", "1404/12/30"), 422, "spent_on_jalali", "invalid_jalali_date"},
		{"jalali with persian digits that is no day", expenditure(w.pledgeA, "10", "spent_on", nil, "spent_on_jalali", "۱۴۰۴/۱۲/۳۰"), 422, "spent_on_jalali", "invalid_jalali_date"},
		{"gregorian as jalali", expenditure(w.pledgeA, "10", "spent_on", nil, "spent_on_jalali", "2025/10/01"), 422, "spent_on_jalali", "invalid_jalali_date"},
		{"bad iso date", expenditure(w.pledgeA, "10", "spent_on", "2025-02-29"), 422, "spent_on", "invalid_date"},
		{"date as a number", expenditure(w.pledgeA, "10", "spent_on", 20251001), 422, "spent_on", "wrong_type"},
		{"two dates that differ", expenditure(w.pledgeA, "10", "spent_on_jalali", "1404/07/10"), 422, "spent_on", "date_mismatch"},
		{"no date", expenditure(w.pledgeA, "10", "spent_on", nil), 422, "spent_on", "required"},
		{"tomorrow in Tehran", expenditure(w.pledgeA, "10", "spent_on", "2025-11-27"), 422, "spent_on", "in_future"},
		{"before the pledge", expenditure(w.pledgeA, "10", "spent_on", "2025-03-31"), 422, "spent_on", "before_pledge"},
		{"bad vendor national id", expenditure(w.pledgeA, "10", "vendor_national_id", "10102345670"), 422, "vendor_national_id", "invalid_national_id"},
		{"no invoice", expenditure(w.pledgeA, "10", "invoice_no", "  "), 422, "invoice_no", "required"},
		{"no vendor", expenditure(w.pledgeA, "10", "vendor_name", nil), 422, "vendor_name", "required"},
		{"bad category", expenditure(w.pledgeA, "10", "category", "travel"), 422, "category", "invalid_choice"},
		{"no pledge", expenditure(0, "10"), 422, "pledge_id", "required"},
		{"unknown pledge", expenditure(999999, "10"), 404, "pledge_id", "not_found"},
		{"another unit's pledge", expenditure(w.pledgeB, "10"), 404, "pledge_id", "not_found"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := w.count("expenditures")
			r := w.do("POST", "/api/v1/expenditures", w.accA, tc.body)
			if r.status != tc.status || r.fieldErrors()[tc.field] != tc.code {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if w.count("expenditures") != before {
				t.Fatal("an expenditure was created")
			}
		})
	}
	t.Run("today in Tehran is tomorrow in UTC", func(t *testing.T) {
		w.db.Now = func() time.Time { return time.Date(2025, 11, 26, 21, 0, 0, 0, time.UTC) } // 00:30 on the 27th in Tehran
		defer func() { w.db.Now = func() time.Time { return theNow } }()
		if r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "10", "spent_on", "2025-11-27")); r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "10", "spent_on", "2025-11-28")); r.status != 422 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("duplicate invoice", func(t *testing.T) {
		first := expenditure(w.pledgeA, "10", "invoice_no", "F-1001", "vendor_name", "شركت كاشي يزد")
		w.mustSubmit(w.accA, first)
		for name, body := range map[string]map[string]any{
			"same":                         expenditure(w.pledgeA, "20", "invoice_no", "F-1001", "vendor_name", "شركت كاشي يزد"),
			"vendor spelt the Persian way": expenditure(w.pledgeA, "20", "invoice_no", "f-۱۰۰۱", "vendor_name", " شرکت  کاشی یزد "),
		} {
			r := w.do("POST", "/api/v1/expenditures", w.accA, body)
			if r.status != 409 || r.problemCode() != taahod.ECONFLICT || r.fieldErrors()["invoice_no"] != "duplicate" {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
		}
		// Another vendor, or another unit, may have the same number.
		w.mustSubmit(w.accA, expenditure(w.pledgeA, "20", "invoice_no", "F-1001", "vendor_name", "آهن‌آلات قزوین"))
		w.mustSubmit(w.accB, expenditure(w.pledgeB, "20", "invoice_no", "F-1001", "vendor_name", "شركت كاشي يزد"))
		// A vendor named by its national id is another key than by name.
		nid := taahod.MakeLegalEntityID("1010888888")
		w.mustSubmit(w.accA, expenditure(w.pledgeA, "20", "invoice_no", "N-1", "vendor_name", "الف", "vendor_national_id", nid))
		r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "20", "invoice_no", "N-1", "vendor_name", "نام دیگر", "vendor_national_id", nid))
		if r.status != 409 {
			t.Fatalf("same vendor national id: %d %s", r.status, r.body)
		}
	})
	t.Run("exceeds pledge", func(t *testing.T) {
		small := w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-04-01")
		flags := []bool{}
		for _, amount := range []string{"600", "400", "0.01", "5"} {
			r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(small, amount))
			if r.status != 201 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			flags = append(flags, r.json()["exceeds_pledge"].(bool))
		}
		if fmt.Sprint(flags) != "[false false true true]" {
			t.Fatalf("flags %v", flags)
		}
		p := w.get(fmt.Sprintf("/api/v1/pledges/%d", small), w.accA)
		if p["submitted_total"] != "1005.01" {
			t.Fatalf("pledge: %v", p)
		}
	})
	t.Run("cancelled pledge", func(t *testing.T) {
		doomed := w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-04-01")
		if r := w.do("POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", doomed), w.sec, map[string]any{"reason": "انصراف واحد"}); r.status != 200 {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(doomed, "10"))
		if r.status != 409 || r.fieldErrors()["pledge_id"] != "pledge_cancelled" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("only accountants submit", func(t *testing.T) {
		for _, token := range []string{w.admin, w.tax, w.edu, w.sec, w.aud} {
			if r := w.do("POST", "/api/v1/expenditures", token, expenditure(w.pledgeA, "10")); r.status != 403 {
				t.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
}

func TestExpenditureEditAndWithdraw(t *testing.T) {
	w := newWorld(t)
	small := w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-04-01")
	id := w.mustSubmit(w.accA, expenditure(small, "800", "invoice_no", "E-1"))
	path := fmt.Sprintf("/api/v1/expenditures/%d", id)

	r := w.do("PATCH", path, w.accA, map[string]any{"amount": "1200", "spent_on_jalali": "1404/07/01", "description": nil, "vendor_national_id": nil})
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	m := r.json()
	if m["amount"] != "1200" || m["spent_on"] != "2025-09-23" || m["exceeds_pledge"] != true || m["description"] != nil {
		t.Fatalf("edited: %s", r.body)
	}
	if p := w.get(fmt.Sprintf("/api/v1/pledges/%d", small), w.accA); p["submitted_total"] != "1200" {
		t.Fatalf("pledge after edit: %v", p)
	}
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"bad amount":    {map[string]any{"amount": "12.345"}, "amount"},
		"cleared name":  {map[string]any{"vendor_name": nil}, "vendor_name"},
		"future date":   {map[string]any{"spent_on": "2025-12-01"}, "spent_on"},
		"before pledge": {map[string]any{"spent_on": "2025-03-01"}, "spent_on"},
	} {
		if r := w.do("PATCH", path, w.accA, tc.body); r.status != 422 || r.fieldErrors()[tc.field] == "" {
			t.Fatalf("%s: %d %s", name, r.status, r.body)
		}
	}
	w.mustSubmit(w.accA, expenditure(small, "1", "invoice_no", "E-2"))
	if r := w.do("PATCH", path, w.accA, map[string]any{"invoice_no": "e-2"}); r.status != 409 || r.fieldErrors()["invoice_no"] != "duplicate" {
		t.Fatalf("edit onto another invoice: %d %s", r.status, r.body)
	}
	if r := w.do("PATCH", path, w.accB, map[string]any{"amount": "1"}); r.status != 404 {
		t.Fatalf("another unit's accountant: %d", r.status)
	}
	if r := w.do("PATCH", path, w.tax, map[string]any{"amount": "1"}); r.status != 403 {
		t.Fatalf("tax officer edits: %d", r.status)
	}

	r = w.do("POST", path+"/withdraw", w.accA, nil)
	if r.status != 200 || r.json()["status"] != "withdrawn" {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	if p := w.get(fmt.Sprintf("/api/v1/pledges/%d", small), w.accA); p["submitted_total"] != "1" {
		t.Fatalf("pledge after withdrawal: %v", p)
	}
	if r := w.do("POST", path+"/withdraw", w.accA, map[string]any{"reason": "again"}); r.status != 409 {
		t.Fatalf("withdraw twice: %d", r.status)
	}
	if r := w.do("PATCH", path, w.accA, map[string]any{"amount": "5"}); r.status != 409 {
		t.Fatalf("edit withdrawn: %d", r.status)
	}
	// Its invoice may be submitted again.
	w.mustSubmit(w.accA, expenditure(small, "800", "invoice_no", "E-1"))

	reviewed := w.withEvidence(w.mustSubmit(w.accA, expenditure(small, "5")))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", reviewed), w.tax, map[string]any{"decision": "approve"}); r.status != 200 {
		t.Fatalf("review: %d %s", r.status, r.body)
	}
	rp := fmt.Sprintf("/api/v1/expenditures/%d", reviewed)
	if r := w.do("PATCH", rp, w.accA, map[string]any{"amount": "6"}); r.status != 409 {
		t.Fatalf("edit reviewed: %d %s", r.status, r.body)
	}
	if r := w.do("POST", rp+"/withdraw", w.accA, nil); r.status != 409 {
		t.Fatalf("withdraw reviewed: %d %s", r.status, r.body)
	}
}

func TestExpenditureList(t *testing.T) {
	w := newWorld(t)
	other := w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{"name": "هنرستان فنی آبیک", "kind": "educational_center", "county": "آبیک"}))
	early := w.mustPledge(w.admin, w.unitA.ID, other, "1000000", "2024-05-01")
	ids := map[string]int64{
		"a1403": w.mustSubmit(w.accA, expenditure(early, "10", "spent_on", "2024-06-01")),
		"a1404": w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "10", "spent_on", "2025-06-01"))),
		"b1404": w.mustSubmit(w.accB, expenditure(w.pledgeB, "10", "spent_on", "2025-07-01")),
	}
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", ids["a1404"]), w.tax, map[string]any{"decision": "approve"})
	list := func(token, query string) []string {
		t.Helper()
		m := w.get("/api/v1/expenditures"+query, token)
		var got []string
		for _, it := range m["items"].([]any) {
			id := str(it.(map[string]any)["id"])
			for k, v := range ids {
				if str(v) == id {
					got = append(got, k)
				}
			}
		}
		return got
	}
	for _, tc := range []struct{ token, query, want string }{
		{w.tax, "", "[a1403 a1404 b1404]"},
		{w.accA, "", "[a1403 a1404]"},
		{w.accB, "", "[b1404]"},
		{w.accB, fmt.Sprintf("?unit_id=%d", w.unitA.ID), "[]"},
		{w.tax, fmt.Sprintf("?unit_id=%d", w.unitB.ID), "[b1404]"},
		{w.tax, fmt.Sprintf("?pledge_id=%d", early), "[a1403]"},
		{w.tax, fmt.Sprintf("?school_id=%d", w.school), "[a1404 b1404]"},
		{w.tax, "?status=approved", "[a1404]"},
		{w.tax, "?status=submitted", "[a1403 b1404]"},
		{w.tax, "?fiscal_year=1403", "[a1403]"},
		{w.tax, "?fiscal_year=1404", "[a1404 b1404]"},
		{w.tax, "?spent_from=2025-06-01&spent_to=2025-06-30", "[a1404]"},
		{w.tax, "?spent_from=1404/04/01", "[b1404]"},
		{w.edu, "?fiscal_year=1404", "[a1404 b1404]"},
	} {
		if got := fmt.Sprint(list(tc.token, tc.query)); got != tc.want && !(tc.want == "[]" && got == "[]") {
			t.Errorf("%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	for _, q := range []string{"?status=paid", "?fiscal_year=abc", "?spent_from=2025-13-01", "?unit_id=-1", "?spent_to=1404/12/30"} {
		if r := w.do("GET", "/api/v1/expenditures"+q, w.tax, nil); r.status != 422 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
	if r := w.do("GET", fmt.Sprintf("/api/v1/expenditures/%d", ids["b1404"]), w.accA, nil); r.status != 404 {
		t.Errorf("another unit's expenditure: %d", r.status)
	}
}
