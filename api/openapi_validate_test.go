package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The API tests check every response they receive against api/openapi.yaml
// (checkOpenAPI, called by env.do): the status must be documented for the
// operation, the content type among the response's, and a JSON body must
// match its schema. So a route added without its schema, or a field sent
// that the schema does not know, fails the tests that meet it.
//
// The schemas are OpenAPI 3.1's, that is JSON Schema 2020-12 (type arrays
// such as [string, "null"], unevaluatedProperties, const), which
// santhosh-tekuri/jsonschema implements in full; the routing (which path
// item a request reached) is the few lines below, as gin does it: a literal
// segment wins over a parameter.

// openAPIContract is the parsed document, its paths and a cache of the
// compiled response schemas.
type openAPIContract struct {
	doc   map[string]any
	paths []openAPIPath

	mu       sync.Mutex // guards compiler and compiled
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// openAPIPath is one path item, with the pattern its template matches.
type openAPIPath struct {
	template string
	pattern  *regexp.Regexp
	literals int // literal segments: the more, the more specific
	item     map[string]any
}

const openAPIResource = "file:///api/openapi.json"

var loadOpenAPIContract = sync.OnceValues(func() (*openAPIContract, error) {
	raw, err := yaml.YAMLToJSON(openAPIDocument)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml to JSON: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml as JSON: %w", err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi.yaml is not an object")
	}
	c := &openAPIContract{doc: root, compiler: jsonschema.NewCompiler(), compiled: map[string]*jsonschema.Schema{}}
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource(openAPIResource, root); err != nil {
		return nil, fmt.Errorf("openapi.yaml as a schema resource: %w", err)
	}
	paths, _ := root["paths"].(map[string]any)
	param := regexp.MustCompile(`^\{[^/{}]+\}$`)
	for template, v := range paths {
		item, _ := v.(map[string]any)
		var re strings.Builder
		literals := 0
		for _, seg := range strings.Split(template, "/") {
			if seg == "" {
				continue
			}
			re.WriteString("/")
			if param.MatchString(seg) {
				re.WriteString("[^/]+")
			} else {
				re.WriteString(regexp.QuoteMeta(seg))
				literals++
			}
		}
		c.paths = append(c.paths, openAPIPath{template: template, pattern: regexp.MustCompile("^" + re.String() + "$"),
			literals: literals, item: item})
	}
	// Most specific first: /resolutions/overdue before /resolutions/{id}.
	sort.Slice(c.paths, func(i, j int) bool {
		if c.paths[i].literals != c.paths[j].literals {
			return c.paths[i].literals > c.paths[j].literals
		}
		return c.paths[i].template < c.paths[j].template
	})
	return c, nil
})

// checkOpenAPI fails the test (without stopping it) when the response to
// method target does not keep to api/openapi.yaml. target is the request's
// path with its query, as env.do takes it.
func checkOpenAPI(t testing.TB, method, target string, r response) {
	t.Helper()
	c, err := loadOpenAPIContract()
	if err != nil {
		t.Errorf("openapi.yaml: %v", err)
		return
	}
	if err := c.check(method, target, r.status, r.header, r.body); err != nil {
		t.Errorf("response to %s %s (%d) breaks openapi.yaml: %v\nbody: %s", method, target, r.status, err, abbreviate(r.body))
	}
}

func abbreviate(body []byte) string {
	if len(body) > 2000 {
		return string(body[:2000]) + "…"
	}
	return string(body)
}

