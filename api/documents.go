package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// uploadBodyLimit is the body limit of the routes that take a document: the
// file's 10 MiB and room for the multipart framing around it.
const uploadBodyLimit = ledger.MaxDocumentSize + 1<<20

// readUpload reads the multipart field "file" of the request. The file's
// type is decided later from its content; the part's declared type and the
// file name's extension are not trusted.
func readUpload(c *gin.Context) (ledger.NewDocument, error) {
	mt, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return ledger.NewDocument{}, taahod.Errorf(taahod.EUNSUPPORTEDMEDIA, "send the file as multipart/form-data in the field \"file\"")
	}
	mr := multipart.NewReader(c.Request.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return ledger.NewDocument{}, taahod.Invalid("file", "required", "the multipart field \"file\" is missing")
		} else if err != nil {
			return ledger.NewDocument{}, uploadError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		content, err := io.ReadAll(io.LimitReader(part, ledger.MaxDocumentSize+1))
		if err != nil {
			return ledger.NewDocument{}, uploadError(err)
		}
		if len(content) > ledger.MaxDocumentSize {
			return ledger.NewDocument{}, taahod.Errorf(taahod.ETOOLARGE, "the file is larger than 10 MiB")
		}
		return ledger.NewDocument{Name: part.FileName(), Content: content}, nil
	}
}

func uploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return taahod.Errorf(taahod.ETOOLARGE, "the request body is larger than %d bytes", tooLarge.Limit)
	}
	return taahod.Errorf(taahod.EMALFORMED, "the multipart body could not be read")
}

// uploaded answers a document upload: 201 for a new document, 200 when the
// same file was there already.
func uploaded(c *gin.Context, d ledger.Document, isNew bool) error {
	if isNew {
		return createdAt(c, belowRequestPath(c, d.ID), d)
	}
	return ok(c, d)
}

// download sends a document as an attachment of its recognised type.
func download(c *gin.Context, d ledger.Document) error {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, d.ContentType, d.Content)
	return nil
}
