package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/taahod/taahod"
)

// must sends a request and fails t unless the answer has the status want;
// it returns the body as an object (nil when empty).
func (e *env) must(t *testing.T, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	r := e.do(method, path, token, body)
	if r.status != want {
		if r.status >= 500 {
			t.Log(e.logBuf.String())
		}
		t.Fatalf("%s %s: %d, want %d: %s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	r.t = t
	return r.json()
}

// num reads a JSON number decoded with UseNumber.
func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		t.Fatalf("%v is not a whole number", v)
	}
	return i
}

// jalali returns the Gregorian ISO form of a Solar Hijri day.
func jalali(t *testing.T, y, m, d int) taahod.Date {
	t.Helper()
	day, err := taahod.FromJalali(y, m, d)
	if err != nil {
		t.Fatalf("%d/%d/%d: %v", y, m, d, err)
	}
	return day
}

// idPath is path with an id at the end.
func idPath(path string, id any) string { return fmt.Sprintf("%s/%v", path, id) }

// auditActions returns the actions of the audit entries on one target.
func (e *env) auditActions(t *testing.T, targetType string, id any) []string {
	t.Helper()
	var actions []string
	if err := e.db.Select(&actions, `SELECT action FROM audit_log WHERE target_type = $1 AND target_id = $2 ORDER BY seq`,
		targetType, fmt.Sprint(id)); err != nil {
		t.Fatal(err)
	}
	return actions
}
