package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// readCSVImport reads an import's body with read (registry.ReadResolutionsCSV
// or ReadCasesCSV): CSV text (text/csv, or no content type) in UTF-8, within
// the import's body limit, read as a stream, so that the server holds the
// rows and never the file. It returns the rows and the source the audit
// entry names: the file's SHA-256.
func readCSVImport[T any](c *gin.Context, read func(io.Reader) ([]T, error)) ([]T, string, error) {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		okType := err == nil && (mt == "text/csv" || mt == "application/csv" || mt == "text/plain")
		if !okType {
			return nil, "", taahod.Errorf(taahod.EUNSUPPORTEDMEDIA, "send the file as CSV with the header Content-Type: text/csv")
		}
		if cs, has := params["charset"]; has && !strings.EqualFold(cs, "utf-8") {
			return nil, "", taahod.Errorf(taahod.EUNSUPPORTEDMEDIA, "send the file in UTF-8 (save it as \"CSV UTF-8\")")
		}
	}
	body := &bodyReader{r: c.Request.Body}
	hash := sha256.New()
	rows, err := read(io.TeeReader(body, hash))
	if err == nil {
		// What the parser left unread (nothing, as a rule) is the file's
		// too.
		_, err = io.Copy(hash, body)
	}
	if body.err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(body.err, &tooLarge) {
			return nil, "", taahod.Errorf(taahod.ETOOLARGE, "the request body is larger than %d bytes", tooLarge.Limit)
		}
		return nil, "", taahod.Errorf(taahod.EMALFORMED, "the request body could not be read")
	}
	if err != nil {
		return nil, "", err
	}
	return rows, "csv sha256:" + hex.EncodeToString(hash.Sum(nil)), nil
}

// bodyReader keeps the request body's own read error (not io.EOF), so that
// a body over its limit is told from a file that is bad.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}
