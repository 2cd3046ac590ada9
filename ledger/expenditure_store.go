package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// expenditureColumns are the columns of Expenditure, over expenditures e
// joined to their pledges p; the actors come named (see userRefSQL).
var expenditureColumns = `e.id, e.pledge_id, e.unit_id, p.school_id, e.amount, e.spent_on, e.fiscal_year,
	e.invoice_no, e.vendor_name, e.vendor_national_id, e.category, e.description, e.status,
	e.exceeds_pledge, e.approved_amount, e.review_reason, ` + userRefSQL("e.reviewed_by") + ` AS reviewed_by, e.reviewed_at,
	e.reversed_at, ` + userRefSQL("e.reversed_by") + ` AS reversed_by, e.reversal_reason,
	e.withdrawal_reason, ` + userRefSQL("e.withdrawn_by") + ` AS withdrawn_by, e.withdrawn_at,
	` + userRefSQL("e.submitted_by") + ` AS submitted_by, e.submitted_at, e.created_at, e.updated_at`

// SubmitSQL is the one statement that submits an expenditure, in autocommit:
// it adds the amount to the pledge's running submitted total (which locks
// the pledge, and which only a live pledge of the actor's units dated on or
// before the expenditure matches), inserts the expenditure flagged when that
// total passes the pledge (the new expenditure is the last in submission
// order, so that total is the running total Expenditure.ExceedsPledge
// defines), and appends the audit entry. Nothing is written when the pledge
// does not match. It answers only what the caller does not know already:
// the new id, the flag, and the pledge's unit and school; the submitter's
// name comes from the actor, so the answer costs no query for it. Its
// placeholders are those of submitArgs. It is exported for the benchmark
// driver, which runs it through pgbench.
var SubmitSQL = submitCTEs("") + `, ` + database.StatementAuditSQL("(SELECT e.id::text FROM e)", 15) + submitAnswer

// submitClaimedSQL is SubmitSQL for a request with an Idempotency-Key: the
// same statement also checks and records the key (database.StatementClaim),
// so that the key commits with the expenditure in the one round trip. It
// answers a row even when it wrote nothing, with the claim's locked and
// done; its placeholders are SubmitSQL's, then the claim's from $23.
var submitClaimedSQL = submitCTEs(database.StatementClaimSQL(submitClaimFirst)+", ") + `, ` +
	database.StatementAuditSQL("(SELECT e.id::text FROM e)", 15) + `, ` +
	database.StatementClaimRecordSQL("(SELECT e.id::text FROM e)", submitClaimFirst) + `
	SELECT e.id, e.unit_id, p.school_id, e.exceeds_pledge, claim.locked, claim.done, NULL::text
	  FROM claim LEFT JOIN (e CROSS JOIN p) ON true`

// submitClaimFirst is the first placeholder of the claim in submitClaimedSQL.
const submitClaimFirst = 15 + database.StatementAuditArgs

// submitAnsweredSQL is submitClaimedSQL that also stores the request's
// answer with the key (database.StatementClaimAnsweredSQL): the answer,
// rendered before the statement with holes for the id, the unit, the school
// and the flag (appendJSON), is filled in by the statement, so that the
// submission is one statement and one commit. Its placeholders are
// submitClaimedSQL's, then the answer's.
var submitAnsweredSQL = submitCTEs(database.StatementClaimSQL(submitClaimFirst)+", ") + `, ` +
	database.StatementAuditSQL("(SELECT e.id::text FROM e)", 15) + `, ` +
	database.StatementClaimAnsweredSQL("e CROSS JOIN p", submitHoles, submitClaimFirst) + `
	SELECT e.id, e.unit_id, p.school_id, e.exceeds_pledge, claim.locked, claim.done, ` + database.StatementAnswerDigest + `
	  FROM claim LEFT JOIN (e CROSS JOIN p) ON true`

// submitHoles are the values of the answer's holes in submitAnsweredSQL, in
// the order of holeID, holeUnitID, holeSchoolID and holeExceedsPledge.
var submitHoles = []string{"e.id", "e.unit_id", "p.school_id", "e.exceeds_pledge"}

