package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// Sessions. The cookie holds the same opaque token the API hands out
// (internal/auth: stored only as its SHA-256, same lifetime, same
// revocation), so that signing out, a password change or a disabled user
// ends a browser's session exactly as it ends an API client's.
//
// CSRF: every state-changing form carries a hidden "csrf" input. Signed in,
// it is the HMAC-SHA256 of a fixed label keyed with the session token: only
// a page served to the holder of the cookie can know it, it needs no
// storage and no server key (so it survives restarts and works across
// servers), and it dies with the session. It does not reveal the token.
// Before sign-in there is no session: the sign-in form's token is a random
// value also set in a short-lived cookie of its own, and the two must match
// (double submit), so that another site cannot sign a browser in.

const (
	sessionCookie = "taahod_session"
	signInCookie  = "taahod_signin"
	csrfField     = "csrf"
)

// Keys of the gin context.
const (
	userKey  = "web.user"
	tokenKey = "web.token"
	// mustChangeKey is set while the user signs in with a one-time
	// password.
	mustChangeKey = "web.must_change"
)

// session reads the session cookie. With required, a request without a
// live session is sent to sign in (GET keeps its path to come back to), a
// POST without the right CSRF token is 403 and reaches no handler, and a
// user who must change their password is sent to do that first.
func (p *Pages) session(required bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		cookie, err := c.Cookie(sessionCookie)
		var user auth.User
		if err == nil && cookie != "" {
			user, err = p.auth.Authenticate(c.Request.Context(), cookie)
		}
		if err != nil || cookie == "" {
			if cookie != "" && taahod.ErrorCode(err) == taahod.EUNAUTHORIZED {
				p.clearCookie(c, sessionCookie)
			} else if err != nil && cookie != "" {
				p.failure(c, http.StatusServiceUnavailable, ErrorMessage(err))
				c.Abort()
				return
			}
			if !required {
				c.Next()
				return
			}
			target := "/signin"
			if c.Request.Method == http.MethodGet {
				target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
			}
			c.Redirect(http.StatusSeeOther, target)
			c.Abort()
			return
		}
		c.Set(userKey, user.Actor())
		c.Set(tokenKey, cookie)
		c.Set(mustChangeKey, user.MustChangePassword)
		c.Header("Cache-Control", "no-store")
		if required && c.Request.Method == http.MethodPost && !hmac.Equal([]byte(c.PostForm(csrfField)), []byte(csrfToken(c))) {
			p.failure(c, http.StatusForbidden, Message("csrf"))
			c.Abort()
			return
		}
		if required && user.MustChangePassword && c.FullPath() != "/password" && c.FullPath() != "/signout" {
			c.Redirect(http.StatusSeeOther, "/password")
			c.Abort()
			return
		}
		c.Next()
	}
}

// signedIn returns the signed-in person, if any.
func signedIn(c *gin.Context) (taahod.Actor, bool) {
	v, ok := c.Get(userKey)
	if !ok {
		return taahod.Actor{}, false
	}
	a, ok := v.(taahod.Actor)
	return a, ok
}

// csrfToken is the signed-in session's form token ("" signed out).
func csrfToken(c *gin.Context) string {
	token := c.GetString(tokenKey)
	if token == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("taahod web form v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on the whole site,
// Secure when the service is public over https; maxAge 0 makes it last the
// browser session.
func (p *Pages) setCookie(c *gin.Context, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{
		Name: name, Value: value, Path: "/",
		HttpOnly: true, Secure: p.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(c.Writer, ck)
}

func (p *Pages) clearCookie(c *gin.Context, name string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: p.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// randomToken returns 32 random bytes in base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath returns next when it is a path of this site to come back to
// after signing in, and "" otherwise: no scheme or host (not
// "https://evil", "//evil" or "/\evil"), no control characters, and not the
// API or the sign-in page itself.
func localPath(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2000 || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	if strings.HasPrefix(u.Path, "/api/") || u.Path == "/signin" || u.Path == "/signout" || strings.HasPrefix(u.Path, "/static/") {
		return ""
	}
	return next
}
