package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
)

// mountCertificates registers the tax office's certificate pages.
func (p *Pages) mountCertificates(tax area) {
	tax.read.GET("/certificates", p.certificates)
	tax.write.POST("/certificates", p.issueCertificate)
	tax.read.GET("/certificates/:serial", p.certificate)
	tax.read.GET("/certificates/:serial/pdf", p.certificatePDF("inline"))
	tax.write.POST("/certificates/:serial/revoke", p.revokeCertificate)
	tax.write.GET("/units/:unit/tax-years/:year/certificate-preview", p.certificatePreview)
}

// certificatesPageSize is how many certificates one page lists.
const certificatesPageSize = 50

// certificateStatuses is the order the status filter lists them in.
var certificateStatuses = []certificate.Status{certificate.StatusValid, certificate.StatusSuperseded, certificate.StatusRevoked}

// certificatesData is one page of the certificates.
type certificatesData struct {
	// FiscalYear, UnitID and Status are the filter as asked (the API's
	// query parameters), to show it again.
	FiscalYear, UnitID, Status string
	Statuses                   []certificate.Status
	Rows                       []certificate.Record
	Next, Previous             string
}

// certificates renders /tax-office/certificates: the certificates in order
// of issue, filtered by the API's fiscal_year, unit_id and status, 50 a
// page with the API's after-id cursor.
func (p *Pages) certificates(c *gin.Context) {
	u, _ := signedIn(c)
	d := certificatesData{
		FiscalYear: strings.TrimSpace(taahod.ASCIIDigits(c.Query("fiscal_year"))),
		UnitID:     strings.TrimSpace(taahod.ASCIIDigits(c.Query("unit_id"))),
		Status:     strings.TrimSpace(c.Query("status")),
		Statuses:   certificateStatuses,
	}
	f := certificate.ListFilter{Status: certificate.Status(d.Status), Limit: certificatesPageSize + 1}
	bad := d.Status != "" && !certificate.ValidStatus(d.Status)
	var ok bool
	if f.UnitID, ok = positive(d.UnitID); !ok {
		bad = true
	}
	year, ok := positive(d.FiscalYear)
	if !ok || (year != 0 && !taahod.ValidFiscalYear(int(year))) {
		bad = true
	}
	f.FiscalYear = int(year)
	var trail []int64
	if f.AfterID, trail, ok = readPosition(c); !ok {
		bad = true
	}
	if bad {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.Rows, err = p.certs.List(c.Request.Context(), u, f); err != nil {
		p.storeFailure(c, err)
		return
	}
	q := filterQuery(map[string]string{"fiscal_year": d.FiscalYear, "unit_id": d.UnitID, "status": d.Status})
	if f.AfterID > 0 {
		d.Previous = pageLinkOn("/tax-office/certificates", q, trail)
	}
	if len(d.Rows) > certificatesPageSize {
		d.Rows = d.Rows[:certificatesPageSize]
		d.Next = pageLinkOn("/tax-office/certificates", q, append(append(trail[:len(trail):len(trail)], f.AfterID), d.Rows[len(d.Rows)-1].ID))
	}
	p.render(c, http.StatusOK, "certificates", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d,
		Downloads: downloadsOf(c, "/api/v1/certificates", "unit_id", "fiscal_year", "status")})
}

// certificateData is one certificate's page.
type certificateData struct {
	Record certificate.Record
	// YearPath is the page of the certificate's unit-year.
	YearPath string
}

// certificate renders one certificate: its status and figures, its public
// verification link (the signed one its QR code carries), its PDF, and,
// while it is valid, the form that revokes it.
func (p *Pages) certificate(c *gin.Context) {
	p.renderCertificate(c, http.StatusOK, nil, "")
}

func (p *Pages) renderCertificate(c *gin.Context, status int, f *form, alert string) {
	u, _ := signedIn(c)
	r, err := p.certs.Find(c.Request.Context(), u, c.Param("serial"))
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := certificateData{Record: r, YearPath: taxYearPath(r.UnitID, r.FiscalYear)}
	p.render(c, status, "certificate", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Alert: alert, Form: f, Data: d})
}

