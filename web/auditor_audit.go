package web

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// auditPageSize is how many entries one page of the trail lists.
const auditPageSize = 50

// auditWord and auditActorName are the API's shapes of an action or a
// target type ("expenditure.review") and of a user name.
var (
	auditWord      = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)
	auditActorName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)
)

// auditRow is one entry as the page shows it.
type auditRow struct {
	database.Entry
	Hash, PrevHash string
	// Chained is set when the entry before it (seq-1) is on the page and
	// its hash is this entry's prev_hash; Broken when it is on the page
	// and is not.
	Chained, Broken bool
	PrevSeq         int64
	// Role is the actor's role then ("" for a failed sign-in).
	Role taahod.Role
}

// auditData is one page of the trail and its filter.
type auditData struct {
	Rows           []auditRow
	Next, Previous string
}

// auditTrail renders /auditor/audit: the audit chain newest first, with
// the API's filters (actor: a user id or name; action; target_type;
// from and to, Jalali days typed as people type them) and the API's seq
// positions (database.AuditEntries, as GET /api/v1/audit reads it).
func (p *Pages) auditTrail(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	filter := database.AuditFilter{Limit: auditPageSize + 1}
	q := url.Values{}
	for _, k := range []string{"actor", "action", "target_type", "from", "to"} {
		f.values[k] = strings.TrimSpace(c.Query(k))
		if f.values[k] != "" {
			q.Set(k, f.values[k])
		}
	}
	if a := strings.ToLower(taahod.ASCIIDigits(f.values["actor"])); a != "" {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil && id > 0 {
			filter.ActorID = &id
		} else if auditActorName.MatchString(a) {
			filter.ActorName = a
		} else {
			f.fail("actor", "invalid_actor")
		}
	}
	for k, dst := range map[string]*string{"action": &filter.Action, "target_type": &filter.TargetType} {
		if v := f.values[k]; v != "" {
			if !auditWord.MatchString(v) {
				f.fail(k, "invalid_choice")
			}
			*dst = v
		}
	}
	var from, to taahod.Date
	for k, dst := range map[string]*taahod.Date{"from": &from, "to": &to} {
		if v := f.values[k]; v != "" {
			d, err := ParseDate(v)
			if err != nil {
				f.fail(k, taahod.ErrorCode(err))
				continue
			}
			*dst = d
		}
	}
	if !from.IsZero() {
		filter.From = tehranMidnight(from)
	}
	if !to.IsZero() {
		// to is taken whole, as the API takes it.
		filter.To = tehranMidnight(to.AddDays(1))
		if !from.IsZero() && to.Before(from) {
			f.fail("to", "before_from")
		}
	}
	after, trail, ok := readPosition(c)
	if !ok {
		f.fail("after", taahod.EINVALID)
	}
	if f.failed() {
		p.render(c, http.StatusUnprocessableEntity, "auditor_audit", page{User: &u, CSRF: csrfToken(c),
			Alert: Message(taahod.EINVALID), Form: f, Data: auditData{}})
		return
	}
	filter.BeforeSeq = after
	entries, err := p.ledger.DB.AuditEntries(c.Request.Context(), filter)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := auditData{}
	if after > 0 {
		d.Previous = pageLinkOn("/auditor/audit", q, trail)
	}
	if len(entries) > auditPageSize {
		entries = entries[:auditPageSize]
		d.Next = pageLinkOn("/auditor/audit", q, append(append(trail[:len(trail):len(trail)], after), entries[len(entries)-1].Seq))
	}
	hashOf := map[int64]string{}
	for _, e := range entries {
		hashOf[e.Seq] = hex.EncodeToString(e.Hash)
	}
	for _, e := range entries {
		r := auditRow{Entry: e, Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash), PrevSeq: e.Seq - 1, Role: taahod.Role(e.ActorRole)}
		if h, ok := hashOf[e.Seq-1]; ok {
			r.Chained, r.Broken = h == r.PrevHash, h != r.PrevHash
		}
		d.Rows = append(d.Rows, r)
	}
	p.render(c, http.StatusOK, "auditor_audit", page{User: &u, CSRF: csrfToken(c), Form: f, Data: d})
}

// tehranMidnight is the start of day d in Tehran, as the trail's dates are
// read.
func tehranMidnight(d taahod.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, taahod.Tehran())
}
