package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/notify"
)

// Each signed-in user's inbox (notify.Inbox): what the notification rules
// told them, newest first, read and marked read by that user alone.

func (s *Server) notificationRoutes(g *gin.RouterGroup) {
	g.GET("/notifications", s.endpoint(anySignedIn, s.listNotifications, paged("unread")...)...)
	g.GET("/notifications/unread-count", s.endpoint(anySignedIn, s.unreadNotifications)...)
	g.POST("/notifications/read-all", s.endpoint(anySignedIn, s.readAllNotifications)...)
	g.POST("/notifications/:id/read", s.endpoint(anySignedIn, s.readNotification)...)
}

func (s *Server) inbox() notify.Inbox { return notify.Inbox{DB: s.db} }

func (s *Server) listNotifications(c *gin.Context) error {
	pg, p := listParams(c)
	unread := queryChoice(c, p, "unread", func(s string) bool { return s == "true" || s == "false" })
	if err := p.Err(); err != nil {
		return err
	}
	items, err := s.inbox().List(c.Request.Context(), notify.InboxFilter{
		UserID: actor(c).UserID, Unread: unread == "true", BeforeID: pg.AfterID, Limit: pg.Limit + 1,
	})
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(items, pg, func(it notify.Item) int64 { return it.ID }))
}

type unreadCount struct {
	Unread int `json:"unread"`
}

func (s *Server) unreadNotifications(c *gin.Context) error {
	n, err := s.inbox().Unread(c.Request.Context(), actor(c).UserID)
	if err != nil {
		return err
	}
	return ok(c, unreadCount{Unread: n})
}

func (s *Server) readNotification(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	it, err := s.inbox().MarkRead(c.Request.Context(), actor(c).UserID, id)
	if err != nil {
		return err
	}
	return ok(c, it)
}

type markedRead struct {
	Marked int64 `json:"marked"`
}

func (s *Server) readAllNotifications(c *gin.Context) error {
	n, err := s.inbox().MarkAllRead(c.Request.Context(), actor(c).UserID)
	if err != nil {
		return err
	}
	return ok(c, markedRead{Marked: n})
}
