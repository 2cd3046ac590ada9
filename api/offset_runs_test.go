package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

// The year-end run of the whole province (POST /tax-years/{year}/offset-runs):
// every unit with an assessment and approved spending offset in the
// background, a failing unit listed and the others posted, one run of a year
// at a time, a run left by a dead server taken over.

// unitBooksLockBase is ledger.LockUnitBooks' advisory key range: a test that
// holds a unit's key keeps the run waiting at that unit.
const unitBooksLockBase = 1_720_000_000_000_000_000

// waitOffsetRun polls the run until it is no longer running (at most a
// minute: a bound on a hang, not a measure of speed) and returns it.
func (w *world) waitOffsetRun(path string) map[string]any {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		m := w.get(path, w.tax)
		if m["status"] != "running" {
			return m
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("the run is still running after a minute: %v", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// auditActions returns the actions of the audit entries on target type and
// id, waiting (bounded) until want of them are there: entries may be chained
// a moment after their commit.
func (w *world) auditActions(targetType, targetID string, want int) []string {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		items := w.get("/api/v1/audit?order=oldest&limit=500&target_type="+targetType+"&target_id="+targetID, w.aud)["items"].([]any)
		var out []string
		for _, it := range items {
			out = append(out, it.(map[string]any)["action"].(string))
		}
		if len(out) >= want || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProvinceOffsetRun(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A third unit with spending, and a fourth assessed with none (not run).
	unitC := w.mustCreateUnit("سیمان ابهر", "1010456789")
	accC := w.userToken("acc-c", taahod.RoleAccountant, unitC.ID)
	pledgeC := w.mustPledge(w.admin, unitC.ID, w.school, "9000000", "2025-04-01")
	unitD := w.mustCreateUnit("لبنیات بوئین‌زهرا", "1010567890")

	// The year has no policy yet: nothing starts.
	if r := w.do("POST", "/api/v1/tax-years/1404/offset-runs", w.tax, nil); r.status != 409 || r.problemCode() != "no_offset_policy" {
		t.Fatalf("without a policy: %d %s", r.status, r.body)
	}
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1000")
	w.approved(w.accA, w.pledgeA, "500.25")
	w.approved(w.accB, w.pledgeB, "2000")
	w.approved(accC, pledgeC, "700")
	w.assess(w.unitA.ID, "1200")
	w.assess(w.unitB.ID, "5000")
	w.assess(unitC.ID, "300.5")
	w.assess(unitD.ID, "800")

	// Unit B's run is refused, after it has posted: its whole transaction
	// must go, and the run go on.
	if _, err := w.db.Exec(fmt.Sprintf(`
		CREATE FUNCTION test_refuse_unit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.unit_id = %d AND NEW.run_at IS DISTINCT FROM OLD.run_at THEN
				RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation', CONSTRAINT = 'test_refuses_unit';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_refuse_unit BEFORE UPDATE ON tax_years FOR EACH ROW EXECUTE FUNCTION test_refuse_unit();`, w.unitB.ID)); err != nil {
		t.Fatal(err)
	}

	t.Run("who may start and follow it", func(t *testing.T) {
		for _, tok := range []string{w.admin, w.sec, w.edu, w.aud, w.accA} {
			if r := w.do("POST", "/api/v1/tax-years/1404/offset-runs", tok, nil); r.status != 403 {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
		}
		for _, tok := range []string{w.admin, w.sec, w.edu, w.accA} {
			if r := w.do("GET", "/api/v1/tax-years/1404/offset-runs/1", tok, nil); r.status != 403 {
				t.Fatalf("GET: %d %s", r.status, r.body)
			}
		}
		if r := w.do("GET", "/api/v1/tax-years/1404/offset-runs/999999", w.aud, nil); r.status != 404 {
			t.Fatalf("unknown run: %d %s", r.status, r.body)
		}
	})

	var runPath string
	t.Run("one run at a time", func(t *testing.T) {
		// Unit A's books are held, so the run waits there, running, for as
		// long as the test wants.
		hold, err := w.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer hold.Rollback()
		if _, err := hold.Exec(`SELECT pg_advisory_xact_lock($1)`, unitBooksLockBase+w.unitA.ID); err != nil {
			t.Fatal(err)
		}
		r := w.do("POST", "/api/v1/tax-years/1404/offset-runs", w.tax, nil)
		if r.status != http.StatusAccepted {
			t.Fatalf("start: %d %s", r.status, r.body)
		}
		runPath = r.header.Get("Location")
		started := r.json()
		if runPath != fmt.Sprintf("/api/v1/tax-years/1404/offset-runs/%s", started["id"]) || started["status"] != "running" ||
			num(t, started["units_total"]) != 3 || started["finished_at"] != nil {
			t.Fatalf("%s %v", runPath, started)
		}
		again := w.do("POST", "/api/v1/tax-years/1404/offset-runs", w.tax, nil)
		if again.status != 409 || again.problemCode() != "offset_run_in_progress" || again.header.Get("Location") != runPath ||
			!bytes.Contains(again.body, []byte(runPath)) {
			t.Fatalf("a second start: %d %s %s", again.status, again.header.Get("Location"), again.body)
		}
		if m := w.get(runPath, w.aud); m["status"] != "running" {
			t.Fatalf("%v", m)
		}
		if err := hold.Rollback(); err != nil {
			t.Fatal(err)
		}
	})
	if runPath == "" {
		t.FailNow()
	}

	t.Run("done, the failing unit listed, the others posted", func(t *testing.T) {
		m := w.waitOffsetRun(runPath)
		// A: min(1500.25, 1200) = 1200; C: min(700, 300.5) = 300.5; B refused.
		if m["status"] != "done" || num(t, m["units_done"]) != 3 || num(t, m["units_failed"]) != 1 ||
			m["offset_total"] != "1500.5" || m["spending_used_total"] != "1500.5" || m["reason"] != nil || m["finished_at"] == nil {
			t.Fatalf("%v", m)
		}
		failures := m["failures"].([]any)
		f := failures[0].(map[string]any)
		if len(failures) != 1 || num(t, f["unit_id"]) != w.unitB.ID || f["code"] != taahod.EINVALID || f["message"] == "" {
			t.Fatalf("failures %v", failures)
		}
		if by := m["started_by"].(map[string]any); by["full_name"] != "tax1" {
			t.Fatalf("started_by %v", by)
		}
		// B's books are as they were: nothing offset, never run.
		if st := w.get(taxYearPath(w.unitB.ID, 1404), w.tax); st["offset_amount"] != "0" || st["run_at"] != nil {
			t.Fatalf("unit B: %v", st)
		}
		// D, without approved spending, was not run.
		if st := w.get(taxYearPath(unitD.ID, 1404), w.tax); st["run_at"] != nil {
			t.Fatalf("unit D: %v", st)
		}
		// Each statement is what the unit's own run answers: run again, it
		// posts nothing and answers the same.
		for unit, offset := range map[int64]string{w.unitA.ID: "1200", unitC.ID: "300.5"} {
			before := w.do("GET", taxYearPath(unit, 1404), w.tax, nil)
			own := w.do("POST", taxYearPath(unit, 1404)+"/offset", w.tax, nil)
			if st := before.json(); st["offset_amount"] != offset || st["run_at"] == nil || st["needs_run"] != false {
				t.Fatalf("unit %d: %v", unit, st)
			}
			if own.status != 200 || !bytes.Equal(before.body, own.body) {
				t.Fatalf("unit %d: the run's statement\n%s\nthe unit's own run\n%d %s", unit, before.body, own.status, own.body)
			}
		}
	})

	t.Run("audited", func(t *testing.T) {
		id := runPath[len("/api/v1/tax-years/1404/offset-runs/"):]
		if got := w.auditActions("offset_run", id, 2); len(got) != 2 || got[0] != "offset_run.start" || got[1] != "offset_run.finish" {
			t.Fatalf("run %s: %v", id, got)
		}
		for _, unit := range []int64{w.unitA.ID, unitC.ID} {
			target := fmt.Sprintf("%d/1404", unit)
			found := false
			for _, a := range w.auditActions("tax_year", target, 2) {
				found = found || a == "tax_year.offset"
			}
			if !found {
				t.Fatalf("unit %d's offset is not audited", unit)
			}
		}
	})

	t.Run("a run left by a dead server is taken over", func(t *testing.T) {
		var ghost int64
		if err := w.db.Get(&ghost, `
			INSERT INTO offset_runs (fiscal_year, status, units_total, started_at, heartbeat_at)
			VALUES (1404, 'running', 3, now(), now()) RETURNING id`); err != nil {
			t.Fatal(err)
		}
		ghostPath := fmt.Sprintf("/api/v1/tax-years/1404/offset-runs/%d", ghost)
		// Alive (its heartbeat is fresh): another server's run blocks.
		if r := w.do("POST", "/api/v1/tax-years/1404/offset-runs", w.tax, nil); r.status != 409 || r.header.Get("Location") != ghostPath {
			t.Fatalf("a live run elsewhere: %d %s", r.status, r.body)
		}
		// Silent for five minutes: taken for dead.
		if _, err := w.db.Exec(`UPDATE offset_runs SET heartbeat_at = now() - interval '5 minutes' WHERE id = $1`, ghost); err != nil {
			t.Fatal(err)
		}
		r := w.do("POST", "/api/v1/tax-years/1404/offset-runs", w.tax, nil)
		if r.status != http.StatusAccepted || r.header.Get("Location") == ghostPath {
			t.Fatalf("taking over: %d %s", r.status, r.body)
		}
		if m := w.get(ghostPath, w.tax); m["status"] != "failed" || m["reason"] == nil || m["finished_at"] == nil {
			t.Fatalf("the abandoned run: %v", m)
		}
		// The new run finds everything done but unit B: it posts nothing.
		m := w.waitOffsetRun(r.header.Get("Location"))
		if m["status"] != "done" || m["offset_total"] != "0" || num(t, m["units_failed"]) != 1 {
			t.Fatalf("the new run: %v", m)
		}
		if got := w.auditActions("offset_run", fmt.Sprint(ghost), 1); len(got) != 1 || got[0] != "offset_run.abandon" {
			t.Fatalf("the abandoned run's audit: %v", got)
		}
	})
}
