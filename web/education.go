package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountEducation registers the education department's pages: the
// overview, the schools, each school's page with its timeline and photos,
// and the progress report form; each is kept to its role (any other role
// gets the 404 page, as the API answers what lies outside a caller's
// scope) but for the auditor, who reads those that only show (see area).
func (p *Pages) mountEducation(pages *gin.RouterGroup) {
	g := p.newArea(pages, homePaths[taahod.RoleEducationOfficer], taahod.RoleEducationOfficer).read
	g.GET("", p.educationHome)
	g.GET("/schools", p.educationSchools)
	g.GET("/schools/:id", p.educationSchool)
	g.GET("/schools/:id/progress/:progress/documents/:document", p.progressDocument)
	g.GET("/schools/:id/progress/:progress/documents/:document/thumbnail", p.progressThumbnail)

	// The report form sends photos: its body is limited before the session
	// reads the form for its CSRF token (see uploadRoutes).
	upload := pages.Group(homePaths[taahod.RoleEducationOfficer], p.limitUpload, p.checkUploadText, p.session(true), p.onlyRole(taahod.RoleEducationOfficer))
	upload.POST("/schools/:id/progress", p.addProgressReport)
}

func init() {
	uploadRoutes = append(uploadRoutes, "/education/schools/:id/progress")
}