// submitCTEs are SubmitSQL's own steps: the pledge's total moved and the
// expenditure inserted, after the CTEs before (a claim's, ending with a
// comma; the steps then write only when the claim is free). submitInTxSQL
// runs them without the audit entry, inside a transaction that records its
// entry with Tx.Audit.
func submitCTEs(before string) string {
	cond := ""
	if before != "" {
		cond = " AND " + database.StatementClaimFree
	}
	return `
	WITH ` + before + `p AS (
		UPDATE pledges SET submitted_total = submitted_total + $2::numeric
		 WHERE id = $1::bigint AND unit_id = ANY($3::bigint[]) AND cancelled_at IS NULL AND pledged_on <= $4::date` + cond + `
		RETURNING id, unit_id, school_id, amount, submitted_total
	), e AS (
		INSERT INTO expenditures (pledge_id, unit_id, amount, spent_on, fiscal_year, invoice_no, invoice_key,
		       vendor_name, vendor_national_id, vendor_key, category, description, status, exceeds_pledge,
		       submitted_by, submitted_at, created_at, updated_at)
		SELECT p.id, p.unit_id, $2::numeric, $4::date, $5::int, $6::text, $7::text, $8::text, $9::text, $10::text,
		       $11::text, $12::text, 'submitted', p.submitted_total > p.amount, $13::bigint, $14::timestamptz, $14::timestamptz, $14::timestamptz
		  FROM p
		RETURNING id, unit_id, exceeds_pledge
	)`
}

const submitAnswer = `
	SELECT e.id, e.unit_id, p.school_id, e.exceeds_pledge FROM e CROSS JOIN p`

// submitInTxSQL is SubmitSQL without its audit entry; its placeholders are
// those of submitValues.
var submitInTxSQL = submitCTEs("") + submitAnswer

// submitArgs are the values of SubmitSQL's placeholders, audit's last.
func submitArgs(actor taahod.Actor, in *NewExpenditure, now any, audit database.StatementAudit) []any {
	args := make([]any, 0, 14+database.StatementAuditArgs)
	args = append(args, submitValues(actor, in, now)...)
	return append(args, audit.Args()...)
}

// submitValues are the values of the placeholders of the submission's own
// steps (submitCTEs), $1 to $14.
func submitValues(actor taahod.Actor, in *NewExpenditure, now any) []any {
	return []any{in.PledgeID, in.amount, pq.Array(actor.UnitIDs), in.spentOn, in.spentOn.FiscalYear(),
		in.InvoiceNo, in.invoiceKey, in.VendorName, in.VendorNationalID, in.vendorKey, in.Category,
		in.Description, actor.UserID, now}
}

// SubmitExpenditure records an expenditure against a pledge of one of the
// actor's units (the actor is the unit's accountant), status submitted. It
// runs as one statement, SubmitSQL, so the common case costs one round trip.
// It returns EINVALID for bad fields or a date before the pledge's;
// ENOTFOUND (field pledge_id) for a pledge that does not exist or is not
// the actor's units'; and ECONFLICT for a cancelled pledge or an invoice
// number already submitted by the unit for the same vendor.
func (s *Store) SubmitExpenditure(ctx context.Context, actor taahod.Actor, in NewExpenditure) (Expenditure, error) {
	now := s.DB.Now().UTC().Truncate(time.Microsecond)
	if err := in.Validate(taahod.Today(now)); err != nil {
		return Expenditure{}, err
	}
	changes, err := json.Marshal(in.auditChanges())
	if err != nil {
		return Expenditure{}, err
	}
	audit, err := database.NewStatementAudit(ctx, actor, now, "expenditure.submit", "expenditure", database.Canonical(changes))
	if err != nil {
		return Expenditure{}, err
	}
	e := Expenditure{PledgeID: in.PledgeID, Amount: in.amount, SpentOn: in.spentOn, FiscalYear: in.spentOn.FiscalYear(),
		InvoiceNo: in.InvoiceNo, VendorName: in.VendorName, VendorNationalID: in.VendorNationalID, Category: in.Category,
		Description: in.Description, Status: StatusSubmitted, SubmittedBy: UserRef{ID: actor.UserID, FullName: actor.DisplayName()},
		SubmittedAt: now, CreatedAt: now, UpdatedAt: now, Reviews: []ReviewRound{}}
	// The statement is one short autocommitted step, so it runs to its end
	// even if the client goes away: a context that cannot be cancelled
	// spares database/sql and lib/pq the goroutine each starts per query to
	// watch for cancellation, which is a good part of this path's CPU.
	if claim, ok := database.OpenStatementClaim(ctx, now); ok {
		// An Idempotency-Key commits with the change it guards: the same
		// statement checks and records it, and stores the answer with it
		// when the api said how it answers (database.WithAnswerForm).
		args := append(submitArgs(actor, &in, now, audit), claim.Args("expenditure")...)
		if claim.Answer(e.appendJSON(make([]byte, 0, 1024), true)) {
			err = s.submitClaimed(ctx, submitAnsweredSQL, claim, append(args, claim.AnswerArgs()...), &e)
		} else {
			err = s.submitClaimed(ctx, submitClaimedSQL, claim, args, &e)
		}
	} else {
		err = s.submit(ctx, submitArgs(actor, &in, now, audit), &e)
	}
	switch {
	case err == nil:
		return e, nil
	case errors.Is(err, sql.ErrNoRows):
		return Expenditure{}, s.whyNotSubmitted(ctx, actor, &in)
	}
	return Expenditure{}, duplicateInvoice(err)
}

