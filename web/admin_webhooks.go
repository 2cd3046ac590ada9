package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/notify"
)

// The administrator's webhooks (notify.Webhooks): the endpoints of other
// systems that hear of events, a form to register one, and each one's
// deliveries with the last answer, a failed one sent again on request.
// The secret is shown once, as a one-time password is (admin_password.go):
// the form's POST hands it to the endpoint's page, whose first opening
// shows it.

func (p *Pages) mountAdminWebhooks(g *gin.RouterGroup) {
	g.GET("/webhooks", p.adminWebhooks)
	g.POST("/webhooks", p.createWebhook)
	g.GET("/webhooks/:id", p.adminWebhook)
	g.POST("/webhooks/:id/disabled", p.setWebhookDisabled)
	g.POST("/webhooks/:id/deliveries/:delivery/retry", p.retryWebhookDelivery)
}

func init() {
	for _, m := range []string{"webhook_created", "webhook_disabled", "webhook_enabled", "delivery_retried"} {
		statusMessages[m] = true
	}
}

// eventTypeNames are the event types in Persian.
var eventTypeNames = map[string]string{
	notify.ExpenditureReviewed:    "بررسی هزینه (تأیید یا رد)",
	notify.ExpenditureReversed:    "برگشت تأیید هزینه",
	notify.CertificateIssued:      "صدور گواهی",
	notify.CertificateRevoked:     "ابطال گواهی",
	notify.SchoolProgressReported: "گزارش پیشرفت مدرسه",
}

type adminWebhooksData struct {
	Endpoints  []notify.Endpoint
	EventTypes []string
	TypeNames  map[string]string
	Chosen     map[string]bool
}

func (p *Pages) webhooksData(c *gin.Context, chosen []string) (adminWebhooksData, error) {
	list, err := p.webhooks.List(c.Request.Context(), 0, 500)
	d := adminWebhooksData{Endpoints: list, EventTypes: notify.EventTypes, TypeNames: eventTypeNames, Chosen: map[string]bool{}}
	for _, t := range chosen {
		d.Chosen[t] = true
	}
	return d, err
}

func (p *Pages) adminWebhooks(c *gin.Context) {
	u, _ := signedIn(c)
	d, err := p.webhooksData(c, nil)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "admin_webhooks", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Form: newForm(), Data: d})
}

func (p *Pages) createWebhook(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	f.values["url"], f.values["description"] = Text(c.PostForm("url")), Text(c.PostForm("description"))
	types := c.PostFormArray("event_types")
	in := notify.NewEndpoint{URL: f.values["url"], EventTypes: types}
	if f.values["description"] != "" {
		desc := f.values["description"]
		in.Description = &desc
	}
	e, secret, err := p.webhooks.Create(c.Request.Context(), u, in)
	if err != nil {
		alert := f.take(err)
		d, derr := p.webhooksData(c, types)
		if derr != nil {
			p.storeFailure(c, derr)
			return
		}
		p.render(c, problemStatus(err), "admin_webhooks", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
		return
	}
	// Kept under the endpoint's id negated: the handoffs' ids are users'.
	key := p.handoffs.put(-e.ID, secret, c.GetString(tokenKey))
	c.Redirect(http.StatusSeeOther, webhookPath(e.ID)+"?k="+key+"&m=webhook_created")
}

func webhookPath(id int64) string { return "/admin/webhooks/" + strconv.FormatInt(id, 10) }

type adminWebhookData struct {
	E          notify.Endpoint
	TypeNames  map[string]string
	Secret     string // "" unless this is the page the registration led to
	Deliveries []notify.Delivery
}

func (p *Pages) adminWebhook(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	e, err := p.webhooks.Get(c.Request.Context(), id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := adminWebhookData{E: e, TypeNames: eventTypeNames}
	if k := c.Query("k"); k != "" {
		d.Secret, _ = p.handoffs.take(k, -id, c.GetString(tokenKey))
	}
	if d.Deliveries, err = p.webhooks.Deliveries(c.Request.Context(), id, "", 0, 50); err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "admin_webhook", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

func (p *Pages) setWebhookDisabled(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	disabled, ok := readAdminBool(c.PostForm("disabled"))
	if !ok || disabled == nil {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	if _, err := p.webhooks.Update(c.Request.Context(), u, id, notify.EndpointPatch{Disabled: disabled}); err != nil {
		p.storeFailure(c, err)
		return
	}
	m := "webhook_enabled"
	if *disabled {
		m = "webhook_disabled"
	}
	c.Redirect(http.StatusSeeOther, webhookPath(id)+"?m="+m)
}

func (p *Pages) retryWebhookDelivery(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	delivery, ok := p.pathIDOr404(c, "delivery")
	if !ok {
		return
	}
	if err := p.webhooks.Retry(c.Request.Context(), u, id, delivery); err != nil {
		if taahod.ErrorCode(err) == taahod.ECONFLICT {
			p.failure(c, http.StatusConflict, Message(taahod.ECONFLICT))
			return
		}
		p.storeFailure(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, webhookPath(id)+"?m=delivery_retried")
}
