package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// handler is an endpoint that returns its error instead of writing it; handle
// turns it into a gin handler that writes every error as a problem document.
type handler func(c *gin.Context) error

// handle also checks the query against the parameters the route declares
// (query): any other is a 400 before h runs (checkQuery).
func (s *Server) handle(h handler, query ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkQuery(c, query); err != nil {
			s.problem(c, err)
			return
		}
		if err := h(c); err != nil {
			s.problem(c, err)
		}
	}
}

// writeJSON answers v as JSON with the status.
func writeJSON(c *gin.Context, status int, v any) error {
	body, err := jsonMarshal(v)
	if err != nil {
		return err
	}
	c.Data(status, "application/json; charset=utf-8", body)
	return nil
}

// jsonMarshal encodes without escaping <, > and & (the answers are not HTML)
// and without the trailing newline of json.Encoder.
func jsonMarshal(v any) ([]byte, error) {
	// A type that writes its own JSON (the busiest answers do, by hand) is
	// taken as it writes it: the encoder would only scan it again to check
	// and compact it.
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// created answers 201 with v.
func created(c *gin.Context, v any) error { return writeJSON(c, http.StatusCreated, v) }

// ok answers 200 with v.
func ok(c *gin.Context, v any) error { return writeJSON(c, http.StatusOK, v) }
