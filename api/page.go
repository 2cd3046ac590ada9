package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// Lists take limit (default 50, at most 500) and an opaque cursor.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// page is the position and size of a list request. Lists are ordered by id
// and the cursor names the last id already seen, within the list and
// filters it was given for (see cursorScope).
type page struct {
	AfterID int64
	Limit   int
	scope   string // the list and filters of the request, for the next cursor
}

// listParams reads the page of a list, limit and cursor, together with its
// filters, so that one answer names every bad parameter: read the filters
// into the returned problems, then call its Err. A limit out of range is a
// problem of the 422; a cursor of another list or other filters, or one
// this service did not give, is a 400 invalid_cursor that the route's query
// check (checkQuery) answers before the handler runs, and a cursor of this
// list whose position is not one of an id list is a problem too.
func listParams(c *gin.Context) (page, *taahod.Problems) {
	var p taahod.Problems
	pg := page{Limit: queryLimit(c, &p), scope: cursorScope(c)}
	pos, err := cursorPosition(c)
	if err != nil {
		var e *taahod.Error
		if errors.As(err, &e) {
			p.Fields = append(p.Fields, e.Fields...)
		}
		if len(p.Fields) == 0 {
			p.Add("cursor", "invalid_cursor", "the cursor is not one this service gave")
		}
		return pg, &p
	}
	if pos != "" {
		id, ok := idPosition(pos)
		if !ok {
			p.Add("cursor", "invalid_cursor", "the cursor is not one this service gave")
		}
		pg.AfterID = id
	}
	return pg, &p
}

// queryLimit reads a list's limit: defaultLimit when absent, a problem when
// it is not a whole number from 1 to maxLimit.
func queryLimit(c *gin.Context, errs *taahod.Problems) int {
	if c.GetBool(exportPageKey) {
		return exportPageSize
	}
	s := c.Query("limit")
	if s == "" {
		return defaultLimit
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		errs.Add("limit", "out_of_range", "limit must be a whole number from 1 to 500")
		return defaultLimit
	}
	return n
}

// idPosition reads the position "id:N" of a list ordered by id.
func idPosition(pos string) (int64, bool) {
	if !strings.HasPrefix(pos, "id:") {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos, "id:"), 10, 64)
	return id, err == nil && id >= 0
}

// listPage is the answer of every list: the items and, when there may be
// more, the cursor of the next page.
type listPage[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// pageAnswer builds the answer from up to limit+1 items fetched after p's
// cursor; id gives each item's id.
func pageAnswer[T any](items []T, p page, id func(T) int64) listPage[T] {
	ans := listPage[T]{Items: items}
	if ans.Items == nil {
		ans.Items = []T{}
	}
	if len(items) > p.Limit {
		ans.Items = items[:p.Limit]
		next := sealCursor(p.scope, "id:"+strconv.FormatInt(id(ans.Items[p.Limit-1]), 10))
		ans.NextCursor = &next
	}
	return ans
}

// wholeList answers a list that is never long enough to page (a record's
// documents, a school's timeline, a year's assessments) in the same shape as
// every list, with no next cursor.
func wholeList[T any](items []T) listPage[T] {
	if items == nil {
		items = []T{}
	}
	return listPage[T]{Items: items}
}