// check says how the response breaks the document, or nil.
func (c *openAPIContract) check(method, target string, status int, header http.Header, body []byte) error {
	path := target
	if u, err := url.Parse(target); err == nil {
		path = u.Path
	}
	method = strings.ToLower(method)
	p := c.match(path)
	var resp map[string]any
	var where string
	switch {
	case status == http.StatusInternalServerError || status == http.StatusServiceUnavailable:
		// Any request may meet a fault or a database that is down: the
		// conventions say so once, and the answer is a problem document.
		resp, where = c.component("responses", "Problem")
		if p != nil {
			if op, ok := p.item[method].(map[string]any); ok {
				if responses, ok := op["responses"].(map[string]any); ok && responses[strconv.Itoa(status)] != nil {
					where = "/paths/" + pointerEscape(p.template) + "/" + method + "/responses/" + strconv.Itoa(status)
					resp, _ = responses[strconv.Itoa(status)].(map[string]any)
				}
			}
		}
	case p == nil && strings.HasPrefix(path, "/test-"):
		// A route a test adds to the engine for itself (a handler that
		// panics, a list in its own order): no client ever meets it.
		return nil
	case p == nil:
		// An unknown route: whatever was sent, the answer is the 404
		// problem document.
		if status != http.StatusNotFound {
			return fmt.Errorf("no path of the document matches %s, and the answer is not 404", path)
		}
		resp, where = c.component("responses", "Problem")
	case method == "options" && p.item["options"] == nil:
		// OPTIONS is answered on every path, as the conventions say: 204
		// with Allow (and the CORS headers of a preflight), no body.
		if status != http.StatusNoContent || len(body) > 0 {
			return fmt.Errorf("OPTIONS %s answers %d with %d bytes, not 204 without a body", p.template, status, len(body))
		}
		return nil
	case p.item[method] == nil && !(method == "head" && p.item["get"] != nil):
		if status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s has no %s operation, and the answer is not 405", p.template, strings.ToUpper(method))
		}
		resp, where = c.component("responses", "MethodNotAllowed")
	default:
		opMethod := method
		if method == "head" && p.item["head"] == nil {
			opMethod = "get" // HEAD answers what GET does, without the body
		}
		op, _ := p.item[opMethod].(map[string]any)
		responses, _ := op["responses"].(map[string]any)
		code := strconv.Itoa(status)
		key := code
		if responses[key] == nil {
			key = code[:1] + "XX"
		}
		if responses[key] == nil {
			key = "default"
		}
		if responses[key] == nil {
			return fmt.Errorf("status %d is not documented for %s %s", status, strings.ToUpper(opMethod), p.template)
		}
		where = "/paths/" + pointerEscape(p.template) + "/" + opMethod + "/responses/" + key
		resp, _ = responses[key].(map[string]any)
	}
	if resp == nil {
		return fmt.Errorf("the document has no response at %s", where)
	}
	for i := 0; i < 5; i++ { // a response may be a $ref to a component
		ref, ok := resp["$ref"].(string)
		if !ok {
			break
		}
		where = strings.TrimPrefix(ref, "#")
		resp = c.resolve(where)
		if resp == nil {
			return fmt.Errorf("unresolved $ref %s", ref)
		}
	}
	content, _ := resp["content"].(map[string]any)
	if len(body) == 0 {
		if len(content) > 0 && method != "head" && status != http.StatusNotModified {
			return fmt.Errorf("the document gives %s a body, and the answer has none", where)
		}
		return nil
	}
	if len(content) == 0 {
		return fmt.Errorf("the answer has a body, and the document gives %s none", where)
	}
	mediaType, _, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("content type %q: %v", header.Get("Content-Type"), err)
	}
	key := ""
	for _, k := range []string{mediaType, strings.SplitN(mediaType, "/", 2)[0] + "/*", "*/*"} {
		if content[k] != nil {
			key = k
			break
		}
	}
	if key == "" {
		documented := make([]string, 0, len(content))
		for k := range content {
			documented = append(documented, k)
		}
		sort.Strings(documented)
		return fmt.Errorf("content type %s is not among %s's (%s)", mediaType, where, strings.Join(documented, ", "))
	}
	media, _ := content[key].(map[string]any)
	if media["schema"] == nil || !(mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")) {
		return nil
	}
	schema, err := c.schema(where + "/content/" + pointerEscape(key) + "/schema")
	if err != nil {
		return err
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not JSON: %v", err)
	}
	if err := schema.Validate(value); err != nil {
		return fmt.Errorf("the body does not match %s/content/%s/schema: %v", where, key, err)
	}
	return nil
}

// match returns the path item a request path reaches, or nil.
func (c *openAPIContract) match(path string) *openAPIPath {
	for i := range c.paths {
		if c.paths[i].pattern.MatchString(path) {
			return &c.paths[i]
		}
	}
	return nil
}

// component returns components/kind/name and its JSON pointer.
func (c *openAPIContract) component(kind, name string) (map[string]any, string) {
	where := "/components/" + kind + "/" + name
	return c.resolve(where), where
}

// resolve follows a JSON pointer from the document's root.
func (c *openAPIContract) resolve(pointer string) map[string]any {
	var v any = c.doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
	}
	m, _ := v.(map[string]any)
	return m
}

// schema compiles (once) the schema at the JSON pointer.
func (c *openAPIContract) schema(pointer string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.compiled[pointer]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(openAPIResource + "#" + fragmentEscape(pointer))
	if err != nil {
		return nil, fmt.Errorf("compile %s: %v", pointer, err)
	}
	c.compiled[pointer] = s
	return s, nil
}

