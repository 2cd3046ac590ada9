package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// decodeJSON reads the request body into dst strictly: a JSON object of
// known fields, in UTF-8, with nothing after it. Syntax errors and unknown
// fields are 400, a value of the wrong type is 422 naming the field, a body
// over the limit is 413, and a string with a control character (outside
// the multi-line fields' line breaks) is 422 naming it (checkJSONText).
func decodeJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return taahod.Errorf(taahod.EUNSUPPORTEDMEDIA, "send the body as JSON with the header Content-Type: application/json")
		}
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return taahod.Errorf(taahod.EUNSUPPORTEDMEDIA, "send the body in UTF-8")
		}
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return taahod.Errorf(taahod.EMALFORMED, "the request body is empty; a JSON object is expected")
	}
	if !utf8.Valid(body) {
		return taahod.Errorf(taahod.EMALFORMED, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return taahod.Errorf(taahod.EMALFORMED, "the request body has data after the JSON object")
	}
	return checkJSONText(body)
}

// readBody reads the whole body, within the limit the body-limit middleware
// set.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, taahod.Errorf(taahod.ETOOLARGE, "the request body is larger than %d bytes", tooLarge.Limit)
	} else if err != nil {
		return nil, taahod.Errorf(taahod.EMALFORMED, "the request body could not be read")
	}
	return body, nil
}

func jsonError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
		domain    *taahod.Error
	)
	switch {
	case errors.As(err, &domain):
		return err
	case errors.As(err, &syntax):
		return taahod.Errorf(taahod.EMALFORMED, "the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return taahod.Errorf(taahod.EMALFORMED, "the request body is not valid JSON (it ends too early)")
	case errors.As(err, &typeError):
		if typeError.Field == "" {
			return taahod.Errorf(taahod.EMALFORMED, "the request body must be a JSON object")
		}
		return taahod.Invalid(typeError.Field, "wrong_type", "expected "+jsonKind(typeError.Type.Kind().String())+", got "+typeError.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this one.
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &taahod.Error{Code: taahod.EMALFORMED, Message: "the request body has a field this endpoint does not take",
			Fields: []taahod.FieldError{{Field: name, Code: "unknown_field", Message: "not a field of this request"}}}
	}
	return taahod.Errorf(taahod.EMALFORMED, "the request body could not be read as JSON")
}

func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice", kind == "array":
		return "an array"
	}
	return "an object"
}

// pathID reads a positive integer id from the path; anything else names no
// record, so it is 404.
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, taahod.Errorf(taahod.ENOTFOUND, "no record has the id %q", c.Param(name))
	}
	return id, nil
}
