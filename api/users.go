package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// The administrators' API for users: list, read, create with a one-time
// password, change, reset a password. Passwords an administrator hands over
// are shown once, in the answer that made them, and never stored in clear:
// an idempotent replay of that answer carries null in their place.

var admins = []taahod.Role{taahod.RoleAdmin}

func (s *Server) userRoutes(g *gin.RouterGroup) {
	g.PUT("/auth/password", s.require(anySignedIn...), s.handle(s.changePassword))
	g.GET("/users", s.endpoint(admins, s.listUsers, paged("role", "disabled", "q")...)...)
	g.POST("/users", s.endpoint(admins, s.createUser)...)
	g.GET("/users/:id", s.endpoint(admins, s.getUser)...)
	g.PATCH("/users/:id", s.endpoint(admins, s.updateUser)...)
	g.POST("/users/:id/reset-password", s.endpoint(admins, s.resetPassword)...)
}

// userView is a user as administrators see them.
type userView struct {
	ID                      int64       `json:"id"`
	Username                string      `json:"username"`
	FullName                *string     `json:"full_name"`
	Email                   *string     `json:"email"`
	Role                    taahod.Role `json:"role"`
	UnitIDs                 []int64     `json:"unit_ids"`
	Disabled                bool        `json:"disabled"`
	MustChangePassword      bool        `json:"must_change_password"`
	CreatedAt               time.Time   `json:"created_at"`
	CreatedAtJalali         string      `json:"created_at_jalali"`
	UpdatedAt               time.Time   `json:"updated_at"`
	UpdatedAtJalali         string      `json:"updated_at_jalali"`
	PasswordChangedAt       time.Time   `json:"password_changed_at"`
	PasswordChangedAtJalali string      `json:"password_changed_at_jalali"`
}

func viewUser(u auth.User) userView {
	units := u.UnitIDs
	if units == nil {
		units = []int64{}
	}
	return userView{
		ID: u.ID, Username: u.Username, FullName: u.FullName, Email: u.Email, Role: u.Role, UnitIDs: units,
		Disabled: u.Disabled, MustChangePassword: u.MustChangePassword,
		CreatedAt: u.CreatedAt, CreatedAtJalali: taahod.JalaliTime(u.CreatedAt),
		UpdatedAt: u.UpdatedAt, UpdatedAtJalali: taahod.JalaliTime(u.UpdatedAt),
		PasswordChangedAt: u.PasswordChangedAt, PasswordChangedAtJalali: taahod.JalaliTime(u.PasswordChangedAt),
	}
}

// userWithPassword is the answer that hands over a one-time password.
type userWithPassword struct {
	userView
	OneTimePassword *string `json:"one_time_password"`
}

// answerWithPassword writes the user and their new one-time password with
// status, and leaves for the idempotency middleware the same answer without
// the password, which is all a replay may repeat.
func answerWithPassword(c *gin.Context, status int, u auth.User, password string) error {
	body := userWithPassword{userView: viewUser(u), OneTimePassword: &password}
	kept, err := jsonMarshal(userWithPassword{userView: body.userView})
	if err != nil {
		return err
	}
	c.Set(replayBodyKey, kept)
	noStore(c)
	return writeJSON(c, status, body)
}

func (s *Server) listUsers(c *gin.Context) error {
	pg, p := listParams(c)
	f := auth.UserFilter{AfterID: pg.AfterID, Limit: pg.Limit + 1, Q: c.Query("q")}
	f.Role = taahod.Role(queryChoice(c, p, "role", func(s string) bool { return taahod.Role(s).Valid() }))
	if s := c.Query("disabled"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil || (s != "true" && s != "false") {
			p.Add("disabled", "invalid_choice", "disabled is true or false")
		}
		f.Disabled = &b
	}
	if len([]rune(f.Q)) > 100 {
		p.Add("q", "too_long", "q has at most 100 characters")
	}
	if err := p.Err(); err != nil {
		return err
	}
	users, err := s.auth.ListUsers(c.Request.Context(), f)
	if err != nil {
		return err
	}
	views := make([]userView, len(users))
	for i, u := range users {
		views[i] = viewUser(u)
	}
	return ok(c, pageAnswer(views, pg, func(u userView) int64 { return u.ID }))
}

func (s *Server) getUser(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.auth.GetUser(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return ok(c, viewUser(u))
}

type newUserRequest struct {
	Username string      `json:"username"`
	FullName string      `json:"full_name"`
	Role     taahod.Role `json:"role"`
	Units    []int64     `json:"units"`
	Email    string      `json:"email"`
}

func (s *Server) createUser(c *gin.Context) error {
	var req newUserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, password, err := s.auth.CreateUserWithOneTimePassword(c.Request.Context(), actor(c), auth.NewUser{
		Username: req.Username, FullName: req.FullName, Role: req.Role, UnitIDs: req.Units, Email: req.Email,
	})
	if err != nil {
		return err
	}
	c.Header("Location", userPath(u.ID))
	return answerWithPassword(c, http.StatusCreated, u, password)
}

func userPath(id int64) string { return "/api/v1/users/" + strconv.FormatInt(id, 10) }

type userPatchRequest struct {
	FullName taahod.Optional[string] `json:"full_name"`
	Role     *taahod.Role            `json:"role"`
	Units    *[]int64                `json:"units"`
	Disabled *bool                   `json:"disabled"`
	Email    taahod.Optional[string] `json:"email"`
}

func (s *Server) updateUser(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req userPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.auth.UpdateUser(c.Request.Context(), actor(c), id, auth.UserChange{
		FullName: req.FullName, Role: req.Role, Units: req.Units, Disabled: req.Disabled, Email: req.Email,
	})
	if err != nil {
		return err
	}
	return ok(c, viewUser(u))
}

func (s *Server) resetPassword(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, password, err := s.auth.ResetPassword(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return answerWithPassword(c, http.StatusOK, u, password)
}
