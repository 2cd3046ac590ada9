package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
)

// caller is one column of the role × route matrix.
type caller struct {
	name  string // as printed
	role  string // "" for no token and a garbage token
	token string
	// otherUnit: an accountant of a unit other than the one whose records
	// the paths name, so scoped routes must refuse them (404).
	otherUnit bool
}

// runMatrix calls every operation of the served api/openapi.yaml as every
// role (the demo's accountant for the unit whose records the paths name,
// accountant2 for another unit), with no token and with a garbage token,
// and counts answers that should not be: a 2xx (or anything but 403) for a
// role the operation's x-roles does not list, anything but 401 without a
// valid token, a 2xx for the other unit's accountant on a record of this
// unit, and any 5xx.
func runMatrix(ctx context.Context, s *suite) error {
	e, err := s.newEnv(ctx, "matrix")
	if err != nil {
		return err
	}
	defer e.close()
	ops, _, err := operations(ctx, e.srv.base())
	if err != nil {
		return err
	}
	ids, err := matrixIDs(ctx, e)
	if err != nil {
		return err
	}
	if os.Getenv("CHAOS_DEBUG") != "" {
		fmt.Println("matrix: records", ids)
	}
	roleOf := map[string]string{"admin": "admin", "secretariat": "secretariat", "accountant": "accountant",
		"accountant2": "accountant", "tax": "tax_officer", "education": "education_officer", "auditor": "auditor"}
	var callers []caller
	callers = append(callers, caller{name: "no token"}, caller{name: "garbage token", token: "not-a-token-0000000000000000000000"})
	for _, u := range []string{"admin", "secretariat", "accountant2", "tax", "education", "auditor", "accountant"} {
		callers = append(callers, caller{name: u, role: roleOf[u], token: e.tokens[u], otherUnit: u == "accountant2"})
	}
	// Signing out ends the session the other calls use: last.
	sort.SliceStable(ops, func(i, j int) bool {
		return !strings.HasSuffix(ops[i].path, "/logout") && strings.HasSuffix(ops[j].path, "/logout")
	})
	var requests, allowed2xx int
	var unexpected2xx, wrongRefusal, serverErrors []string
	for _, op := range ops {
		target := ids.fill(op.path)
		scoped := unitScoped(op.path)
		for _, c := range callers {
			if op.public && c.token != "" {
				continue // no sign-in: nothing to vary
			}
			var body []byte
			if op.body != "" || op.method == "POST" || op.method == "PUT" || op.method == "PATCH" {
				body = []byte("{}")
			}
			r, err := call(ctx, op.method, e.url(target), c.token, body, "")
			if err != nil {
				return fmt.Errorf("%s %s as %s: %w", op.method, target, c.name, err)
			}
			requests++
			what := fmt.Sprintf("%s %s as %s: %d %s", op.method, target, c.name, r.status, r.code())
			ok2xx := r.status >= 200 && r.status < 300
			switch {
			case r.status >= 500:
				serverErrors = append(serverErrors, what)
			case op.public:
			case c.token == "" || c.role == "":
				if ok2xx {
					unexpected2xx = append(unexpected2xx, what)
				} else if r.status != http.StatusUnauthorized {
					wrongRefusal = append(wrongRefusal, what+" (want 401)")
				}
			case !op.roles[c.role]:
				if ok2xx {
					unexpected2xx = append(unexpected2xx, what)
				} else if r.status != http.StatusForbidden {
					wrongRefusal = append(wrongRefusal, what+" (want 403: x-roles leaves the role out)")
				}
			case c.otherUnit && scoped:
				if ok2xx {
					unexpected2xx = append(unexpected2xx, what+" (a record of another unit)")
				}
			case ok2xx:
				allowed2xx++
			}
		}
	}
	fmt.Printf("matrix: operations=%d callers=%d requests=%d allowed_2xx=%d unexpected_2xx=%d wrong_refusals=%d 5xx=%d\n",
		len(ops), len(callers), requests, allowed2xx, len(unexpected2xx), len(wrongRefusal), len(serverErrors))
	for _, list := range [][]string{unexpected2xx, wrongRefusal, serverErrors} {
		for i, w := range list {
			if i == 10 {
				fmt.Printf("  … and %d more\n", len(list)-10)
				break
			}
			fmt.Println("  ", w)
		}
	}
	s.check(len(unexpected2xx) == 0, "matrix", "%d unexpected 2xx", len(unexpected2xx))
	s.check(len(wrongRefusal) == 0, "matrix", "%d refusals with the wrong status", len(wrongRefusal))
	s.check(len(serverErrors) == 0, "matrix", "%d answers 5xx", len(serverErrors))
	s.check(len(ops) > 50, "matrix", "only %d operations in the served openapi.yaml", len(ops))
	s.verify(ctx, e)
	return nil
}

