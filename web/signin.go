package web

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// signInForm is what the sign-in page shows besides the form.
type signInForm struct {
	Next string
}

// statusMessages are the messages a redirect may ask a page to show
// (?m=CODE): fixed sentences, never text from the URL.
var statusMessages = map[string]bool{"signed_out": true, "password_changed": true, "sign_in_first": true}

func statusOf(c *gin.Context) string {
	if m := c.Query("m"); statusMessages[m] {
		return Message(m)
	}
	return ""
}

// signInToken returns the sign-in form's token, setting its cookie when the
// browser has none yet.
func (p *Pages) signInToken(c *gin.Context) string {
	if v, err := c.Cookie(signInCookie); err == nil && len(v) == 43 {
		return v
	}
	v := randomToken()
	p.setCookie(c, signInCookie, v, 0)
	return v
}

// signInPage shows the sign-in form; someone signed in already goes on to
// where they were going.
func (p *Pages) signInPage(c *gin.Context) {
	next := localPath(c.Query("next"))
	if u, ok := signedIn(c); ok {
		if next == "" {
			next = homeOf(u.Role)
		}
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	pg := page{CSRF: p.signInToken(c), Status: statusOf(c), Form: newForm(), Data: signInForm{Next: next}}
	if next != "" && pg.Status == "" {
		pg.Status = Message("sign_in_first")
	}
	p.render(c, http.StatusOK, "signin", pg)
}

// signIn checks the form's token, then the user name and password through
// internal/auth (the API's sign-in: the same failure limit), and sets the
// session cookie.
func (p *Pages) signIn(c *gin.Context) {
	want, err := c.Cookie(signInCookie)
	if err != nil || want == "" || !hmac.Equal([]byte(c.PostForm(csrfField)), []byte(want)) {
		p.failure(c, http.StatusForbidden, Message("csrf"))
		return
	}
	f := newForm()
	username := Text(c.PostForm("username"))
	password := c.PostForm("password")
	f.values["username"] = username
	next := localPath(c.PostForm("next"))
	again := func(status int, alert string) {
		p.render(c, status, "signin", page{CSRF: want, Alert: alert, Form: f, Data: signInForm{Next: next}})
	}
	if username == "" {
		f.fail("username", "required")
	}
	if password == "" {
		f.fail("password", "required")
	}
	if f.failed() {
		again(http.StatusUnprocessableEntity, Message(taahod.EINVALID))
		return
	}
	sess, err := p.auth.LoginFrom(c.Request.Context(), username, password, c.ClientIP())
	if err != nil {
		status := http.StatusInternalServerError
		switch code := taahod.ErrorCode(err); code {
		case taahod.EBADCREDENTIALS:
			status = http.StatusUnauthorized
		case taahod.ERATELIMITED:
			status = http.StatusTooManyRequests
			setRetryAfter(c, err)
		case taahod.EUNAVAILABLE:
			status = http.StatusServiceUnavailable
		default:
			p.log.ErrorContext(c.Request.Context(), "web sign-in", "error", err)
		}
		again(status, ErrorMessage(err))
		return
	}
	p.setCookie(c, sessionCookie, sess.Token, time.Until(sess.ExpiresAt))
	p.clearCookie(c, signInCookie)
	target := homeOf(sess.User.Role)
	switch {
	case sess.User.MustChangePassword:
		target = "/password"
	case next != "":
		target = next
	}
	c.Redirect(http.StatusSeeOther, target)
}

// signOut ends this session (the token is revoked, as the API's logout
// does) and forgets the cookie.
func (p *Pages) signOut(c *gin.Context) {
	u, _ := signedIn(c)
	if err := p.auth.Logout(c.Request.Context(), u, c.GetString(tokenKey)); err != nil {
		p.failure(c, http.StatusServiceUnavailable, ErrorMessage(err))
		return
	}
	p.clearCookie(c, sessionCookie)
	c.Redirect(http.StatusSeeOther, "/signin?m=signed_out")
}

// setRetryAfter tells a throttled person's browser, in whole seconds
// rounded up, when the sign-in limit lets them try again.
func setRetryAfter(c *gin.Context, err error) {
	var te *auth.ThrottledError
	if errors.As(err, &te) {
		c.Header("Retry-After", strconv.Itoa(int((te.RetryAfter()+time.Second-1)/time.Second)))
	}
}
