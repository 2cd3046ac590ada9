package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// serialShape is a certificate serial as the contract fixes it,
// {PROVINCE}-{YEAR}-{SEQ}, once read into ASCII upper case.
var serialShape = regexp.MustCompile(`^[A-Z]{2,8}-[0-9]{4}-[0-9]{6}$`)

// readSerial reads a serial as people type it: any case, Persian,
// Arabic-Indic or ASCII digits, spaces around it, a Persian or Arabic
// hyphen-like dash between its parts; false when it is not a serial's
// shape.
func readSerial(s string) (string, bool) {
	s = strings.TrimSpace(taahod.ASCIIDigits(s))
	s = strings.NewReplacer("‐", "-", "‑", "-", "–", "-", "—", "-", "−", "-", "ـ", "-").Replace(s)
	s = strings.ToUpper(s)
	return s, serialShape.MatchString(s)
}

// publicVerify answers the home's "verify a certificate" box (GET
// /verify?serial=): a redirect to the certificate's public verification
// page, /v/{serial}, the same page its QR code opens. A serial that is
// not one is the home again (422) with the error beside the field.
func (p *Pages) publicVerify(c *gin.Context) {
	typed := c.Query("serial")
	serial, ok := readSerial(typed)
	if !ok {
		f := newForm()
		f.values["serial"] = typed
		if strings.TrimSpace(typed) == "" {
			f.fail("serial", "required")
		} else {
			f.fail("serial", "invalid_serial")
		}
		p.renderPublicHome(c, http.StatusUnprocessableEntity, f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/v/"+url.PathEscape(serial))
}
