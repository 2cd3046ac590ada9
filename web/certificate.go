package web

import "github.com/gin-gonic/gin"

// mountCertificates registers the tax office's certificate pages.
func (p *Pages) mountCertificates(tax *gin.RouterGroup) {}
