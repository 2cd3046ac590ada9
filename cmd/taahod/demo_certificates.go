package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/registry"
)

// The certificates' demo: the tax office certifies the offsets the ledger's
// demo ran, and shows the three states a certificate can be in.
//
//   - QZV-1404-000001, steel works' 1404 credit, issued before the unit's
//     economic code was on file; superseded by QZV-1404-000002, issued
//     once it was, to print it.
//   - QZV-1403-000001, the same unit's 1403 deduction: two expenditures,
//     the demo certificate that scripts/render-sample-certificate shows.
//   - QZV-1404-000003, the pharmaceutical unit's 1404 credit, revoked.
//
// It needs the signing key (TAAHOD_SIGNING_KEY); without it the step is
// skipped, and loads at the next seed-demo that has one.

// demoEconomicCode is the steel works' economic code, recorded between its
// two 1404 certificates.
const demoEconomicCode = "411198765432"

// demoCertificateSteps: what the tax officer does, in order.
var demoCertificateSteps = []struct {
	unit, year int
	before     func(ctx context.Context, d *demo, unit int64) error
	reason     string // why it replaces the unit-year's valid one
	revoke     string // "" keeps it valid
}{
	{unit: 0, year: 1404},
	{unit: 0, year: 1404, before: recordDemoEconomicCode, reason: "درج کد اقتصادی واحد که پس از صدور گواهی قبلی در پرونده ثبت شد"},
	{unit: 0, year: 1403},
	{unit: 3, year: 1404, revoke: "برگ تشخیص مالیات عملکرد ۱۴۰۴ واحد در هیئت حل اختلاف مالیاتی اصلاح شد؛ گواهی پس از اجرای دوبارهٔ تهاتر صادر می‌شود"},
}

func loadDemoCertificates(ctx context.Context, d *demo) error {
	if d.issuer.Signer == nil {
		return errDemoSkipped{"TAAHOD_SIGNING_KEY is not set, so no certificate can be signed (make run sets it)"}
	}
	store, err := certificate.NewStore(d.db, d.issuer)
	if err != nil {
		return err
	}
	tax, err := d.actor(ctx, "tax")
	if err != nil {
		return err
	}
	for _, c := range demoCertificateSteps {
		unit, err := d.unitID(ctx, c.unit)
		if err != nil {
			return err
		}
		if c.before != nil {
			if err := c.before(ctx, d, unit); err != nil {
				return err
			}
		}
		in := certificate.IssueInput{UnitID: unit, FiscalYear: c.year}
		if c.reason != "" {
			reason := c.reason
			in.Reason = &reason
		}
		r, err := store.Issue(ctx, tax, in)
		if err != nil {
			return fmt.Errorf("certificate of %s for %d: %w", demoUnits[c.unit].Name, c.year, err)
		}
		if c.revoke != "" {
			if _, err := store.Revoke(ctx, tax, r.Serial, certificate.RevokeInput{Reason: c.revoke}); err != nil {
				return fmt.Errorf("revoke %s: %w", r.Serial, err)
			}
		}
	}
	return nil
}

func recordDemoEconomicCode(ctx context.Context, d *demo, unit int64) error {
	_, err := d.registry.UpdateUnit(ctx, taahod.System, unit, registry.UnitPatch{
		EconomicCode: taahod.Optional[string]{Set: true, Value: demoEconomicCode}})
	return err
}

// printDemoCertificate tells how to verify the demo certificate in public:
// by serial alone the page shows only its status; the unit and the amount
// need its verification code, which the paper prints beside the serial.
// Nothing is printed when the demo has no certificates (no signing key).
func printDemoCertificate(ctx context.Context, db *database.DB, issuer certificate.Issuer, w io.Writer) error {
	r, err := certificate.NewStore(db, issuer)
	if err != nil {
		return err
	}
	serial := issuer.Province + "-1403-000001"
	c, err := r.Lookup(ctx, serial)
	if taahod.ErrorCode(err) == taahod.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	code := c.VerificationCode()
	fmt.Fprintf(w, "\nDemo certificate %s, verification code %s (printed beside the serial on its PDF):\n  %s/v/%s?code=%s\n",
		serial, code, issuer.PublicURL, serial, url.QueryEscape(code))
	return nil
}