// submit runs SubmitSQL with args, prepared, and fills e's id, unit, school
// and flag; sql.ErrNoRows when no pledge matched.
func (s *Store) submit(ctx context.Context, args []any, e *Expenditure) error {
	st, err := s.DB.Prepared(ctx, SubmitSQL)
	if err != nil {
		return err
	}
	if err := st.QueryRowContext(context.WithoutCancel(ctx), args...).Scan(&e.ID, &e.UnitID, &e.SchoolID, &e.ExceedsPledge); err != nil {
		return err
	}
	return s.DB.Queued(ctx)
}

// submitClaimed is submit with the Idempotency-Key's claim: it runs query
// (submitClaimedSQL or submitAnsweredSQL) and settles the claim by its
// answer.
func (s *Store) submitClaimed(ctx context.Context, query string, claim database.StatementClaim, args []any, e *Expenditure) error {
	st, err := s.DB.Prepared(ctx, query)
	if err != nil {
		return err
	}
	var (
		id, unit, school sql.NullInt64
		exceeds          sql.NullBool
		locked, done     bool
		digest           sql.NullString
	)
	err = st.QueryRowContext(context.WithoutCancel(ctx), args...).Scan(&id, &unit, &school, &exceeds, &locked, &done, &digest)
	// The holes' values as format() writes them, in submitHoles' order.
	holes := []string{strconv.FormatInt(id.Int64, 10), strconv.FormatInt(unit.Int64, 10),
		strconv.FormatInt(school.Int64, 10), strconv.FormatBool(exceeds.Bool)}
	if err := claim.SettleAnswered(err, locked, done, id.Valid, digest.String, holes...); err != nil {
		return err
	}
	if !id.Valid {
		return sql.ErrNoRows
	}
	e.ID, e.UnitID, e.SchoolID, e.ExceedsPledge = id.Int64, unit.Int64, school.Int64, exceeds.Bool
	return s.DB.Queued(ctx)
}

// submitChanges is what the audit entry of a submission records. Its fields
// are in the order of their keys, so that its JSON is canonical as
// json.Marshal writes it (a test holds it to database.CanonicalJSON).
type submitChanges struct {
	Amount           decimal.Decimal `json:"amount"`
	Category         string          `json:"category"`
	Description      *string         `json:"description"`
	FiscalYear       int             `json:"fiscal_year"`
	InvoiceNo        string          `json:"invoice_no"`
	PledgeID         int64           `json:"pledge_id"`
	SpentOn          taahod.Date     `json:"spent_on"`
	VendorName       string          `json:"vendor_name"`
	VendorNationalID *string         `json:"vendor_national_id"`
}

func (in *NewExpenditure) auditChanges() submitChanges {
	return submitChanges{Amount: in.amount, Category: in.Category, Description: in.Description,
		FiscalYear: in.spentOn.FiscalYear(), InvoiceNo: in.InvoiceNo, PledgeID: in.PledgeID, SpentOn: in.spentOn,
		VendorName: in.VendorName, VendorNationalID: in.VendorNationalID}
}

