package certificate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/metrics"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/notify"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports"
)

// Issue issues a certificate for a unit-year whose offset has been run,
// and supersedes the unit-year's valid certificate if there is one. It
// renders and signs the certificate while it holds no lock that another
// writer waits for: not the unit's books, not the unit's row, not the
// certificate it supersedes, not the province-year's serial counter.
//
// The serial is printed on the PDF, and the contract wants serials gapless
// within a province and year and taken in the certificate's own
// transaction, so a serial cannot be reserved ahead of rendering (an issue
// that then failed would leave a gap). Issue is optimistic instead:
//
//  1. It drafts the certificate from reads that take no lock — the unit,
//     the officer's name, the unit-year's statement, the valid certificate
//     it would supersede and the province-year's next serial — and renders
//     and signs it. A statement that cannot be certified ends the issue
//     here, with nothing written.
//  2. In one transaction it locks the unit's books and the unit's row
//     (FOR SHARE: its name and codes cannot change before the commit),
//     reads the officer and the statement again, locks the certificate it
//     supersedes, and takes the serial last of all (the counter's row stays
//     locked to the commit). If the certificate these locked reads make is
//     the draft, field for field (the PDF and the signatures are a function
//     of it alone), it stores the draft. The locks are held for these reads
//     and writes only.
//  3. Otherwise something changed while it rendered — most often another
//     issue of the province-year took the serial; or the statement, the
//     unit, the officer's name or the day changed — and the transaction
//     rolls back, giving the serial back, and Issue drafts again from the
//     new state. A certificate never states facts other than those its
//     transaction read under the locks. Each stale draft means another
//     writer committed, so the province keeps issuing; after maxDrafts
//     stale drafts Issue gives up with ECONFLICT, having written nothing,
//     rather than render with the locks held.
//
// It returns ENOSIGNINGKEY without a signing key; EINVALID for a bad input;
// ENOTFOUND (naming unit_id) for an unknown unit or one outside the actor's
// scope; ledger.ENOASSESSMENT and ledger.ENOPOLICY for a year without a
// recorded tax or a policy; EOFFSETNEEDSRUN when the offset was never run
// or a run now would change it (also when that became so while the
// certificate was rendered); ENOOFFSET when nothing was offset; ECONFLICT
// when every draft went stale.
func (s *Store) Issue(ctx context.Context, actor taahod.Actor, in IssueInput) (Record, error) {
	reason, err := in.validate()
	if err != nil {
		return Record{}, err
	}
	if s.Issuer.Signer == nil {
		return Record{}, taahod.Errorf(ENOSIGNINGKEY, "certificates cannot be issued: no signing key is configured (TAAHOD_SIGNING_KEY)")
	}
	var id int64
	for drafts := 1; ; drafts++ {
		d, err := s.draft(ctx, actor, in.UnitID, in.FiscalYear)
		if err == nil {
			id, err = s.issue(ctx, actor, in.UnitID, in.FiscalYear, reason, d)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, errDraftStale) {
			return Record{}, err
		}
		if drafts == maxDrafts {
			return Record{}, taahod.Errorf(taahod.ECONFLICT,
				"the certificate of unit %d for %d could not be issued: its facts or the serials of %d changed while each of %d drafts was rendered; try again",
				in.UnitID, in.FiscalYear, in.FiscalYear, drafts)
		}
	}
	metrics.CertificateIssued()
	list, err := loadRecords(ctx, s.DB, recordSelect+` WHERE c.id = $1`, id)
	if err != nil {
		return Record{}, database.MapError(err)
	}
	return list[0], nil
}

// maxDrafts is how many drafts Issue renders before it gives up. A draft
// goes stale when another writer commits while it is rendered (most often
// another issue of the province-year, taking the serial), so n issues at
// once end within about n drafts each; the bound only stops an endless
// stream of changes from keeping one request busy for ever.
const maxDrafts = 64

// errDraftStale rolls back an issue whose draft differs from what the
// locked reads make of the certificate.
var errDraftStale = errors.New("the certificate's draft is stale")

