package certificate

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/taahod/taahod/reports"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/notify"
	"github.com/taahod/taahod/registry"
)

// Codes of the certificates.
var (
	// ENOOFFSET: the unit-year has no offset to certify.
	ENOOFFSET = taahod.RegisterCode("no_offset")
	// EOFFSETNEEDSRUN: the year's offset was never run, was undone by a
	// reversal, or its books changed since the last run.
	EOFFSETNEEDSRUN = taahod.RegisterCode("offset_needs_run")
	// ENOTVALID: the certificate is revoked or superseded already.
	ENOTVALID = taahod.RegisterCode("certificate_not_valid")
	// ENOSIGNINGKEY: no signing key is configured (TAAHOD_SIGNING_KEY).
	ENOSIGNINGKEY = taahod.RegisterCode("signing_key_missing")
)

// Store issues, revokes and keeps the certificates.
type Store struct {
	DB *database.DB
	// Issuer is the configuration the certificates print; NewStore resolves
	// its defaults.
	Issuer Issuer
	// Rendered, if set, is called right after each rendering of a
	// certificate being issued; tests use it to see which locks are held
	// then.
	Rendered func()
	ledger   *ledger.Store
	registry *registry.Store
}

// NewStore returns a Store over db issuing as issuer. It returns the error
// of issuer.Resolved.
func NewStore(db *database.DB, issuer Issuer) (*Store, error) {
	is, err := issuer.Resolved()
	if err != nil {
		return nil, err
	}
	return &Store{DB: db, Issuer: is, ledger: ledger.NewStore(db), registry: registry.NewStore(db)}, nil
}

// IssueInput is the body of POST /certificates.
type IssueInput struct {
	UnitID     int64 `json:"unit_id"`
	FiscalYear int   `json:"fiscal_year"`
	// Reason says why the certificate replaces the unit-year's valid one,
	// if there is one; it is printed on the superseded copy.
	Reason *string `json:"reason"`
}

// defaultSupersedeReason is printed on a superseded copy when the new
// certificate was issued without a reason.
const defaultSupersedeReason = "صدور گواهی جدید برای همین واحد و سال مالی"

func (in IssueInput) validate() (reason string, err error) {
	var p taahod.Problems
	if in.UnitID <= 0 {
		p.Add("unit_id", "required", "unit_id must name a unit")
	}
	if !taahod.ValidFiscalYear(in.FiscalYear) {
		p.Add("fiscal_year", "out_of_range", "fiscal_year must be a Solar Hijri year such as 1404")
	}
	reason = defaultSupersedeReason
	if in.Reason != nil && strings.TrimSpace(*in.Reason) != "" {
		reason = strings.TrimSpace(*in.Reason)
		checkReason(&p, reason)
	}
	return reason, p.Err()
}

// RevokeInput is the body of POST /certificates/{serial}/revoke.
type RevokeInput struct {
	Reason string `json:"reason"`
}

// checkReason refuses a reason that cannot be stored or printed.
func checkReason(p *taahod.Problems, reason string) {
	switch {
	case !utf8.ValidString(reason):
		p.Add("reason", "invalid_text", "the reason is not valid UTF-8")
	case strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }):
		p.Add("reason", "invalid_text", "the reason has control characters")
	case utf8.RuneCountInString(reason) > 1000:
		p.Add("reason", "too_long", "the reason must be at most 1000 characters")
	}
}

