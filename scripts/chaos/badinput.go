package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/taahod/taahod"
)

// probe is one bad request of the sweep.
type probe struct {
	op          operation
	target      string // path and query
	what        string // the bad input, as printed
	body        []byte
	contentType string
	// edge: the input is one that issue 12's text-at-the-edge, CSV-import
	// or upload-name work is fixing (NUL, control characters, invalid UTF-8,
	// CSV imports, upload names), as opposed to anything else.
	edge bool
}

// badValues are what the sweep puts into one field of an otherwise filled
// body, as raw JSON; edge marks the text-at-the-edge ones.
var badValues = []struct {
	name, raw string
	edge      bool
}{
	{"null", `null`, false},
	{"huge integer", `123456789012345678901234567890123456789`, false},
	{"huge exponent", `1e400`, false},
	{"negative", `-1`, false},
	{"fraction", `0.000000001`, false},
	{"empty string", `""`, false},
	{"object", `{"a":{"b":[]}}`, false},
	{"array", `[1,"x",null]`, false},
	{"boolean", `true`, false},
	{"long string", `"` + strings.Repeat("ب", 70000) + `"`, false},
	{"traversal", `"../../../../etc/passwd"`, false},
	{"huge number text", `"99999999999999999999999999999999.999"`, false},
	{"NUL", `"a\u0000b"`, true},
	{"invalid UTF-8", "\"a\xff\xfeb\"", true},
	{"control character", `"a\u0007\u001bb"`, true},
	{"array of NUL", `["a\u0000"]`, true},
	{"array of invalid UTF-8", "[\"\xff\"]", true},
}

// badQueries are the values the sweep gives one query parameter, escaped.
var badQueries = []struct {
	name, value string
	edge        bool
}{
	{"huge integer", "99999999999999999999999999999", false},
	{"huge exponent", "1e400", false},
	{"negative", "-1", false},
	{"empty", "", false},
	{"long", strings.Repeat("x", 20000), false},
	{"traversal", "..%2F..%2F..%2Fetc%2Fpasswd", false},
	{"Persian digits", "%DB%B1%DB%B4%DB%B0%DB%B4", false},
	{"NUL", "a%00b", true},
	{"invalid UTF-8", "%FF%FE", true},
	{"control character", "a%07%1Bb", true},
}

// badPathValues replace one path parameter.
var badPathValues = []struct {
	name, value string
	edge        bool
}{
	{"huge integer", "99999999999999999999999999999", false},
	{"negative", "-1", false},
	{"zero", "0", false},
	{"word", "abc", false},
	{"dots", "..", false},
	{"NUL", "a%00", true},
	{"invalid UTF-8", "%FF", true},
}

