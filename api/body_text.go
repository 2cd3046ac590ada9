package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/taahod/taahod"
)

// checkJSONText refuses, with a 422 naming each field by its path
// ("agencies[2]", "resolutions[0].text") and the code invalid_text, a
// string of a JSON body (a value or a key) that holds a control character:
// tab and line breaks only in the multi-line fields (taahod.MultiLine), and
// nowhere in an array's items. The body is known to be UTF-8 and valid JSON
// already (decodeJSON checks both first). Every body goes through here, so
// that no handler has to remember a field: a NUL would otherwise reach the
// database, which refuses it with a 500 of its own.
func checkJSONText(body []byte) error {
	if !mayHoldControl(body) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := jsonTextWalk{dec: dec}
	if err := w.value("", "", false); err != nil {
		// The body was decoded before: a token it cannot read again is a
		// bug, not the client's.
		return err
	}
	if w.total == 0 {
		return nil
	}
	e := &taahod.Error{Code: taahod.EINVALID, Message: "the request has text that is not plain text", Fields: w.problems.Fields}
	if w.total > len(e.Fields) {
		e.Total = w.total
	}
	return e
}

// mayHoldControl reports whether a UTF-8 JSON text can decode to a string
// with a control character: only through an escape (\u0000, \n, ...), a raw
// DEL or a raw C1 character (U+0080–U+009F, in UTF-8 0xC2 0x80–0x9F), since
// JSON has no raw C0 characters in its strings. Most bodies have none of
// these and are not walked.
func mayHoldControl(body []byte) bool {
	if bytes.IndexByte(body, '\\') >= 0 || bytes.IndexByte(body, 0x7f) >= 0 {
		return true
	}
	for i := bytes.IndexByte(body, 0xc2); i >= 0 && i+1 < len(body); {
		if body[i+1] >= 0x80 && body[i+1] <= 0x9f {
			return true
		}
		next := bytes.IndexByte(body[i+1:], 0xc2)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// jsonTextWalk walks a decoded body's tokens, recording the strings at
// fault: the first taahod.MaxFieldErrors of them, and how many in all.
type jsonTextWalk struct {
	dec      *json.Decoder
	problems taahod.Problems
	total    int
}

func (w *jsonTextWalk) check(path, s string, multiLine bool) {
	if path == "" {
		path = "body"
	}
	if isPasswordField(path) {
		// A password is only hashed, never stored or shown as text, and
		// one set before this check may hold any character.
		return
	}
	if fe := taahod.EdgeText(path, s, multiLine); fe != nil {
		w.total++
		if len(w.problems.Fields) < taahod.MaxFieldErrors {
			w.problems.Fields = append(w.problems.Fields, *fe)
		}
	}
}

// value walks one value at path; name is its field's own name and item
// whether it is an array's item.
func (w *jsonTextWalk) value(path, name string, item bool) error {
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		w.check(path, t, !item && taahod.MultiLine(name))
	case json.Delim:
		switch t {
		case '{':
			for w.dec.More() {
				k, err := w.dec.Token()
				if err != nil {
					return err
				}
				key, _ := k.(string)
				child := key
				if path != "" {
					child = path + "." + key
				}
				w.check(child, key, false)
				if err := w.value(child, key, false); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; w.dec.More(); i++ {
				if err := w.value(path+"["+strconv.Itoa(i)+"]", name, true); err != nil {
					return err
				}
			}
		}
		if _, err := w.dec.Token(); err != nil { // the closing delimiter
			return err
		}
	}
	return nil
}

// isPasswordField reports whether a body's field is a password
// ("password", "current_password", "new_password").
func isPasswordField(path string) bool {
	base := path[strings.LastIndexByte(path, '.')+1:]
	return base == "password" || strings.HasSuffix(base, "_password")
}
