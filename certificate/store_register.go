package certificate

import (
	"context"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// registerWhere is the WHERE clause of the certificates the actor may see
// that f selects, after f.AfterID: the one filter and scope List and
// EachCertificate share, so that the register's file holds what its pages
// hold. It returns EFORBIDDEN for a role that never sees units' tax
// figures.
func registerWhere(actor taahod.Actor, f ListFilter) (database.Filter, error) {
	q := database.Filter{}
	if !actor.SeesTaxFigures() {
		return q, taahod.Errorf(taahod.EFORBIDDEN, "certificates state units' tax figures, which the %s role does not see", actor.Role)
	}
	q.Where("c.id > " + q.Arg(f.AfterID))
	if !actor.SeesAllUnits() {
		q.Where("c.unit_id = ANY(" + q.Arg(pq.Array(actor.UnitIDs)) + ")")
	}
	if f.UnitID > 0 {
		q.Where("c.unit_id = " + q.Arg(f.UnitID))
	}
	if f.FiscalYear > 0 {
		q.Where("c.fiscal_year = " + q.Arg(f.FiscalYear))
	}
	if f.Status != "" {
		q.Where("c.status = " + q.Arg(string(f.Status)))
	}
	return q, nil
}

// RegisterEntry is a certificate as the register's file shows it: what
// List's record answers of its figures, its unit as printed, its issue and
// its status, without the signed payloads, the PDF or the rest of what it
// printed, which no file shows.
type RegisterEntry struct {
	ID     int64  `db:"id"`
	Serial string `db:"serial"`
	Status Status `db:"status"`
	UnitID int64  `db:"unit_id"`
	// UnitName and UnitNationalID are the unit as the certificate printed
	// it (the record's unit_name and unit_national_id), whatever became of
	// the unit since.
	UnitName       string          `db:"unit_name"`
	UnitNationalID string          `db:"unit_national_id"`
	FiscalYear     int             `db:"fiscal_year"`
	TaxDue         decimal.Decimal `db:"tax_due"`
	SpendingUsed   decimal.Decimal `db:"spending_used"`
	OffsetAmount   decimal.Decimal `db:"offset_amount"`
	IssuedOn       taahod.Date     `db:"issued_on"`
	// IssuedBy is the full name of the officer who issued it (the
	// record's issued_by.full_name), nil for none.
	IssuedBy     *string    `db:"issued_by"`
	Supersedes   *string    `db:"supersedes"`
	SupersededBy *string    `db:"superseded_by"`
	StatusAt     *time.Time `db:"status_at"`
	StatusReason *string    `db:"status_reason"`
}

// registerSelect reads the register's entries. The unit is read from what
// the certificate printed, as Record.Printed has it; the officer's name as
// taahod.UserRefSQL names him.
const registerSelect = `
	SELECT c.id, c.serial, c.status, c.unit_id,
	       coalesce(c.content->'unit'->>'name', '') AS unit_name,
	       coalesce(c.content->'unit'->>'national_id', '') AS unit_national_id,
	       c.fiscal_year, c.tax_due, c.spending_used, c.offset_amount, c.issued_on,
	       (SELECT coalesce(nullif(btrim(u.full_name), ''), u.username) FROM users u WHERE u.id = c.issued_by) AS issued_by,
	       p.serial AS supersedes, n.serial AS superseded_by, c.status_at, c.status_reason
	  FROM certificates c
	  LEFT JOIN certificates p ON p.id = c.supersedes
	  LEFT JOIN certificates n ON n.id = c.superseded_by`

// EachCertificate calls fn with each certificate List lists for f, in the
// same order and for the same actor's scope, at most f.Limit of them, as
// the register's entries, read by one query row by row: the register's
// file (issue 15) is written as the rows arrive and never held whole. It
// returns EFORBIDDEN as List does; fn's first error ends the query and is
// returned.
func (s *Store) EachCertificate(ctx context.Context, actor taahod.Actor, f ListFilter, fn func(*RegisterEntry) error) error {
	q, err := registerWhere(actor, f)
	if err != nil {
		return err
	}
	query := registerSelect + ` WHERE ` + q.Clause() + ` ORDER BY c.id LIMIT ` + q.Arg(f.Limit)
	return database.EachRow(ctx, s.DB, query, q.Args, fn)
}
