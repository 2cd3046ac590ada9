package api

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestOpenAPIDescribesEveryRoute fails when a registered route is missing
// from api/openapi.yaml, or the document names a route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	// /metrics is registered only when configured: the document has it.
	e := newEnvWithConfig(t, func(c *Config) { c.MetricsOnMain = true })
	param := regexp.MustCompile(`[:*]([a-z_]+)`)
	registered := map[string]bool{}
	for _, r := range e.srv.Routes() {
		path := param.ReplaceAllString(r.Path, "{$1}")
		method := strings.ToLower(r.Method)
		registered[method+" "+path] = true
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("%s %s is registered but not in openapi.yaml", r.Method, path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.yaml describes %s %s, which is not registered", strings.ToUpper(method), path)
			}
		}
	}
	if r := e.do("GET", "/api/v1/openapi.yaml", "", nil); r.status != 200 || !strings.HasPrefix(string(r.body), "openapi: 3.1.0") {
		t.Fatalf("served document: %d", r.status)
	}
}

// optionalResponseFields are the only fields of a response that an answer
// may leave out (each is omitempty where it is written); every other field
// a response schema lists is required.
var optionalResponseFields = map[string]bool{
	"#/components/schemas/Problem/properties/errors_total":                      true, // more than 100 errors only
	"#/components/schemas/ExaminedUnit/properties/national_id":                  true, // signed-in readers only
	"#/components/schemas/RevivedUnit/properties/national_id":                   true, // signed-in readers only
	"#/components/schemas/ResolutionFields/properties/created_by":               true, // not in public rows
	"#/components/schemas/ResolutionFields/properties/history":                  true, // a single resolution only
	"#/components/schemas/Revival/properties/unit":                              true, // the answer of a revival only
	"#/components/schemas/Document/properties/expenditure_id":                   true, // an expenditure's document
	"#/components/schemas/Document/properties/progress_id":                      true, // a progress report's document
	"#/components/schemas/Statement/properties/deduction":                       true, // deduction policies only
	"#/components/schemas/Progress/properties/school_status":                    true, // the answer of a new report only
	"GET /api/v1/verify/{serial} 200 application/json/properties/superseded_by": true, // superseded only
	// What a certificate certifies, only to its holder (?code= or ?p=&s=).
	"GET /api/v1/verify/{serial} 200 application/json/properties/unit_name":         true,
	"GET /api/v1/verify/{serial} 200 application/json/properties/offset_amount":     true,
	"GET /api/v1/verify/{serial} 200 application/json/properties/sha256":            true,
	"GET /api/v1/verify/{serial} 200 application/json/properties/revoked_on":        true,
	"GET /api/v1/verify/{serial} 200 application/json/properties/revoked_on_jalali": true,
	"GET /api/v1/verify/{serial} 200 application/json/properties/revocation_reason": true,
}

// TestOpenAPIResponsesAreExact fails when a response schema of
// api/openapi.yaml could let a field pass unnoticed: every object schema an
// answer may take lists its required fields and admits no other
// (additionalProperties or unevaluatedProperties false, on it or on the
// allOf that extends it), and every signed-in operation documents 401.
func TestOpenAPIResponsesAreExact(t *testing.T) {
	c, err := loadOpenAPIContract()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	var walk func(where string, schema any, closedAbove bool)
	walk = func(where string, schema any, closedAbove bool) {
		s, ok := schema.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			key := fmt.Sprintf("%s %v", ref, closedAbove)
			if checked[key] {
				return
			}
			checked[key] = true
			where = ref
			s = c.resolve(strings.TrimPrefix(ref, "#"))
		}
		closed := s["additionalProperties"] == false || s["unevaluatedProperties"] == false
		if props, ok := s["properties"].(map[string]any); ok {
			required, ok := s["required"].([]any)
			if !ok {
				t.Errorf("%s: an object schema of a response without required", where)
			}
			for name := range props {
				if !slices.Contains(required, any(name)) && !optionalResponseFields[where+"/properties/"+name] {
					t.Errorf("%s: %s is not required, nor among the fields an answer may leave out", where, name)
				}
			}
			if !closed && !closedAbove {
				t.Errorf("%s: an object schema of a response that admits fields it does not list", where)
			}
			for name, p := range props {
				walk(where+"/properties/"+name, p, false)
			}
		}
		walk(where+"/items", s["items"], false)
		if all, ok := s["allOf"].([]any); ok {
			for i, sub := range all {
				walk(fmt.Sprintf("%s/allOf/%d", where, i), sub, closed || closedAbove)
			}
		}
		for _, kw := range []string{"oneOf", "anyOf"} {
			if alts, ok := s[kw].([]any); ok {
				for i, sub := range alts {
					walk(fmt.Sprintf("%s/%s/%d", where, kw, i), sub, false)
				}
			}
		}
	}
	paths, _ := c.doc["paths"].(map[string]any)
	for path, v := range paths {
		item, _ := v.(map[string]any)
		for method, v := range item {
			op, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			responses, _ := op["responses"].(map[string]any)
			if sec, ok := op["security"].([]any); (!ok || len(sec) > 0) && responses["401"] == nil {
				t.Errorf("%s %s: signed in, without 401", strings.ToUpper(method), path)
			}
			for code, r := range responses {
				resp, _ := r.(map[string]any)
				if ref, ok := resp["$ref"].(string); ok {
					resp = c.resolve(strings.TrimPrefix(ref, "#"))
				}
				content, _ := resp["content"].(map[string]any)
				for mediaType, m := range content {
					media, _ := m.(map[string]any)
					walk(fmt.Sprintf("%s %s %s %s", strings.ToUpper(method), path, code, mediaType), media["schema"], false)
				}
			}
		}
	}
}