// certificateDraft is a certificate rendered and signed before its
// transaction took any lock.
type certificateDraft struct {
	c      reports.Certificate
	issued *IssuedCertificate
}

// draft renders and signs the certificate that issuing now would store, on
// reads that take no lock: the unit, the officer's name, the unit-year's
// statement, the valid certificate it would supersede and the counter's
// next serial. It returns ENOTFOUND (naming unit_id) for a unit the actor
// may not see and what refusal returns for a unit-year that cannot be
// certified.
func (s *Store) draft(ctx context.Context, actor taahod.Actor, unitID int64, year int) (*certificateDraft, error) {
	unit, err := s.unit(ctx, actor, unitID)
	if err != nil {
		return nil, err
	}
	officer, err := officerName(ctx, s.DB, actor)
	if err != nil {
		return nil, err
	}
	st, err := s.ledger.Statement(ctx, actor, unit.ID, year)
	if err == nil {
		err = certifiable(st)
	}
	if err != nil {
		return nil, s.refusal(ctx, unit.ID, year, err)
	}
	var prev []string
	if err := s.DB.SelectContext(ctx, &prev, `
		SELECT serial FROM certificates WHERE unit_id = $1 AND fiscal_year = $2 AND status = 'valid'`, unit.ID, year); err != nil {
		return nil, database.MapError(err)
	}
	var last int
	err = s.DB.GetContext(ctx, &last, `
		SELECT last_seq FROM certificate_counters WHERE province = $1 AND fiscal_year = $2`, s.Issuer.Province, year)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, database.MapError(err)
	}
	c := s.certificate(unit, st, officer, taahod.Today(s.DB.Now().UTC().Truncate(time.Microsecond)))
	c.Serial = s.serial(year, last+1)
	if len(prev) > 0 {
		c.Supersedes = prev[0]
	}
	issued, err := Issue(c, s.Issuer.Signer)
	if err != nil {
		return nil, err
	}
	if s.Rendered != nil {
		s.Rendered()
	}
	return &certificateDraft{c: c, issued: issued}, nil
}

// refusal is why the unit-year cannot be certified, as the locked reads
// of an issue say it, when the unlocked reads of a draft found that it
// cannot (unlocked, a year without a recorded tax reads as not found);
// errDraftStale if the locked reads find it certifiable after all, for its
// books changed in between. It renders nothing, so its locks are held for
// the reads only; a failure of the unlocked reads themselves is returned
// as it is.
func (s *Store) refusal(ctx context.Context, unitID int64, year int, unlocked error) error {
	if taahod.ErrorCode(unlocked) == taahod.EINTERNAL {
		return unlocked
	}
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := ledger.LockUnitBooks(ctx, tx, unitID); err != nil {
			return err
		}
		st, err := ledger.LockedStatement(ctx, tx, unitID, year)
		if err != nil {
			return err
		}
		return certifiable(st)
	})
	if err == nil {
		return errDraftStale
	}
	return err
}

// serial is the printed serial of a province-year's seq-th certificate.
func (s *Store) serial(year, seq int) string {
	return fmt.Sprintf("%s-%d-%06d", s.Issuer.Province, year, seq)
}

