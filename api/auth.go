package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

const (
	actorKey = "taahod.actor"
	tokenKey = "taahod.token"
)

// authenticate admits a request with a live bearer token and records its
// actor; anything else is 401.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	token, found := strings.CutPrefix(h, "Bearer ")
	if !found {
		token, found = sessionCookieForExport(c)
	}
	if !found {
		c.Header("WWW-Authenticate", `Bearer realm="taahod"`)
		s.problem(c, taahod.Errorf(taahod.EUNAUTHORIZED, "sign in first: send Authorization: Bearer TOKEN"))
		return
	}
	user, err := s.auth.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		if taahod.ErrorCode(err) == taahod.EUNAUTHORIZED {
			c.Header("WWW-Authenticate", `Bearer realm="taahod", error="invalid_token"`)
		}
		s.problem(c, err)
		return
	}
	c.Set(actorKey, user.Actor())
	c.Set(tokenKey, strings.TrimSpace(token))
	if user.MustChangePassword && !passwordChangeRoutes[c.Request.Method+" "+c.FullPath()] {
		s.problem(c, taahod.Errorf(auth.EPASSWORDCHANGE,
			"you signed in with a one-time password: choose your own with PUT /api/v1/auth/password first"))
		return
	}
	c.Next()
}

// passwordChangeRoutes are all that a user who must change their password
// may use until they do: enough to see who they are, to change it, or to
// leave.
var passwordChangeRoutes = map[string]bool{
	"GET /api/v1/auth/me":       true,
	"POST /api/v1/auth/logout":  true,
	"PUT /api/v1/auth/password": true,
}

// actorOf returns the signed-in actor of the request.
func actorOf(c *gin.Context) (taahod.Actor, bool) {
	v, ok := c.Get(actorKey)
	if !ok {
		return taahod.Actor{}, false
	}
	a, ok := v.(taahod.Actor)
	return a, ok
}

// actor returns the signed-in actor; only routes behind authenticate call it.
func actor(c *gin.Context) taahod.Actor {
	a, _ := actorOf(c)
	return a
}

// roleRefused is the detail of require's 403, by which a test tells the
// guard's refusal from a handler's.
const roleRefused = "your role may not do this"

// require admits only the given roles; others get 403.
func (s *Server) require(roles ...taahod.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !actor(c).Is(roles...) {
			s.problem(c, taahod.Errorf(taahod.EFORBIDDEN, roleRefused))
			return
		}
		c.Next()
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var p taahod.Problems
	if req.Username == "" {
		p.Add("username", "required", "username is required")
	}
	if req.Password == "" {
		p.Add("password", "required", "password is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	sess, err := s.auth.LoginFrom(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	if err != nil {
		return err
	}
	noStore(c)
	return ok(c, sess)
}

// noStore keeps an answer that carries a token, a password or who the
// caller is out of every cache, the browser's included.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
}

func (s *Server) logout(c *gin.Context) error {
	if err := s.auth.Logout(c.Request.Context(), actor(c), c.GetString(tokenKey)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// me answers who the caller is. It reads the user again rather than
// rebuilding them from the actor, so that must_change_password is told as
// it is now.
func (s *Server) me(c *gin.Context) error {
	u, err := s.auth.GetUser(c.Request.Context(), actor(c).UserID)
	if err != nil {
		return err
	}
	noStore(c)
	return ok(c, u)
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets the caller's own password and ends their other
// sessions; this one lives on.
func (s *Server) changePassword(c *gin.Context) error {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.auth.ChangePassword(c.Request.Context(), actor(c), c.GetString(tokenKey), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	noStore(c)
	c.Status(http.StatusNoContent)
	return nil
}

// pagesSessionCookie is the cookie the web pages keep their sign-in in: the
// same token as a bearer token (web/session.go).
const pagesSessionCookie = "taahod_session"

// sessionCookieForExport is the pages' session token when the request is a
// file download (GET with ?format=csv or xlsx, export.go) and has no
// Authorization header: the pages' «دریافت اکسل» and «دریافت CSV» links are
// plain links, which a browser follows with the cookie and no header. Every
// other API request still needs the bearer token; a download changes
// nothing, and the cookie is SameSite=Lax, so another site can make a
// browser download a file but never read it.
func sessionCookieForExport(c *gin.Context) (string, bool) {
	if c.Request.Method != http.MethodGet {
		return "", false
	}
	if f := c.Query("format"); f != "csv" && f != "xlsx" {
		return "", false
	}
	token, err := c.Cookie(pagesSessionCookie)
	if err != nil || token == "" {
		return "", false
	}
	return token, true
}
