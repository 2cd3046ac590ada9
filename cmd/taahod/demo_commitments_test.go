package main

import (
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestDemoCommitments loads the demo and checks that it shows the flow:
// ten schools pledged in 1404 as the source reports, expenditures in both
// years and in every state, and books that verify.
func TestDemoCommitments(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	if code, _, stderr := runTaahod(t, "", "seed-demo"); code != 0 {
		t.Fatalf("seed-demo: %s", stderr)
	}
	first, last := taahod.FiscalYearBounds(1404)
	var pledged int
	if err := db.Get(&pledged, `SELECT count(DISTINCT school_id) FROM pledges WHERE pledged_on BETWEEN $1 AND $2`, first, last); err != nil || pledged != 10 {
		t.Fatalf("schools pledged in 1404: %d %v", pledged, err)
	}
	var statuses, years string
	if err := db.Get(&statuses, `SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM expenditures`); err != nil ||
		statuses != "approved,partially_approved,rejected,submitted,withdrawn" {
		t.Fatalf("statuses %q %v", statuses, err)
	}
	if err := db.Get(&years, `SELECT string_agg(DISTINCT fiscal_year::text, ',') FROM expenditures`); err != nil || years != "1403,1404" {
		t.Fatalf("fiscal years %q %v", years, err)
	}
	var handedOver, flagged, docs int
	_ = db.Get(&handedOver, `SELECT count(*) FROM schools WHERE status = 'handed_over'`)
	_ = db.Get(&flagged, `SELECT count(*) FROM expenditures WHERE exceeds_pledge`)
	_ = db.Get(&docs, `SELECT count(*) FROM expenditure_documents WHERE content_type = 'application/pdf'`)
	if handedOver != 1 || flagged != 1 || docs != 11 {
		t.Fatalf("handed over %d, flagged %d, documents %d", handedOver, flagged, docs)
	}
	// One expenditure was rejected, corrected and resubmitted: it waits in
	// the queue with its first round kept.
	var resubmitted int
	if err := db.Get(&resubmitted, `SELECT count(*) FROM expenditures e WHERE status = 'submitted'
		AND EXISTS (SELECT 1 FROM expenditure_reviews r WHERE r.expenditure_id = e.id AND r.status = 'rejected')`); err != nil || resubmitted != 1 {
		t.Fatalf("resubmitted: %d %v", resubmitted, err)
	}
	if code, out, _ := runTaahod(t, "", "verify"); code != 0 || !strings.Contains(out, "pledge totals") {
		t.Fatalf("verify: %d %s", code, out)
	}
}