// certificatePDF serves the certificate of the path as the API does, the
// same bytes (certificate.Store.PDF, scoped to the signed-in person: an
// accountant gets only their units'): the issued file while valid, the
// annulled copy after, named by its serial and status. disposition is
// "inline" for the tax office (the browser's viewer) or "attachment" for
// the accountant (a download to keep).
func (p *Pages) certificatePDF(disposition string) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, _ := signedIn(c)
		pdf, r, err := p.certs.PDF(c.Request.Context(), u, c.Param("serial"))
		if err != nil {
			p.storeFailure(c, err)
			return
		}
		name := r.Serial + ".pdf"
		if r.Status != certificate.StatusValid {
			name = r.Serial + "-" + string(r.Status) + ".pdf"
		}
		c.Header("X-Certificate-Status", string(r.Status))
		servePDF(c, disposition, name, pdf)
	}
}

// servePDF sends a PDF, never cached: a certificate's status changes. The
// pages' Content-Security-Policy is for HTML; on a PDF its object-src
// 'none' could keep the browser's own viewer from showing the file inline,
// so a PDF goes without it.
func servePDF(c *gin.Context, disposition, name string, pdf []byte) {
	c.Writer.Header().Del("Content-Security-Policy")
	c.Header("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": name}))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// certificatePreview serves the watermarked preview of the certificate
// that issuing now would give the unit-year; a year that cannot be
// certified gets the refusal in Persian.
func (p *Pages) certificatePreview(c *gin.Context) {
	u, _ := signedIn(c)
	unit, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	pdf, err := p.certs.Preview(c.Request.Context(), u, unit, year)
	if err != nil {
		p.taxFailure(c, err)
		return
	}
	servePDF(c, "inline", "certificate-preview-"+strconv.FormatInt(unit, 10)+"-"+strconv.Itoa(year)+".pdf", pdf)
}

// issueCertificate issues the certificate of a unit-year (the API's
// unit_id and fiscal_year, with reason when it supersedes a valid one) and
// opens it; a refusal comes back on the unit-year's page.
func (p *Pages) issueCertificate(c *gin.Context) {
	u, _ := signedIn(c)
	unit, okUnit := positive(strings.TrimSpace(taahod.ASCIIDigits(c.PostForm("unit_id"))))
	year, err := strconv.Atoi(strings.TrimSpace(taahod.ASCIIDigits(c.PostForm("fiscal_year"))))
	if !okUnit || unit == 0 || err != nil || !taahod.ValidFiscalYear(year) {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	f := newForm()
	f.values["reason"] = c.PostForm("reason")
	in := certificate.IssueInput{UnitID: unit, FiscalYear: year}
	if reason := Text(f.values["reason"]); reason != "" {
		in.Reason = &reason
	}
	r, err := p.certs.Issue(c.Request.Context(), u, in)
	if err != nil {
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		// The unit-year's page is where the form was.
		c.Params = append(c.Params, gin.Param{Key: "unit", Value: strconv.FormatInt(unit, 10)},
			gin.Param{Key: "year", Value: strconv.Itoa(year)})
		alert := f.take(err)
		p.renderTaxYear(c, problemStatus(err), f, alert)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tax-office/certificates/"+url.PathEscape(r.Serial)+"?m=certificate_issued")
}

// revokeCertificate revokes a valid certificate with the reason given.
func (p *Pages) revokeCertificate(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	f.values["reason"] = c.PostForm("reason")
	r, err := p.certs.Revoke(c.Request.Context(), u, c.Param("serial"), certificate.RevokeInput{Reason: Text(f.values["reason"])})
	if err != nil {
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		alert := f.take(err)
		p.renderCertificate(c, problemStatus(err), f, alert)
		return
	}
	c.Redirect(http.StatusSeeOther, "/tax-office/certificates/"+url.PathEscape(r.Serial)+"?m=certificate_revoked")
}
