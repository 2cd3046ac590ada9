package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

func TestSecretariatFiguresAndRows(t *testing.T) {
	d := newRegistryDesk(t)
	ctx := context.Background()
	s, err := d.reg.CreateSession(ctx, taahod.System, registry.NewSession{Kind: registry.KindFormal, HeldOnJalali: "1404/04/10"})
	if err != nil {
		t.Fatal(err)
	}
	for i, unit := range []int64{d.steel.ID, d.glass.ID, d.steel.ID} {
		r, err := d.reg.CreateResolution(ctx, taahod.System, registry.NewResolution{SessionID: &s.ID, UnitID: &unit,
			Text: "مصوبه " + string(rune('۱'+i)), Category: "tax", Agencies: []string{"اداره کل امور مالیاتی"}, Confidential: i == 1})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := d.reg.ChangeStatus(ctx, taahod.System, r.ID, registry.StatusChange{Status: registry.StatusImplemented}); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.mustCase(t, registry.NewCase{UnitID: &d.glass.ID, Channel: registry.ChannelReferralProvincial, Subject: "ارجاع محرمانه",
		OpenedOnJalali: "1404/06/01", Confidential: true})
	b := d.signedIn(t, "secretariat")
	a := b.get("/secretariat/figures?year=۱۴۰۴")
	if a.status != http.StatusOK {
		t.Fatalf("figures: %d", a.status)
	}
	for title, want := range map[string]string{"۱": "/secretariat/figures/rows?year=1404&figure=sessions.total",
		"۳": "/secretariat/figures/rows?year=1404&figure=resolutions.total"} {
		if !hasLink(a, want) || !strings.Contains(a.body, `figure=`+strings.TrimPrefix(want, "/secretariat/figures/rows?year=1404&figure=")+`">`+title+`</a>`) {
			t.Errorf("no link %q titled %s", want, title)
		}
	}
	if !hasLink(a, "/api/v1/public/registry.pdf?year=1404") {
		t.Error("no link to the yearly report's PDF")
	}
	if !strings.Contains(a.text(), "۳۳٫۳۳٪ ( ۱ از ۳ )") {
		t.Errorf("no implementation rate:\n%s", a.text())
	}
	// The rows the secretariat sees name the confidential record's unit.
	rows := b.get("/secretariat/figures/rows?year=1404&figure=resolutions.total")
	if n := strings.Count(rows.body, `<tr><td><a href="/secretariat/resolutions/`); n != 3 {
		t.Errorf("resolutions rows: %d, want 3", n)
	}
	if !strings.Contains(rows.text(), "شیشه قزوین") || !strings.Contains(rows.text(), "محرمانه") {
		t.Errorf("the confidential row's unit is not shown to the secretariat:\n%s", rows.text())
	}
	// The public rows withhold it: the same count, the unit not named.
	status, body := d.apiGet(t, "secretariat", "/api/v1/public/registry/rows?year=1404&figure=referrals")
	if status != http.StatusOK || strings.Contains(string(body), "شیشه قزوین") {
		t.Fatalf("public rows: %d %s", status, body)
	}
	rows = b.get("/secretariat/figures/rows?year=1404&figure=referrals")
	if !strings.Contains(rows.text(), "شیشه قزوین") || !strings.Contains(rows.text(), "ارجاع محرمانه") {
		t.Errorf("referrals:\n%s", rows.text())
	}
	if a := b.get("/secretariat/figures?year=abc"); a.status != http.StatusBadRequest {
		t.Errorf("bad year: %d", a.status)
	}
	if a := b.get("/secretariat/figures/rows?year=1404&figure=nothing"); a.status != http.StatusNotFound {
		t.Errorf("unknown figure: %d", a.status)
	}
}