// Record is a stored certificate as the API answers it: its figures, the
// signed payloads, and its status. The PDF itself is read with PDF.
type Record struct {
	ID             int64           `db:"id"`
	Serial         string          `db:"serial"`
	Status         Status          `db:"status"`
	UnitID         int64           `db:"unit_id"`
	FiscalYear     int             `db:"fiscal_year"`
	TaxDue         decimal.Decimal `db:"tax_due"`
	SpendingUsed   decimal.Decimal `db:"spending_used"`
	OffsetAmount   decimal.Decimal `db:"offset_amount"`
	IssuedOn       taahod.Date     `db:"issued_on"`
	IssuedAt       time.Time       `db:"issued_at"`
	IssuedBy       *taahod.UserRef `db:"issued_by"`
	FactsPayload   string          `db:"facts_payload"`
	FactsSignature string          `db:"facts_signature"`
	// Payload and Signature are the document payload, which binds the
	// facts to the PDF's bytes, and its signature: the contract's payload
	// and signature.
	Payload   string `db:"payload"`
	Signature string `db:"signature"`
	// SHA256 is the hex SHA-256 of the PDF as issued: the file
	// GET /certificates/{serial}/pdf serves while the certificate is valid,
	// and the pdf_sha256 of the document payload.
	SHA256       string          `db:"sha256"`
	Supersedes   *string         `db:"supersedes"`
	SupersededBy *string         `db:"superseded_by"`
	StatusAt     *time.Time      `db:"status_at"`
	StatusBy     *taahod.UserRef `db:"status_by"`
	StatusReason *string         `db:"status_reason"`
	Content      []byte          `db:"content"`
	// The latest audit checkpoint when the certificate was issued
	// (database.Checkpoint), all nil when there was none yet.
	CheckpointSeq      *int64     `db:"audit_checkpoint_seq"`
	CheckpointHash     []byte     `db:"audit_checkpoint_hash"`
	CheckpointSignedAt *time.Time `db:"audit_checkpoint_signed_at"`
	// RendererVersion is the renderer version that made the PDF
	// (RendererVersion); the certificate is rendered again with it.
	RendererVersion int `db:"renderer_version"`

	// Printed is the certificate as it was printed, from Content.
	Printed reports.Certificate `db:"-"`
}

// FactsSHA256 is the digest printed on the certificate: the hex SHA-256 of
// the facts payload.
func (r Record) FactsSHA256() string { return SHA256Hex([]byte(r.FactsPayload)) }

// VerifyURL is the certificate's public verify page.
func (r Record) VerifyURL() string { return r.Printed.VerifyURL() }

// MarshalJSON writes the record with the Solar Hijri twins of its dates.
func (r Record) MarshalJSON() ([]byte, error) {
	type expenditure struct {
		ExpenditureID int64           `json:"expenditure_id"`
		SpentOn       taahod.Date     `json:"spent_on"`
		SpentOnJalali string          `json:"spent_on_jalali"`
		InvoiceNo     string          `json:"invoice_no"`
		VendorName    string          `json:"vendor_name"`
		SchoolName    string          `json:"school_name"`
		Amount        decimal.Decimal `json:"amount"`
	}
	exps := make([]expenditure, len(r.Printed.Expenditures))
	for i, e := range r.Printed.Expenditures {
		exps[i] = expenditure{e.ExpenditureID, e.SpentOn, e.SpentOn.Jalali(), e.InvoiceNo, e.Vendor, e.School, e.AmountUsed}
	}
	return json.Marshal(struct {
		Serial         string          `json:"serial"`
		Status         Status          `json:"status"`
		UnitID         int64           `json:"unit_id"`
		UnitName       string          `json:"unit_name"`
		UnitNationalID string          `json:"unit_national_id"`
		FiscalYear     int             `json:"fiscal_year"`
		TaxDue         decimal.Decimal `json:"tax_due"`
		SpendingUsed   decimal.Decimal `json:"spending_used"`
		OffsetAmount   decimal.Decimal `json:"offset_amount"`
		LegalBasis     string          `json:"legal_basis"`
		PolicyMode     string          `json:"policy_mode"`
		IssuedOn       taahod.Date     `json:"issued_on"`
		IssuedOnJalali string          `json:"issued_on_jalali"`
		IssuedAt       time.Time       `json:"issued_at"`
		IssuedAtJalali *string         `json:"issued_at_jalali"`
		IssuedBy       *taahod.UserRef `json:"issued_by"`
		Officer        string          `json:"officer"`
		SHA256         string          `json:"sha256"`
		FactsSHA256    string          `json:"facts_sha256"`
		Payload        string          `json:"payload"`
		Signature      string          `json:"signature"`
		FactsPayload   string          `json:"facts_payload"`
		FactsSignature string          `json:"facts_signature"`
		Code           string          `json:"verification_code"`
		QRURL          string          `json:"qr_url"`
		VerifyURL      string          `json:"verify_url"`
		Supersedes     *string         `json:"supersedes"`
		SupersededBy   *string         `json:"superseded_by"`
		StatusAt       *time.Time      `json:"status_at"`
		StatusAtJalali *string         `json:"status_at_jalali"`
		StatusBy       *taahod.UserRef `json:"status_by"`
		StatusReason   *string         `json:"status_reason"`
		Expenditures   []expenditure   `json:"expenditures"`
		Checkpoint     *checkpointRef  `json:"audit_checkpoint"`
	}{
		r.Serial, r.Status, r.UnitID, r.Printed.Unit.Name, r.Printed.Unit.NationalID, r.FiscalYear,
		r.TaxDue, r.SpendingUsed, r.OffsetAmount, r.Printed.LegalBasis, r.Printed.PolicyMode,
		r.IssuedOn, r.IssuedOn.Jalali(), r.IssuedAt, taahod.JalaliTimePtr(&r.IssuedAt), r.IssuedBy, r.Printed.Officer,
		r.SHA256, r.FactsSHA256(), r.Payload, r.Signature, r.FactsPayload, r.FactsSignature, r.VerificationCode(),
		r.Printed.QRURL, r.VerifyURL(), r.Supersedes, r.SupersededBy,
		r.StatusAt, taahod.JalaliTimePtr(r.StatusAt), r.StatusBy, r.StatusReason, exps, r.checkpoint(),
	})
}

