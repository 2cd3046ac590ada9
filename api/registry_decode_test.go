package api

import (
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// FuzzRegistryBodies feeds arbitrary bodies to the decoding and validation
// of the registry's JSON bodies (sessions, resolutions, status changes,
// cases, revivals): they never panic, and every refusal is a domain error
// whose code has a status. That an accepted date is a real day is checked
// where dates are read (registry's FuzzParseDateCell, taahod's
// FuzzParseDate and FuzzParseJalali).
func FuzzRegistryBodies(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"field","held_on_jalali":"1404/02/10","county":"آوج","attendees":["اداره كل"]}`,
		`{"kind":"formal","held_on":"2025-04-30","held_on_jalali":"1404/02/10"}`,
		`{"session_id":1,"text":"x","category":"tax","agencies":["a"],"deadline_jalali":"1403/12/30"}`,
		`{"status":"implemented","on_jalali":"1404/12/30","note":null}`,
		`{"unit_id":1,"channel":"phone_inquiry","subject":"s","opened_on":"2025-02-29","outcome":"referred"}`,
		`{"revived_on_jalali":"۱۴۰۳/۰۷/۰۱"}`, `{"held_on":20250430}`, `{"agencies":"x"}`, `[]`, `null`,
	} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.ReleaseMode)
	today := taahod.MustParseDate("2026-01-01")
	f.Fuzz(func(t *testing.T, body []byte) {
		var s registry.NewSession
		if err := decodeBody(body, &s); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, s.Validate(today))
		}
		var r registry.NewResolution
		if err := decodeBody(body, &r); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, r.Validate())
		}
		var sc registry.StatusChange
		if err := decodeBody(body, &sc); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, sc.Validate(today))
		}
		var c registry.NewCase
		if err := decodeBody(body, &c); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, c.Validate(today))
		}
		var v registry.NewRevival
		if err := decodeBody(body, &v); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, v.Validate(today))
		}
		for _, dst := range []any{&registry.SessionPatch{}, &registry.CasePatch{}} {
			mustBeDomainError(t, decodeBody(body, dst))
		}
	})
}
