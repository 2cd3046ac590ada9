package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// The review queue is ordered by (re)submission time, then id, so the
// position its cursor holds names both: "queue:MICROSECONDS:ID". The cursor
// is bound to the queue and its filters like every list's (nextCursor,
// cursorPosition).

// queuePage is the position and size of a review queue request.
type queuePage struct {
	After ledger.QueuePosition
	Limit int
}

// queuePageOf reads limit and the queue's cursor from the query.
func queuePageOf(c *gin.Context) (queuePage, error) {
	var errs taahod.Problems
	p := queuePage{Limit: queryLimit(c, &errs)}
	pos, err := cursorPosition(c)
	if err != nil {
		return p, err
	}
	if pos != "" {
		after, ok := queuePosition(pos)
		if !ok {
			return p, invalidCursor("the cursor is not one this service gave")
		}
		p.After = after
	}
	return p, errs.Err()
}

// queuePosition reads the position text of a queue cursor.
func queuePosition(pos string) (ledger.QueuePosition, bool) {
	parts := strings.Split(pos, ":")
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
func queueAnswer(c *gin.Context, items []ledger.QueueItem, p queuePage) listPage[ledger.QueueItem] {
	ans := listPage[ledger.QueueItem]{Items: items}
	if ans.Items == nil {
		ans.Items = []ledger.QueueItem{}
	}
	if len(items) > p.Limit {
		ans.Items = items[:p.Limit]
		last := ans.Items[p.Limit-1]
		next := nextCursor(c, "queue:"+strconv.FormatInt(last.SubmittedAt.UnixMicro(), 10)+":"+strconv.FormatInt(last.ID, 10))
		ans.NextCursor = &next
	}
	return ans
}
