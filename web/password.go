package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// passwordData is what the change-password page shows besides the form.
type passwordData struct {
	// Required is set while the user signs in with a one-time password.
	Required bool
	MinLen   int
}

func (p *Pages) passwordPage(c *gin.Context) {
	u, _ := signedIn(c)
	p.render(c, http.StatusOK, "password", page{User: &u, CSRF: csrfToken(c), Form: newForm(),
		Data: p.passwordData(c)})
}

func (p *Pages) passwordData(c *gin.Context) passwordData {
	return passwordData{Required: c.GetBool(mustChangeKey), MinLen: auth.MinPasswordLength}
}

// changePassword changes the signed-in user's own password through the
// API's own rule (internal/auth.ChangePassword: the current one checked and
// counted as a sign-in, the new one's rules, every other session ended).
// The passwords typed are never shown again.
func (p *Pages) changePassword(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	current := c.PostForm("current_password")
	next := c.PostForm("new_password")
	again := c.PostForm("new_password_again")
	if again == "" {
		f.fail("new_password_again", "required")
	} else if next != "" && again != next {
		f.fail("new_password_again", "mismatch")
	}
	var err error
	if f.failed() {
		// Nothing is changed while the two new passwords disagree; the
		// other fields' plain faults are told at the same time.
		if current == "" {
			f.fail("current_password", "required")
		}
		if next == "" {
			f.fail("new_password", "required")
		}
	} else {
		err = p.auth.ChangePassword(c.Request.Context(), u, c.GetString(tokenKey), current, next)
	}
	if err != nil || f.failed() {
		alert := Message(taahod.EINVALID)
		status := http.StatusUnprocessableEntity
		if err != nil {
			alert = f.take(err)
			switch taahod.ErrorCode(err) {
			case taahod.EINVALID:
			case taahod.ERATELIMITED:
				status = http.StatusTooManyRequests
				setRetryAfter(c, err)
			default:
				status = http.StatusConflict
			}
		}
		p.render(c, status, "password", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: p.passwordData(c)})
		return
	}
	c.Redirect(http.StatusSeeOther, homeOf(u.Role)+"?m=password_changed")
}
