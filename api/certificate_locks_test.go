package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// TestIssueRendersWithoutLocks checks that a certificate is rendered and
// signed while its issue holds no lock that other writers wait for: not the
// unit's books, not the province-year's serial counter, not the valid
// certificate it supersedes. At each rendering another connection tries to
// take each of them without waiting.
func TestIssueRendersWithoutLocks(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	first := w.mustIssue(w.unitA.ID) // the counter's row and a valid certificate now exist

	ctx := context.Background()
	try := func(what string, fn func(tx *database.Tx) error) string {
		err := w.db.Transact(ctx, func(tx *database.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '200ms'`); err != nil {
				return err
			}
			return fn(tx)
		})
		if err != nil {
			return fmt.Sprintf("%s: %v", what, err)
		}
		return ""
	}
	var held []string
	renders := 0
	w.srv.certificates.Rendered = func() {
		renders++
		for _, msg := range []string{
			try("the unit's books", func(tx *database.Tx) error { return ledger.LockUnitBooks(ctx, tx, w.unitA.ID) }),
			try("the serial counter", func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT last_seq FROM certificate_counters WHERE province = 'QZV' AND fiscal_year = 1404 FOR UPDATE`)
				return err
			}),
			try("the superseded certificate", func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT id FROM certificates WHERE serial = $1 FOR UPDATE`, first["serial"])
				return err
			}),
		} {
			if msg != "" {
				held = append(held, msg)
			}
		}
	}
	defer func() { w.srv.certificates.Rendered = nil }()

	second := w.mustIssue(w.unitA.ID)
	if second["serial"] != "QZV-1404-000002" || second["supersedes"] != first["serial"] {
		t.Fatalf("second certificate: %v", second)
	}
	if len(held) > 0 {
		t.Errorf("locks held while the certificate was rendered: %v", held)
	}
	if renders != 1 {
		t.Errorf("rendered %d times for one uncontended issue, want once", renders)
	}
	// What was drafted before the locks is what `taahod verify` renders
	// again from the stored facts.
	if _, findings, err := certificate.VerifyCertificates(ctx, w.db); err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", findings, err)
	}
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM certificates`); err != nil || n != 2 {
		t.Fatalf("%d certificates, %v", n, err)
	}
}

// TestIssueDoesNotBlockWritersOfTheUnit: while a certificate of unit A is
// rendered (made slow by the Rendered hook, which waits up to writersWait
// for the writers), other writers of the same unit and province-year run
// to the end: an assessment of A's next year (the unit's books), a change
// of A's record (the unit's row), a review decision on A's expenditure and
// the issue of unit B's certificate of the same year (the serial counter).
// The order is checked, not the time: the writers must all have answered
// before the rendering of A's draft returns. A writer that waited for a
// lock held while rendering would answer only after A's issue committed.
func TestIssueDoesNotBlockWritersOfTheUnit(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	w.approved(w.accB, w.pledgeB, "5000000")
	w.assess(w.unitB.ID, "9000000")
	w.runOffset(w.unitB.ID)
	first := w.mustIssue(w.unitA.ID) // the counter's row and a valid certificate now exist
	// An expenditure of A waiting for its review, which will reject it
	// (an approval would change what A's certificate states).
	next := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "700000")))

	const writersWait = 20 * time.Second
	var (
		mu       sync.Mutex
		events   []string
		statuses = map[string]int{}
		renders  atomic.Int32
	)
	note := func(e string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	writersDone := make(chan struct{})
	w.srv.certificates.Rendered = func() {
		if renders.Add(1) != 1 {
			return // B's certificate, and A's draft again once B took its serial
		}
		go func() {
			defer close(writersDone)
			var wg sync.WaitGroup
			for name, req := range map[string]func() response{
				"assess A 1405": func() response {
					return w.do("PUT", fmt.Sprintf("/api/v1/units/%d/tax-years/1405", w.unitA.ID), w.tax, map[string]any{"tax_due": "100000"})
				},
				"update unit A": func() response {
					return w.do("PATCH", fmt.Sprintf("/api/v1/units/%d", w.unitA.ID), w.sec, map[string]any{"activity": "فولادسازی"})
				},
				"review A's expenditure": func() response {
					return w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", next), w.tax, map[string]any{"decision": "reject", "reason": "فاکتور ناخوانا است"})
				},
				"issue B": func() response { return w.issue(w.unitB.ID) },
			} {
				wg.Go(func() {
					r := req()
					mu.Lock()
					statuses[name] = r.status
					mu.Unlock()
				})
			}
			wg.Wait()
			note("writers answered")
		}()
		select {
		case <-writersDone:
		case <-time.After(writersWait):
		}
		note("A's draft rendered")
	}
	defer func() { w.srv.certificates.Rendered = nil }()

	second := w.mustIssue(w.unitA.ID)
	<-writersDone
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0] != "writers answered" {
		t.Errorf("events %q: the writers waited for the rendering of A's certificate", events)
	}
	for name, want := range map[string]int{"assess A 1405": 200, "update unit A": 200, "review A's expenditure": 200, "issue B": 201} {
		if statuses[name] != want {
			t.Errorf("%s: %d, want %d", name, statuses[name], want)
		}
	}
	// B took the serial A's first draft printed: A's certificate was
	// drafted again with the next one.
	if second["serial"] != "QZV-1404-000003" || second["supersedes"] != first["serial"] {
		t.Errorf("A's second certificate: serial %v, supersedes %v", second["serial"], second["supersedes"])
	}
	if n := renders.Load(); n != 3 {
		t.Errorf("%d renderings, want 3 (A's draft, B's, A's again)", n)
	}
	if _, findings, err := certificate.VerifyCertificates(context.Background(), w.db); err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", findings, err)
	}
}