// unitScoped tells the paths that name a record of one unit, which an
// accountant of another unit must not reach.
func unitScoped(path string) bool {
	for _, p := range []string{"/api/v1/units/{id}", "/api/v1/pledges/{id}", "/api/v1/expenditures/{id}", "/api/v1/certificates/{serial}"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// recordIDs are real records of the demo data for the path parameters: the
// unit is the demo accountant's first unit, the pledge, expenditure and
// certificate are that unit's.
type recordIDs map[string]string

// fill puts the records' ids into an OpenAPI path: a parameter is named by
// the segment before it ("expenditures/{id}", "documents/{doc_id}" under
// an expenditure or a progress report).
func (ids recordIDs) fill(path string) string {
	segs := strings.Split(path, "/")
	parent := ""
	for i, seg := range segs {
		if !strings.HasPrefix(seg, "{") {
			if seg != "documents" {
				parent = seg
			}
			continue
		}
		key := parent + "/" + seg
		if v, ok := ids[key]; ok {
			segs[i] = v
		} else if v, ok := ids[seg]; ok {
			segs[i] = v
		} else if seg == "{year}" {
			segs[i] = "1404"
		} else {
			segs[i] = "999999"
		}
	}
	return strings.Join(segs, "/")
}

// matrixIDs finds the records, as the admin and the tax officer see them.
func matrixIDs(ctx context.Context, e *env) (recordIDs, error) {
	ids := recordIDs{}
	admin := e.tokens["admin"]
	get := func(path string) (map[string]any, []any, error) {
		r, err := call(ctx, "GET", e.url(path), admin, nil, "")
		if err != nil {
			return nil, nil, err
		}
		if r.status != http.StatusOK {
			return nil, nil, fmt.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
		m := r.object()
		items, _ := m["items"].([]any)
		return m, items, nil
	}
	idOf := func(v any, key string) string {
		m, _ := v.(map[string]any)
		return fmt.Sprint(m[key])
	}
	me, err := call(ctx, "GET", e.url("/api/v1/auth/me"), e.tokens["accountant"], nil, "")
	if err != nil {
		return nil, err
	}
	units, _ := me.object()["unit_ids"].([]any)
	if len(units) == 0 {
		return nil, fmt.Errorf("the demo accountant has no unit: %s", me.body)
	}
	unit := fmt.Sprint(units[0])
	ids["units/{id}"] = unit
	lists := []struct{ key, path, field string }{
		{"pledges/{id}", "/api/v1/pledges?unit_id=" + unit, "id"},
		{"schools/{id}", "/api/v1/schools", "id"},
		{"sessions/{id}", "/api/v1/sessions", "id"},
		{"resolutions/{id}", "/api/v1/resolutions", "id"},
		{"cases/{id}", "/api/v1/cases", "id"},
		{"certificates/{serial}", "/api/v1/certificates?unit_id=" + unit, "serial"},
	}
	for _, l := range lists {
		_, items, err := get(l.path)
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			ids[l.key] = idOf(items[0], l.field)
		}
	}
	ids["verify/{serial}"] = ids["certificates/{serial}"]
	// An expenditure of the unit with a document, if any.
	_, items, err := get("/api/v1/expenditures?unit_id=" + unit + "&limit=100")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		id := idOf(it, "id")
		if ids["expenditures/{id}"] == "" {
			ids["expenditures/{id}"] = id
		}
		m, docs, err := get("/api/v1/expenditures/" + id + "/documents")
		if err != nil {
			return nil, err
		}
		if docs == nil {
			docs, _ = m["documents"].([]any)
		}
		if len(docs) > 0 {
			ids["expenditures/{id}"] = id
			ids["expenditures/{doc_id}"] = idOf(docs[0], "id")
			break
		}
	}
	if s := ids["schools/{id}"]; s != "" {
		_, prog, err := get("/api/v1/schools/" + s + "/progress")
		if err == nil && len(prog) > 0 {
			ids["progress/{progress_id}"] = idOf(prog[0], "id")
		}
	}
	// A user of its own for /users/{id}: the admin resets its password.
	if err := e.srv.addUser(ctx, "matrix-target", "matrix-target-password-1404", "auditor"); err != nil {
		return nil, err
	}
	_, users, err := get("/api/v1/users?q=matrix-target")
	if err != nil {
		return nil, err
	}
	if len(users) != 1 {
		return nil, fmt.Errorf("GET /api/v1/users?q=matrix-target: %d users", len(users))
	}
	ids["users/{id}"] = idOf(users[0], "id")
	for k, v := range ids {
		if _, err := strconv.Atoi(v); err != nil && !strings.Contains(k, "serial") {
			return nil, fmt.Errorf("record id %s = %q", k, v)
		}
	}
	return ids, nil
}
