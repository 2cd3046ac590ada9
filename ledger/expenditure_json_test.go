package ledger

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TestExpenditureJSON holds the hand-written MarshalJSON to what
// encoding/json writes for the same fields and their Jalali twins.
func TestExpenditureJSON(t *testing.T) {
	reviewed := time.Date(2025, 11, 26, 10, 0, 0, 123456000, time.UTC)
	reason, nid, desc := "دلیل \"ویژه\"\n\t\\ <b>&\x01", "10862345671", "توضیح"
	by := UserRef{ID: 9, FullName: "مریم \"رضایی\""}
	withdrawn := reviewed.Add(time.Hour)
	cases := []Expenditure{
		{ID: 1, PledgeID: 2, UnitID: 3, SchoolID: 4, Amount: decimal.RequireFromString("1500.50"),
			SpentOn: taahod.MustParseDate("2025-10-01"), FiscalYear: 1404, InvoiceNo: "F-۱", VendorName: "شرکت",
			Category: CategoryLand, Status: StatusSubmitted, SubmittedBy: UserRef{ID: 5, FullName: "acc"},
			SubmittedAt: reviewed, CreatedAt: time.Date(2025, 3, 20, 20, 30, 0, 0, time.UTC), UpdatedAt: reviewed,
			Reviews: []ReviewRound{}},
		{ID: 2, PledgeID: 2, UnitID: 3, SchoolID: 4, Amount: decimal.RequireFromString("7"),
			SpentOn: taahod.MustParseDate("2025-10-01"), FiscalYear: 1404, InvoiceNo: "F-2", VendorName: "شرکت",
			Category: CategoryLand, Status: StatusWithdrawn, SubmittedBy: UserRef{ID: 5, FullName: "acc"},
			WithdrawalReason: &desc, WithdrawnBy: &UserRef{ID: 5, FullName: "acc"}, WithdrawnAt: &withdrawn,
			SubmittedAt: reviewed, CreatedAt: reviewed, UpdatedAt: withdrawn,
			Reviews: []ReviewRound{{Decision: DecisionReject, Status: StatusRejected, Amount: decimal.RequireFromString("7"),
				Reason: &reason, Reviewer: &by, At: reviewed}}},
		{ID: 10, PledgeID: 20, UnitID: 30, SchoolID: 40, Amount: decimal.RequireFromString("999999999999999999.99"),
			SpentOn: taahod.MustParseDate("2025-03-20"), FiscalYear: 1403, InvoiceNo: `a"b\c`, VendorName: "v",
			VendorNationalID: &nid, Category: CategoryOther, Description: &desc, Status: StatusPartiallyApproved,
			ExceedsPledge: true, ApprovedAmount: decimal.NullDecimal{Decimal: decimal.RequireFromString("10.5"), Valid: true},
			ReviewReason: &reason, ReviewedBy: &by, ReviewedAt: &reviewed, SubmittedBy: UserRef{ID: 6, FullName: "x"},
			SubmittedAt: reviewed.In(taahod.Tehran()), CreatedAt: reviewed.In(taahod.Tehran()), UpdatedAt: reviewed,
			Reviews: []ReviewRound{
				{Decision: DecisionApprove, Status: StatusPartiallyApproved, Amount: decimal.RequireFromString("999999999999999999.99"),
					ApprovedAmount: decimal.NullDecimal{Decimal: decimal.RequireFromString("10.5"), Valid: true},
					Reason:         &reason, Reviewer: &by, At: reviewed},
				{Decision: DecisionReject, Status: StatusRejected, Amount: decimal.RequireFromString("5"), At: withdrawn},
			}},
	}
	for _, e := range cases {
		type plain Expenditure
		want, err := json.Marshal(struct {
			plain
			SpentOnJalali     string  `json:"spent_on_jalali"`
			ReviewedAtJalali  *string `json:"reviewed_at_jalali"`
			ReversedAtJalali  *string `json:"reversed_at_jalali"`
			WithdrawnAtJalali *string `json:"withdrawn_at_jalali"`
			SubmittedAtJalali *string `json:"submitted_at_jalali"`
			CreatedAtJalali   *string `json:"created_at_jalali"`
			UpdatedAtJalali   *string `json:"updated_at_jalali"`
		}{plain(e), e.SpentOn.Jalali(), taahod.JalaliTimePtr(e.ReviewedAt), taahod.JalaliTimePtr(e.ReversedAt), taahod.JalaliTimePtr(e.WithdrawnAt),
			taahod.JalaliTimePtr(&e.SubmittedAt), taahod.JalaliTimePtr(&e.CreatedAt), taahod.JalaliTimePtr(&e.UpdatedAt)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		// encoding/json escapes <, > and & for HTML; the answers need not.
		want = []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(want)))
		if !bytes.Equal(got, want) {
			t.Errorf("hand-written\n%s\nencoding/json\n%s", got, want)
		}
		if !json.Valid(got) {
			t.Errorf("not JSON: %s", got)
		}
		// A submission's answer is rendered before its statement with
		// holes, which the statement fills with the values' text: filled,
		// it is the answer.
		filled := strings.NewReplacer(database.Hole(holeID), strconv.FormatInt(e.ID, 10),
			database.Hole(holeUnitID), strconv.FormatInt(e.UnitID, 10), database.Hole(holeSchoolID), strconv.FormatInt(e.SchoolID, 10),
			database.Hole(holeExceedsPledge), strconv.FormatBool(e.ExceedsPledge)).Replace(string(e.appendJSON(nil, true)))
		if filled != string(got) {
			t.Errorf("with holes filled\n%s\nanswer\n%s", filled, got)
		}
	}
	// The rounds, which the expenditure's encoding/json form writes with
	// their own MarshalJSON, held to encoding/json in turn.
	for _, e := range cases {
		for _, r := range e.Reviews {
			type plain ReviewRound
			want, err := json.Marshal(struct {
				plain
				AtJalali *string `json:"at_jalali"`
			}{plain(r), taahod.JalaliTimePtr(&r.At)})
			if err != nil {
				t.Fatal(err)
			}
			want = []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(want)))
			got, _ := r.MarshalJSON()
			if !bytes.Equal(got, want) {
				t.Errorf("round hand-written\n%s\nencoding/json\n%s", got, want)
			}
		}
	}
	// An expenditure read without its rounds still answers a list.
	got, err := Expenditure{Reviews: nil}.MarshalJSON()
	if err != nil || !bytes.Contains(got, []byte(`"reviews":[]`)) {
		t.Errorf("reviews of nil: %s %v", got, err)
	}
}
