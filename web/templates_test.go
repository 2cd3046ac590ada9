package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestTemplatesHaveNoInlineCode reads the template files themselves: no
// inline script, no style element or attribute, no on* handler. The CSP
// would refuse them in a browser; this names the file.
func TestTemplatesHaveNoInlineCode(t *testing.T) {
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		s := strings.ToLower(string(b))
		switch {
		case strings.Contains(s, "<script") && !regexp.MustCompile(`<script src="[^"]+"></script>`).MatchString(s):
			t.Errorf("%s: inline <script>", p)
		case strings.Contains(s, "<style"):
			t.Errorf("%s: <style>", p)
		case strings.Contains(s, "style="):
			t.Errorf("%s: style attribute", p)
		case handler.MatchString(s):
			t.Errorf("%s: on* handler", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
