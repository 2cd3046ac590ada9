package registry_test

import (
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/dbtest"
)

// The database's fold (taahod_fold, which the search indexes are built on)
// is Go's taahod.FoldText: a query folded in Go finds text folded in SQL.
func TestSQLFoldIsFoldText(t *testing.T) {
	db := dbtest.New(t)
	for _, s := range []string{
		"شركت كاشي", "قزوين", "مصطفى", "  نان\u200cآوران   قزوین ", "INV-۰۰۱", "inv-٠٠١", "مـــصالح", "مُصالِح",
		"A\u200bB", "\ufeffx\u00a0y\u2003z\t\n", "Élan ÉCOLE", "پروژه‌ی ۱۲ کلاسه", "", "a\u200d\u200cb", "100% _x_ \\",
	} {
		var got string
		if err := db.Get(&got, `SELECT taahod_fold($1)`, s); err != nil {
			t.Fatal(err)
		}
		if want := taahod.FoldText(s); got != want {
			t.Errorf("taahod_fold(%q) = %q, FoldText = %q", s, got, want)
		}
	}
}

// Each search is answered from its trigram index, not by reading the
// table: with sequential scans off, the plan names the index.
func TestSearchIsIndexed(t *testing.T) {
	db := dbtest.New(t)
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	for index, where := range map[string]string{
		"units_search_name":           `SELECT id FROM units WHERE taahod_fold(name) LIKE '%' || $1 || '%'`,
		"units_national_id_prefix":    `SELECT id FROM units WHERE national_id LIKE $1 || '%'`,
		"schools_search_name":         `SELECT id FROM schools s WHERE taahod_fold(s.name) LIKE '%' || $1 || '%'`,
		"expenditures_search_invoice": `SELECT id FROM expenditures e WHERE e.invoice_key LIKE '%' || $1 || '%'`,
		"expenditures_search_vendor":  `SELECT id FROM expenditures e WHERE taahod_fold(e.vendor_name) LIKE '%' || $1 || '%'`,
		"resolutions_search_text":     `SELECT id FROM resolutions r WHERE taahod_fold(r.text) LIKE '%' || $1 || '%'`,
		"agencies_search_name":        `SELECT id FROM agencies a WHERE taahod_fold(a.name) LIKE '%' || $1 || '%'`,
		"cases_search_subject":        `SELECT id FROM cases c WHERE taahod_fold(c.subject) LIKE '%' || $1 || '%'`,
	} {
		var plan []string
		// The parameter's value is in the plan, as lib/pq's unnamed
		// statements are planned with it.
		if err := tx.Select(&plan, `EXPLAIN `+strings.Replace(where, "$1", "'قزوین'", 1)); err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(plan, "\n"); !strings.Contains(text, index) {
			t.Errorf("%s does not use %s:\n%s", where, index, text)
		}
	}
}

// The trigram indexes of expenditures, written by every submission, merge
// their pending list in small steps (migration 0020): a submission that
// passes GIN's default 4 MB limit merged thousands of entries inside its own
// statement, for seconds, and held the audit chain back that long.
func TestExpenditureSearchMergesInSmallSteps(t *testing.T) {
	db := dbtest.New(t)
	for _, index := range []string{"expenditures_search_invoice", "expenditures_search_vendor"} {
		var options []string
		if err := db.Select(&options, `SELECT unnest(reloptions) FROM pg_class WHERE relname = $1`, index); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(options, ","); got != "gin_pending_list_limit=256" {
			t.Errorf("%s has options %q, want gin_pending_list_limit=256", index, got)
		}
	}
}