// issue stores draft d as the unit-year's certificate in one transaction
// if the locked reads make the same certificate, and returns
// errDraftStale, having written nothing, if they do not. The serial is the
// last thing it takes, so the counter's row, which every issue of the
// province-year waits for, stays locked only for the writes.
func (s *Store) issue(ctx context.Context, actor taahod.Actor, unitID int64, year int, reason string, d *certificateDraft) (int64, error) {
	var id int64
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := ledger.LockUnitBooks(ctx, tx, unitID); err != nil {
			return err
		}
		unit, err := registry.SharedUnit(ctx, tx, unitID)
		if err != nil {
			return err
		}
		officer, err := officerName(ctx, tx, actor)
		if err != nil {
			return err
		}
		st, err := ledger.LockedStatement(ctx, tx, unit.ID, year)
		if err != nil {
			return err
		}
		if err := certifiable(st); err != nil {
			return err
		}
		var prev []struct {
			ID     int64  `db:"id"`
			Serial string `db:"serial"`
		}
		if err := tx.SelectContext(ctx, &prev, `
			SELECT id, serial FROM certificates WHERE unit_id = $1 AND fiscal_year = $2 AND status = 'valid' FOR UPDATE`,
			unit.ID, year); err != nil {
			return err
		}

		// The number is taken last of all reads: the counter's row stays
		// locked until commit, so concurrent issues of the province-year
		// wait here, and a failure from now on rolls the number back.
		var seq int
		if err := tx.GetContext(ctx, &seq, `
			INSERT INTO certificate_counters (province, fiscal_year, last_seq) VALUES ($1, $2, 1)
			ON CONFLICT (province, fiscal_year) DO UPDATE SET last_seq = certificate_counters.last_seq + 1
			RETURNING last_seq`, s.Issuer.Province, year); err != nil {
			return err
		}
		c := s.certificate(unit, st, officer, taahod.Today(tx.Now))
		c.Serial = s.serial(year, seq)
		if len(prev) > 0 {
			c.Supersedes = prev[0].Serial
		}
		// The PDF and the signatures are a function of c alone, so the
		// draft is the certificate these reads make, byte for byte, or it
		// is stale.
		if !reflect.DeepEqual(d.c, c) {
			return errDraftStale
		}
		issued := d.issued
		c.QRURL, c.PayloadSHA256, c.VerificationCode = issued.QRURL, issued.FactsSHA256, issued.VerificationCode
		content, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, `SELECT nextval(pg_get_serial_sequence('certificates', 'id'))`); err != nil {
			return err
		}
		var supersedes *int64
		if len(prev) > 0 {
			// The old one goes first, for only one may be valid at a time;
			// its link to the new row is checked at commit.
			supersedes = &prev[0].ID
			if _, err := tx.ExecContext(ctx, `
				UPDATE certificates SET status = 'superseded', superseded_by = $2, status_at = $3, status_by = $4, status_reason = $5
				 WHERE id = $1`, prev[0].ID, id, tx.Now, actor.UserKey(), reason); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO certificates (id, serial, province, seq, unit_id, fiscal_year, status, tax_due, spending_used,
			            offset_amount, issued_on, issued_at, issued_by, content, facts_payload, facts_signature,
			            payload, signature, pdf, pdf_sha256, supersedes, audit_checkpoint_seq, renderer_version)
			VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, decode($19, 'hex'), $20,
			        (SELECT max(seq) FROM audit_checkpoints), $21)`,
			id, c.Serial, s.Issuer.Province, seq, unit.ID, year, st.TaxDue, st.SpendingUsed,
			st.OffsetAmount, c.IssuedOn, tx.Now, actor.UserKey(), string(content), issued.FactsPayload, issued.FactsSignature,
			issued.DocumentPayload, issued.DocumentSignature, issued.PDF, issued.PDFSHA256, supersedes, reports.RendererVersion); err != nil {
			return err
		}
		changes := map[string]any{
			"unit_id": unit.ID, "fiscal_year": year, "tax_due": st.TaxDue, "spending_used": st.SpendingUsed,
			"offset_amount": st.OffsetAmount, "sha256": issued.PDFSHA256, "facts_sha256": issued.FactsSHA256,
		}
		if len(prev) > 0 {
			changes["supersedes"] = prev[0].Serial
			changes["supersede_reason"] = reason
		}
		tx.Audit(ctx, actor, "certificate.issue", "certificate", c.Serial, changes)
		return notify.Publish(ctx, tx, notify.Event{Type: notify.CertificateIssued, UnitID: unit.ID,
			SubjectType: "certificate", SubjectID: c.Serial, Actor: actor, Resource: map[string]any{
				"serial": c.Serial, "unit_id": unit.ID, "fiscal_year": year, "status": StatusValid,
				"offset_amount": st.OffsetAmount, "issued_on": c.IssuedOn, "issued_on_jalali": c.IssuedOn.Jalali(), "supersedes": changes["supersedes"],
				"sha256": issued.PDFSHA256,
			}})
	})
	return id, err
}

// certifiable refuses a statement that no certificate may state: one that
// a run now would change, or one with nothing offset.
func certifiable(st ledger.Statement) error {
	switch {
	case st.Policy == nil:
		return taahod.Errorf(ledger.ENOPOLICY, "no offset policy is stored for %d", st.FiscalYear)
	case st.RunAt == nil:
		return taahod.Errorf(EOFFSETNEEDSRUN,
			"the offset of unit %d in %d has not been run since its books last changed: run it (POST /units/%d/tax-years/%d/offset) first",
			st.UnitID, st.FiscalYear, st.UnitID, st.FiscalYear)
	case st.NeedsRun:
		return taahod.Errorf(EOFFSETNEEDSRUN,
			"the statement of unit %d in %d changed since the last run (a run now would add %s to the offset and use %s more spending): run the offset again first",
			st.UnitID, st.FiscalYear, taahod.FormatAmount(st.PendingOffset), taahod.FormatAmount(st.PendingUse))
	case !st.OffsetAmount.IsPositive():
		return taahod.Errorf(ENOOFFSET, "nothing of unit %d's tax for %d has been offset: there is nothing to certify", st.UnitID, st.FiscalYear)
	}
	return nil
}

// unit finds the unit of an issue or preview; ENOTFOUND names unit_id.
func (s *Store) unit(ctx context.Context, actor taahod.Actor, id int64) (registry.Unit, error) {
	u, err := s.registry.FindUnit(ctx, actor, id)
	if taahod.ErrorCode(err) == taahod.ENOTFOUND {
		return u, &taahod.Error{Code: taahod.ENOTFOUND, Message: fmt.Sprintf("unit %d not found", id),
			Fields: []taahod.FieldError{{Field: "unit_id", Code: "not_found", Message: "no such unit"}}}
	}
	return u, err
}

// officerName is the name an issuing officer signs with, read with q: their full name,
// or their user name when none is recorded.
func officerName(ctx context.Context, q sqlx.QueryerContext, actor taahod.Actor) (string, error) {
	if actor.UserID == 0 {
		return actor.Username, nil
	}
	var name string
	err := sqlx.GetContext(ctx, q, &name, `SELECT COALESCE(NULLIF(btrim(full_name), ''), username) FROM users WHERE id = $1`, actor.UserID)
	return name, database.MapError(database.NotFound(err, "user", actor.UserID))
}

// certificate fills what a certificate of the unit-year prints, but its
// serial and signatures.
func (s *Store) certificate(u registry.Unit, st ledger.Statement, officer string, on taahod.Date) reports.Certificate {
	econ := ""
	if u.EconomicCode != nil {
		econ = *u.EconomicCode
	}
	c := reports.Certificate{
		Province:   s.Issuer.ProvinceName,
		IssuePlace: s.Issuer.IssuePlace,
		IssuedOn:   on,
		Unit:       reports.CertificateUnit{Name: u.Name, NationalID: u.NationalID, EconomicCode: econ, County: u.County},
		FiscalYear: st.FiscalYear, TaxDue: st.TaxDue, EligibleSpendingUsed: st.SpendingUsed, OffsetAmount: st.OffsetAmount,
		Officer:      officer,
		PublicURL:    s.Issuer.PublicURL,
		Expenditures: make([]reports.CertificateExpenditure, 0, len(st.Allocations)),
	}
	if st.Policy != nil {
		c.LegalBasis, c.PolicyMode = st.Policy.LegalBasis, st.Policy.Mode
	}
	for _, a := range st.Allocations {
		c.Expenditures = append(c.Expenditures, reports.CertificateExpenditure{
			ExpenditureID: a.ExpenditureID, SpentOn: a.SpentOn, InvoiceNo: a.InvoiceNo,
			Vendor: a.VendorName, School: a.SchoolName, AmountUsed: a.Amount,
		})
	}
	return c
}
