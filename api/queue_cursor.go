package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// The review queue is ordered by (re)submission time, then id, so its
// cursor names both: "queue:MICROSECONDS:ID" in base64url. A cursor of an
// id-ordered list is refused here, and this one by pageOf.

// queuePage is the position and size of a review queue request.
type queuePage struct {
	After ledger.QueuePosition
	Limit int
}

// queuePageOf reads limit and the queue's cursor from the query.
func queuePageOf(c *gin.Context) (queuePage, error) {
	var (
		p    = queuePage{Limit: defaultLimit}
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
		pos, ok := decodeQueueCursor(s)
		if !ok {
			errs.Add("cursor", "invalid_cursor", "the cursor is not one this service gave")
		}
		p.After = pos
	}
	return p, errs.Err()
}

func encodeQueueCursor(pos ledger.QueuePosition) string {
	raw := "queue:" + strconv.FormatInt(pos.SubmittedAt.UnixMicro(), 10) + ":" + strconv.FormatInt(pos.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeQueueCursor(s string) (ledger.QueuePosition, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ledger.QueuePosition{}, false
	}
	parts := strings.Split(string(raw), ":")
	if len(parts) != 3 || parts[0] != "queue" {
		return ledger.QueuePosition{}, false
	}
	micros, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return ledger.QueuePosition{}, false
	}
	return ledger.QueuePosition{SubmittedAt: time.UnixMicro(micros).UTC(), ID: id}, true
}

// queueAnswer builds the queue's answer from up to limit+1 items.
func queueAnswer(items []ledger.QueueItem, p queuePage) listPage[ledger.QueueItem] {
	ans := listPage[ledger.QueueItem]{Items: items}
	if ans.Items == nil {
		ans.Items = []ledger.QueueItem{}
	}
	if len(items) > p.Limit {
		ans.Items = items[:p.Limit]
		last := ans.Items[p.Limit-1]
		next := encodeQueueCursor(ledger.QueuePosition{SubmittedAt: last.SubmittedAt, ID: last.ID})
		ans.NextCursor = &next
	}
	return ans
}
