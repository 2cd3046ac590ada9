package api

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// FuzzRegistryBodies feeds arbitrary bodies to the decoding and validation
// of the registry's JSON bodies (sessions, resolutions, status changes,
// cases, revivals): they never panic, every refusal is a domain error whose
// code has a status, and an accepted date is a real day.
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
		check := func(err error) {
			if err == nil {
				return
			}
			var te *taahod.Error
			if !errors.As(err, &te) {
				t.Fatalf("not a domain error: %v", err)
			}
			if _, ok := statusOf[te.Code]; !ok {
				t.Fatalf("code %q has no status", te.Code)
			}
		}
		decode := func(dst any) error {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = httptest.NewRequest("POST", "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", "application/json")
			return decodeJSON(c, dst)
		}
		var s registry.NewSession
		if err := decode(&s); err != nil {
			check(err)
		} else {
			check(s.Validate(today))
		}
		var r registry.NewResolution
		if err := decode(&r); err != nil {
			check(err)
		} else {
			check(r.Validate())
		}
		var sc registry.StatusChange
		if err := decode(&sc); err != nil {
			check(err)
		} else {
			check(sc.Validate(today))
		}
		var c registry.NewCase
		if err := decode(&c); err != nil {
			check(err)
		} else {
			check(c.Validate(today))
		}
		var v registry.NewRevival
		if err := decode(&v); err != nil {
			check(err)
		} else {
			check(v.Validate(today))
		}
		for _, dst := range []any{&registry.SessionPatch{}, &registry.CasePatch{}} {
			check(decode(dst))
		}
	})
}
