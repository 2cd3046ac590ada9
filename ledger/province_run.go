package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// The year-end run of the whole province: the offset of every unit that has
// an assessment for the year and approved spending, each unit in its own
// transaction (RunOffset's), by a few workers in the background of the
// server that was asked. One run of a year at a time, across every server on
// the database: its row in offset_runs is 'running' under a partial unique
// index, and starts of a year are serialised by an advisory lock. The
// running server refreshes the row's heartbeat (by the database's clock)
// every OffsetRunHeartbeat; a start that finds a run whose heartbeat is
// older than OffsetRunAbandonedAfter marks it failed (its server died) and
// takes its place. A new run simply runs every unit again: a unit's run
// posts only what its books still lack, so what the dead run did is not
// done twice.

// Statuses of a province's offset run.
const (
	OffsetRunRunning = "running"
	OffsetRunDone    = "done"
	OffsetRunFailed  = "failed"
)

var (
	// OffsetRunHeartbeat is how often a running run saves its progress
	// and refreshes its heartbeat.
	OffsetRunHeartbeat = time.Second
	// OffsetRunAbandonedAfter is how old a running run's heartbeat may be
	// before a new start of its year takes it for abandoned.
	OffsetRunAbandonedAfter = 60 * time.Second
	// OffsetRunWorkers is how many units a run offsets at once: few, for
	// the run shares the database with everyone else's requests.
	OffsetRunWorkers = 2
)

// OffsetRun is a year-end run of the province's offsets, as far as it got.
type OffsetRun struct {
	ID         int64  `db:"id" json:"id"`
	FiscalYear int    `db:"fiscal_year" json:"fiscal_year"`
	Status     string `db:"status" json:"status"`
	// Reason says why a failed run stopped; nil otherwise.
	Reason     *string `db:"reason" json:"reason"`
	UnitsTotal int     `db:"units_total" json:"units_total"`
	// UnitsDone counts the units the run has finished with, those it could
	// not offset (Failures) included.
	UnitsDone   int `db:"units_done" json:"units_done"`
	UnitsFailed int `db:"units_failed" json:"units_failed"`
	// OffsetTotal and SpendingUsedTotal sum what the run's offsets posted.
	OffsetTotal       decimal.Decimal    `db:"offset_total" json:"offset_total"`
	SpendingUsedTotal decimal.Decimal    `db:"spending_used_total" json:"spending_used_total"`
	StartedAt         time.Time          `db:"started_at" json:"started_at"`
	StartedAtJalali   *string            `db:"-" json:"started_at_jalali"`
	StartedBy         *UserRef           `db:"started_by" json:"started_by"`
	FinishedAt        *time.Time         `db:"finished_at" json:"finished_at"`
	FinishedAtJalali  *string            `db:"-" json:"finished_at_jalali"`
	Failures          []OffsetRunFailure `db:"-" json:"failures"`
}

// OffsetRunFailure is a unit whose offset the run could not make, with the
// problem's stable code and its message; its books are as they were.
type OffsetRunFailure struct {
	UnitID  int64  `db:"unit_id" json:"unit_id"`
	Code    string `db:"code" json:"code"`
	Message string `db:"message" json:"message"`
}

// RunInProgressError is the error of a start while a run of the year is
// running: a taahod.EOFFSETRUNINPROGRESS error naming that run.
type RunInProgressError struct {
	RunID int64
	Year  int
	err   *taahod.Error
}

func (e *RunInProgressError) Error() string { return e.err.Error() }

// Unwrap gives the domain error, so that taahod.ErrorCode reads its code.
func (e *RunInProgressError) Unwrap() error { return e.err }

// ProvinceRun is a started run of the province's offsets; Execute does it.
type ProvinceRun struct {
	OffsetRun
	store *Store
	actor taahod.Actor
	units []int64
	// Log, when set, receives the full error of a unit that failed for a
	// reason its problem does not tell (an internal error).
	Log *slog.Logger
}

var offsetRunColumns = `r.id, r.fiscal_year, r.status, r.reason, r.units_total, r.units_done,
	(SELECT count(*) FROM offset_run_failures f WHERE f.run_id = r.id) AS units_failed,
	r.offset_total, r.spending_used_total, r.started_at, ` + userRefSQL("r.started_by") + ` AS started_by, r.finished_at`

