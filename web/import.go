package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// The CSV import of resolutions and cases: the registry's own import
// (registry.Parse*CSV, then Import*, all rows or none, as POST
// /resolutions/import and /cases/import), with every problem of every line
// shown in a table in Persian, and template files to fill in.

func (p *Pages) mountImport(g *gin.RouterGroup) {
	g.GET("/import", p.importPage)
	g.POST("/import", p.limitImport, p.checkUploadText, p.importFile)
	g.GET("/import/template", p.importTemplate)
}

// maxImportBody bounds an import's body: the API's bound on an import
// file (api's importBodyLimit, 16 MiB), and room for the form around it.
const maxImportBody = 16<<20 + 64<<10

// importKind is a kind of file the page imports.
type importKind struct {
	Value, Title string
	columns      []registry.CSVColumn
	file         string // the template's file name
}

var importKinds = []importKind{
	{"resolutions", "مصوبه‌ها", registry.ResolutionColumns, "resolutions-template.csv"},
	{"cases", "پرونده‌ها", registry.CaseColumns, "cases-template.csv"},
}

func importKindOf(s string) (importKind, bool) {
	for _, k := range importKinds {
		if k.Value == s {
			return k, true
		}
	}
	return importKind{}, false
}

// importProblem is one row of the problems table.
type importProblem struct {
	// Line is the line of the file ("" for the file as a whole); Column
	// the column's Persian header, or the header as the file wrote it.
	Line, Column, Problem string
}

// importData is what the import page shows.
type importData struct {
	Kinds    []importKind
	Columns  []columnHelp
	Problems []importProblem
	// More is how many problems there are beyond those in Problems (the
	// registry lists the first taahod.MaxFieldErrors).
	More int
	// FileName is the file that came back with problems.
	FileName string
	// Imported is how many rows the last import recorded, and ImportedKind
	// their kind's title.
	Imported     int
	ImportedKind string
}

// columnHelp is a column of a kind's file, as the page lists it.
type columnHelp struct {
	Kind, Persian, Name string
	Required            bool
}

func importHelp() []columnHelp {
	var out []columnHelp
	for _, k := range importKinds {
		for _, c := range k.columns {
			out = append(out, columnHelp{k.Title, c.Persian, c.Name, c.Required})
		}
	}
	return out
}

func (p *Pages) importPage(c *gin.Context) {
	f := newForm()
	f.values["kind"] = c.Query("kind")
	d := importData{}
	if k, ok := importKindOf(c.Query("kind")); ok {
		if n, err := strconv.Atoi(c.Query("imported")); err == nil && n > 0 {
			d.Imported, d.ImportedKind = n, k.Title
		}
	}
	p.renderImport(c, http.StatusOK, "", f, d)
}

func (p *Pages) renderImport(c *gin.Context, status int, alert string, f *form, d importData) {
	u, _ := signedIn(c)
	d.Kinds, d.Columns = importKinds, importHelp()
	pg := page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d}
	if d.Imported > 0 {
		pg.Status = "«" + PersianDigits(strconv.Itoa(d.Imported)) + "» ردیف " + d.ImportedKind + " از پرونده CSV ثبت شد."
	}
	p.render(c, status, "secretariat_import", pg)
}

// limitImport refuses, with the Persian 413 page, a body over
// maxImportBody, and stops reading one that grows past it.
func (p *Pages) limitImport(c *gin.Context) {
	if c.Request.ContentLength > maxImportBody {
		p.failure(c, http.StatusRequestEntityTooLarge, Message("import_too_large"))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxImportBody)
	c.Next()
}

