package database

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// AuditFilter selects entries of the audit chain; zero fields do not
// filter. Entries come newest first, before BeforeSeq when it is set, or
// with Ascending oldest first, after AfterSeq; at most Limit.
type AuditFilter struct {
	ActorID    *int64
	ActorName  string
	TargetType string
	TargetID   string
	Action     string
	From, To   time.Time // at >= From, at < To
	Ascending  bool
	BeforeSeq  int64
	AfterSeq   int64
	Limit      int
}

// AuditEntries reads the audit chain by filter. It only reads: appending
// stays Tx.Audit's and the statement audits' alone.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]Entry, error) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	if f.ActorID != nil {
		conds = append(conds, "actor_id = "+arg(*f.ActorID))
	}
	if f.ActorName != "" {
		conds = append(conds, "actor_name = "+arg(f.ActorName))
	}
	if f.TargetType != "" {
		conds = append(conds, "target_type = "+arg(f.TargetType))
	}
	if f.TargetID != "" {
		conds = append(conds, "target_id = "+arg(f.TargetID))
	}
	if f.Action != "" {
		conds = append(conds, "action = "+arg(f.Action))
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < "+arg(f.To))
	}
	order := "DESC"
	if f.Ascending {
		order = "ASC"
		if f.AfterSeq > 0 {
			conds = append(conds, "seq > "+arg(f.AfterSeq))
		}
	} else if f.BeforeSeq > 0 {
		conds = append(conds, "seq < "+arg(f.BeforeSeq))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	var out []Entry
	err := db.SelectContext(ctx, &out, `
		SELECT seq, at, actor_id, actor_name, actor_role, action, target_type, target_id,
		       request_id, changes, prev_hash, hash
		  FROM audit_log `+where+`
		 ORDER BY seq `+order+` LIMIT `+arg(f.Limit), args...)
	if err != nil {
		return nil, MapError(err)
	}
	return out, nil
}
