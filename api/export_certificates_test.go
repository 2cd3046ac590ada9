package api

import (
	"fmt"
	"strings"
	"testing"
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