// StartOffsetRun records the start of a run of year's offsets for every
// unit that has an assessment for the year and approved spending dated in
// it or before, audited as offset_run.start; Execute then does it. It
// returns ENOPOLICY without a policy for the year, EINVALID for a year out
// of range, and a *RunInProgressError (code EOFFSETRUNINPROGRESS) while
// another run of the year is running and alive; a running run whose
// heartbeat is older than OffsetRunAbandonedAfter is marked failed first.
func (s *Store) StartOffsetRun(ctx context.Context, actor taahod.Actor, year int) (*ProvinceRun, error) {
	var p taahod.Problems
	checkYear(&p, year)
	if err := p.Err(); err != nil {
		return nil, err
	}
	run := &ProvinceRun{store: s, actor: actor}
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		// Starts of a year wait for one another here, so the check below
		// and the insert are one step; the unique index stands behind it.
		const base = 1_730_000_000_000_000_000
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, base+int64(year)); err != nil {
			return err
		}
		var policies int
		if err := tx.GetContext(ctx, &policies, `SELECT count(*) FROM offset_policies WHERE fiscal_year = $1`, year); err != nil {
			return err
		}
		if policies == 0 {
			return taahod.Errorf(ENOPOLICY, "no offset policy is stored for %d: store one with PUT /policies/%d first", year, year)
		}
		var running []struct {
			ID    int64 `db:"id"`
			Stale bool  `db:"stale"`
		}
		if err := tx.SelectContext(ctx, &running, `
			SELECT id, heartbeat_at < now() - make_interval(secs => $2) AS stale
			  FROM offset_runs WHERE fiscal_year = $1 AND status = 'running' FOR UPDATE`,
			year, OffsetRunAbandonedAfter.Seconds()); err != nil {
			return err
		}
		// The start is audited first: an idempotency key names the
		// transaction's first entry as the record it wrote.
		var abandoned []int64
		for _, r := range running {
			if !r.Stale {
				return &RunInProgressError{RunID: r.ID, Year: year, err: taahod.Errorf(taahod.EOFFSETRUNINPROGRESS,
					"the offset run %d of %d is still running: follow it at /api/v1/tax-years/%d/offset-runs/%d", r.ID, year, year, r.ID)}
			}
			abandoned = append(abandoned, r.ID)
		}
		reason := fmt.Sprintf("abandoned: no heartbeat from its server for over %s; a new run of %d took its place",
			OffsetRunAbandonedAfter, year)
		if _, err := tx.ExecContext(ctx, `UPDATE offset_runs SET status = 'failed', reason = $2, finished_at = $3 WHERE id = ANY($1)`,
			pq.Array(abandoned), reason, tx.Now); err != nil {
			return err
		}
		run.units = []int64{}
		if err := tx.SelectContext(ctx, &run.units, `
			SELECT t.unit_id FROM tax_years t
			 WHERE t.fiscal_year = $1
			   AND EXISTS (SELECT 1 FROM expenditures e
			                WHERE e.unit_id = t.unit_id AND e.fiscal_year <= $1
			                  AND e.status IN ('approved', 'partially_approved'))
			 ORDER BY t.unit_id`, year); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &run.ID, `
			INSERT INTO offset_runs (fiscal_year, status, units_total, started_at, started_by)
			VALUES ($1, 'running', $2, $3, $4) RETURNING id`, year, len(run.units), tx.Now, actor.UserKey()); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "offset_run.start", "offset_run", run.ID, map[string]any{"fiscal_year": year, "units_total": len(run.units)})
		for _, id := range abandoned {
			tx.Audit(ctx, actor, "offset_run.abandon", "offset_run", id, map[string]any{"fiscal_year": year, "reason": reason, "taken_over_by": run.ID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	run.OffsetRun, err = s.FindOffsetRun(ctx, year, run.ID)
	if err != nil {
		return nil, err
	}
	return run, nil
}

// FindOffsetRun returns a run of the year's offsets with its failures. It
// returns ENOTFOUND for an unknown run or one of another year.
func (s *Store) FindOffsetRun(ctx context.Context, year int, id int64) (OffsetRun, error) {
	var r OffsetRun
	err := s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(tx *database.Tx) error {
		err := tx.GetContext(ctx, &r, `SELECT `+offsetRunColumns+` FROM offset_runs r WHERE r.id = $1 AND r.fiscal_year = $2`, id, year)
		if errors.Is(err, sql.ErrNoRows) {
			return taahod.Errorf(taahod.ENOTFOUND, "offset run %d of %d not found", id, year)
		} else if err != nil {
			return err
		}
		r.Failures = []OffsetRunFailure{}
		return tx.SelectContext(ctx, &r.Failures, `SELECT unit_id, code, message FROM offset_run_failures WHERE run_id = $1 ORDER BY unit_id`, id)
	})
	if err != nil {
		return OffsetRun{}, err
	}
	r.StartedAtJalali = taahod.JalaliTimePtr(&r.StartedAt)
	r.FinishedAtJalali = taahod.JalaliTimePtr(r.FinishedAt)
	return r, nil
}

// progress is what the run has done since it last saved.
type progress struct {
	mu       sync.Mutex
	done     int
	offset   decimal.Decimal
	used     decimal.Decimal
	failures []OffsetRunFailure // not saved yet
}

// errTakenOver stops a run whose row is no longer running: a start on
// another server took it for abandoned.
var errTakenOver = errors.New("the run was taken over")

// Execute offsets each unit of the run, OffsetRunWorkers at a time, saving
// its progress and heartbeat every OffsetRunHeartbeat, and ends the run:
// done, with the units that failed listed, or failed when ctx ended first
// (the server stopped) or its progress could not be saved. The end is
// audited as offset_run.finish. It returns the run as it ended.
func (r *ProvinceRun) Execute(ctx context.Context) (OffsetRun, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		pr    progress
		units = make(chan int64)
		wg    sync.WaitGroup
	)
	for range max(OffsetRunWorkers, 1) {
		wg.Go(func() {
			for unit := range units {
				_, m, err := r.store.runOffsetAdding(ctx, r.actor, unit, r.FiscalYear, "", false)
				if err != nil && ctx.Err() != nil {
					return // stopped: the unit is not done, nor failed
				}
				pr.mu.Lock()
				pr.done++
				if err != nil {
					pr.failures = append(pr.failures, OffsetRunFailure{UnitID: unit, Code: taahod.ErrorCode(err), Message: taahod.ErrorMessage(err)})
					if taahod.ErrorCode(err) == taahod.EINTERNAL && r.Log != nil {
						r.Log.Error("offset run: unit failed", slog.Int64("run", r.ID), slog.Int64("unit", unit), slog.String("error", err.Error()))
					}
				} else {
					pr.offset = pr.offset.Add(m.OffsetIncrease)
					pr.used = pr.used.Add(m.UsedIncrease)
				}
				pr.mu.Unlock()
			}
		})
	}
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(units)
		for _, u := range r.units {
			select {
			case units <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	workersDone := make(chan struct{})
	go func() { wg.Wait(); close(workersDone) }()

	tick := time.NewTicker(OffsetRunHeartbeat)
	defer tick.Stop()
	var saveErr error
loop:
	for {
		select {
		case <-workersDone:
			break loop
		case <-tick.C:
			if err := r.save(ctx, &pr, "", ""); err != nil {
				// A save that fails stops the run: without its heartbeat
				// another server may take it over at any moment.
				saveErr = err
				cancel(err)
				<-workersDone
				break loop
			}
		}
	}
	<-fed
	status, reason := OffsetRunDone, ""
	switch {
	case errors.Is(saveErr, errTakenOver):
		return r.store.FindOffsetRun(context.WithoutCancel(ctx), r.FiscalYear, r.ID)
	case saveErr != nil:
		status, reason = OffsetRunFailed, "the run's progress could not be saved: "+taahod.ErrorMessage(saveErr)
	case ctx.Err() != nil:
		status, reason = OffsetRunFailed, "the server stopped before the run ended"
	}
	// The end is saved even when ctx has ended (the server stops): briefly.
	endCtx, endCancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer endCancel()
	if err := r.save(endCtx, &pr, status, reason); err != nil && !errors.Is(err, errTakenOver) {
		return OffsetRun{}, fmt.Errorf("end offset run %d: %w", r.ID, err)
	}
	return r.store.FindOffsetRun(endCtx, r.FiscalYear, r.ID)
}

// save writes the run's progress and refreshes its heartbeat; with a
// status it also ends the run, audited. It returns errTakenOver when the
// run's row is no longer running.
func (r *ProvinceRun) save(ctx context.Context, pr *progress, status, reason string) error {
	pr.mu.Lock()
	done, offset, used, failures := pr.done, pr.offset, pr.used, pr.failures
	pr.mu.Unlock()
	err := r.store.DB.Transact(ctx, func(tx *database.Tx) error {
		var finished *time.Time
		var why *string
		st := OffsetRunRunning
		if status != "" {
			st, finished = status, &tx.Now
			if reason != "" {
				why = &reason
			}
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE offset_runs SET units_done = $2, offset_total = $3, spending_used_total = $4, heartbeat_at = now(),
			       status = $5, finished_at = $6, reason = $7
			 WHERE id = $1 AND status = 'running'`, r.ID, done, offset, used, st, finished, why)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errTakenOver
		}
		if len(failures) > 0 {
			ids, codes, messages := make([]int64, len(failures)), make([]string, len(failures)), make([]string, len(failures))
			for i, f := range failures {
				ids[i], codes[i], messages[i] = f.UnitID, f.Code, f.Message
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO offset_run_failures (run_id, unit_id, code, message)
				SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])
				ON CONFLICT (run_id, unit_id) DO NOTHING`, r.ID, pq.Array(ids), pq.Array(codes), pq.Array(messages)); err != nil {
				return err
			}
		}
		if status != "" {
			var failed int
			if err := tx.GetContext(ctx, &failed, `SELECT count(*) FROM offset_run_failures WHERE run_id = $1`, r.ID); err != nil {
				return err
			}
			changes := map[string]any{"fiscal_year": r.FiscalYear, "status": status, "units_total": r.UnitsTotal,
				"units_done": done, "units_failed": failed, "offset_total": offset, "spending_used_total": used}
			if reason != "" {
				changes["reason"] = reason
			}
			tx.Audit(ctx, r.actor, "offset_run.finish", "offset_run", r.ID, changes)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Saved: only what came after is left to save next time.
	pr.mu.Lock()
	pr.failures = pr.failures[len(failures):]
	pr.mu.Unlock()
	return nil
}
