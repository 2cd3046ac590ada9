package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports"
)

// chainCertificates stores n certificates of the unit's year, each
// superseding the one before (the unit-year's valid one first, if there is
// one), as issuing stores them: signed and rendered by certificate.Issue,
// the serials taken from the province-year's counter, the one superseded
// marked so in the same transaction. `taahod verify` finds them sound
// (the tests check it). What they print is made up, not read from the
// books (verify checks a certificate against itself): issuing through the
// API drafts each from the ledger's reads, and a register of thousands
// would take the benchmark minutes to fill. officer, if not 0, issued them
// all. They are committed 50 at a time: a transaction left open holds back
// the audit sequencer of every database of the cluster (its xmin), and
// with it the other tests' writes.
func chainCertificates(tb testing.TB, db *database.DB, certs *certificate.Store, unit registry.Unit, year int, officer int64, n int) {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { tx.Rollback() }()
	var officerKey *int64
	if officer != 0 {
		officerKey = &officer
	}
	var prev struct {
		ID     int64  `db:"id"`
		Serial string `db:"serial"`
	}
	err = tx.GetContext(ctx, &prev, `SELECT id, serial FROM certificates WHERE unit_id = $1 AND fiscal_year = $2 AND status = 'valid'`, unit.ID, year)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		tb.Fatal(err)
	}
	now := db.Now()
	is := certs.Issuer
	econ := ""
	if unit.EconomicCode != nil {
		econ = *unit.EconomicCode
	}
	c := reports.Certificate{
		Province: is.ProvinceName, IssuePlace: is.IssuePlace, IssuedOn: taahod.Today(now),
		Unit:       reports.CertificateUnit{Name: unit.Name, NationalID: unit.NationalID, EconomicCode: econ, County: unit.County},
		FiscalYear: year, TaxDue: decimal.RequireFromString("3000000.5"), EligibleSpendingUsed: decimal.RequireFromString("4000000"),
		OffsetAmount: decimal.RequireFromString("3000000.5"),
		LegalBasis:   "ماده ۱۷۲ قانون مالیات‌های مستقیم و ترتیبات استانی قزوین", PolicyMode: "credit",
		Officer: "مریم رضایی", PublicURL: is.PublicURL,
		Expenditures: []reports.CertificateExpenditure{
			{ExpenditureID: 1, SpentOn: taahod.MustParseDate("2025-10-01"), InvoiceNo: "INV-1", Vendor: "مصالح ساختمانی البرز",
				School: "دبستان ۱۲ کلاسه شهید رجایی", AmountUsed: decimal.RequireFromString("3000000.5")},
		},
	}
	for i := range n {
		if i > 0 && i%50 == 0 {
			if err := tx.Commit(); err != nil {
				tb.Fatal(err)
			}
			if tx, err = db.BeginTxx(ctx, nil); err != nil {
				tb.Fatal(err)
			}
		}
		var seq int
		if err := tx.GetContext(ctx, &seq, `
			INSERT INTO certificate_counters (province, fiscal_year, last_seq) VALUES ($1, $2, 1)
			ON CONFLICT (province, fiscal_year) DO UPDATE SET last_seq = certificate_counters.last_seq + 1
			RETURNING last_seq`, is.Province, year); err != nil {
			tb.Fatal(err)
		}
		c.Serial = fmt.Sprintf("%s-%d-%06d", is.Province, year, seq)
		c.Supersedes = prev.Serial
		issued, err := certificate.Issue(c, is.Signer)
		if err != nil {
			tb.Fatal(err)
		}
		printed := c
		printed.QRURL, printed.PayloadSHA256, printed.VerificationCode = issued.QRURL, issued.FactsSHA256, issued.VerificationCode
		content, err := json.Marshal(printed)
		if err != nil {
			tb.Fatal(err)
		}
		var id int64
		if err := tx.GetContext(ctx, &id, `SELECT nextval(pg_get_serial_sequence('certificates', 'id'))`); err != nil {
			tb.Fatal(err)
		}
		var supersedes *int64
		if prev.ID != 0 {
			supersedes = &prev.ID
			if _, err := tx.ExecContext(ctx, `
				UPDATE certificates SET status = 'superseded', superseded_by = $2, status_at = $3, status_by = $4, status_reason = $5
				 WHERE id = $1`, prev.ID, id, now, officerKey, "برگ تشخیص اصلاحی"); err != nil {
				tb.Fatal(err)
			}
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO certificates (id, serial, province, seq, unit_id, fiscal_year, status, tax_due, spending_used,
			            offset_amount, issued_on, issued_at, issued_by, content, facts_payload, facts_signature,
			            payload, signature, pdf, pdf_sha256, supersedes, audit_checkpoint_seq, renderer_version)
			VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, decode($19, 'hex'), $20,
			        (SELECT max(seq) FROM audit_checkpoints), $21)`,
			id, c.Serial, is.Province, seq, unit.ID, year, c.TaxDue, c.EligibleSpendingUsed, c.OffsetAmount, c.IssuedOn, now, officerKey,
			string(content), issued.FactsPayload, issued.FactsSignature, issued.DocumentPayload, issued.DocumentSignature,
			issued.PDF, issued.PDFSHA256, supersedes, reports.RendererVersion); err != nil {
			tb.Fatal(err)
		}
		prev.ID, prev.Serial = id, c.Serial
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}
