package api

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// heldAnswer is a response writer that keeps the handler's whole answer
// (status, headers, body) instead of sending it, so that the idempotency
// middleware can store it under its key before the client sees it, or throw
// it away and replay another request's answer.
type heldAnswer struct {
	gin.ResponseWriter
	header http.Header
	status int
	wrote  bool // as gin's writer: the status is fixed once the body starts
	body   bytes.Buffer
}

// newHeldAnswer starts from the headers already set (request id, CORS).
func newHeldAnswer(w gin.ResponseWriter) *heldAnswer {
	return &heldAnswer{ResponseWriter: w, header: w.Header().Clone()}
}

func (w *heldAnswer) Header() http.Header { return w.header }

func (w *heldAnswer) WriteHeader(code int) {
	if code > 0 && !w.wrote {
		w.status = code
	}
}

func (w *heldAnswer) WriteHeaderNow() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.wrote = true
}

func (w *heldAnswer) Write(b []byte) (int, error) {
	w.WriteHeaderNow()
	return w.body.Write(b)
}

func (w *heldAnswer) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	return w.body.WriteString(s)
}

// Flush does nothing: the answer goes out whole, in send.
func (w *heldAnswer) Flush() {}

func (w *heldAnswer) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *heldAnswer) Size() int {
	if !w.wrote {
		return -1
	}
	return w.body.Len()
}

func (w *heldAnswer) Written() bool { return w.wrote }

// send writes the held answer to the client.
func (w *heldAnswer) send() {
	real := w.ResponseWriter.Header()
	for k := range real {
		delete(real, k)
	}
	for k, v := range w.header {
		real[k] = v
	}
	w.ResponseWriter.WriteHeader(w.Status())
	_, _ = w.ResponseWriter.Write(w.body.Bytes())
}
