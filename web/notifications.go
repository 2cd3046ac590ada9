package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/notify"
)

// The inbox (notify.Inbox), for everyone signed in: the items newest
// first, the unread ones marked, each with a form that marks it read and
// one that marks them all; the header shows the unread count on every
// page (render).

func (p *Pages) mountNotifications(pages *gin.RouterGroup) {
	g := pages.Group("/notifications", p.session(true))
	g.GET("", p.notificationsPage)
	g.POST("/read-all", p.readAllNotifications)
	g.POST("/:id/read", p.readNotification)
}

func init() {
	for _, m := range []string{"notification_read", "notifications_read"} {
		statusMessages[m] = true
	}
}

// inboxPageSize is how many items a page of the inbox shows.
const inboxPageSize = 30

type notificationsData struct {
	Items  []notify.Item
	Unread bool   // only the unread ones
	Next   string // the next (older) page, "" when none
}

func (p *Pages) notificationsPage(c *gin.Context) {
	u, _ := signedIn(c)
	d := notificationsData{Unread: c.Query("unread") == "1"}
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	items, err := p.inbox.List(c.Request.Context(), notify.InboxFilter{UserID: u.UserID, Unread: d.Unread,
		BeforeID: max(before, 0), Limit: inboxPageSize + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(items) > inboxPageSize {
		items = items[:inboxPageSize]
		q := "?before=" + strconv.FormatInt(items[inboxPageSize-1].ID, 10)
		if d.Unread {
			q += "&unread=1"
		}
		d.Next = "/notifications" + q
	}
	d.Items = items
	p.render(c, http.StatusOK, "notifications", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

func (p *Pages) readNotification(c *gin.Context) {
	u, _ := signedIn(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	it, err := p.inbox.MarkRead(c.Request.Context(), u.UserID, id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	// "open" follows the item to its record; "read" stays in the inbox.
	if c.PostForm("open") != "" && it.Link != nil {
		c.Redirect(http.StatusSeeOther, *it.Link)
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications?m=notification_read")
}

func (p *Pages) readAllNotifications(c *gin.Context) {
	u, _ := signedIn(c)
	if _, err := p.inbox.MarkAllRead(c.Request.Context(), u.UserID); err != nil {
		p.storeFailure(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications?m=notifications_read")
}
