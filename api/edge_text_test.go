package api

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEdgeTextKnownCases: the requests that answered 500 (a NUL or a byte
// that is not UTF-8 reached the database) answer 400 or 422 naming the
// parameter or field, with the code invalid_text, and write nothing.
func TestEdgeTextKnownCases(t *testing.T) {
	w := newWorld(t)
	before := w.count("audit_log")
	for _, list := range []string{"units?q", "agencies?q", "resolutions?q", "schools?q", "sessions?county"} {
		for _, bad := range []string{"%00", "%FF", "a%00b", "%C0%AF"} {
			path := "/api/v1/" + list + "=" + bad
			param := list[strings.Index(list, "?")+1:]
			r := w.do("GET", path, w.admin, nil)
			if r.status != 400 || r.problemCode() != "malformed_request" || r.fieldErrors()[param] != "invalid_text" {
				t.Errorf("GET %s: %d %s", path, r.status, r.body)
			}
		}
	}
	year := fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitA.ID)
	for _, tc := range []struct {
		method, path, token, body, field string
	}{
		{"POST", "/api/v1/auth/login", "", `{"username": "admin1\u0000", "password": "password-of-admin1"}`, "username"},
		{"PUT", "/api/v1/policies/1404", w.tax, `{"mode": "credit", "rate": "1", "rounding_unit": "1", "rounding": "down",
			"eligible_categories": ["construction"], "legal_basis": "Article 172\u0000"}`, "legal_basis"},
		{"PUT", year, w.tax, `{"tax_due": "1000", "income_source": "\u0000"}`, "income_source"},
		{"POST", "/api/v1/resolutions", w.sec, `{"text": "t", "category": "tax", "agencies": ["بانک ملی", "بانک\u0000"]}`, "agencies[1]"},
		{"POST", "/api/v1/sessions", w.sec, `{"kind": "formal", "held_on": "2025-11-01", "attendees": ["\u0000"]}`, "attendees[0]"},
		// Line breaks are for multi-line fields, and never in a list's items.
		{"POST", "/api/v1/sessions", w.sec, `{"kind": "formal", "held_on": "2025-11-01", "title": "a\nb"}`, "title"},
		{"POST", "/api/v1/sessions", w.sec, `{"kind": "formal", "held_on": "2025-11-01", "attendees": ["a\nb"]}`, "attendees[0]"},
		{"POST", "/api/v1/units", w.sec, `{"name": "x\u0085", "national_id": "10101234567", "county": "قزوین"}`, "name"},
		{"POST", "/api/v1/units", w.sec, "{\"name\": \"x\x7f\", \"national_id\": \"10101234567\", \"county\": \"قزوین\"}", "name"},
	} {
		r := w.do(tc.method, tc.path, tc.token, tc.body)
		if r.status != 422 || r.problemCode() != "validation_failed" || r.fieldErrors()[tc.field] != "invalid_text" {
			t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, r.status, r.body)
		}
	}
	// A multi-line field keeps its lines.
	r := w.do("POST", "/api/v1/resolutions", w.sec, `{"text": "بند یک\nبند دو", "category": "tax", "agencies": ["بانک ملی"]}`)
	if r.status != 201 {
		t.Errorf("a resolution's text of two lines: %d %s", r.status, r.body)
	}
	if n := w.count("audit_log"); n != before+1 {
		t.Errorf("the refused requests wrote %d audit entries", n-before-1)
	}
}