// checkpointRef names an audit checkpoint in a certificate's JSON.
type checkpointRef struct {
	Seq            int64  `json:"seq"`
	Hash           string `json:"hash"`
	SignedAt       string `json:"signed_at"`
	SignedAtJalali string `json:"signed_at_jalali"`
}

// checkpoint is the latest audit checkpoint at the certificate's issue, as
// GET /public/audit/checkpoints writes its fields; nil when there was none.
func (r Record) checkpoint() *checkpointRef {
	if r.CheckpointSeq == nil || r.CheckpointSignedAt == nil {
		return nil
	}
	j := database.Checkpoint{Seq: *r.CheckpointSeq, Hash: r.CheckpointHash, SignedAt: *r.CheckpointSignedAt}.JSON()
	return &checkpointRef{Seq: j.Seq, Hash: j.Hash, SignedAt: j.SignedAt, SignedAtJalali: j.SignedAtJalali}
}

// annulled is the certificate as its annulled copy prints it: as issued,
// with its status, the reason and the date it changed.
func (r Record) annulled() reports.Certificate {
	c := r.Printed
	c.Status = r.Status
	if r.StatusReason != nil {
		c.StatusReason = *r.StatusReason
	}
	if r.StatusAt != nil {
		c.StatusOn = taahod.Today(*r.StatusAt)
	}
	if r.SupersededBy != nil {
		c.SupersededBy = *r.SupersededBy
	}
	return c
}

// recordSelect reads certificates with the serials they link to and the
// officers who issued them and changed their status, named.
var recordSelect = `
	SELECT c.id, c.serial, c.status, c.unit_id, c.fiscal_year, c.tax_due, c.spending_used, c.offset_amount,
	       c.issued_on, c.issued_at, ` + taahod.UserRefSQL("c.issued_by") + ` AS issued_by, c.facts_payload, c.facts_signature, c.payload, c.signature,
	       encode(c.pdf_sha256, 'hex') AS sha256, p.serial AS supersedes, n.serial AS superseded_by,
	       c.status_at, ` + taahod.UserRefSQL("c.status_by") + ` AS status_by, c.status_reason, c.content,
	       c.audit_checkpoint_seq, k.hash AS audit_checkpoint_hash, k.signed_at AS audit_checkpoint_signed_at,
	       c.renderer_version
	  FROM certificates c
	  LEFT JOIN certificates p ON p.id = c.supersedes
	  LEFT JOIN certificates n ON n.id = c.superseded_by
	  LEFT JOIN audit_checkpoints k ON k.seq = c.audit_checkpoint_seq`

