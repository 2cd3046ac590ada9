package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/certificate"
)

// readSerial reads a serial as people type it (certificate.ReadSerial): any
// case, Persian, Arabic-Indic or ASCII digits, spaces around it, a Persian
// or Arabic hyphen-like dash between its parts; false when it is not a
// serial's shape.
func readSerial(s string) (string, bool) {
	return certificate.ReadSerial(s)
}

// publicVerify answers the home's "verify a certificate" box (GET
// /verify?serial=&code=): a redirect to the certificate's public
// verification page, /v/{serial}, the same page its QR code opens, with the
// verification code if one was typed (the page shows what the certificate
// certifies only with it). A serial that is not one, or a code that cannot
// be one, is the home again (422) with the error beside the field; whether
// a well-formed code is the certificate's, the verification page tells.
func (p *Pages) publicVerify(c *gin.Context) {
	typed, typedCode := c.Query("serial"), c.Query("code")
	serial, ok := readSerial(typed)
	code, codeOK := certificate.ReadVerificationCode(typedCode)
	blankCode := strings.TrimSpace(typedCode) == ""
	if !ok || !(codeOK || blankCode) {
		f := newForm()
		f.values["serial"], f.values["code"] = typed, typedCode
		switch {
		case strings.TrimSpace(typed) == "":
			f.fail("serial", "required")
		case !ok:
			f.fail("serial", "invalid_serial")
		}
		if !codeOK && !blankCode {
			f.fail("code", "invalid_verification_code")
		}
		p.renderPublicHome(c, http.StatusUnprocessableEntity, f)
		return
	}
	to := "/v/" + url.PathEscape(serial)
	if !blankCode {
		to += "?code=" + url.QueryEscape(code)
	}
	c.Redirect(http.StatusSeeOther, to)
}
