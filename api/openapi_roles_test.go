package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/taahod/taahod"
)

// TestOpenAPIRolesMatchGuards fails when the `x-roles` of an operation in
// api/openapi.yaml is not exactly the roles that the route's guard admits.
// The guard is probed, not read: each role signs in and calls every
// signed-in route (ids that do not exist, an empty body), and the route
// refused it iff the answer is the guard's 403. The fault suite
// (scripts/chaos) takes its role × route matrix from x-roles, so the matrix
// is checked against the router here and against the running binary there.
// Public operations (`security: []`) have no x-roles.
func TestOpenAPIRolesMatchGuards(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	e := newEnv(t)
	unit := e.mustCreateUnit("واحد نقش‌ها", "1017000001")
	tokens := map[taahod.Role]string{}
	for _, r := range taahod.Roles {
		var units []int64
		if r == taahod.RoleAccountant {
			units = []int64{unit.ID}
		}
		tokens[r] = e.userToken("guard-"+string(r), r, units...)
	}
	param := regexp.MustCompile(`[:*]([a-z_]+)`)
	routes := e.srv.Routes()
	// Signing out ends the session the probes use: last.
	sort.SliceStable(routes, func(i, j int) bool {
		return !strings.HasSuffix(routes[i].Path, "/logout") && strings.HasSuffix(routes[j].Path, "/logout")
	})
	dump := os.Getenv("TAAHOD_DUMP_ROLES") != ""
	for _, rt := range routes {
		path := param.ReplaceAllString(rt.Path, "{$1}")
		op, ok := doc.Paths[path][strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			continue // TestOpenAPIDescribesEveryRoute names it
		}
		var roles []string
		if list, ok := op["x-roles"].([]any); ok {
			for _, r := range list {
				roles = append(roles, fmt.Sprint(r))
			}
		}
		if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
			if op["x-roles"] != nil {
				t.Errorf("%s %s is public but has x-roles %v", rt.Method, path, roles)
			}
			continue
		}
		target := param.ReplaceAllStringFunc(rt.Path, func(p string) string {
			switch p[1:] {
			case "year":
				return "1404"
			case "serial":
				return "QZV-1404-999999"
			}
			return "999999"
		})
		var admitted []string
		for _, role := range taahod.Roles {
			req, err := http.NewRequest(rt.Method, e.http.URL+target, bytes.NewBufferString("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tokens[role])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var p Problem
			_ = json.NewDecoder(res.Body).Decode(&p)
			res.Body.Close()
			if res.StatusCode == http.StatusUnauthorized {
				t.Fatalf("%s %s as %s: 401 (the probe's session ended?)", rt.Method, target, role)
			}
			if !(res.StatusCode == http.StatusForbidden && p.Code == taahod.EFORBIDDEN && p.Detail == roleRefused) {
				admitted = append(admitted, string(role))
			}
		}
		if dump {
			fmt.Printf("x-roles %s %s [%s]\n", strings.ToLower(rt.Method), path, strings.Join(admitted, ", "))
		}
		if !slices.Equal(roles, admitted) {
			t.Errorf("%s %s: x-roles %v, but the guard admits %v (x-roles lists them in the order of taahod.Roles)", rt.Method, path, roles, admitted)
		}
	}
}