// TestIssueRedraftsWhenFactsChange changes, while a certificate is
// rendered, what it states: the unit's name, the offset (more spending
// approved and run), the tax due, and then the books so that the offset
// needs a new run (spending approved but not run). The issue never stores the draft of the old facts: it drafts
// again and certifies the new ones, or, when the new ones cannot be
// certified or keep changing, fails with nothing written and no serial
// used.
func TestIssueRedraftsWhenFactsChange(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	more := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000000")))
	unrun := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "2000000")))

	// during makes fn the change that happens while the next certificate's
	// first draft is rendered; it returns how many renderings there were.
	during := func(fn func() string) *atomic.Int32 {
		var renders atomic.Int32
		w.srv.certificates.Rendered = func() {
			if renders.Add(1) != 1 {
				return
			}
			// In a goroutine, so that a change that waited for a lock held
			// now would show as a failure rather than hang the test.
			done := make(chan string, 1)
			go func() { done <- fn() }()
			select {
			case msg := <-done:
				if msg != "" {
					t.Errorf("the change during rendering: %s", msg)
				}
			case <-time.After(20 * time.Second):
				t.Error("the change during rendering waited for the issue")
			}
		}
		return &renders
	}
	defer func() { w.srv.certificates.Rendered = nil }()
	expect := func(r response, want int) string {
		if r.status != want {
			return fmt.Sprintf("%d %s", r.status, r.body)
		}
		return ""
	}

	t.Run("unit renamed", func(t *testing.T) {
		renders := during(func() string {
			return expect(w.do("PATCH", fmt.Sprintf("/api/v1/units/%d", w.unitA.ID), w.sec, map[string]any{"name": "فولاد البرز نوین"}), 200)
		})
		c := w.mustIssue(w.unitA.ID)
		if c["unit_name"] != "فولاد البرز نوین" {
			t.Errorf("the certificate names the unit %v, not its new name", c["unit_name"])
		}
		if c["serial"] != "QZV-1404-000001" || renders.Load() != 2 {
			t.Errorf("serial %v after %d renderings, want QZV-1404-000001 after 2", c["serial"], renders.Load())
		}
	})

	t.Run("offset changed", func(t *testing.T) {
		renders := during(func() string {
			if msg := expect(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", more), w.tax, map[string]any{"decision": "approve"}), 200); msg != "" {
				return "approve: " + msg
			}
			return expect(w.do("POST", fmt.Sprintf("/api/v1/units/%d/tax-years/1404/offset", w.unitA.ID), w.tax, nil), 200)
		})
		c := w.mustIssue(w.unitA.ID)
		if c["offset_amount"] != "1235567890.5" {
			t.Errorf("the certificate states an offset of %v, not the new 1235567890.5", c["offset_amount"])
		}
		if c["serial"] != "QZV-1404-000002" || c["supersedes"] != "QZV-1404-000001" || renders.Load() != 2 {
			t.Errorf("serial %v superseding %v after %d renderings", c["serial"], c["supersedes"], renders.Load())
		}
	})

	t.Run("tax due changed", func(t *testing.T) {
		during(func() string {
			return expect(w.do("PUT", fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitA.ID), w.tax, map[string]any{"tax_due": "40000000000"}), 200)
		})
		c := w.mustIssue(w.unitA.ID)
		if c["tax_due"] != "40000000000" || c["serial"] != "QZV-1404-000003" {
			t.Errorf("certificate %v states a tax due of %v, not the new 40000000000", c["serial"], c["tax_due"])
		}
	})

	t.Run("offset needs a new run", func(t *testing.T) {
		during(func() string {
			return expect(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", unrun), w.tax, map[string]any{"decision": "approve"}), 200)
		})
		r := w.issue(w.unitA.ID)
		if r.status != http.StatusConflict || r.json()["code"] != "offset_needs_run" {
			t.Fatalf("issue after more spending was approved: %d %.300s, want 409 offset_needs_run", r.status, r.body)
		}
		var n, last int
		if err := w.db.Get(&n, `SELECT count(*) FROM certificates`); err != nil || n != 3 {
			t.Fatalf("%d certificates after the refused issue, %v", n, err)
		}
		if err := w.db.Get(&last, `SELECT last_seq FROM certificate_counters WHERE fiscal_year = 1404`); err != nil || last != 3 {
			t.Fatalf("the counter is at %d after the refused issue, %v", last, err)
		}
		w.srv.certificates.Rendered = nil
		w.runOffset(w.unitA.ID)
		if c := w.mustIssue(w.unitA.ID); c["serial"] != "QZV-1404-000004" || c["offset_amount"] != "1237567890.5" {
			t.Errorf("the next certificate is %v of %v, want QZV-1404-000004 of 1237567890.5", c["serial"], c["offset_amount"])
		}
	})
	t.Run("facts keep changing", func(t *testing.T) {
		var renders atomic.Int32
		w.srv.certificates.Rendered = func() {
			n := renders.Add(1)
			r := w.do("PATCH", fmt.Sprintf("/api/v1/units/%d", w.unitA.ID), w.sec, map[string]any{"name": fmt.Sprintf("فولاد البرز %d", n)})
			if r.status != 200 {
				t.Errorf("rename %d: %d %s", n, r.status, r.body)
			}
		}
		r := w.issue(w.unitA.ID)
		w.srv.certificates.Rendered = nil
		if r.status != http.StatusConflict || r.json()["code"] != "conflict" {
			t.Fatalf("issue while the unit is renamed at every rendering: %d %.300s, want 409 conflict", r.status, r.body)
		}
		if n := renders.Load(); n != 64 {
			t.Errorf("gave up after %d renderings, want 64", n)
		}
		var n, last int
		if err := w.db.Get(&n, `SELECT count(*) FROM certificates`); err != nil || n != 4 {
			t.Fatalf("%d certificates after the refused issue, %v", n, err)
		}
		if err := w.db.Get(&last, `SELECT last_seq FROM certificate_counters WHERE fiscal_year = 1404`); err != nil || last != 4 {
			t.Fatalf("the counter is at %d after the refused issue, %v", last, err)
		}
	})
	if _, findings, err := certificate.VerifyCertificates(context.Background(), w.db); err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", findings, err)
	}
}
