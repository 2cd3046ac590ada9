package database

import (
	"bytes"
	"context"
	"unicode/utf8"
)

// A request's answer stored by the statement that makes its change.
//
// The answer of a request with an Idempotency-Key is kept under the key so
// that a retry gets it again. Stored after the commit, it costs every such
// request a second write (and a second commit); and the answer of a record's
// creation names values that only the inserting statement knows (its id, its
// unit). So a hot path that writes with one statement (a StatementClaim) may
// render its answer before the statement runs, with holes where those values
// go, and have the statement fill them in and store the answer with the key:
// one statement, one commit, and the answer commits with the change or not
// at all (a crash can then never leave the key without its answer).
//
// The holes are PostgreSQL format() placeholders (%1$s, ...), filled with
// each value's text (its ::text cast); SettleAnswered fills the same holes
// in Go with the same text, and checks the statement's digest of the body it
// stored, so the answer the api sends is the one a replay reads back, byte
// for byte.
// The api checks that it is also the one its handler rendered (and stores
// the handler's otherwise, as it does for every other route).

// Hole returns the mark, in a StatementAnswer's body or headers, of the
// statement's n-th value (1 to 9; 1 is the record's id). A mark is a NUL
// byte and a digit, which no JSON text holds (JSON escapes control
// characters), so it cannot be confused with the record's own text.
func Hole(n int) string { return string([]byte{0, byte('0' + n)}) }

// StatementAnswer is the answer of a request as a template: Body and
// Headers (a JSON object of the headers a replay repeats) with Holes.
type StatementAnswer struct {
	Status      int
	ContentType string
	Body        []byte
	Headers     []byte
}

// AnswerForm renders a request's answer from the JSON of the record its
// statement writes, with Holes: the api knows the answer's form (status,
// Location), the store the record's JSON.
type AnswerForm func(record []byte) StatementAnswer

type answerFormKey struct{}

// WithAnswerForm returns ctx carrying form, for the statement claim of the
// request (OpenStatementClaim) to store its answer with its key.
func WithAnswerForm(ctx context.Context, form AnswerForm) context.Context {
	return context.WithValue(ctx, answerFormKey{}, form)
}

// StoredAnswer is an answer as a statement stored it with its key, holes
// filled.
type StoredAnswer struct {
	Status      int
	ContentType string
	Body        []byte
	Headers     []byte
}

// StoredAnswer returns the answer the request's statement stored with its
// key, if it stored one.
func (c *Claim) StoredAnswer() (StoredAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.answer == nil {
		return StoredAnswer{}, false
	}
	return *c.answer, true
}

func (c *Claim) store(a StoredAnswer) {
	c.mu.Lock()
	c.answer = &a
	c.mu.Unlock()
}

// formatTemplate turns text with Holes into a format() string: every % is
// doubled and Hole(n) becomes %n$s. It reports false for text that is not
// valid UTF-8 (a text parameter must be) or holds a NUL that is no Hole.
func formatTemplate(b []byte) (string, bool) {
	if !utf8.Valid(b) {
		return "", false
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '%':
			out = append(out, '%', '%')
		case c == 0:
			if i+1 >= len(b) || b[i+1] < '1' || b[i+1] > '9' {
				return "", false
			}
			out = append(out, '%', b[i+1], '$', 's')
			i++
		default:
			out = append(out, c)
		}
	}
	return string(out), true
}

// fillHoles is what format() makes of formatTemplate(b) with values: each
// Hole(n) replaced by values[n-1] (a missing value by nothing, as format()
// would refuse; SettleAnswered always has them).
func fillHoles(b []byte, values []string) []byte {
	if bytes.IndexByte(b, 0) < 0 {
		return bytes.Clone(b)
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); i++ {
		if b[i] != 0 || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if n := int(b[i+1] - '1'); n >= 0 && n < len(values) {
			out = append(out, values[n]...)
		}
		i++
	}
	return out
}
