package api

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// TestUploadNames: a document's stored name is the base name of what the
// client sent, never a path, a dot-only name or a control character; a
// name with nothing left is "document" with the extension of its type.
func TestUploadNames(t *testing.T) {
	w := newWorld(t)
	id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
	path := fmt.Sprintf("/api/v1/expenditures/%d/documents", id)
	for i, tc := range []struct{ sent, want string }{
		{"..", "document.pdf"},
		{".", "document.pdf"},
		{"", "document.pdf"},
		{"...", "document.pdf"},
		{"/", "document.pdf"},
		{"./../", "document.pdf"},
		{`..\..\`, "document.pdf"},
		{". .", "document.pdf"},
		{"..\x01", "document.pdf"},
		{".\x7f.", "document.pdf"},
		{"../../etc/passwd", "passwd"},
		{`..\..\windows\boot.ini`, "boot.ini"},
		{"a/\x01../b.pdf", "b.pdf"},
		{"فاکتور\x1b[31m.pdf", "فاکتور[31m.pdf"},
		{"نامه\u0085 اداری.pdf", "نامه اداری.pdf"},
	} {
		// Each upload is another file: the same content twice is one
		// document, named as it was first.
		content := append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte{' '}, i+1)...)
		r := w.uploadNamed(path, w.accA, tc.sent, content)
		if r.status != 201 {
			t.Errorf("%q: %d %s", tc.sent, r.status, r.body)
			continue
		}
		docID := w.mustID(r)
		var stored string
		if err := w.db.Get(&stored, `SELECT name FROM expenditure_documents WHERE id = $1`, docID); err != nil {
			t.Fatal(err)
		}
		if stored != tc.want || r.json()["name"] != tc.want {
			t.Errorf("%q: stored %q, answered %v, want %q", tc.sent, stored, r.json()["name"], tc.want)
		}
		if strings.ContainsAny(stored, `/\`) || strings.ContainsFunc(stored, unicode.IsControl) {
			t.Errorf("%q: stored %q has a separator or a control character", tc.sent, stored)
		}
	}
}

// uploadNamed uploads content in the field "file" under name, sent in the
// RFC 2231 form (filename* with a percent-encoded value) that can carry any byte, control
// characters too, which a plain quoted filename cannot.
func (w *world) uploadNamed(path, token, name string, content []byte) response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+strings.ReplaceAll(url.PathEscape(name), "+", "%2B"))
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		w.t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest("POST", w.http.URL+path, &body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{t: w.t, status: res.StatusCode, header: res.Header, body: raw}
	checkOpenAPI(w.t, "POST", path, r)
	return r
}
