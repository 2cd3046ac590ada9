package taahod

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text a client sends is checked once, where it comes in (the API's
// query parameters and JSON bodies, the CSV imports, the web pages' forms),
// by EdgeText: the database stores neither a NUL nor a byte that is not
// UTF-8, and no field is better for a control character, so such text is
// refused naming the field instead of reaching a store and failing there.

// MaxFieldErrors bounds the field errors one answer lists: past it, an
// Error keeps the first MaxFieldErrors and counts all of them in Total, so
// that an answer stays small whatever the input holds.
const MaxFieldErrors = 100

// multiLineFields are the fields, by their own name (the last element of a
// path: "note" in "resolutions[0].note"), whose text may run over several
// lines: tab, line feed and carriage return are allowed there (a browser
// sends a textarea's lines with CR LF) and in no other field.
var multiLineFields = map[string]bool{
	"address":           true,
	"attendees":         true, // the web form's one-per-line textarea
	"description":       true,
	"legal_basis":       true,
	"minutes":           true,
	"note":              true,
	"notes":             true,
	"reason":            true,
	"revocation_reason": true,
	"status_note":       true,
	"subject":           true,
	"text":              true,
}

// MultiLine reports whether the field named name (a bare name, a path like
// "resolutions[0].note" or a form name like "resolutions[0][note]") may hold
// line breaks and tabs.
func MultiLine(name string) bool { return multiLineFields[fieldBase(name)] }

// fieldBase is the last name in a path: "note" of "resolutions[0].note" and
// of "resolutions[0][note]".
func fieldBase(name string) string {
	name = strings.TrimRight(name, "]")
	if i := strings.LastIndexAny(name, ".["); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// EdgeText checks text a client sent in field: it returns nil when s is
// UTF-8 without control characters (tab, line feed and carriage return
// allowed when multiLine), and otherwise a FieldError with the code
// invalid_text naming field. The field's other rules (required, length)
// are its domain's.
func EdgeText(field, s string, multiLine bool) *FieldError {
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Code: "invalid_text", Message: field + " is not valid UTF-8 text"}
	}
	bad := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && !(multiLine && (r == '\t' || r == '\n' || r == '\r'))
	})
	if bad < 0 {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(s[bad:])
	msg := field + " has a control character (U+" + strings.ToUpper(hex4(r)) + ")"
	if r == 0 {
		msg = field + " has a NUL character"
	}
	return &FieldError{Field: field, Code: "invalid_text", Message: msg}
}

// hex4 writes a control character's code point in four hex digits.
func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}

// Limit keeps the first MaxFieldErrors of e's fields and counts them all in
// Total. It returns e.
func (e *Error) Limit() *Error {
	if len(e.Fields) > MaxFieldErrors {
		if e.Total < len(e.Fields) {
			e.Total = len(e.Fields)
		}
		e.Fields = e.Fields[:MaxFieldErrors:MaxFieldErrors]
	}
	return e
}
