package api

import (
	"regexp"
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
	e := newEnv(t)
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
