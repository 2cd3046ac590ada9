package api

import (
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// The audit trail for those who check it: every entry of the hash chain,
// filtered, newest first unless order=oldest. Each entry carries what its
// hash covers (database.Entry.Content), so that a reader can recompute the
// chain: hash = SHA-256(prev_hash || content).

var auditReaders = []taahod.Role{taahod.RoleAdmin, taahod.RoleAuditor}

func (s *Server) auditRoutes(g *gin.RouterGroup) {
	g.GET("/audit", s.endpoint(auditReaders, s.listAudit, paged("actor", "target_type", "target_id", "action", "from", "to", "order")...)...)
}

// auditActor is who made an audited change, as recorded then: id is null
// for the system and for failed sign-ins, role "" for the latter.
type auditActor struct {
	ID       *int64 `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
}

// auditEntry is one entry of the trail; hashes are lower-case hex.
type auditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	AtJalali   string          `json:"at_jalali"`
	Actor      auditActor      `json:"actor"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	RequestID  string          `json:"request_id"`
	Changes    json.RawMessage `json:"changes"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

var auditActorName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// auditWord is the shape of actions and target types ("expenditure.review",
// "tax_year").
var auditWord = regexp.MustCompile(`^[a-z0-9_.-]{1,64}$`)

func (s *Server) listAudit(c *gin.Context) error {
	var (
		p taahod.Problems
		f = database.AuditFilter{Limit: queryLimit(c, &p)}
	)
	if a := strings.TrimSpace(c.Query("actor")); a != "" {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil && id > 0 {
			f.ActorID = &id
		} else if name := strings.ToLower(a); auditActorName.MatchString(name) {
			f.ActorName = name
		} else {
			p.Add("actor", "invalid_actor", "actor is a user id or a user name")
		}
	}
	for _, w := range []struct {
		name string
		dst  *string
	}{{"target_type", &f.TargetType}, {"action", &f.Action}} {
		if v := c.Query(w.name); v != "" {
			if !auditWord.MatchString(v) {
				p.Add(w.name, "invalid_choice", w.name+" is a word of a-z, 0-9, '_', '.' or '-', such as expenditure.review")
			}
			*w.dst = v
		}
	}
	if v := c.Query("target_id"); v != "" {
		if !utf8.ValidString(v) || len(v) > 128 {
			p.Add("target_id", "invalid_id", "target_id has at most 128 bytes")
		}
		f.TargetID = v
	}
	// Dates are days in Tehran, as the trail's at_jalali reads them; to is
	// taken whole.
	from, to := queryDate(c, &p, "from"), queryDate(c, &p, "to")
	if !from.IsZero() {
		f.From = tehranMidnight(from)
	}
	if !to.IsZero() {
		f.To = tehranMidnight(to.AddDays(1))
		if !from.IsZero() && to.Before(from) {
			p.Add("to", "before_from", "to is before from")
		}
	}
	switch c.Query("order") {
	case "", "newest":
	case "oldest":
		f.Ascending = true
	default:
		p.Add("order", "invalid_choice", "order is newest (the default) or oldest")
	}
	if err := p.Err(); err != nil {
		return err
	}
	// The cursor is bound to the trail and its filters and order like every
	// list's; its position is the last seq seen.
	pos, err := cursorPosition(c)
	if err != nil {
		return err
	}
	if pos != "" {
		seq, err := strconv.ParseInt(strings.TrimPrefix(pos, "seq:"), 10, 64)
		if !strings.HasPrefix(pos, "seq:") || err != nil || seq <= 0 {
			return invalidCursor("the cursor is not one this service gave")
		}
		f.BeforeSeq, f.AfterSeq = seq, seq
	}
	limit := f.Limit
	f.Limit++
	entries, err := s.db.AuditEntries(c.Request.Context(), f)
	if err != nil {
		return err
	}
	out := listPage[auditEntry]{Items: make([]auditEntry, 0, min(len(entries), limit))}
	for i, e := range entries {
		if i == limit {
			next := nextCursor(c, "seq:"+strconv.FormatInt(entries[limit-1].Seq, 10))
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, auditEntry{
			Seq: e.Seq, At: e.At, AtJalali: taahod.JalaliTime(e.At),
			Actor:  auditActor{ID: e.ActorID, Username: e.ActorName, Role: e.ActorRole},
			Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, RequestID: e.RequestID,
			Changes: json.RawMessage(e.Changes), PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash),
		})
	}
	return ok(c, out)
}

func tehranMidnight(d taahod.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, taahod.Tehran())
}
