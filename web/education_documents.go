package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// progressDocument sends one photo or document of a school's progress
// report, shown in the browser (a photo opens as itself), scoped as the
// API's GET /schools/{id}/progress/{progress_id}/documents/{doc_id}: a
// school, report and document that do not belong together are the 404
// page.
func (p *Pages) progressDocument(c *gin.Context) {
	if d, ok := p.progressDocumentOf(c); ok {
		sendDocument(c, d, "inline")
	}
}

// progressThumbnail serves the thumbnail of a progress report's photo,
// made on the server as an expenditure's are (thumbnail.go).
func (p *Pages) progressThumbnail(c *gin.Context) {
	if d, ok := p.progressDocumentOf(c); ok {
		p.sendThumbnail(c, d)
	}
}

// progressDocumentOf reads the progress document the path names (":id",
// ":progress", ":document"); when it is not there it has answered the 404
// page and reports false.
func (p *Pages) progressDocumentOf(c *gin.Context) (ledger.Document, bool) {
	id, ok1 := pathID(c, "id")
	progressID, ok2 := pathID(c, "progress")
	docID, ok3 := pathID(c, "document")
	if !ok1 || !ok2 || !ok3 {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return ledger.Document{}, false
	}
	d, err := p.ledger.ProgressDocument(c.Request.Context(), id, progressID, docID)
	if err != nil {
		p.storeFailure(c, err)
		return ledger.Document{}, false
	}
	return d, true
}
