package taahod

import (
	"errors"
	"fmt"
	"strings"
)

// Stable error codes. Clients match on these words; the api package maps each
// one to an HTTP status in a single table, and a test there fails when a code
// here has no status.
const (
	ECONFLICT            = "conflict"               // the state forbids it (409)
	EFORBIDDEN           = "forbidden"              // role or scope (403)
	EINTERNAL            = "internal"               // a bug or an outage (500)
	EINVALID             = "validation_failed"      // semantically invalid input (422)
	EMALFORMED           = "malformed_request"      // not parseable (400)
	ENOTFOUND            = "not_found"              // unknown, or outside the caller's scope (404)
	EUNAUTHORIZED        = "unauthorized"           // no or bad token (401)
	ETOOLARGE            = "payload_too_large"      // body over the limit (413)
	EUNSUPPORTEDMEDIA    = "unsupported_media_type" // content type not accepted (415)
	ERATELIMITED         = "rate_limited"           // slow down (429)
	EUNAVAILABLE         = "unavailable"            // the database is down (503)
	EIDEMPOTENCYREUSED   = "idempotency_key_reused" // same key, other body (422)
	EIDEMPOTENCYINFLIGHT = "idempotency_key_in_use" // same key, first request still running (409)
	EBADCREDENTIALS      = "invalid_credentials"    // sign-in refused (401)
	// EIDEMPOTENCYLOST: the key's request was carried out, but its answer was
	// lost (the server died between the commit and storing it); the problem
	// names the record it wrote and Location says where it is (409).
	EIDEMPOTENCYLOST = "idempotency_response_lost"
)

// Codes lists every code above, so the api can check that each has a status.
var Codes = []string{
	ECONFLICT, EFORBIDDEN, EINTERNAL, EINVALID, EMALFORMED, ENOTFOUND,
	EUNAUTHORIZED, ETOOLARGE, EUNSUPPORTEDMEDIA, ERATELIMITED, EUNAVAILABLE,
	EIDEMPOTENCYREUSED, EIDEMPOTENCYINFLIGHT, EBADCREDENTIALS,
	EIDEMPOTENCYLOST,
}

// RegisterCode adds a domain-specific code (such as "no_offset_policy") to
// Codes. Packages call it from init; the code must also have a status in the
// api's table.
func RegisterCode(code string) string {
	Codes = append(Codes, code)
	return code
}

// FieldError names one field of the input and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is the one error type of the domain: a stable Code, a message for
// people, and for invalid input the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Total is how many field errors were found when Fields lists only the
	// first of them (see Limit); 0 when Fields lists them all.
	Total int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// and "internal error" for anything else, so that driver text never reaches a
// client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Problems collects field errors while a request is validated.
type Problems struct {
	Fields []FieldError
}

// Add records that field is wrong, with a stable code and a message.
func (p *Problems) Add(field, code, message string) {
	p.Fields = append(p.Fields, FieldError{Field: field, Code: code, Message: message})
}

// AddErr records err against field: the fields of an *Error are renamed under
// field, any other error becomes one "invalid" entry.
func (p *Problems) AddErr(field string, err error) {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			name := field
			if f.Field != "" && f.Field != field {
				name = field + "." + f.Field
			}
			p.Add(name, f.Code, f.Message)
		}
		return
	}
	if errors.As(err, &e) {
		p.Add(field, "invalid", e.Message)
		return
	}
	p.Add(field, "invalid", err.Error())
}

// Err returns nil when nothing was recorded, else an EINVALID *Error.
func (p *Problems) Err() error {
	if len(p.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "the request has invalid fields", Fields: p.Fields}
}

// Invalid returns an EINVALID *Error for one field.
func Invalid(field, code, message string) *Error {
	return &Error{Code: EINVALID, Message: "the request has invalid fields",
		Fields: []FieldError{{Field: field, Code: code, Message: message}}}
}

// EOFFSETRUNINPROGRESS: a year-end offset run of the province is already
// running for that fiscal year; the problem names it (409).
var EOFFSETRUNINPROGRESS = RegisterCode("offset_run_in_progress")
