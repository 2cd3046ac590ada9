package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/notify"
)

// The administrators' API for webhooks (notify.Webhooks): the endpoints
// that hear of events, and their deliveries with the last answer. An
// endpoint's secret is shown once, in the answer that registered it; an
// idempotent replay of that answer carries null in its place.

func (s *Server) webhookRoutes(g *gin.RouterGroup) {
	g.GET("/webhooks", s.endpoint(admins, s.listWebhooks, paged()...)...)
	g.POST("/webhooks", s.endpoint(admins, s.createWebhook)...)
	g.GET("/webhooks/:id", s.endpoint(admins, s.getWebhook)...)
	g.PATCH("/webhooks/:id", s.endpoint(admins, s.updateWebhook)...)
	g.GET("/webhooks/:id/deliveries", s.endpoint(admins, s.listDeliveries, paged("status")...)...)
	g.POST("/webhooks/:id/deliveries/:delivery/retry", s.endpoint(admins, s.retryDelivery)...)
}

func (s *Server) webhooks() notify.Webhooks { return notify.Webhooks{DB: s.db} }

func (s *Server) listWebhooks(c *gin.Context) error {
	pg, problems := listParams(c)
	if err := problems.Err(); err != nil {
		return err
	}
	list, err := s.webhooks().List(c.Request.Context(), pg.AfterID, pg.Limit+1)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(list, pg, func(e notify.Endpoint) int64 { return e.ID }))
}

// endpointWithSecret is the answer that registered an endpoint.
type endpointWithSecret struct {
	notify.Endpoint
	Secret *string `json:"secret"`
}

type newWebhookRequest struct {
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Secret      string   `json:"secret"`
	Description *string  `json:"description"`
}

func (s *Server) createWebhook(c *gin.Context) error {
	var req newWebhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, secret, err := s.webhooks().Create(c.Request.Context(), actor(c), notify.NewEndpoint(req))
	if err != nil {
		return err
	}
	kept, err := jsonMarshal(endpointWithSecret{Endpoint: e})
	if err != nil {
		return err
	}
	c.Set(replayBodyKey, kept)
	noStore(c)
	c.Header("Location", "/api/v1/webhooks/"+strconv.FormatInt(e.ID, 10))
	return writeJSON(c, http.StatusCreated, endpointWithSecret{Endpoint: e, Secret: &secret})
}

func (s *Server) getWebhook(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := s.webhooks().Get(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return ok(c, e)
}

type webhookPatchRequest struct {
	URL         *string  `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description *string  `json:"description"`
	Disabled    *bool    `json:"disabled"`
}

func (s *Server) updateWebhook(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req webhookPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.webhooks().Update(c.Request.Context(), actor(c), id, notify.EndpointPatch(req))
	if err != nil {
		return err
	}
	return ok(c, e)
}

func (s *Server) listDeliveries(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pg, p := listParams(c)
	status := queryChoice(c, p, "status", func(s string) bool { return s == "pending" || s == "delivered" || s == "failed" })
	if err := p.Err(); err != nil {
		return err
	}
	list, err := s.webhooks().Deliveries(c.Request.Context(), id, status, pg.AfterID, pg.Limit+1)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(list, pg, func(d notify.Delivery) int64 { return d.ID }))
}

func (s *Server) retryDelivery(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	delivery, err := pathID(c, "delivery")
	if err != nil {
		return err
	}
	if err := s.webhooks().Retry(c.Request.Context(), actor(c), id, delivery); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
