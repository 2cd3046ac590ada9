package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/registry"
)

func (s *Server) sessionRoutes(g *gin.RouterGroup) {
	g.POST("/sessions", s.endpoint(registryWriters, s.createSession)...)
	g.GET("/sessions", s.endpoint(anySignedIn, s.listSessions, paged("kind", "county", "year")...)...)
	g.GET("/sessions/:id", s.endpoint(anySignedIn, s.getSession)...)
	g.PATCH("/sessions/:id", s.endpoint(registryWriters, s.updateSession)...)
}

// newSitting is a session with, optionally, the resolutions it adopted,
// recorded together (all or nothing), as the secretariat's page records a
// sitting.
// Its session fields are registry.NewSession's, spelled out rather than
// embedded so that a field of the wrong type is named as the client sent
// it ("held_on", not "NewSession.held_on").
type newSitting struct {
	Kind         string                    `json:"kind"`
	HeldOn       string                    `json:"held_on"`
	HeldOnJalali string                    `json:"held_on_jalali"`
	County       *string                   `json:"county"`
	Title        *string                   `json:"title"`
	Chair        *string                   `json:"chair"`
	Attendees    []string                  `json:"attendees"`
	Minutes      *string                   `json:"minutes"`
	Resolutions  *[]registry.NewResolution `json:"resolutions"`
}

// session is the sitting's session.
func (n newSitting) session() registry.NewSession {
	return registry.NewSession{Kind: n.Kind, HeldOn: n.HeldOn, HeldOnJalali: n.HeldOnJalali, County: n.County,
		Title: n.Title, Chair: n.Chair, Attendees: n.Attendees, Minutes: n.Minutes}
}

func (s *Server) createSession(c *gin.Context) error {
	var req newSitting
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var (
		out registry.Session
		err error
	)
	if req.Resolutions == nil {
		out, err = s.registry.CreateSession(c.Request.Context(), actor(c), req.session())
	} else {
		out, _, err = s.registry.CreateSessionWithResolutions(c.Request.Context(), actor(c), req.session(), *req.Resolutions)
	}
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("sessions", out.ID), out)
}

func (s *Server) getSession(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	out, err := s.registry.FindSession(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	return ok(c, out)
}

func (s *Server) listSessions(c *gin.Context) error {
	pg, p := listParams(c)
	year := queryYear(c, p, "year", false)
	if err := p.Err(); err != nil {
		return err
	}
	out, err := s.registry.ListSessions(c.Request.Context(), viewer(c), registry.SessionFilter{
		Kind: c.Query("kind"), County: c.Query("county"), Year: year, AfterID: pg.AfterID, Limit: pg.Limit + 1,
	})
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(out, pg, func(x registry.Session) int64 { return x.ID }))
}

func (s *Server) updateSession(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req registry.SessionPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.UpdateSession(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, out)
}
