package web

import (
	"bytes"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // decodes the PNG evidence
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
	"golang.org/x/image/draw"
)

// Thumbnails of the image evidence (JPEG, PNG) are made on the server, so
// that an expenditure's page does not load every photo whole: scaled down
// to thumbSize on the longer side, on white (a PNG's transparency has
// nothing to show through in a JPEG), as a JPEG. A document never changes
// (a new file is a new document), so the thumbnail's ETag is its file's
// SHA-256 with the thumbnail's version, and the browser keeps it privately.

const (
	// thumbSize is the longer side of a thumbnail in pixels: twice the
	// 160 CSS pixels the page shows, for sharp screens.
	thumbSize = 320
	// maxThumbPixels bounds the images decoded: a photo over 40
	// megapixels (which would take 160 MB to decode) has no thumbnail.
	maxThumbPixels = 40_000_000
	// thumbVersion changes when thumbnails are made differently, so that
	// browsers fetch the new ones.
	thumbVersion = "t1"
)

// errNoThumbnail is a document that is no image it can decode;
// errImageTooLarge an image over maxThumbPixels, left undecoded.
var (
	errNoThumbnail   = errors.New("no thumbnail for this document")
	errImageTooLarge = errors.New("the image is too large to decode for a thumbnail")
)

// expenditureThumbnail serves the thumbnail of an image document of an
// expenditure, scoped as the document itself: another unit's is the 404
// page. A PDF, or an image too large or broken to decode, has none (404).
func (p *Pages) expenditureThumbnail(c *gin.Context) {
	if d, ok := p.documentOf(c); ok {
		p.sendThumbnail(c, d)
	}
}

// sendThumbnail answers the thumbnail of d, a document the caller has
// already read as the signed-in person may see it (an expenditure's, a
// progress report's): a PDF, or an image too large or broken to decode,
// has none (the 404 page).
func (p *Pages) sendThumbnail(c *gin.Context, d ledger.Document) {
	if !isImage(d.ContentType) {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	etag := `"` + thumbVersion + "-" + hex.EncodeToString(d.SHA256) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, max-age=86400")
	if matchesETag(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	thumb, err := thumbnail(d.Content)
	if err != nil {
		c.Header("Cache-Control", "no-store")
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "image/jpeg", thumb)
}

// matchesETag reports whether an If-None-Match header names etag.
func matchesETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// thumbnail scales a JPEG or PNG down to thumbSize on its longer side (a
// smaller image keeps its size) and encodes it as a JPEG. Its header is
// read first: an image over maxThumbPixels is never decoded.
func thumbnail(content []byte) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(content))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errNoThumbnail
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return nil, errImageTooLarge
	}
	src, _, err := image.Decode(bytes.NewReader(content))
	if err != nil {
		return nil, errNoThumbnail
	}
	w, h := thumbBounds(cfg.Width, cfg.Height)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 82}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// thumbBounds is the size of the thumbnail of a w×h image: the longer side
// thumbSize, the ratio kept, never larger than the image, never 0.
func thumbBounds(w, h int) (int, int) {
	if w <= thumbSize && h <= thumbSize {
		return w, h
	}
	if w >= h {
		return thumbSize, max(1, h*thumbSize/w)
	}
	return max(1, w*thumbSize/h), thumbSize
}
