package reports

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports are what rendering has no business with: the
// certificate domain, which imports reports to render (a cycle the compiler
// would refuse only once both sides exist), the database and its drivers,
// the stores, and signing. Code that needs them belongs in certificate (or
// another domain), and reports is given what it draws.
var forbiddenImports = []string{
	"github.com/taahod/taahod/certificate",
	"github.com/taahod/taahod/internal/database",
	"github.com/taahod/taahod/ledger",
	"github.com/taahod/taahod/notify",
	"github.com/jmoiron/sqlx",
	"github.com/lib/pq",
	"database/sql",
	"crypto/ed25519",
}

// TestImportsOneWay reads the imports of every non-test file of reports and
// its sub-packages, and refuses the forbidden ones; and it asks go list that
// nothing reports depends on, directly or not, is the certificate package.
func TestImportsOneWay(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbiddenImports {
				if p == bad || strings.HasPrefix(p, bad+"/") {
					t.Errorf("reports/%s imports %s: rendering must not reach %s", path, p, bad)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list reports' dependencies: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	for dep := range strings.FieldsSeq(string(out)) {
		if dep == "github.com/taahod/taahod/certificate" || strings.HasPrefix(dep, "github.com/taahod/taahod/certificate/") {
			t.Errorf("reports depends on %s, which imports reports", dep)
		}
	}
}
