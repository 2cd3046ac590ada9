package registry

import (
	"encoding/json"
	"testing"

	"github.com/taahod/taahod"
)

// TestFigureRowJSON: a row is its record with row_kind first, so that the
// OpenAPI document's discriminator can tell the kinds apart, and a
// session's own kind stays as it is.
func TestFigureRowJSON(t *testing.T) {
	for _, tc := range []struct {
		row  FigureRow
		want string
	}{
		{FigureRow{3, RowPledgedSchool, PledgedSchool{SchoolID: 3, Name: "s", Kind: "school", County: "c", Pledges: 2,
			FirstPledgedOn: taahod.MustParseDate("2025-04-01"), FirstPledgedOnJalali: "1404/01/12"}},
			`{"row_kind":"pledged_school","school_id":3,"name":"s","kind":"school","county":"c","pledges":2,` +
				`"first_pledged_on":"2025-04-01","first_pledged_on_jalali":"1404/01/12"}`},
		{FigureRow{1, RowExaminedUnit, ExaminedUnit{Resolutions: 2, UnitWithheld: true}},
			`{"row_kind":"examined_unit","unit_id":null,"name":null,"county":null,"resolutions":2,"unit_withheld":true}`},
		{FigureRow{1, RowSession, struct{}{}}, `{"row_kind":"session"}`},
	} {
		got, err := json.Marshal(tc.row)
		if err != nil || string(got) != tc.want {
			t.Errorf("got %s (%v), want %s", got, err, tc.want)
		}
	}
	if _, err := json.Marshal(FigureRow{1, RowCase, []int{1}}); err == nil {
		t.Error("a row that is not an object was written")
	}
}
