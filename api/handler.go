package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/internal/database"
)

// handler is an endpoint that returns its error instead of writing it; handle
// turns it into a gin handler that writes every error as a problem document.
type handler func(c *gin.Context) error

// handle also checks the path's parameters and the query against the
// parameters the route declares (query): a path parameter that is not text
// is a 404, any other query parameter or a value that is not text a 400,
// before h runs (checkPathText, checkQuery).
func (s *Server) handle(h handler, query ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkPathText(c); err != nil {
			s.problem(c, err)
			return
		}
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
	c.Data(status, jsonContentType, body)
	return nil
}

// jsonContentType is the type of every JSON answer but a problem's.
const jsonContentType = "application/json; charset=utf-8"

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

// created answers 201 with v. An answer that made a resource with a path of
// its own takes createdAt instead, which says where it is.
func created(c *gin.Context, v any) error { return writeJSON(c, http.StatusCreated, v) }

// createdAt answers 201 with v and Location: the path of the resource made
// (under /api/v1, absolute from the host: "/api/v1/units/12"). The
// idempotency middleware keeps the header, and a replay repeats it.
func createdAt(c *gin.Context, location string, v any) error {
	c.Header("Location", location)
	return writeJSON(c, http.StatusCreated, v)
}

// createdForm is the answer createdAt gives for a record of collection, as
// a template whose holes the statement writing the record fills in
// (database.AnswerForm): Hole(1), the record's id, in its Location. The
// headers are those answerOf keeps, as it writes them.
func createdForm(collection string) database.AnswerForm {
	return func(record []byte) database.StatementAnswer {
		location := "/api/v1/" + collection + "/" + database.Hole(1)
		return database.StatementAnswer{Status: http.StatusCreated, ContentType: jsonContentType, Body: record,
			Headers: []byte(`{"Location":"` + location + `"}`)}
	}
}

// ok answers 200 with v.
func ok(c *gin.Context, v any) error { return writeJSON(c, http.StatusOK, v) }

// resourcePath is the path of a record under /api/v1: resourcePath("units",
// 12) is "/api/v1/units/12".
func resourcePath(collection string, id int64) string {
	return "/api/v1/" + collection + "/" + strconv.FormatInt(id, 10)
}

// belowRequestPath is the path of a record made by posting to its list's
// path (a document uploaded to .../documents is at .../documents/ID).
func belowRequestPath(c *gin.Context, id int64) string {
	return c.Request.URL.Path + "/" + strconv.FormatInt(id, 10)
}
