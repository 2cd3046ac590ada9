package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
	"golang.org/x/net/html"
)

// testSigner signs the tests' certificates, for the pages and the API
// alike: a key made for this run.
var testSigner = func() *certificate.Signer {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	s, err := certificate.NewSigner(key)
	if err != nil {
		panic(err)
	}
	return s
}()

func TestMain(m *testing.M) {
	auth.BcryptCost = 4 // the minimum: tests sign in often
	dbtest.Main(m)
}

// env is the whole service (the API with the pages mounted, as `taahod
// serve` wires them) over a fresh database.
type env struct {
	t    *testing.T
	db   *database.DB
	auth *auth.Store
	http *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, dbtest.New(t))
}

// newEnvOn is newEnv over a database the test has filled already.
func newEnvOn(t *testing.T, db *database.DB) *env {
	t.Helper()
	return newEnvSigned(t, db, testSigner)
}

// newEnvSigned is newEnvOn with the service's signing key: the one that
// signed the certificates in db, for their QR codes to verify.
func newEnvSigned(t *testing.T, db *database.DB, signer *certificate.Signer) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authStore := auth.NewStore(db)
	pages, err := New(db, authStore, Config{Logger: log,
		Issuer: certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: signer}})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	srv := api.New(db, authStore, api.Config{Logger: log, Province: "QZV", PublicURL: "http://taahod.test",
		Signer: signer, Pages: pages})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{t: t, db: db, auth: authStore, http: hs}
}

// mustCreateUser adds a user with the password "password-of-" + username.
func (e *env) mustCreateUser(username, fullName string, role taahod.Role, units ...int64) auth.User {
	e.t.Helper()
	if role == taahod.RoleAccountant && len(units) == 0 {
		// An accountant serves at least one unit.
		units = []int64{e.mustCreateUnit("واحد "+username, fmt.Sprintf("10%08d", len(username)*7919%100000000)).ID}
	}
	u, err := e.auth.CreateUser(context.Background(), taahod.System, auth.NewUser{
		Username: username, Password: "password-of-" + username, FullName: fullName, Role: role, UnitIDs: units,
	})
	if err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

func (e *env) mustCreateUnit(name, nationalPrefix10 string) registry.Unit {
	e.t.Helper()
	u, err := registry.NewStore(e.db).CreateUnit(context.Background(), taahod.System, registry.NewUnit{
		Name: name, NationalID: taahod.MakeLegalEntityID(nationalPrefix10), County: "قزوین",
	})
	if err != nil {
		e.t.Fatalf("create unit: %v", err)
	}
	return u
}

// apiGet fetches path from the JSON API signed in as username.
func (e *env) apiGet(t *testing.T, username, path string) (int, []byte) {
	t.Helper()
	body := strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, "password-of-"+username))
	res, err := http.Post(e.http.URL+"/api/v1/auth/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var login struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if err != nil || login.Token == "" {
		t.Fatalf("API sign-in: %d %v", res.StatusCode, err)
	}
	req, _ := http.NewRequest("GET", e.http.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// browser is one browser: its own cookies, following no redirect so that
// the tests see each one.
type browser struct {
	e      *env
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// answer is one response, its body read.
type answer struct {
	t      *testing.T
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) answer {
	b.e.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a := answer{t: b.e.t, status: res.StatusCode, header: res.Header, body: string(body)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") && (res.StatusCode < 300 || res.StatusCode >= 400) {
		a.checkPage()
	}
	return a
}

func (b *browser) get(path string) answer {
	b.e.t.Helper()
	req, _ := http.NewRequest("GET", b.e.http.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) answer {
	b.e.t.Helper()
	req, _ := http.NewRequest("POST", b.e.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit posts form to path with the CSRF token of the page at from, as a
// browser submits a form it was shown.
func (b *browser) submit(from, path string, form url.Values) answer {
	b.e.t.Helper()
	page := b.get(from)
	if page.status != http.StatusOK {
		b.e.t.Fatalf("GET %s: %d", from, page.status)
	}
	form.Set("csrf", page.csrf())
	return b.post(path, form)
}

// signIn signs in with the user's test password and returns the redirect's
// target.
func (b *browser) signIn(username string) string {
	b.e.t.Helper()
	a := b.submit("/signin", "/signin", url.Values{"username": {username}, "password": {"password-of-" + username}})
	if a.status != http.StatusSeeOther {
		b.e.t.Fatalf("sign in %s: %d\n%s", username, a.status, a.body)
	}
	return a.header.Get("Location")
}

// cookie returns the browser's cookie name for the server, "" if none.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.http.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// doc parses the body as HTML.
func (a answer) doc() *html.Node {
	a.t.Helper()
	n, err := html.Parse(strings.NewReader(a.body))
	if err != nil {
		a.t.Fatalf("parse HTML: %v", err)
	}
	return n
}

// csrf is the value of the first hidden input named csrf.
func (a answer) csrf() string {
	a.t.Helper()
	for _, in := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == "csrf" }) {
		return attr(in, "value")
	}
	a.t.Fatalf("no csrf input in the page:\n%s", a.body)
	return ""
}

// inputValue is the value of the input or the chosen option of the select
// named name.
func inputValue(a answer, name string) string {
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return attr(n, "name") == name }) {
		switch n.Data {
		case "input":
			return attr(n, "value")
		case "select":
			for _, o := range findAll(n, func(o *html.Node) bool { return o.Data == "option" && hasAttr(o, "selected") }) {
				return attr(o, "value")
			}
			return ""
		case "textarea":
			return textOf(n)
		}
	}
	return ""
}

// byID is the text of the element with the id, "" when there is none.
func byID(a answer, id string) string {
	if found := findAll(a.doc(), func(n *html.Node) bool { return attr(n, "id") == id }); len(found) > 0 {
		return textOf(found[0])
	}
	return ""
}

// text is the page's visible text, spaces collapsed.
func (a answer) text() string {
	var b bytes.Buffer
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(a.doc())
	return strings.Join(strings.Fields(b.String()), " ")
}

// byRole returns the text of the elements with role="role".
func (a answer) byRole(role string) string {
	var parts []string
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return attr(n, "role") == role }) {
		parts = append(parts, textOf(n))
	}
	return strings.Join(parts, " ")
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

type htmlNode = html.Node

// recorderContext is a gin context over a recorder, for the helpers that
// only set headers.
type recorderContext struct {
	c   *gin.Context
	rec *httptest.ResponseRecorder
}

func newRecorderContext() recorderContext {
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	return recorderContext{c: c, rec: rec}
}