// whyNotSubmitted tells why SubmitSQL matched no pledge.
func (s *Store) whyNotSubmitted(ctx context.Context, actor taahod.Actor, in *NewExpenditure) error {
	var p struct {
		UnitID    int64       `db:"unit_id"`
		Cancelled bool        `db:"cancelled"`
		PledgedOn taahod.Date `db:"pledged_on"`
	}
	err := s.DB.GetContext(ctx, &p, `SELECT unit_id, cancelled_at IS NOT NULL AS cancelled, pledged_on FROM pledges WHERE id = $1`, in.PledgeID)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err == nil && !actor.CanSeeUnit(p.UnitID)):
		return unknownRef("pledge_id", "pledge", in.PledgeID)
	case err != nil:
		return database.MapError(err)
	case p.Cancelled:
		return cancelledPledge(in.PledgeID)
	case in.spentOn.Before(p.PledgedOn):
		return beforePledge(p.PledgedOn)
	}
	// The pledge changed between the two statements; the client may retry.
	return taahod.Errorf(taahod.ECONFLICT, "pledge %d changed while the expenditure was submitted; send it again", in.PledgeID)
}

func cancelledPledge(id int64) error {
	return &taahod.Error{Code: taahod.ECONFLICT, Message: fmt.Sprintf("pledge %d is cancelled; it takes no expenditures", id),
		Fields: []taahod.FieldError{{Field: "pledge_id", Code: "pledge_cancelled", Message: "the pledge is cancelled"}}}
}

func beforePledge(pledgedOn taahod.Date) error {
	return taahod.Invalid("spent_on", "before_pledge", "spent_on is before the pledge's date, "+pledgedOn.String()+" ("+pledgedOn.Jalali()+")")
}

// duplicateInvoice turns the unique violation of the invoice key into a
// conflict that names the field; other errors go through MapError.
func duplicateInvoice(err error) error {
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "23505" && pe.Constraint == "expenditures_invoice" {
		return &taahod.Error{Code: taahod.ECONFLICT, Message: "this unit has already submitted this invoice number for this vendor " +
			"(a rejected expenditure keeps its invoice: correct and resubmit it, or withdraw it first)",
			Fields: []taahod.FieldError{{Field: "invoice_no", Code: "duplicate", Message: "already submitted for this vendor"}}}
	}
	return database.MapError(err)
}

// FindExpenditure returns an expenditure, redacted for the actor. It returns
// ENOTFOUND if there is none or it is outside an accountant's units.
func (s *Store) FindExpenditure(ctx context.Context, actor taahod.Actor, id int64) (Expenditure, error) {
	e, err := findExpenditure(ctx, s.DB, id, false)
	if err == nil && !actor.CanSeeUnit(e.UnitID) {
		err = taahod.Errorf(taahod.ENOTFOUND, "expenditure %d not found", id)
	}
	if err != nil {
		return Expenditure{}, err
	}
	list := []Expenditure{e}
	if err := withReviews(ctx, s.DB, list); err != nil {
		return Expenditure{}, err
	}
	list[0].Redact(actor)
	return list[0], nil
}

func findExpenditure(ctx context.Context, q sqlx.QueryerContext, id int64, forUpdate bool) (Expenditure, error) {
	query := `SELECT ` + expenditureColumns + ` FROM expenditures e JOIN pledges p ON p.id = e.pledge_id WHERE e.id = $1`
	if forUpdate {
		query += ` FOR UPDATE OF e`
	}
	var e Expenditure
	err := sqlx.GetContext(ctx, q, &e, query, id)
	return e, database.NotFound(err, "expenditure", id)
}

// lockSubmitted locks an expenditure of the actor's units for a change that
// only a submitted one allows. It returns ENOTFOUND outside the actor's
// units and ECONFLICT once it is reviewed or withdrawn.
func lockSubmitted(ctx context.Context, tx *database.Tx, actor taahod.Actor, id int64, doing string) (Expenditure, error) {
	return lockIn(ctx, tx, actor, id, doing, StatusSubmitted)
}

// lockIn locks an expenditure of the actor's units for a change that the
// statuses allow. It returns ENOTFOUND outside the actor's units and
// ECONFLICT in any other status.
func lockIn(ctx context.Context, tx *database.Tx, actor taahod.Actor, id int64, doing string, statuses ...string) (Expenditure, error) {
	e, err := findExpenditure(ctx, tx, id, true)
	if err != nil {
		return e, err
	}
	if !actor.CanSeeUnit(e.UnitID) {
		return e, taahod.Errorf(taahod.ENOTFOUND, "expenditure %d not found", id)
	}
	for _, st := range statuses {
		if e.Status == st {
			return e, nil
		}
	}
	return e, taahod.Errorf(taahod.ECONFLICT, "expenditure %d is %s; only a %s expenditure can be %s",
		id, e.Status, strings.Join(statuses, " or "), doing)
}

