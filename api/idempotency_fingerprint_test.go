package api

import (
	"bytes"
	"mime/multipart"
	"testing"
)

func multipartBody(t *testing.T, boundary string, content []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if err := w.SetBoundary(boundary); err != nil {
		t.Fatal(err)
	}
	part, err := w.CreateFormFile("file", "invoice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// TestRequestFingerprint: a retried upload is the same request whatever its
// boundary; another file, path or method is not.
func TestRequestFingerprint(t *testing.T) {
	a, ctA := multipartBody(t, "boundary-one", []byte("%PDF-1.4 the same file"))
	b, ctB := multipartBody(t, "another-boundary-2", []byte("%PDF-1.4 the same file"))
	c, ctC := multipartBody(t, "boundary-one", []byte("%PDF-1.4 another file"))
	same := requestFingerprint("POST", "/api/v1/expenditures/1/documents", ctA, a)
	if !bytes.Equal(same, requestFingerprint("POST", "/api/v1/expenditures/1/documents", ctB, b)) {
		t.Error("a new boundary made another request")
	}
	for name, fp := range map[string][]byte{
		"another file":   requestFingerprint("POST", "/api/v1/expenditures/1/documents", ctC, c),
		"another path":   requestFingerprint("POST", "/api/v1/expenditures/2/documents", ctA, a),
		"another method": requestFingerprint("PUT", "/api/v1/expenditures/1/documents", ctA, a),
	} {
		if bytes.Equal(same, fp) {
			t.Errorf("%s is the same request", name)
		}
	}
	j1 := requestFingerprint("POST", "/api/v1/units", "application/json", []byte(`{"a":1}`))
	j2 := requestFingerprint("POST", "/api/v1/units", "application/json; charset=utf-8", []byte(`{"a":1}`))
	j3 := requestFingerprint("POST", "/api/v1/units", "application/json", []byte(`{"a":2}`))
	if !bytes.Equal(j1, j2) || bytes.Equal(j1, j3) {
		t.Error("JSON bodies: a charset parameter changed the request, or another body did not")
	}
}
