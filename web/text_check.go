package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// The pages check the text people send as the API does, once, before any
// handler reads it (taahod.EdgeText): a query value, a path parameter or a
// form field that is not UTF-8 or holds a control character (line breaks
// only in the multi-line fields, taahod.MultiLine) is refused with the
// Persian 400 page naming the field, instead of reaching a store, whose
// database would refuse a NUL with a 500.

// checkText checks the query, the path and a url-encoded form. A multipart
// form is checked by checkUploadText, after its route's own body limit.
func (p *Pages) checkText(c *gin.Context) {
	for _, param := range c.Params {
		if taahod.EdgeText(param.Key, param.Value, false) != nil {
			p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
			c.Abort()
			return
		}
	}
	if field := badText(c.Request.URL.Query(), false); field != "" {
		p.textFailure(c, field)
		return
	}
	if c.Request.Method == http.MethodPost && !isMultipart(c) {
		// An unreadable form is left to its handler, which answers as
		// it always has; the body's size was limited before.
		if c.Request.ParseForm() == nil {
			if field := badText(c.Request.PostForm, true); field != "" {
				p.textFailure(c, field)
				return
			}
		}
	}
	c.Next()
}

// checkUploadText checks the text fields of a multipart form (the files'
// names are cleaned where they are stored, ledger.NewDocument). It stands
// after the route's body limit; a form it cannot read is left to the
// handler, which answers a body too large or malformed as it always has.
func (p *Pages) checkUploadText(c *gin.Context) {
	if c.Request.Method == http.MethodPost && isMultipart(c) {
		if form, err := c.MultipartForm(); err == nil {
			if field := badText(form.Value, true); field != "" {
				p.textFailure(c, field)
				return
			}
		}
	}
	c.Next()
}

// badText names the first field (in name order) with a value that is not
// text, or "". Passwords are only hashed and may hold any character.
func badText(values map[string][]string, form bool) string {
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if taahod.EdgeText("name", name, false) != nil {
			return name
		}
		if form && strings.Contains(name, "password") {
			continue
		}
		for _, v := range values[name] {
			if taahod.EdgeText(name, v, form && taahod.MultiLine(name)) != nil {
				return name
			}
		}
	}
	return ""
}

func (p *Pages) textFailure(c *gin.Context, field string) {
	p.failure(c, http.StatusBadRequest, Message("invalid_text")+" («"+strings.ToValidUTF8(field, "�")+"»)")
	c.Abort()
}

func isMultipart(c *gin.Context) bool {
	return strings.HasPrefix(c.ContentType(), "multipart/")
}