// importFile imports an uploaded file: every problem comes back in the
// table (422), nothing written; a good file is recorded whole and the page
// says how many rows.
func (p *Pages) importFile(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	f.values["kind"] = c.PostForm("kind")
	var d importData
	kind, ok := importKindOf(f.Value("kind"))
	if !ok {
		f.fail("kind", "invalid_choice")
	}
	file, name, err := openImportFile(c)
	d.FileName = name
	switch {
	case errors.Is(err, errNoFile):
		f.fail("file", "no_file")
	case err != nil:
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			p.failure(c, http.StatusRequestEntityTooLarge, Message("import_too_large"))
			return
		}
		f.fail("file", "malformed_csv")
	}
	if f.failed() {
		p.renderImport(c, http.StatusUnprocessableEntity, Message(taahod.EINVALID), f, d)
		return
	}
	defer file.Close()
	// The file is read as a stream (the registry holds its rows, not its
	// bytes) and hashed on the way for the audit entry's source.
	hash := sha256.New()
	in := io.TeeReader(file, hash)
	source := func() string {
		_, _ = io.Copy(hash, file) // what the parser left unread
		return "csv sha256:" + hex.EncodeToString(hash.Sum(nil))
	}
	ctx := c.Request.Context()
	var res registry.ImportResult
	if kind.Value == "resolutions" {
		var rows []registry.ResolutionRow
		if rows, err = registry.ReadResolutionsCSV(in); err == nil {
			res, err = p.registry.ImportResolutions(ctx, u, rows, source())
		}
	} else {
		var rows []registry.CaseRow
		if rows, err = registry.ReadCasesCSV(in); err == nil {
			res, err = p.registry.ImportCases(ctx, u, rows, source())
		}
	}
	if err != nil {
		if taahod.ErrorCode(err) != taahod.EINVALID {
			p.storeFailure(c, err)
			return
		}
		d.Problems, d.More = importProblems(err, kind.columns)
		p.renderImport(c, http.StatusUnprocessableEntity, Message("import_refused"), f, d)
		return
	}
	c.Redirect(http.StatusSeeOther, "/secretariat/import?kind="+kind.Value+"&imported="+strconv.Itoa(res.Count))
}

var errNoFile = errors.New("no file chosen")

// openImportFile opens the form's file "file".
func openImportFile(c *gin.Context) (multipart.File, string, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, "", err
		}
		return nil, "", errNoFile
	}
	if fh.Filename == "" && fh.Size == 0 {
		return nil, "", errNoFile
	}
	r, err := fh.Open()
	return r, fh.Filename, err
}

// importField reads the registry's names of a problem's place: "line 7:
// opened_on", "line 7", "line 1: HEADER" or "file".
var importField = regexp.MustCompile(`^line (\d+)(?:: (.*))?$`)

// importProblems turns the import's problems into the table's rows, in
// the order the registry gives them (by line), and says how many more
// there are than it lists.
func importProblems(err error, columns []registry.CSVColumn) ([]importProblem, int) {
	var e *taahod.Error
	if !errors.As(err, &e) {
		return nil, 0
	}
	more := 0
	if e.Total > len(e.Fields) {
		more = e.Total - len(e.Fields)
	}
	var out []importProblem
	for _, fe := range e.Fields {
		pr := importProblem{Problem: importMessage(fe.Code)}
		if m := importField.FindStringSubmatch(fe.Field); m != nil {
			pr.Line = PersianDigits(m[1])
			pr.Column = columnTitle(columns, m[2])
		} else if fe.Field != "file" {
			pr.Column = columnTitle(columns, fe.Field)
		}
		out = append(out, pr)
	}
	return out, more
}

// importMessage is the Persian sentence of a problem of an imported file.
func importMessage(code string) string {
	if code == taahod.ENOTFOUND {
		return Message("import_not_found")
	}
	return Message(code)
}

// columnTitle is a column's Persian header with its English name, or the
// name as the file wrote it when it is no column.
func columnTitle(columns []registry.CSVColumn, name string) string {
	if name == "" {
		return ""
	}
	for _, c := range columns {
		if c.Name == name {
			return c.Persian + " (" + c.Name + ")"
		}
	}
	return name
}

// importTemplate answers a kind's template: its Persian headers, which the
// importer reads, in UTF-8 with a byte-order mark so that spreadsheets read
// the Persian right.
func (p *Pages) importTemplate(c *gin.Context) {
	kind, ok := importKindOf(c.Query("kind"))
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	headers := make([]string, len(kind.columns))
	for i, col := range kind.columns {
		headers[i] = col.Persian
	}
	_ = w.Write(headers) // a bytes.Buffer does not fail
	w.Flush()
	c.Header("Content-Disposition", `attachment; filename="`+kind.file+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// Selected reports whether the form f chose this kind.
func (k importKind) Selected(f *form) bool { return strings.EqualFold(k.Value, f.Value("kind")) }
