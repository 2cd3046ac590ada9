package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// A one-time password an administrator makes (a new user, a reset) is
// shown once, on the page the form's redirect leads to, and never again:
// the form's POST keeps it in memory under a random key bound to the
// administrator's session, and the first GET of that page takes it out.
// It is never written to the database in clear, to a log or to a URL
// (the key in the URL is not the password), and what is not fetched
// within handoffTTL is forgotten. Kept in one process's memory: a
// deployment of several instances sends the redirect to the same one or
// the page says the password is no longer shown (reset it again).

// handoffTTL is how long a one-time password waits for its page.
const handoffTTL = 10 * time.Minute

// passwordHandoff is a one-time password waiting to be shown.
type passwordHandoff struct {
	userID   int64
	password string
	// session is the administrator's session token: only they see it.
	session string
	until   time.Time
}

// passwordHandoffs holds the one-time passwords waiting for their page.
type passwordHandoffs struct {
	mu sync.Mutex
	m  map[string]passwordHandoff
}

func newPasswordHandoffs() *passwordHandoffs {
	return &passwordHandoffs{m: map[string]passwordHandoff{}}
}

// put keeps password for its page and returns the page's key.
func (h *passwordHandoffs) put(userID int64, password, session string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	for k, v := range h.m {
		if now.After(v.until) {
			delete(h.m, k)
		}
	}
	key := randomToken()
	h.m[key] = passwordHandoff{userID: userID, password: password, session: session, until: now.Add(handoffTTL)}
	return key
}

// take returns the password kept under key for userID and the session,
// once: it is gone afterwards.
func (h *passwordHandoffs) take(key string, userID int64, session string) (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[key]
	if !ok || v.userID != userID || v.session != session {
		return "", false
	}
	delete(h.m, key)
	if time.Now().After(v.until) {
		return "", false
	}
	return v.password, true
}

// handOver keeps the one-time password for the administrator's next page
// and sends them there (post/redirect/get).
func (p *Pages) handOver(c *gin.Context, userID int64, password, status string) {
	key := p.handoffs.put(userID, password, c.GetString(tokenKey))
	c.Redirect(http.StatusSeeOther, userPath(userID)+"/password?k="+key+"&m="+status)
}

// oneTimePasswordData is the page that shows a one-time password.
type oneTimePasswordData struct {
	UserID   int64
	Username string
	// Password is "" when it was shown already (or never kept).
	Password string
}

// oneTimePasswordPage shows the one-time password once; opened again (or
// by anyone else) it says the password is no longer shown, with 410.
func (p *Pages) oneTimePasswordPage(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	user, err := p.auth.GetUser(c.Request.Context(), id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := oneTimePasswordData{UserID: id, Username: user.Username}
	status := http.StatusGone
	if pw, ok := p.handoffs.take(c.Query("k"), id, c.GetString(tokenKey)); ok {
		d.Password, status = pw, http.StatusOK
	}
	pg := page{User: &u, CSRF: csrfToken(c), Data: d}
	if status == http.StatusOK {
		pg.Status = statusOf(c)
	}
	p.render(c, status, "admin_password", pg)
}

// userPath is a user's page.
func userPath(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

// readAdminBool reads a form's or query's "true"/"false".
func readAdminBool(s string) (*bool, bool) {
	switch s {
	case "":
		return nil, true
	case "true", "false":
		b := s == "true"
		return &b, true
	}
	return nil, false
}
