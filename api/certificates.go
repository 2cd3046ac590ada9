package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
)

// Certificates are read by those who read statements (taxReaders), issued
// and revoked by the tax office, and verified by anyone.
func (s *Server) certificateRoutes(root *gin.Engine, public, v1 *gin.RouterGroup) {
	v1.POST("/certificates", s.endpoint(taxOfficers, s.issueCertificate)...)
	v1.GET("/certificates", s.endpoint(taxReaders, s.exportable(oneList(certificateList), s.listCertificates),
		append(paged("unit_id", "fiscal_year", "status"), exportParams...)...)...)
	v1.GET("/certificates/:serial", s.endpoint(taxReaders, s.getCertificate)...)
	v1.GET("/certificates/:serial/pdf", s.endpoint(taxReaders, s.certificatePDF)...)
	v1.POST("/certificates/:serial/revoke", s.endpoint(taxOfficers, s.revokeCertificate)...)
	v1.GET("/units/:id/tax-years/:year/certificate-preview", s.endpoint(taxReaders, s.previewCertificate)...)
	public.GET("/verify/key", s.handle(s.verifyKey))
	public.GET("/verify/:serial", s.handle(s.verifyCertificate, "code", "p", "s", "q"))
	// The page a certificate's QR code opens: short, outside the API.
	root.GET("/v/:serial", s.handle(s.verifyPage, "code", "p", "s", "q"))
	root.GET("/Q/:code", s.handle(s.qrLink))
	root.GET("/v/fonts/:file", s.handle(verifyPageFont))
}

func (s *Server) issueCertificate(c *gin.Context) error {
	var req certificate.IssueInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.certificates.Issue(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/certificates/"+r.Serial)
	return created(c, r)
}

func (s *Server) listCertificates(c *gin.Context) error {
	f, pg, err := certificateFilter(c)
	if err != nil {
		return err
	}
	list, err := s.certificates.List(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(list, pg, func(r certificate.Record) int64 { return r.ID }))
}

// certificateFilter reads the register's filters and page from the query:
// the register's pages and its file (export_lists.go) read the same.
func certificateFilter(c *gin.Context) (certificate.ListFilter, page, error) {
	pg, p := listParams(c)
	f := certificate.ListFilter{
		UnitID:     queryID(c, p, "unit_id"),
		FiscalYear: queryYear(c, p, "fiscal_year", false),
		Status:     certificate.Status(queryChoice(c, p, "status", certificate.ValidStatus)),
		AfterID:    pg.AfterID,
		Limit:      pg.Limit + 1,
	}
	return f, pg, p.Err()
}

func (s *Server) getCertificate(c *gin.Context) error {
	r, err := s.certificates.Find(c.Request.Context(), actor(c), c.Param("serial"))
	if err != nil {
		return err
	}
	return ok(c, r)
}

func (s *Server) certificatePDF(c *gin.Context) error {
	pdf, r, err := s.certificates.PDF(c.Request.Context(), actor(c), c.Param("serial"))
	if err != nil {
		return err
	}
	name := r.Serial + ".pdf"
	if r.Status != certificate.StatusValid {
		name = r.Serial + "-" + string(r.Status) + ".pdf"
	}
	c.Header("Content-Disposition", `inline; filename="`+name+`"`)
	c.Header("X-Certificate-Status", string(r.Status))
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}

func (s *Server) revokeCertificate(c *gin.Context) error {
	var req certificate.RevokeInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.certificates.Revoke(c.Request.Context(), actor(c), c.Param("serial"), req)
	if err != nil {
		return err
	}
	return ok(c, r)
}

func (s *Server) previewCertificate(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	pdf, err := s.certificates.Preview(c.Request.Context(), actor(c), unit, year)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `inline; filename="certificate-preview-`+strconv.FormatInt(unit, 10)+`-`+strconv.Itoa(year)+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}

func (s *Server) verifyKey(c *gin.Context) error {
	signer := s.certificates.Issuer.Signer
	if signer == nil {
		return taahod.Errorf(certificate.ENOSIGNINGKEY, "no signing key is configured (TAAHOD_SIGNING_KEY), so there is no public key to give")
	}
	c.Data(http.StatusOK, "application/x-pem-file", signer.PublicKeyPEM())
	return nil
}

// verifyPageFont serves the typeface of the verify page.
func verifyPageFont(c *gin.Context) error {
	f, found := certificate.VerifyPageFonts[c.Param("file")]
	if !found {
		return taahod.Errorf(taahod.ENOTFOUND, "no such file: %s", c.Request.URL.Path)
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, f.ContentType, f.Data)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
