// Package pdftest runs the command-line tools the PDF tests read documents
// back with, as a reader would: poppler-utils (pdftotext, pdffonts, pdfinfo,
// pdftoppm), zbar-tools (zbarimg) and qpdf. A test fails, rather than
// skips, when a tool is missing: a skipped check on a CI machine would look
// like a passing one. On Debian:
//
//	apt-get install poppler-utils zbar-tools qpdf
//
// It serves the tests of reports (rendering) and certificate (issuing).
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Tool returns the path of the command-line tool name, from Debian package
// pkg, and fails t when it is not installed.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed to read the PDFs back: install it with apt-get install %s", name, pkg)
	}
	return path
}

// WriteTemp writes pdf to a file named name in a test folder and returns
// its path.
func WriteTemp(t testing.TB, name string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Run runs the tool at path with args and returns its standard output; it
// fails t, with the tool's standard error, when the tool fails.
func Run(t testing.TB, path string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(path), strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}
