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

// FuzzUnitBody feeds arbitrary bodies to the unit endpoints' decoding and
// validation: they never panic, and every refusal is a domain error with a
// code that has a status.
func FuzzUnitBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"فولاد","national_id":"10102345674","county":"قزوین"}`,
		`{"name":"x","national_id":"0041234561","county":"y","status":"stagnant","economic_code":null}`,
		`{"name":5}`, `{"bogus":true}`, `[]`, `null`, `{"name":"\u0000"}`, "{\"name\":\"\xff\"}", `{} {}`,
		`{"national_id":"۱۰۱۰۲۳۴۵۶۷۴"}`, `{"status":null,"activity":null}`,
	} {
		f.Add([]byte(seed))
	}
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, body []byte) {
		var nu registry.NewUnit
		if err := decodeBody(body, &nu); err != nil {
			mustBeDomainError(t, err)
		} else {
			err := nu.Validate()
			mustBeDomainError(t, err)
			if err == nil {
				if _, err := taahod.ValidateNationalID(nu.NationalID); err != nil || nu.Name == "" || nu.County == "" {
					t.Fatalf("accepted an invalid unit: %+v", nu)
				}
			}
		}
		var patch registry.UnitPatch
		if err := decodeBody(body, &patch); err != nil {
			mustBeDomainError(t, err)
		} else {
			mustBeDomainError(t, patch.Validate())
		}
	})
}

// decodeBody decodes body as a JSON request the way every handler does.
func decodeBody(body []byte, dst any) error {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/", bytes.NewReader(body))
	c.Request.Header.Set("Content-Type", "application/json")
	return decodeJSON(c, dst)
}

// mustBeDomainError fails the test unless err is nil or a domain error whose
// code has an HTTP status.
func mustBeDomainError(t *testing.T, err error) {
	t.Helper()
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
