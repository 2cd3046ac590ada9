package api

import (
	"encoding/base64"
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
// and the cursor names the last id already seen.
type page struct {
	AfterID int64
	Limit   int
}

// pageOf reads limit and cursor from the query.
func pageOf(c *gin.Context) (page, error) {
	var (
		p    = page{Limit: defaultLimit}
		errs taahod.Problems
	)
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			errs.Add("limit", "out_of_range", "limit must be a whole number from 1 to 500")
		} else {
			p.Limit = n
		}
	}
	if s := c.Query("cursor"); s != "" {
		id, ok := decodeCursor(s)
		if !ok {
			errs.Add("cursor", "invalid_cursor", "the cursor is not one this service gave")
		}
		p.AfterID = id
	}
	return p, errs.Err()
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), "id:") {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(string(raw), "id:"), 10, 64)
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
		next := encodeCursor(id(ans.Items[p.Limit-1]))
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