// TestEdgeTextEveryRoute sweeps every operation of api/openapi.yaml: each
// query parameter with a NUL, a byte that is not UTF-8 and a control
// character is 400 naming it; each path parameter so is 404; each JSON body
// whose every string holds a NUL is 400 or 422. Never a 500, and nothing is
// written.
func TestEdgeTextEveryRoute(t *testing.T) {
	// Every public route is sent hundreds of requests: past the public
	// rate limit, which its own tests check.
	w := worldOf(t, newEnvWithConfig(t, func(c *Config) { c.PublicRate = 100000 }))
	contract, err := loadOpenAPIContract()
	if err != nil {
		t.Fatal(err)
	}
	before := w.count("audit_log")
	tokens := []string{w.admin, w.sec, w.tax, w.edu, w.aud, w.accA}
	// send tries the callers in turn until one may call the route.
	send := func(method, path string, body any) response {
		t.Helper()
		var r response
		for _, token := range tokens {
			r = w.do(method, path, token, body)
			if r.status != 401 && r.status != 403 {
				break
			}
		}
		return r
	}
	paramSegment := regexp.MustCompile(`\{[^/{}]+\}`)
	paths := contract.doc["paths"].(map[string]any)
	templates := make([]string, 0, len(paths))
	for template := range paths {
		templates = append(templates, template)
	}
	sort.Strings(templates)
	queries, bodies, pathParams := 0, 0, 0
	for _, template := range templates {
		item := paths[template].(map[string]any)
		concrete := paramSegment.ReplaceAllStringFunc(template, func(p string) string {
			switch p {
			case "{year}":
				return "1404"
			case "{serial}":
				return "QZV-1404-000001"
			}
			return "1"
		})
		for _, method := range []string{"get", "post", "put", "patch", "delete"} {
			op, ok := item[method].(map[string]any)
			if !ok {
				continue
			}
			M := strings.ToUpper(method)
			for _, name := range contract.queryParams(item, op) {
				for _, bad := range []string{"%00", "%FF", "x%01", "%ED%A0%80"} {
					target := concrete + "?" + url.QueryEscape(name) + "=" + bad
					r := send(M, target, nil)
					queries++
					if r.status != 400 || r.fieldErrors()[name] != "invalid_text" {
						t.Errorf("%s %s: %d %s", M, target, r.status, r.body)
					}
				}
			}
			if strings.Contains(template, "{") {
				for _, bad := range []string{"%00", "%FF"} {
					target := paramSegment.ReplaceAllString(template, bad)
					r := send(M, target, nil)
					pathParams++
					if r.status != 404 {
						t.Errorf("%s %s: %d %s", M, target, r.status, r.body)
					}
				}
			}
			schema := contract.resolve("/paths/" + pointerEscape(template) + "/" + method + "/requestBody/content/application~1json/schema")
			if schema == nil {
				continue
			}
			body := contract.nulSample(schema, 0)
			if !strings.Contains(fmt.Sprint(body), "\x00") {
				continue // a body without strings (resubmit's {}) or with only passwords
			}
			r := send(M, concrete, body)
			bodies++
			if r.status != 400 && r.status != 422 {
				t.Errorf("%s %s with NULs: %d %s", M, concrete, r.status, r.body)
			}
		}
	}
	t.Logf("%d query values, %d path values, %d bodies", queries, pathParams, bodies)
	if queries < 100 || bodies < 25 {
		t.Errorf("the sweep found too few routes: %d queries, %d bodies", queries, bodies)
	}
	if n := w.count("audit_log"); n != before {
		var actions []string
		_ = w.db.Select(&actions, `SELECT action FROM audit_log ORDER BY seq DESC LIMIT $1`, n-before)
		t.Errorf("the refused requests wrote %d audit entries: %v", n-before, actions)
	}
	if strings.Contains(w.logBuf.String(), `"status":500`) {
		t.Error("a request failed with 500")
	}
}

// queryParams names the query parameters of an operation and of its path.
func (c *openAPIContract) queryParams(item, op map[string]any) []string {
	var out []string
	for _, list := range []any{item["parameters"], op["parameters"]} {
		params, _ := list.([]any)
		for _, p := range params {
			m, _ := p.(map[string]any)
			if ref, ok := m["$ref"].(string); ok {
				m = c.resolve(strings.TrimPrefix(ref, "#"))
			}
			if m["in"] == "query" {
				out = append(out, m["name"].(string))
			}
		}
	}
	return out
}

// nulSample is a value of the schema whose every string holds a NUL: an
// object with every property, an array of one item.
func (c *openAPIContract) nulSample(s map[string]any, depth int) any {
	if s == nil || depth > 10 {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		return c.nulSample(c.resolve(strings.TrimPrefix(ref, "#")), depth+1)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[key].([]any); ok && len(alts) > 0 {
			return c.nulSample(alts[0].(map[string]any), depth+1)
		}
	}
	obj := map[string]any{}
	if all, ok := s["allOf"].([]any); ok {
		for _, part := range all {
			if m, ok := c.nulSample(part.(map[string]any), depth+1).(map[string]any); ok {
				for k, v := range m {
					obj[k] = v
				}
			}
		}
	}
	typ := ""
	switch t := s["type"].(type) {
	case string:
		typ = t
	case []any:
		for _, x := range t {
			if x != "null" {
				typ = x.(string)
				break
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		typ = "object"
		for name, p := range props {
			obj[name] = c.nulSample(p.(map[string]any), depth+1)
			if isPasswordField(name) {
				obj[name] = "a password" // any character may be in one
			}
		}
	}
	switch typ {
	case "string":
		return "x\x00y"
	case "integer", "number":
		return 1
	case "boolean":
		return false
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{c.nulSample(items, depth+1)}
	}
	return obj
}
