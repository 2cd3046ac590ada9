package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/taahod/taahod/internal/database"
)

// checkpointEvery is how often serve asks whether a checkpoint of the audit
// chain is due; asking costs two index reads, and at most one server writes
// each checkpoint (database.MaybeCheckpoint).
const checkpointEvery = time.Second

// checkpointer signs the audit chain's head whenever a checkpoint is due,
// until ctx ends. Every server runs one; the advisory lock inside
// MaybeCheckpoint lets one at a time write.
func checkpointer(ctx context.Context, db *database.DB, signer database.CheckpointSigner, log *slog.Logger) {
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		c, err := database.MaybeCheckpoint(ctx, db, signer, db.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("audit checkpoint", "error", err)
		case c != nil:
			log.Info("audit checkpoint signed", slog.Int64("seq", c.Seq))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
