package registry

import (
	"strings"
	"testing"
)

// TestTwoYearsEqualSeesEveryCount: the public home sends its last
// rendering while TwoYears.Equal holds, so a change of any one figure of
// either year, or of any one category's count, must make it false.
func TestTwoYearsEqualSeesEveryCount(t *testing.T) {
	values := func() []int {
		v := make([]int, len(figureDefs))
		for i := range v {
			v[i] = 10 + i
		}
		return v
	}
	categories := func() categoryList {
		c, err := parseCategoryCounts("tax implemented 3,banking notified 2,tax cancelled 1")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	two := func() TwoYears {
		return TwoYears{Figures: makeFigures(1404, values()), Previous: makeFigures(1403, values()), ByCategory: categories()}
	}
	if !two().Equal(two()) {
		t.Fatal("the same figures read twice are not Equal")
	}
	for i, f := range figureDefs {
		changed := values()
		changed[i]++
		this, prev := two(), two()
		this.Figures = makeFigures(1404, changed)
		prev.Previous = makeFigures(1403, changed)
		if this.Equal(two()) || two().Equal(this) {
			t.Errorf("a change of %s in the year is not seen", f.name)
		}
		if prev.Equal(two()) {
			t.Errorf("a change of %s in the year before is not seen", f.name)
		}
	}
	other := two()
	other.Previous = makeFigures(1402, values())
	if other.Equal(two()) {
		t.Error("the same counts of another year are Equal")
	}
	for i := range categories() {
		c := two()
		c.ByCategory = categories()
		c.ByCategory[i].Statuses.add(StatusInFollowUp, 1)
		if c.Equal(two()) {
			t.Errorf("a change of category %s is not seen", c.ByCategory[i].Category)
		}
	}
}

// TestParseCategoryCounts reads the categories' column of the public
// home's statement and refuses anything else.
func TestParseCategoryCounts(t *testing.T) {
	got, err := parseCategoryCounts("tax implemented 3,banking notified 2,tax cancelled 1")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]StatusCounts{}
	for _, c := range got {
		counts[c.Category] = c.Statuses
	}
	if len(got) != len(Categories) {
		t.Errorf("%d categories, want every one of %d", len(got), len(Categories))
	}
	if c := counts["tax"]; c.Total != 4 || c.Implemented != 3 || c.Cancelled != 1 {
		t.Errorf("tax: %+v", c)
	}
	if c := counts["banking"]; c.Total != 2 || c.Notified != 2 {
		t.Errorf("banking: %+v", c)
	}
	if empty, err := parseCategoryCounts(""); err != nil || len(empty) != len(Categories) || empty[0].Statuses.Total != 0 {
		t.Errorf("no categories: %v, %v", empty, err)
	}
	for _, bad := range []string{"tax implemented", "tax implemented x", "tax implemented 3,", "tax  3", strings.Repeat(" ", 3)} {
		if _, err := parseCategoryCounts(bad); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
}
