package api

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// The audit chain's signed checkpoints, published to anyone: whoever keeps
// a copy can later check that the chain up to it was not rewritten
// (`taahod verify --checkpoint FILE`), whatever happens to the database.
// Each is the chain's head {seq, hash, signed_at} signed with the key of
// GET /verify/key (database.Checkpoint).

func (s *Server) auditCheckpointRoutes(public *gin.RouterGroup) {
	public.GET("/public/audit/checkpoints", s.handle(s.listAuditCheckpoints, paged()...))
	public.GET("/public/audit/checkpoints/latest", s.handle(s.latestAuditCheckpoint))
}

// listAuditCheckpoints answers the checkpoints latest first; the cursor's
// position is the last seq seen.
func (s *Server) listAuditCheckpoints(c *gin.Context) error {
	var p taahod.Problems
	limit := queryLimit(c, &p)
	if err := p.Err(); err != nil {
		return err
	}
	pos, err := cursorPosition(c)
	if err != nil {
		return err
	}
	var before int64
	if pos != "" {
		seq, err := strconv.ParseInt(strings.TrimPrefix(pos, "seq:"), 10, 64)
		if !strings.HasPrefix(pos, "seq:") || err != nil || seq <= 0 {
			return invalidCursor("the cursor is not one this service gave")
		}
		before = seq
	}
	list, err := s.db.Checkpoints(c.Request.Context(), before, limit+1)
	if err != nil {
		return err
	}
	out := listPage[database.CheckpointJSON]{Items: make([]database.CheckpointJSON, 0, min(len(list), limit))}
	for i, k := range list {
		if i == limit {
			next := nextCursor(c, "seq:"+strconv.FormatInt(list[limit-1].Seq, 10))
			out.NextCursor = &next
			break
		}
		out.Items = append(out.Items, k.JSON())
	}
	return ok(c, out)
}

// latestAuditCheckpoint answers the last checkpoint, 404 before the first.
func (s *Server) latestAuditCheckpoint(c *gin.Context) error {
	k, err := s.db.LatestCheckpoint(c.Request.Context())
	if err != nil {
		return err
	}
	return ok(c, k.JSON())
}