// loadRecords runs a query of recordSelect and decodes what each printed.
func loadRecords(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]Record, error) {
	var list []Record
	if err := sqlx.SelectContext(ctx, q, &list, query, args...); err != nil {
		return nil, err
	}
	for i := range list {
		if err := json.Unmarshal(list[i].Content, &list[i].Printed); err != nil {
			return nil, fmt.Errorf("certificate %s: stored content: %w", list[i].Serial, err)
		}
	}
	return list, nil
}

// lookup reads one certificate by serial, whoever asks; ENOTFOUND if none.
func lookup(ctx context.Context, q sqlx.QueryerContext, serial string) (Record, error) {
	if !reports.IsSerial(serial) {
		return Record{}, taahod.Errorf(taahod.ENOTFOUND, "certificate %q not found", serial)
	}
	list, err := loadRecords(ctx, q, recordSelect+` WHERE c.serial = $1`, serial)
	if err != nil {
		return Record{}, err
	}
	if len(list) == 0 {
		return Record{}, taahod.Errorf(taahod.ENOTFOUND, "certificate %s not found", serial)
	}
	return list[0], nil
}

// Lookup returns a certificate by its serial for the public verification,
// which needs no sign-in: the caller shows only what may be public. It
// returns ENOTFOUND for an unknown or malformed serial.
func (s *Store) Lookup(ctx context.Context, serial string) (Record, error) {
	r, err := lookup(ctx, s.DB, serial)
	return r, database.MapError(err)
}

// Find returns a certificate the actor may see. It returns EFORBIDDEN for a
// role that never sees units' tax figures and ENOTFOUND for an unknown
// serial or a certificate of a unit outside an accountant's own.
func (s *Store) Find(ctx context.Context, actor taahod.Actor, serial string) (Record, error) {
	if !actor.SeesTaxFigures() {
		return Record{}, taahod.Errorf(taahod.EFORBIDDEN, "certificates state units' tax figures, which the %s role does not see", actor.Role)
	}
	r, err := s.Lookup(ctx, serial)
	if err != nil {
		return Record{}, err
	}
	if !actor.CanSeeUnit(r.UnitID) {
		return Record{}, taahod.Errorf(taahod.ENOTFOUND, "certificate %s not found", serial)
	}
	return r, nil
}

// ListFilter selects certificates; zero values select all. Lists are in
// order of issue.
type ListFilter struct {
	UnitID     int64
	FiscalYear int
	Status     Status
	AfterID    int64
	Limit      int
}

// ValidStatus reports whether s is a certificate status.
func ValidStatus(s string) bool {
	switch Status(s) {
	case StatusValid, StatusRevoked, StatusSuperseded:
		return true
	}
	return false
}

// List returns the certificates the actor may see that the filter selects:
// an accountant's own units' only. It returns EFORBIDDEN for a role that
// never sees units' tax figures.
func (s *Store) List(ctx context.Context, actor taahod.Actor, f ListFilter) ([]Record, error) {
	q, err := registerWhere(actor, f)
	if err != nil {
		return nil, err
	}
	list, err := loadRecords(ctx, s.DB, recordSelect+` WHERE `+q.Clause()+` ORDER BY c.id LIMIT `+q.Arg(f.Limit), q.Args...)
	if list == nil {
		list = []Record{}
	}
	return list, database.MapError(err)
}

// PDF returns the certificate's PDF as it is given out, with the record:
// the issued bytes while it is valid; once revoked or superseded, the same
// page with a large «باطل شد» or «جایگزین شد» and the reason. It returns
// what Find returns.
func (s *Store) PDF(ctx context.Context, actor taahod.Actor, serial string) ([]byte, Record, error) {
	r, err := s.Find(ctx, actor, serial)
	if err != nil {
		return nil, Record{}, err
	}
	pdf, err := s.servedPDF(ctx, r)
	return pdf, r, err
}

// servedPDF is the PDF of r as it is given out (see PDF).
func (s *Store) servedPDF(ctx context.Context, r Record) ([]byte, error) {
	if r.Status != StatusValid {
		return reports.RenderCertificateVersion(r.annulled(), reports.ModeAnnulled, r.RendererVersion)
	}
	return storedPDF(ctx, s.DB, r.ID)
}

func storedPDF(ctx context.Context, q sqlx.QueryerContext, id int64) ([]byte, error) {
	var pdf []byte
	err := sqlx.GetContext(ctx, q, &pdf, `SELECT pdf FROM certificates WHERE id = $1`, id)
	return pdf, database.MapError(err)
}

