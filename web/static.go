package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded file as served.
type staticFile struct {
	body        []byte
	contentType string
}

// staticFiles serves the embedded files under names that carry a hash of
// their content ("app.3f2a9b1c04de.css"), so that a browser may keep each
// one for a year: a changed file gets a new name, and the pages that name it
// change with it.
type staticFiles struct {
	byName   map[string]string      // "app.css" → "/static/app.HASH.css"
	byHashed map[string]*staticFile // "app.HASH.css" → the file
}

// loadStatic reads every embedded static file and names it by its hash.
// Style sheets name the fonts and images they use by their plain path
// ("/static/fonts/Vazirmatn-Regular.woff2"); those are rewritten to the
// hashed names first, so a sheet's own hash covers the files it names.
func loadStatic() (*staticFiles, error) {
	s := &staticFiles{byName: map[string]string{}, byHashed: map[string]*staticFile{}}
	var names []string
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, strings.TrimPrefix(p, "static/"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sheets last, so that every file they may name has its hashed name.
	sort.SliceStable(names, func(i, j int) bool {
		return path.Ext(names[i]) != ".css" && path.Ext(names[j]) == ".css"
	})
	for _, name := range names {
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			return nil, err
		}
		if path.Ext(name) == ".css" {
			for plain, hashed := range s.byName {
				body = []byte(strings.ReplaceAll(string(body), "/static/"+plain, hashed))
			}
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		switch ext {
		case ".woff2":
			ct = "font/woff2"
		case ".txt":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
			return nil, fmt.Errorf("static %s: no content type for %q", name, ext)
		}
		s.byName[name] = "/static/" + hashed
		s.byHashed[hashed] = &staticFile{body: body, contentType: ct}
	}
	return s, nil
}

// url returns the hashed URL of the static file name; it panics for a name
// that is not embedded, which the tests of every page catch.
func (s *staticFiles) url(name string) string {
	u, ok := s.byName[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return u
}

// serveStatic answers a hashed name with its file, to be kept a year.
func (p *Pages) serveStatic(c *gin.Context) {
	f, ok := p.static.byHashed[strings.TrimPrefix(c.Param("name"), "/")]
	if !ok {
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, f.contentType, f.body)
}