// answer is an expenditure changed in tx as its answer shows it: with its
// review rounds, redacted for the actor.
func answer(ctx context.Context, tx *database.Tx, actor taahod.Actor, e Expenditure) (Expenditure, error) {
	list := []Expenditure{e}
	if err := withReviews(ctx, tx, list); err != nil {
		return e, err
	}
	list[0].Redact(actor)
	return list[0], nil
}

// exceedsAt tells whether the pledge's standing expenditures up to e in
// submission order, e counted at amount, add up to more than the pledge's
// amount: Expenditure.ExceedsPledge. The caller holds the pledge's lock.
func exceedsAt(ctx context.Context, tx *database.Tx, e Expenditure, amount, pledgeAmount decimal.Decimal) (bool, error) {
	var before decimal.Decimal
	err := tx.GetContext(ctx, &before, `
		SELECT coalesce(sum(amount), 0) FROM expenditures
		 WHERE pledge_id = $1 AND id <> $2 AND status IN ('submitted', 'approved', 'partially_approved')
		   AND (submitted_at, id) < ($3, $2)`, e.PledgeID, e.ID, e.SubmittedAt)
	return before.Add(amount).GreaterThan(pledgeAmount), err
}

// pledgeRow is a pledge as locked for a change of its expenditures.
type pledgeRow struct {
	Amount         decimal.Decimal `db:"amount"`
	PledgedOn      taahod.Date     `db:"pledged_on"`
	Cancelled      bool            `db:"cancelled"`
	SubmittedTotal decimal.Decimal `db:"submitted_total"`
}

func lockPledge(ctx context.Context, tx *database.Tx, id int64) (pledgeRow, error) {
	var p pledgeRow
	err := tx.GetContext(ctx, &p, `
		SELECT amount, pledged_on, cancelled_at IS NOT NULL AS cancelled, submitted_total
		  FROM pledges WHERE id = $1 FOR UPDATE`, id)
	return p, database.NotFound(err, "pledge", id)
}

// addSubmitted moves a pledge's running submitted total by delta.
func addSubmitted(ctx context.Context, tx *database.Tx, pledgeID int64, delta decimal.Decimal) error {
	if delta.IsZero() {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE pledges SET submitted_total = submitted_total + $2 WHERE id = $1`, pledgeID, delta)
	return err
}

// UpdateExpenditure edits a submitted or rejected expenditure of the
// actor's units (a rejected one is corrected before it is resubmitted). A
// new amount of a submitted expenditure moves the pledge's submitted total
// and recomputes its exceeds_pledge at its place in submission order; no
// other field moves the flag, and a rejected expenditure's flag is
// recomputed when it is resubmitted. It returns ENOTFOUND outside the
// actor's units; EINVALID for bad fields or a date before the pledge's;
// ECONFLICT once the expenditure is approved or withdrawn, when its pledge
// is cancelled, or for an invoice number already submitted for the vendor.
func (s *Store) UpdateExpenditure(ctx context.Context, actor taahod.Actor, id int64, patch ExpenditurePatch) (Expenditure, error) {
	if err := patch.Validate(s.today()); err != nil {
		return Expenditure{}, err
	}
	var e Expenditure
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if e, err = lockIn(ctx, tx, actor, id, "edited", StatusSubmitted, StatusRejected); err != nil {
			return err
		}
		p, err := lockPledge(ctx, tx, e.PledgeID)
		if err != nil {
			return err
		}
		if p.Cancelled {
			return cancelledPledge(e.PledgeID)
		}
		changes := taahod.Changes{}
		change := changes.Record
		old := e.Amount
		if patch.Amount.Set && !patch.amount.Equal(e.Amount) {
			change("amount", e.Amount, patch.amount)
			e.Amount = patch.amount
		}
		if !patch.spentOn.IsZero() && patch.spentOn != e.SpentOn {
			if patch.spentOn.Before(p.PledgedOn) {
				return beforePledge(p.PledgedOn)
			}
			change("spent_on", e.SpentOn, patch.spentOn)
			e.SpentOn = patch.spentOn
			e.FiscalYear = e.SpentOn.FiscalYear()
		}
		taahod.Apply(changes, "invoice_no", patch.InvoiceNo, &e.InvoiceNo)
		taahod.Apply(changes, "vendor_name", patch.VendorName, &e.VendorName)
		taahod.Apply(changes, "category", patch.Category, &e.Category)
		taahod.ApplyNullable(changes, "vendor_national_id", patch.VendorNationalID, &e.VendorNationalID)
		taahod.ApplyNullable(changes, "description", patch.Description, &e.Description)
		if len(changes) == 0 {
			e, err = answer(ctx, tx, actor, e)
			return err
		}
		if e.Status == StatusSubmitted && !e.Amount.Equal(old) {
			// A rejected expenditure is out of the pledge's total until
			// it is resubmitted, which sets its flag.
			if e.ExceedsPledge, err = exceedsAt(ctx, tx, e, e.Amount, p.Amount); err != nil {
				return err
			}
			if err := addSubmitted(ctx, tx, e.PledgeID, e.Amount.Sub(old)); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE expenditures SET amount = $2, spent_on = $3, fiscal_year = $4, invoice_no = $5, invoice_key = $6,
			       vendor_name = $7, vendor_national_id = $8, vendor_key = $9, category = $10, description = $11,
			       exceeds_pledge = $12, updated_at = $13
			 WHERE id = $1`,
			id, e.Amount, e.SpentOn, e.FiscalYear, e.InvoiceNo, InvoiceKey(e.InvoiceNo), e.VendorName,
			e.VendorNationalID, VendorKey(e.VendorName, e.VendorNationalID), e.Category, e.Description,
			e.ExceedsPledge, tx.Now)
		if err != nil {
			return duplicateInvoice(err)
		}
		e.UpdatedAt = tx.Now
		tx.Audit(ctx, actor, "expenditure.update", "expenditure", id, changes)
		e, err = answer(ctx, tx, actor, e)
		return err
	})
	return e, err
}