// previewOfficer stands for the officer on a preview asked for by someone
// who will not issue it.
const previewOfficer = "(هنگام صدور درج می‌شود)"

// Preview renders the certificate that issuing now would give, with
// «پیش‌نویس» across it, no serial, no QR code and no signature; it takes
// no serial and stores nothing. It returns EFORBIDDEN for a role that never
// sees units' tax figures; ENOTFOUND for an unknown unit, one outside the
// actor's scope or a year without a recorded tax; and the refusals of
// Issue for a year that cannot be certified now.
func (s *Store) Preview(ctx context.Context, actor taahod.Actor, unitID int64, year int) ([]byte, error) {
	if !actor.SeesTaxFigures() {
		return nil, taahod.Errorf(taahod.EFORBIDDEN, "certificates state units' tax figures, which the %s role does not see", actor.Role)
	}
	u, err := s.registry.FindUnit(ctx, actor, unitID)
	if err != nil {
		return nil, err
	}
	st, err := s.ledger.Statement(ctx, actor, unitID, year)
	if err != nil {
		return nil, err
	}
	if err := certifiable(st); err != nil {
		return nil, err
	}
	officer := previewOfficer
	if actor.Is(taahod.RoleTaxOfficer) {
		if officer, err = officerName(ctx, s.DB, actor); err != nil {
			return nil, err
		}
	}
	c := s.certificate(u, st, officer, taahod.Today(s.DB.Now()))
	var valid []string
	if err := s.DB.SelectContext(ctx, &valid, `SELECT serial FROM certificates WHERE unit_id = $1 AND fiscal_year = $2 AND status = 'valid'`,
		unitID, year); err != nil {
		return nil, database.MapError(err)
	}
	if len(valid) > 0 {
		c.Supersedes = valid[0]
	}
	return reports.RenderCertificate(c, reports.ModePreview)
}

// Revoke revokes a valid certificate, keeping it with its reason; the
// unit-year's books may then change again. It returns EINVALID without a
// reason, what Find returns for a certificate the actor may not see, and
// ENOTVALID for one already revoked or superseded.
func (s *Store) Revoke(ctx context.Context, actor taahod.Actor, serial string, in RevokeInput) (Record, error) {
	var p taahod.Problems
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		p.Add("reason", "required", "say why the certificate is revoked")
	} else {
		checkReason(&p, reason)
	}
	if err := p.Err(); err != nil {
		return Record{}, err
	}
	r, err := s.Find(ctx, actor, serial)
	if err != nil {
		return Record{}, err
	}
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		// The books' lock orders this with issues and reversals of the unit.
		if err := ledger.LockUnitBooks(ctx, tx, r.UnitID); err != nil {
			return err
		}
		var status Status
		if err := tx.GetContext(ctx, &status, `SELECT status FROM certificates WHERE id = $1 FOR UPDATE`, r.ID); err != nil {
			return err
		}
		if status != StatusValid {
			return taahod.Errorf(ENOTVALID, "certificate %s is %s already: only a valid certificate can be revoked", serial, status)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE certificates SET status = 'revoked', status_at = $2, status_by = $3, status_reason = $4 WHERE id = $1`,
			r.ID, tx.Now, actor.UserKey(), reason); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "certificate.revoke", "certificate", serial, map[string]any{
			"from": StatusValid, "to": StatusRevoked, "reason": reason,
			"unit_id": r.UnitID, "fiscal_year": r.FiscalYear,
		})
		return notify.Publish(ctx, tx, notify.Event{Type: notify.CertificateRevoked, UnitID: r.UnitID,
			SubjectType: "certificate", SubjectID: serial, Actor: actor, Resource: map[string]any{
				"serial": r.Serial, "unit_id": r.UnitID, "fiscal_year": r.FiscalYear, "status": StatusRevoked,
				"reason": reason, "revoked_at": tx.Now, "revoked_at_jalali": taahod.JalaliTime(tx.Now),
			}})
	})
	if err != nil {
		return Record{}, err
	}
	return s.Lookup(ctx, serial)
}
