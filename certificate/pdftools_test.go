package certificate

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests read the certificates back with poppler-utils (pdftoppm) and
// zbar-tools (zbarimg), as reports' tests do (reports/pdftools_test.go);
// they fail, rather than skip, when a tool is missing.

// sampleOut, when set, is a folder where the QR tests write the scans they
// read, to look at.
var sampleOut = flag.String("sample-out", "", "write the scanned QR images to this folder")

// tool returns the path of a command-line tool the tests need.
func tool(t testing.TB, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed to read the PDFs back: install it with apt-get install %s", name, pkg)
	}
	return path
}

// writeTemp writes pdf to a file in a test folder and returns its path.
func writeTemp(t testing.TB, name string, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs a tool and returns its standard output.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}
