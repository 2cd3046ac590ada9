package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"testing"
)

func TestExpenditureDocuments(t *testing.T) {
	w := newWorld(t)
	id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
	path := fmt.Sprintf("/api/v1/expenditures/%d/documents", id)
	uploader := w.nameUser(t, "acc-a", "علی احمدی")

	r := w.upload(path, w.accA, "file", "فاکتور خرید.pdf", tinyPDF)
	if r.status != 201 {
		t.Fatalf("pdf: %d %s", r.status, r.body)
	}
	sum := sha256.Sum256(tinyPDF)
	m := r.json()
	if m["content_type"] != "application/pdf" || str(m["size"]) != fmt.Sprint(len(tinyPDF)) || m["sha256"] != hex.EncodeToString(sum[:]) || m["name"] != "فاکتور خرید.pdf" {
		t.Fatalf("answer: %s", r.body)
	}
	mustBeUser(t, "uploaded_by", m["uploaded_by"], uploader, "علی احمدی")
	pdf := w.mustID(r)
	t.Run("same file twice is one document", func(t *testing.T) {
		r := w.upload(path, w.accA, "file", "copy.pdf", tinyPDF)
		if r.status != 200 || str(r.json()["id"]) != str(pdf) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		mustBeUser(t, "uploaded_by of the document already there", r.json()["uploaded_by"], uploader, "علی احمدی")
		if n := w.count("expenditure_documents"); n != 1 {
			t.Fatalf("%d documents", n)
		}
	})
	t.Run("recognised by content", func(t *testing.T) {
		for name, tc := range map[string]struct {
			file    string
			content []byte
			status  int
			ctype   string
		}{
			"png named pdf":  {"scan.pdf", tinyPNG, 201, "image/png"},
			"jpeg named txt": {"receipt.txt", tinyJPEG, 201, "image/jpeg"},
			"text named pdf": {"invoice.pdf", []byte("this is not a pdf"), 415, ""},
			"html":           {"x.png", []byte("<html><body>hi</body></html>"), 415, ""},
			"gif":            {"x.gif", []byte("GIF89a\x01\x00\x01\x00"), 415, ""},
			"zip":            {"x.pdf", []byte("PK\x03\x04rest"), 415, ""},
			"empty":          {"x.pdf", nil, 422, ""},
		} {
			r := w.upload(path, w.accA, "file", tc.file, tc.content)
			if r.status != tc.status || (tc.ctype != "" && r.json()["content_type"] != tc.ctype) {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
	})
	t.Run("malformed uploads", func(t *testing.T) {
		if r := w.upload(path, w.accA, "document", "x.pdf", tinyPDF); r.status != 422 || r.fieldErrors()["file"] != "required" {
			t.Errorf("other field: %d %s", r.status, r.body)
		}
		if r := w.do("POST", path, w.accA, map[string]any{"file": "JVBERi0="}); r.status != 415 {
			t.Errorf("json: %d %s", r.status, r.body)
		}
		big := append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte{'x'}, 10<<20)...)
		if r := w.upload(path, w.accA, "file", "big.pdf", big); r.status != 413 {
			t.Errorf("over 10 MiB: %d %s", r.status, r.body)
		}
		exact := append(append([]byte{}, tinyPDF...), bytes.Repeat([]byte{'y'}, 10<<20-len(tinyPDF))...)
		if r := w.upload(path, w.accA, "file", "exact.pdf", exact); r.status != 201 || str(r.json()["size"]) != fmt.Sprint(10<<20) {
			t.Errorf("exactly 10 MiB: %d %.200s", r.status, r.body)
		}
	})
	t.Run("list and download", func(t *testing.T) {
		for _, token := range []string{w.accA, w.tax, w.aud, w.admin} {
			items := w.get(path, token)["items"].([]any)
			if len(items) != 4 || str(items[0].(map[string]any)["id"]) != str(pdf) {
				t.Fatalf("list: %v", items)
			}
			mustBeUser(t, "uploaded_by in the list", items[0].(map[string]any)["uploaded_by"], uploader, "علی احمدی")
			dl := w.do("GET", fmt.Sprintf("%s/%d", path, pdf), token, nil)
			if dl.status != 200 || dl.header.Get("Content-Type") != "application/pdf" || !bytes.Equal(dl.body, tinyPDF) {
				t.Fatalf("download: %d %v", dl.status, dl.header)
			}
			disp, params, err := mime.ParseMediaType(dl.header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != "فاکتور خرید.pdf" {
				t.Fatalf("Content-Disposition %q: %v %v", dl.header.Get("Content-Disposition"), params, err)
			}
		}
		for _, token := range []string{w.edu, w.sec} {
			if r := w.do("GET", path, token, nil); r.status != 403 {
				t.Errorf("list by education/secretariat: %d", r.status)
			}
			if r := w.do("GET", fmt.Sprintf("%s/%d", path, pdf), token, nil); r.status != 403 {
				t.Errorf("download by education/secretariat: %d", r.status)
			}
		}
		if r := w.do("GET", fmt.Sprintf("%s/%d", path, pdf), w.accB, nil); r.status != 404 {
			t.Errorf("another unit's accountant: %d", r.status)
		}
		if r := w.do("GET", fmt.Sprintf("%s/%d", path, 99999), w.tax, nil); r.status != 404 {
			t.Errorf("unknown document: %d", r.status)
		}
	})
	t.Run("who may upload", func(t *testing.T) {
		if r := w.upload(path, w.accB, "file", "x.png", tinyPNG); r.status != 404 {
			t.Errorf("another unit's accountant: %d", r.status)
		}
		if r := w.upload(path, w.tax, "file", "x.png", tinyPNG); r.status != 403 {
			t.Errorf("tax officer: %d", r.status)
		}
	})
	t.Run("frozen after review", func(t *testing.T) {
		w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, map[string]any{"decision": "approve"})
		r := w.upload(path, w.accA, "file", "late.png", append(append([]byte{}, tinyPNG...), 'z'))
		if r.status != 409 {
			t.Errorf("upload after review: %d %s", r.status, r.body)
		}
	})
	if strings.Contains(w.logBuf.String(), `"status":500`) {
		t.Fatal("a request failed with 500")
	}
}
