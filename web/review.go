package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountReviews registers the tax office's home, its review queue and the
// review of one expenditure.
func (p *Pages) mountReviews(tax *gin.RouterGroup) {
	tax.GET("", p.taxOfficeHome)
}

// taxOfficeHome renders /tax-office.
func (p *Pages) taxOfficeHome(c *gin.Context) {
	u, _ := signedIn(c)
	d := homeData{Role: taahod.RoleTaxOfficer, Coming: coming[taahod.RoleTaxOfficer]}
	p.render(c, http.StatusOK, "home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}