// runBadInput sends malformed JSON, wrong types, huge numbers, NUL,
// invalid UTF-8, control characters, huge bodies and traversal names to
// every operation with a body, a query or a path parameter, as a role the
// operation admits, and counts the 5xx answers (which must be none).
func runBadInput(ctx context.Context, s *suite) error {
	e, err := s.newEnv(ctx, "badinput")
	if err != nil {
		return err
	}
	defer e.close()
	ops, sp, err := operations(ctx, e.srv.base())
	if err != nil {
		return err
	}
	ids, err := matrixIDs(ctx, e)
	if err != nil {
		return err
	}
	// A year with no certificate and no tax yet, so that a filled body of
	// a policy or a tax year passes the state checks and its text fields
	// reach the code behind them.
	ids["{year}"] = "1405"
	var probes []probe
	for _, op := range ops {
		if strings.HasSuffix(op.path, "/logout") {
			continue // it would end the session the sweep uses
		}
		probes = append(probes, badProbes(op, sp, ids)...)
	}
	tokenFor := func(op operation) string {
		if op.public {
			return ""
		}
		for _, u := range []struct{ user, role string }{{"admin", "admin"}, {"tax", "tax_officer"}, {"secretariat", "secretariat"},
			{"accountant", "accountant"}, {"education", "education_officer"}, {"auditor", "auditor"}} {
			if op.roles[u.role] {
				return e.tokens[u.user]
			}
		}
		return e.tokens["admin"]
	}
	var (
		mu                sync.Mutex
		serverErrs        []string
		edgeErrs, elseErr int
		statuses          = map[int]int{}
		transport         []string
		filledOK          int
		filledRefused     []string
	)
	work := make(chan probe)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				r, err := call(ctx, p.op.method, e.url(p.target), tokenFor(p.op), p.body, p.contentType)
				mu.Lock()
				switch {
				case err != nil:
					transport = append(transport, fmt.Sprintf("%s %s (%s): %v", p.op.method, p.op.path, p.what, err))
				case r.status >= 500:
					serverErrs = append(serverErrs, fmt.Sprintf("%d %s %s: %s", r.status, p.op.method, abbreviate(p.target), p.what))
					if p.edge {
						edgeErrs++
					} else {
						elseErr++
					}
				}
				if err == nil {
					statuses[r.status]++
					if p.what == "filled body" {
						if r.status < 300 {
							filledOK++
						} else {
							filledRefused = append(filledRefused, fmt.Sprintf("%s %s: %d %s %s", p.op.method, p.op.path, r.status, p.body, r.body))
						}
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range probes {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
	var byStatus []string
	for st, n := range statuses {
		byStatus = append(byStatus, fmt.Sprintf("%d×%d", n, st))
	}
	sort.Strings(byStatus)
	fmt.Printf("badinput: requests=%d 5xx=%d (text at the edge, CSV, upload names: %d; other: %d) transport_errors=%d filled_bodies_accepted=%d/%d statuses=%s\n",
		len(probes), len(serverErrs), edgeErrs, elseErr, len(transport), filledOK, filledOK+len(filledRefused), strings.Join(byStatus, ","))
	if os.Getenv("CHAOS_DEBUG") != "" {
		for _, f := range filledRefused {
			fmt.Println("  filled body refused:", f)
		}
	}
	sort.Strings(serverErrs)
	for i, w := range append(serverErrs, transport...) {
		if i == 40 {
			fmt.Printf("  … and %d more\n", len(serverErrs)+len(transport)-40)
			break
		}
		fmt.Println("  ", w)
	}
	s.check(len(serverErrs) == 0, "badinput", "%d answers 5xx", len(serverErrs))
	s.check(len(transport) == 0, "badinput", "%d requests got no answer", len(transport))
	s.verify(ctx, e)
	return nil
}

func abbreviate(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// badProbes makes the probes of one operation.
func badProbes(op operation, sp *spec, ids recordIDs) []probe {
	var out []probe
	target := ids.fill(op.path)
	add := func(p probe) {
		p.op = op
		if p.target == "" {
			p.target = target
		}
		out = append(out, p)
	}
	// Path parameters.
	segs := strings.Split(target, "/")
	for i, seg := range strings.Split(op.path, "/") {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		for _, b := range badPathValues {
			c := append([]string{}, segs...)
			c[i] = b.value
			add(probe{target: strings.Join(c, "/"), what: "path " + seg + " = " + b.name, edge: b.edge,
				body: emptyBody(op), contentType: jsonIf(op)})
		}
	}
	// Query parameters.
	for _, q := range op.query {
		for _, b := range badQueries {
			add(probe{target: target + "?" + q + "=" + b.value, what: "query " + q + " = " + b.name, edge: b.edge,
				body: emptyBody(op), contentType: jsonIf(op)})
		}
		add(probe{target: target + "?" + q + "=1&" + q + "=2", what: "query " + q + " twice", body: emptyBody(op), contentType: jsonIf(op)})
	}
	if len(op.query) > 0 {
		add(probe{target: target + "?no_such_parameter=1", what: "unknown query parameter", body: emptyBody(op), contentType: jsonIf(op)})
	}
	switch {
	case op.body == "application/json":
		for _, m := range []struct{ name, raw string }{
			{"empty body", ""}, {"truncated JSON", `{"a":`}, {"not JSON", `<xml/>`}, {"array", `[1,2]`},
			{"string", `"s"`}, {"null", `null`}, {"two objects", `{}{}`}, {"trailing brace", `{}}`},
			{"unknown field", `{"no_such_field":1}`}, {"deep nesting", strings.Repeat("[", 20000) + strings.Repeat("]", 20000)},
			{"BOM", "\ufeff{}"},
		} {
			add(probe{what: m.name, body: []byte(m.raw), contentType: "application/json"})
		}
		add(probe{what: "wrong content type", body: []byte(`{}`), contentType: "text/plain"})
		add(probe{what: "huge body (2 MiB)", body: []byte(`{"x":"` + strings.Repeat("a", 2<<20) + `"}`), contentType: "application/json"})
		full, _ := sp.sample(op.schema, "", ids, 0).(map[string]any)
		if full == nil {
			break
		}
		// The required fields only, so that alternatives (a date and its
		// Jalali twin) do not refuse each other; each bad value goes into
		// one field, required or not, beside them.
		base := map[string]any{}
		for _, f := range sp.required(op.schema) {
			if v, ok := full[f]; ok {
				base[f] = v
			}
		}
		// What the handlers require beyond the schema's list: a date in
		// one of its two forms, a deduction's tax rate, a percent.
		for f, v := range full {
			if strings.HasSuffix(f, "_on") || f == "percent" || f == "tax_rate" {
				base[f] = v
			}
		}
		good, _ := json.Marshal(base)
		add(probe{what: "filled body", body: good, contentType: "application/json"})
		fields := make([]string, 0, len(full))
		for f := range full {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			for _, b := range badValues {
				c := map[string]any{}
				for k, v := range base {
					c[k] = v
				}
				c[f] = "CHAOS_SENTINEL_VALUE"
				raw, _ := json.Marshal(c)
				raw = bytes.Replace(raw, []byte(`"CHAOS_SENTINEL_VALUE"`), []byte(b.raw), 1)
				add(probe{what: "field " + f + " = " + b.name, body: raw, contentType: "application/json", edge: b.edge})
			}
		}
	case op.body == "text/csv":
		for _, c := range []struct {
			name, raw string
			edge      bool
		}{
			{"empty CSV", "", true}, {"header only", "a,b,c\n", true}, {"unterminated quote", "a,b\n\"x,y\n", true},
			{"NUL in CSV", "a,b\nx\x00,y\n", true}, {"invalid UTF-8 in CSV", "a,b\n\xff\xfe,y\n", true},
			{"control characters in CSV", "a,b\nx\x07,y\n", true}, {"2,000 empty columns", strings.Repeat(",", 2000) + "\n", true},
			{"a 20,000-column header", strings.Repeat("a,", 20000) + "\n", true},
			{"over the import limit (17 MiB)", strings.Repeat("a,b\n", (17<<20)/4), true},
		} {
			add(probe{what: c.name, body: []byte(c.raw), contentType: "text/csv", edge: c.edge})
		}
	case op.body == "multipart/form-data":
		for _, name := range []struct{ label, name string }{
			{"upload named ..", ".."}, {"upload named .", "."}, {"upload with empty name", ""},
			{"upload named ../../etc/passwd", "../../etc/passwd"}, {"upload named /", "/"},
			{"upload name with NUL", "a\x00.pdf"}, {"upload name of invalid UTF-8", "\xff\xfe.pdf"},
			{"upload name with control characters", "a\x07\x1b.pdf"}, {"upload with a 5,000-character name", strings.Repeat("ن", 5000) + ".pdf"},
		} {
			body, ct := multipartFile(name.name, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
			add(probe{what: name.label, body: body, contentType: ct, edge: true})
		}
		body, ct := multipartFile("x.pdf", []byte("MZ\x90\x00 not a document"))
		add(probe{what: "upload of an executable", body: body, contentType: ct})
		body, ct = multipartFile("x.pdf", nil)
		add(probe{what: "empty upload", body: body, contentType: ct})
		body, ct = multipartFile("x.pdf", bytes.Repeat([]byte("%PDF-1.4 "), (11<<20)/9))
		add(probe{what: "upload of 11 MiB", body: body, contentType: ct})
		add(probe{what: "multipart without boundary", body: []byte("--x\r\n\r\n"), contentType: "multipart/form-data"})
		add(probe{what: "broken multipart", body: []byte("--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"), contentType: "multipart/form-data; boundary=x"})
		add(probe{what: "JSON instead of multipart", body: []byte(`{}`), contentType: "application/json"})
	}
	return out
}

// emptyBody is {} for operations that take a body, nil for the others.
func emptyBody(op operation) []byte {
	if op.method == "GET" || op.method == "HEAD" {
		return nil
	}
	return []byte("{}")
}

func jsonIf(op operation) string {
	if op.method == "GET" || op.method == "HEAD" {
		return ""
	}
	return "application/json"
}

// multipartFile is a form with one field "file".
func multipartFile(name string, content []byte) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", "application/pdf")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(content)
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// sample makes a plausible value of a schema: the first of an enum, a date
// for dates, an amount for money, the demo's records for ids, so that a bad
// value in one field meets the code behind the others' checks.
func (sp *spec) sample(m map[string]any, name string, ids recordIDs, depth int) any {
	m = sp.resolve(m)
	if m == nil || depth > 6 {
		return "chaos"
	}
	if all, ok := m["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, part := range all {
			if v, ok := sp.sample(asMap(part), name, ids, depth+1).(map[string]any); ok {
				for k, x := range v {
					merged[k] = x
				}
			}
		}
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				merged[k] = sp.sample(asMap(p), k, ids, depth+1)
			}
		}
		return merged
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts, ok := m[key].([]any); ok {
			for _, a := range alts {
				if t, _ := sp.resolve(asMap(a))["type"].(string); t != "null" {
					return sp.sample(asMap(a), name, ids, depth+1)
				}
			}
		}
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	typ, _ := m["type"].(string)
	if list, ok := m["type"].([]any); ok {
		for _, t := range list {
			if t != "null" {
				typ = fmt.Sprint(t)
				break
			}
		}
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := m["properties"].(map[string]any)
		for k, p := range props {
			out[k] = sp.sample(asMap(p), k, ids, depth+1)
		}
		return out
	case "array":
		return []any{sp.sample(asMap(m["items"]), name, ids, depth+1)}
	case "boolean":
		return false
	case "integer", "number":
		switch {
		case name == "unit_id" || name == "units":
			return jsonNumber(ids["units/{id}"])
		case name == "pledge_id":
			return jsonNumber(ids["pledges/{id}"])
		case name == "school_id":
			return jsonNumber(ids["schools/{id}"])
		case name == "session_id":
			return jsonNumber(ids["sessions/{id}"])
		case name == "carry_forward_years":
			return 0
		case strings.Contains(name, "year"):
			return 1404
		case name == "percent":
			return 50
		}
		return 1
	}
	switch f, _ := m["format"].(string); {
	case f == "date" || strings.HasSuffix(name, "_on") || name == "deadline" || name == "on":
		return "2026-02-01" // in 1404, after the demo's dates
	case strings.HasSuffix(name, "_jalali"):
		return "1404/11/12"
	case strings.Contains(name, "rate"):
		return "0.25"
	case name == "username":
		return "chaos-user"
	case strings.Contains(name, "password"):
		return "a-long-chaos-password-1404"
	case strings.Contains(name, "amount") || strings.Contains(name, "tax") || strings.Contains(name, "income") ||
		strings.Contains(name, "cost") || strings.Contains(name, "rate") || name == "rounding_unit":
		return "1000"
	case strings.Contains(name, "national_id"):
		return string(taahod.MakeLegalEntityID("1019999999"))
	}
	return "آزمون chaos"
}

// required lists the required properties of an object schema (and of the
// parts of its allOf).
func (sp *spec) required(m map[string]any) []string {
	m = sp.resolve(m)
	var out []string
	if list, ok := m["required"].([]any); ok {
		for _, r := range list {
			out = append(out, fmt.Sprint(r))
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, part := range all {
			out = append(out, sp.required(asMap(part))...)
		}
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func jsonNumber(s string) any {
	if s == "" {
		return 1
	}
	return json.Number(s)
}
