package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// operation is one method and path of the served api/openapi.yaml.
type operation struct {
	method, path string
	public       bool
	roles        map[string]bool // x-roles: the roles the route's guard admits
	body         string          // the request body's first media type, or ""
	schema       map[string]any  // the JSON body's schema, $refs resolved on use (see spec.resolve)
	query        []string        // the query parameters it takes
}

// spec holds the components of the document, to resolve $refs.
type spec struct {
	Schemas       map[string]map[string]any `yaml:"schemas"`
	Parameters    map[string]map[string]any `yaml:"parameters"`
	RequestBodies map[string]map[string]any `yaml:"requestBodies"`
}

// resolve follows a $ref to the component it names (one level at a time,
// until there is none).
func (sp *spec) resolve(m map[string]any) map[string]any {
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		switch {
		case strings.HasPrefix(ref, "#/components/schemas/"):
			m = sp.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		case strings.HasPrefix(ref, "#/components/parameters/"):
			m = sp.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
		case strings.HasPrefix(ref, "#/components/requestBodies/"):
			m = sp.RequestBodies[strings.TrimPrefix(ref, "#/components/requestBodies/")]
		default:
			return nil
		}
	}
	return m
}

// operations reads the document the server serves, as a client would.
func operations(ctx context.Context, base string) ([]operation, *spec, error) {
	r, err := call(ctx, "GET", base+"/api/v1/openapi.yaml", "", nil, "")
	if err != nil {
		return nil, nil, err
	}
	if r.status != http.StatusOK {
		return nil, nil, fmt.Errorf("GET /api/v1/openapi.yaml: %d", r.status)
	}
	var doc struct {
		Paths      map[string]map[string]any `yaml:"paths"`
		Components spec                      `yaml:"components"`
	}
	if err := yaml.Unmarshal(r.body, &doc); err != nil {
		return nil, nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	param := func(p any) (name, in string) {
		m, _ := p.(map[string]any)
		m = doc.Components.resolve(m)
		name, _ = m["name"].(string)
		in, _ = m["in"].(string)
		return name, in
	}
	var ops []operation
	for path, item := range doc.Paths {
		for method, v := range item {
			op, ok := v.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			o := operation{method: strings.ToUpper(method), path: path, roles: map[string]bool{}}
			if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
				o.public = true
			}
			if list, ok := op["x-roles"].([]any); ok {
				for _, role := range list {
					o.roles[fmt.Sprint(role)] = true
				}
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				rb = doc.Components.resolve(rb)
				if content, ok := rb["content"].(map[string]any); ok {
					for ct, media := range content {
						o.body = ct
						if m, ok := media.(map[string]any); ok {
							o.schema, _ = m["schema"].(map[string]any)
						}
						break
					}
				}
			}
			params, _ := op["parameters"].([]any)
			if shared, ok := item["parameters"].([]any); ok {
				params = append(params, shared...)
			}
			for _, p := range params {
				if name, in := param(p); in == "query" {
					o.query = append(o.query, name)
				}
			}
			sort.Strings(o.query)
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return ops[i].method < ops[j].method
	})
	return ops, &doc.Components, nil
}
