package api

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/taahod/taahod/certificate"
)

// certificateWorld is a world whose register holds a certificate of each
// state: unit A's first, superseded by its second (the reason reads as a
// formula), and unit B's, revoked.
func certificateWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "2500000.75")
	w.approved(w.accB, w.pledgeB, "4000000")
	w.assess(w.unitA.ID, "2000000")
	w.assess(w.unitB.ID, "3000000.5")
	w.runOffset(w.unitA.ID)
	w.runOffset(w.unitB.ID)
	w.mustIssue(w.unitA.ID)
	b := w.mustIssue(w.unitB.ID)
	if r := w.do("POST", "/api/v1/certificates", w.tax, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404, "reason": "=1+1 برگ تشخیص اصلاحی"}); r.status != 201 {
		t.Fatalf("supersede: %d %s", r.status, r.body)
	}
	if r := w.do("POST", "/api/v1/certificates/"+b["serial"].(string)+"/revoke", w.tax, map[string]any{"reason": "اشتباه در برگ تشخیص"}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	return w
}

// TestExportCertificatesAsTheirPages: the certificate register's file,
// for every role that reads it and with each filter, is byte for byte the
// file the list's JSON pages make, and holds every cell of the JSON list.
func TestExportCertificatesAsTheirPages(t *testing.T) {
	w := certificateWorld(t)
	for _, c := range []struct{ name, path, token string }{
		{"tax_office", "/api/v1/certificates", w.tax},
		{"auditor", "/api/v1/certificates", w.aud},
		{"admin", "/api/v1/certificates", w.admin},
		{"accountant_a", "/api/v1/certificates", w.accA},
		{"accountant_b", "/api/v1/certificates", w.accB},
		{"unit", fmt.Sprintf("/api/v1/certificates?unit_id=%d", w.unitA.ID), w.tax},
		{"status", "/api/v1/certificates?status=superseded", w.tax},
		{"year_and_status", "/api/v1/certificates?fiscal_year=1404&status=revoked", w.aud},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.samePagesFile(t, c.path, c.token, certificateList, true)
			w.checkExport(t, c.path, c.token, certificateList, true)
		})
	}
}

// TestExportCertificatesScope: an accountant's file of the register has
// their own unit's certificates and not one of another unit, even when
// asked for by the other unit's id; the roles that never see units' tax
// figures get no file.
func TestExportCertificatesScope(t *testing.T) {
	w := certificateWorld(t)
	serials := func(token, query string) (own, other int) {
		t.Helper()
		r := w.do("GET", "/api/v1/certificates?format=csv&headers=en"+query, token, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		for _, line := range strings.Split(string(r.body), "\r\n")[1:] {
			switch {
			case strings.Contains(line, ","+fmt.Sprint(w.unitA.ID)+","+w.unitA.Name+","):
				own++
			case line != "":
				other++
			}
		}
		return own, other
	}
	if own, other := serials(w.accA, ""); own != 2 || other != 0 {
		t.Errorf("accountant A's file: %d of unit A, %d others; want 2 and none", own, other)
	}
	if own, other := serials(w.accA, fmt.Sprintf("&unit_id=%d", w.unitB.ID)); own != 0 || other != 0 {
		t.Errorf("accountant A's file of unit B: %d of unit A, %d others; want none", own, other)
	}
	if own, other := serials(w.tax, ""); own != 2 || other != 1 {
		t.Errorf("the tax office's file: %d of unit A, %d others; want 2 and 1", own, other)
	}
	for _, token := range []string{w.edu, w.sec} {
		for _, format := range []string{"csv", "xlsx"} {
			if r := w.do("GET", "/api/v1/certificates?format="+format, token, nil); r.status != 403 {
				t.Errorf("a role without tax figures, as %s: %d %s", format, r.status, abbreviate(r.body))
			}
		}
	}
}

// TestExportCertificatesFromTheStore: the register's file is written from
// the store's rows, one query read row by row, not from the list's JSON
// pages encoded and decoded again. What tells them apart without timing
// anything is the allocations a row takes: through the JSON, each
// certificate was read whole (what it printed decoded from its stored
// JSON), encoded with its payloads, signatures, expenditures and Jalali
// twins, and decoded again into a map; from the store, a row of the
// register's fields is scanned and its cells written. The rows are
// counted as the difference between two units' files, of 100 and of 20
// certificates, so that what a file costs whatever its length (the
// workbook's start) does not count. Every cell is checked against the JSON
// list by TestExportCertificatesAsTheirPages.
func TestExportCertificatesFromTheStore(t *testing.T) {
	const many, few = 100, 20
	w := newWorld(t)
	ctx := context.Background()
	var officer int64
	if err := w.db.GetContext(ctx, &officer, `SELECT id FROM users WHERE username = 'tax1'`); err != nil {
		t.Fatal(err)
	}
	chainCertificates(t, w.db, w.srv.certificates, w.unitA, 1404, officer, many)
	chainCertificates(t, w.db, w.srv.certificates, w.unitB, 1404, officer, few)
	// The rows are what issuing stores: taahod verify finds nothing.
	if summary, findings, err := certificate.VerifyCertificates(ctx, w.db); err != nil || len(findings) > 0 {
		t.Fatalf("verify: %s, %v, %v", summary, findings, err)
	}
	for _, format := range []string{"csv", "xlsx"} {
		allocs := func(unit int64, rows int) uint64 {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := w.do("GET", fmt.Sprintf("/api/v1/certificates?format=%s&unit_id=%d", format, unit), w.tax, nil)
			runtime.ReadMemStats(&after)
			if r.status != 200 || r.header.Get("X-Export-Rows") != fmt.Sprint(rows) {
				t.Fatalf("unit %d as %s: %d, %s rows", unit, format, r.status, r.header.Get("X-Export-Rows"))
			}
			return after.Mallocs - before.Mallocs
		}
		perRow := (float64(allocs(w.unitA.ID, many)) - float64(allocs(w.unitB.ID, few))) / (many - few)
		t.Logf("certificates as %s: %.0f allocations a row", format, perRow)
		// Measured (with -race): 73 (CSV) and 215 (XLSX: excelize takes
		// about four a cell) from the store; 346 and 480 through the JSON
		// pages.
		bound := map[string]float64{"csv": 160, "xlsx": 320}[format]
		if perRow > bound {
			t.Errorf("certificates as %s: %.0f allocations a row, more than %.0f: the rows do not come straight from the store", format, perRow, bound)
		}
	}
}