// WithdrawExpenditure withdraws a submitted or rejected expenditure of the
// actor's units: it leaves the pledge's submitted total (a rejected one has
// left it already), and its invoice number may be submitted again. The
// reason, who withdrew and when are kept. A rejected expenditure's review
// columns are cleared (the schema wants a withdrawn one without a standing
// review); its review rounds stay. It returns ENOTFOUND outside the actor's
// units and ECONFLICT once the expenditure is approved or withdrawn.
func (s *Store) WithdrawExpenditure(ctx context.Context, actor taahod.Actor, id int64, reason *string) (Expenditure, error) {
	var p taahod.Problems
	p.OptionalText("reason", &reason, 2000)
	if err := p.Err(); err != nil {
		return Expenditure{}, err
	}
	var e Expenditure
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if e, err = lockIn(ctx, tx, actor, id, "withdrawn", StatusSubmitted, StatusRejected); err != nil {
			return err
		}
		if e.Status == StatusSubmitted {
			if _, err := lockPledge(ctx, tx, e.PledgeID); err != nil {
				return err
			}
			if err := addSubmitted(ctx, tx, e.PledgeID, e.Amount.Neg()); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE expenditures SET status = 'withdrawn', withdrawal_reason = $2, withdrawn_by = $3, withdrawn_at = $4,
			       review_reason = NULL, reviewed_by = NULL, reviewed_at = NULL, updated_at = $4
			 WHERE id = $1`, id, reason, nullID(actor.UserID), tx.Now); err != nil {
			return err
		}
		now := tx.Now
		from := e.Status
		e.Status, e.WithdrawalReason, e.WithdrawnBy, e.WithdrawnAt, e.UpdatedAt = StatusWithdrawn, reason, userOf(actor), &now, now
		e.ReviewReason, e.ReviewedBy, e.ReviewedAt = nil, nil, nil
		tx.Audit(ctx, actor, "expenditure.withdraw", "expenditure", id, map[string]any{"reason": reason, "from": from})
		e, err = answer(ctx, tx, actor, e)
		return err
	})
	return e, err
}

// ListExpenditures returns the expenditures the actor may see that match f,
// by id, at most f.Limit, redacted for the actor.
func (s *Store) ListExpenditures(ctx context.Context, actor taahod.Actor, f ExpenditureFilter) ([]Expenditure, error) {
	q := expenditureWhere(actor, f)
	list := []Expenditure{}
	err := s.DB.SelectContext(ctx, &list, `SELECT `+expenditureColumns+` FROM expenditures e JOIN pledges p ON p.id = e.pledge_id
		WHERE `+q.Clause()+` ORDER BY e.id LIMIT `+q.Arg(f.Limit), q.Args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	if err := withReviews(ctx, s.DB, list); err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Redact(actor)
	}
	return list, nil
}
