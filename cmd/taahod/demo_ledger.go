package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/taahod/taahod/ledger"
)

// The offset ledger's demo: the two policies the source's years call for
// (1403 under Article 172 as written, a deduction from taxable income; 1404
// under the provincial arrangement the source reports, spending counted as
// tax paid), the demo units' tax for those years, and the offsets run.

var demoPolicies = []struct {
	year int
	body string
}{
	{1403, `{"mode":"deduction","rate":"1","tax_rate":"0.25","deduction_cap_rate":"1","cap_amount":null,
		"carry_forward_years":0,"rounding_unit":"1","rounding":"down",
		"eligible_categories":["land","construction","equipment","design_supervision","other"],
		"legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم (اصلاحی ۱۳۹۴/۰۴/۳۱): کسر از درآمد مشمول مالیات سال پرداخت"}`},
	{1404, `{"mode":"credit","rate":"1","cap_amount":null,"carry_forward_years":1,"rounding_unit":"1","rounding":"down",
		"eligible_categories":["land","construction","equipment","design_supervision","other"],
		"legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم و ترتیبات استانی کارگروه تسهیل و رفع موانع تولید قزوین: هزینه‌کرد ساخت مدرسه به‌عنوان مالیات منظور می‌شود"}`},
}

// demoTaxYears: unit (index into demoUnits), year, tax due, taxable income,
// and whether the offset is run.
var demoTaxYears = []struct {
	unit        int
	year        int
	due, income string
	run         bool
}{
	{0, 1403, "18000000000", "72000000000", true},
	{0, 1404, "12000000000", "", true},
	{1, 1403, "6000000000", "20000000000", true},
	{3, 1404, "25000000000", "", true},
	{1, 1404, "9500000000", "", false},
}

func loadDemoPolicies(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	tax, err := d.actor(ctx, "tax")
	if err != nil {
		return err
	}
	for _, p := range demoPolicies {
		var in ledger.PolicyInput
		if err := json.Unmarshal([]byte(p.body), &in); err != nil {
			return fmt.Errorf("policy %d: %w", p.year, err)
		}
		if _, err := store.SetPolicy(ctx, tax, p.year, in); err != nil {
			return fmt.Errorf("policy %d: %w", p.year, err)
		}
	}
	return nil
}

func loadDemoTaxYears(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	tax, err := d.actor(ctx, "tax")
	if err != nil {
		return err
	}
	for _, y := range demoTaxYears {
		unit, err := d.unitID(ctx, y.unit)
		if err != nil {
			return err
		}
		in := ledger.TaxYearInput{TaxDue: json.RawMessage(`"` + y.due + `"`)}
		if y.income != "" {
			in.TaxableIncome = json.RawMessage(`"` + y.income + `"`)
		}
		if _, err := store.Assess(ctx, tax, unit, y.year, in); err != nil {
			return fmt.Errorf("tax of %s in %d: %w", demoUnits[y.unit].Name, y.year, err)
		}
		if y.run {
			if _, err := store.RunOffset(ctx, tax, unit, y.year); err != nil {
				return fmt.Errorf("offset of %s in %d: %w", demoUnits[y.unit].Name, y.year, err)
			}
		}
	}
	return nil
}