func pointerEscape(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// fragmentEscape makes a JSON pointer safe in a URL fragment ({id} and
// the like).
func fragmentEscape(pointer string) string {
	var b strings.Builder
	for _, r := range pointer {
		switch {
		case r == '{' || r == '}' || r == '%' || r == ' ' || r == '#' || r > 0x7e:
			b.WriteString(url.PathEscape(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestOpenAPIValidatorCatches proves the check can fail: each answer below
// breaks the document in one way, and the good ones pass.
func TestOpenAPIValidatorCatches(t *testing.T) {
	c, err := loadOpenAPIContract()
	if err != nil {
		t.Fatal(err)
	}
	jsonCT := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	problemCT := http.Header{"Content-Type": {"application/problem+json"}}
	problem := `{"type":"urn:taahod:problem:not_found","title":"Not Found","status":404,"detail":"no","code":"not_found","errors":[]}`
	unit := `{"id":1,"name":"n","national_id":"10101010101","county":"c","economic_code":null,"tax_file_no":null,` +
		`"activity":null,"status":"active","created_at":"2025-01-01T00:00:00Z","created_at_jalali":"1403/10/12 03:30:00",` +
		`"updated_at":"2025-01-01T00:00:00Z","updated_at_jalali":"1403/10/12 03:30:00"}`
	for _, tc := range []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
		breaks               string // "" when the answer keeps to the document
	}{
		{"good", "GET", "/healthz", 200, jsonCT, `{"status":"ok"}`, ""},
		{"undocumented status", "GET", "/healthz", 418, jsonCT, `{"status":"ok"}`, "status 418 is not documented"},
		{"wrong type", "GET", "/healthz", 200, jsonCT, `{"status":5}`, "does not match"},
		{"unknown field", "GET", "/healthz", 200, jsonCT, `{"status":"ok","extra":1}`, "does not match"},
		{"content type", "GET", "/healthz", 200, http.Header{"Content-Type": {"text/plain"}}, `ok`, "content type text/plain"},
		{"no body", "GET", "/healthz", 200, jsonCT, ``, "has none"},
		{"good unit", "GET", "/api/v1/units/7?x=1", 200, jsonCT, unit, ""},
		{"unit without a required field", "GET", "/api/v1/units/7", 200, jsonCT, strings.Replace(unit, `"activity":null,`, "", 1), "does not match"},
		{"bad date", "GET", "/api/v1/units/7", 200, jsonCT, strings.Replace(unit, "2025-01-01T00:00:00Z", "yesterday", 1), "does not match"},
		{"unknown path answers a problem", "GET", "/api/v1/nowhere", 404, problemCT, problem, ""},
		{"unknown path answers 200", "GET", "/api/v1/nowhere", 200, jsonCT, `{}`, "no path of the document"},
		{"unknown path, not a problem", "GET", "/api/v1/nowhere", 404, jsonCT, problem, "content type application/json"},
		{"unknown method", "DELETE", "/api/v1/units/7", 405, problemCT, strings.Replace(problem, "404", "405", 1), ""},
		{"unknown method answers 200", "DELETE", "/api/v1/units/7", 200, jsonCT, `{}`, "has no DELETE operation"},
		{"a literal segment wins", "GET", "/api/v1/resolutions/overdue", 200, jsonCT, unit, "resolutions~1overdue/get"},
		{"options", "OPTIONS", "/api/v1/units/7", 204, http.Header{}, ``, ""},
		{"options with a body", "OPTIONS", "/api/v1/units/7", 200, jsonCT, `{}`, "not 204"},
		{"head of a get", "HEAD", "/api/v1/units/7", 200, jsonCT, ``, ""},
		{"head of a post", "HEAD", "/api/v1/auth/login", 405, problemCT, ``, ""},
		{"head of a post answers 200", "HEAD", "/api/v1/auth/login", 200, jsonCT, ``, "not 405"},
		{"a route of a test", "GET", "/test-own-order", 200, jsonCT, `{"x":1}`, ""},
		{"a fault anywhere", "GET", "/api/v1/units", 500, problemCT, strings.Replace(problem, "404", "500", 1), ""},
		{"a fault, not a problem", "GET", "/api/v1/units", 500, jsonCT, `{}`, "content type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.check(tc.method, tc.target, tc.status, tc.header, []byte(tc.body))
			switch {
			case tc.breaks == "" && err != nil:
				t.Errorf("want no complaint, got %v", err)
			case tc.breaks != "" && err == nil:
				t.Errorf("want a complaint with %q, got none", tc.breaks)
			case tc.breaks != "" && !strings.Contains(err.Error(), tc.breaks):
				t.Errorf("want a complaint with %q, got %v", tc.breaks, err)
			}
		})
	}
}

// figureRowKind is the row_kind of the rows behind a registry figure: the
// document's discriminator tells a client the schema by it, so it must
// follow the figure.
func figureRowKind(figure string) string {
	switch {
	case strings.HasPrefix(figure, "sessions."):
		return "session"
	case strings.HasPrefix(figure, "resolutions."), figure == "implementation_rate.denominator":
		return "resolution"
	case strings.HasPrefix(figure, "units_examined"):
		return "examined_unit"
	case figure == "cases_resolved_without_session", figure == "referrals":
		return "case"
	case figure == "revived_units":
		return "revived_unit"
	case figure == "schools_pledged":
		return "pledged_school"
	}
	return "unknown figure " + figure
}
