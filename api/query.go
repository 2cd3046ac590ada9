package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// Every route declares the query parameters it reads, where it is
// registered (s.endpoint and s.handle take them after the handler); any
// other parameter is a 400 naming it, before the handler runs. A client that
// sends ?q= to a list without search, or misspells a filter, then learns
// that it was not applied instead of reading an unfiltered list as the
// answer to its question.

// paged is the parameters of a list: its own filters and limit and cursor.
func paged(filters ...string) []string {
	return append(filters, "limit", "cursor")
}

// checkQuery answers a 400 malformed_request when the request's query has a
// parameter the route does not declare (each named in errors[] with code
// unknown_parameter), when a value is not text (checkQueryText), and when a list's cursor is not one this list gave
// for these filters (invalid_cursor). A request that matched no route
// (FullPath "") is left to the 404 or 405 that follows.
func checkQuery(c *gin.Context, declared []string) error {
	if c.FullPath() == "" {
		return nil
	}
	query := c.Request.URL.Query()
	var unknown []string
	for name := range query {
		if !slices.Contains(declared, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		e := &taahod.Error{Code: taahod.EMALFORMED, Message: "the query has parameters this route does not take: " + strings.Join(unknown, ", ")}
		for _, name := range unknown {
			e.Fields = append(e.Fields, taahod.FieldError{Field: name, Code: "unknown_parameter",
				Message: name + " is not a parameter of this route; see the OpenAPI description"})
		}
		return e
	}
	if err := checkQueryText(query); err != nil {
		return err
	}
	if slices.Contains(declared, "cursor") {
		if _, err := cursorPosition(c); err != nil {
			return err
		}
	}
	return nil
}

// A cursor belongs to its list and its filters: it carries the list's
// route and a hash of the filter values (every query parameter but limit
// and cursor), and a list refuses a cursor of another list or of other
// filters, which would otherwise page silently through something else.
// The position inside is the list's own (for most lists "id:N", the last id
// already seen).
const cursorVersion = "c1"

// cursorScope names the list and filters of the request: the route and the
// sorted filter parameters with their values, hashed to 12 characters. An
// empty value is an absent filter, as the lists read it.
func cursorScope(c *gin.Context) string {
	query := c.Request.URL.Query()
	names := make([]string, 0, len(query))
	for name := range query {
		if name != "limit" && name != "cursor" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	h.Write([]byte(c.FullPath()))
	for _, name := range names {
		for _, v := range query[name] {
			if v == "" {
				continue
			}
			h.Write([]byte{0})
			h.Write([]byte(name + "=" + v))
		}
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:9])
}

// sealCursor makes the opaque cursor of a position within the list and
// filters named by scope.
func sealCursor(scope, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + "." + scope + "." + position))
}

// nextCursor is the cursor of a list's next page: position is the list's
// own text for where the page ended ("id:42", or a time and an id for a
// list in another order). Lists that page by id use listParams and pageAnswer,
// which call it; a list in its own order calls nextCursor and
// cursorPosition directly.
func nextCursor(c *gin.Context, position string) string {
	return sealCursor(cursorScope(c), position)
}

// cursorPosition returns the position of the request's cursor, "" when
// there is none. A cursor that this service did not give, or gave for
// another list or other filters, is a 400 malformed_request with the field
// cursor and code invalid_cursor.
func cursorPosition(c *gin.Context) (string, error) {
	s := c.Query("cursor")
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	parts := strings.SplitN(string(raw), ".", 3)
	switch {
	case err != nil || len(parts) != 3 || parts[0] != cursorVersion || parts[2] == "":
		return "", invalidCursor("the cursor is not one this service gave")
	case parts[1] != cursorScope(c):
		return "", invalidCursor("the cursor belongs to another list or to other filters: start again without it, or keep the filters it was given with")
	}
	return parts[2], nil
}

func invalidCursor(msg string) error {
	return &taahod.Error{Code: taahod.EMALFORMED, Message: "the cursor cannot be used here",
		Fields: []taahod.FieldError{{Field: "cursor", Code: "invalid_cursor", Message: msg}}}
}

// checkQueryText refuses, with a 400 naming each parameter (code
// invalid_text), a query value that is not UTF-8 or holds a control
// character: no filter, search or id is better for one, and the database
// refuses a NUL or a byte that is not UTF-8 with an error of its own, which
// would otherwise be a 500.
func checkQueryText(query url.Values) error {
	var p taahod.Problems
	for name, values := range query {
		for _, v := range values {
			if fe := taahod.EdgeText(name, v, false); fe != nil {
				p.Fields = append(p.Fields, *fe)
				break
			}
		}
	}
	if len(p.Fields) == 0 {
		return nil
	}
	sort.Slice(p.Fields, func(i, j int) bool { return p.Fields[i].Field < p.Fields[j].Field })
	return &taahod.Error{Code: taahod.EMALFORMED, Message: "the query has a value that is not text", Fields: p.Fields}
}

// checkPathText answers 404 for an API path whose parameters (a serial, a
// year) are not text: such a value names no record. The public pages
// outside /api/ (/v/{serial}) answer their own 404 page.
func checkPathText(c *gin.Context) error {
	if !strings.HasPrefix(c.FullPath(), "/api/") {
		return nil
	}
	for _, p := range c.Params {
		if taahod.EdgeText(p.Key, p.Value, false) != nil {
			return taahod.Errorf(taahod.ENOTFOUND, "no record is named by this %s", p.Key)
		}
	}
	return nil
}
