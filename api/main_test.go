package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

// testSigner signs the tests' certificates: a key made for this run, as
// the tests must not depend on TAAHOD_SIGNING_KEY.
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

// env is a running server over a fresh database, with helpers to make
// records through the real stores and to speak HTTP to it.
type env struct {
	t      *testing.T
	db     *database.DB
	srv    *Server
	http   *httptest.Server
	logBuf *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWithConfig(t, func(*Config) {})
}

// mustCreateUnit registers a unit through the registry store.
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

// mustCreateUser adds a user with the password "password-of-" + username.
func (e *env) mustCreateUser(username string, role taahod.Role, units ...int64) auth.User {
	e.t.Helper()
	u, err := auth.NewStore(e.db).CreateUser(context.Background(), taahod.System, auth.NewUser{
		Username: username, Password: "password-of-" + username, Role: role, UnitIDs: units,
	})
	if err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

// login signs in and returns the token.
func (e *env) login(username string) string {
	e.t.Helper()
	res := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": "password-of-" + username})
	if res.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, res.status, res.body)
	}
	return res.json()["token"].(string)
}

// userToken creates a user of role (tied to units) and signs in.
func (e *env) userToken(username string, role taahod.Role, units ...int64) string {
	e.t.Helper()
	e.mustCreateUser(username, role, units...)
	return e.login(username)
}

type response struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object.
func (r response) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		r.t.Fatalf("response is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// problemCode returns the code of a problem document, failing the test when
// the body is not one.
func (r response) problemCode() string {
	r.t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("content type %q, want application/problem+json: %s", ct, r.body)
	}
	code, _ := r.json()["code"].(string)
	return code
}

// fieldErrors returns the fields named by a problem document.
func (r response) fieldErrors() map[string]string {
	r.t.Helper()
	out := map[string]string{}
	errs, _ := r.json()["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["code"].(string)
	}
	return out
}

// do sends a request; body is JSON-encoded unless it is a string or []byte
// (sent as is). Extra headers come in pairs.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	checkJalaliTwins(e.t, method+" "+path, res.Header.Get("Content-Type"), raw)
	r := response{t: e.t, status: res.StatusCode, header: res.Header, body: raw}
	checkOpenAPI(e.t, method, path, r)
	return r
}

// checkJalaliTwins fails the test when a JSON answer has a timestamp or date
// (a key ending _at or _on, not null) without its Solar Hijri twin beside
// it (x_at_jalali, x_on_jalali), at any depth: the contract gives every date
// in both calendars. Every answer of the API tests passes through here.
// The changes of an audit entry are left out: they are what the entry
// recorded and hashed when it was made, not a date the answer tells.
func checkJalaliTwins(t *testing.T, request, contentType string, body []byte) {
	t.Helper()
	if !strings.HasPrefix(contentType, "application/json") && !strings.HasPrefix(contentType, "application/problem+json") {
		return
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return // the test that reads it says what is wrong
	}
	route, _, _ := strings.Cut(request, "?")
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if val != nil && (strings.HasSuffix(k, "_at") || strings.HasSuffix(k, "_on")) {
					if _, has := x[k+"_jalali"]; !has {
						t.Errorf("%s: %s.%s has no %s_jalali beside it", request, path, k, k)
					}
				}
				if k == "changes" && route == "GET /api/v1/audit" {
					continue
				}
				walk(path+"."+k, val)
			}
		case []any:
			for i, val := range x {
				walk(path+"["+strconv.Itoa(i)+"]", val)
			}
		}
	}
	walk("$", v)
}

// count returns the number of rows of a table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		e.t.Fatal(err)
	}
	return n
}
