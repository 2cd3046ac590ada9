package web

import "github.com/gin-gonic/gin"

// mountTaxYears registers the pages of units' tax years: assessments,
// offset policies, offset runs and statements.
func (p *Pages) mountTaxYears(tax *gin.RouterGroup) {}
