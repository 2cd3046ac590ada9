package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// offsetRunReaders may follow a province's year-end offset run: the tax
// office that starts it and the auditor.
var offsetRunReaders = []taahod.Role{taahod.RoleTaxOfficer, taahod.RoleAuditor}

func (s *Server) offsetRunRoutes(g *gin.RouterGroup) {
	g.POST("/tax-years/:year/offset-runs", s.endpoint(taxOfficers, s.startOffsetRun)...)
	g.GET("/tax-years/:year/offset-runs/:id", s.endpoint(offsetRunReaders, s.getOffsetRun)...)
}

func offsetRunPath(year int, id int64) string {
	return fmt.Sprintf("/api/v1/tax-years/%d/offset-runs/%d", year, id)
}

// startOffsetRun starts the year's run and answers at once, 202 with the
// run as it starts; the run goes on in the background of this server, with
// a context of its own (the server's, not the request's).
func (s *Server) startOffsetRun(c *gin.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	run, err := s.ledger.StartOffsetRun(c.Request.Context(), actor(c), year)
	var busy *ledger.RunInProgressError
	if errors.As(err, &busy) {
		c.Header("Location", offsetRunPath(busy.Year, busy.RunID))
	}
	if err != nil {
		return err
	}
	run.Log = s.log
	bg := s.cfg.Background
	if bg == nil {
		bg = context.Background()
	}
	s.background.Go(func() {
		ended, err := run.Execute(bg)
		if err != nil {
			s.log.Error("offset run", slog.Int64("run", run.ID), slog.String("error", err.Error()))
			return
		}
		s.log.Info("offset run ended", slog.Int64("run", ended.ID), slog.Int("fiscal_year", ended.FiscalYear),
			slog.String("status", ended.Status), slog.Int("units_done", ended.UnitsDone), slog.Int("units_failed", ended.UnitsFailed))
	})
	c.Header("Location", offsetRunPath(year, run.ID))
	return writeJSON(c, http.StatusAccepted, run.OffsetRun)
}

func (s *Server) getOffsetRun(c *gin.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	run, err := s.ledger.FindOffsetRun(c.Request.Context(), year, id)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return ok(c, run)
}

// Wait waits until the work the server goes on with after answering (the
// offset runs it started) has ended, or ctx ends. End Config.Background
// first, or a run goes on to its end: a stopped run then records that it
// stopped, rather than being taken for abandoned a minute later.
func (s *Server) Wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { s.background.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
