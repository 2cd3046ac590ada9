package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// The expenditure forms (new, edit, documents added later) read what the
// accountant typed the way people type it (input.go), hand the ledger the
// canonical text its strict parsers take, and come back with the typed
// values and each error beside its field. Field names are the API's.

// expenditureFields are the fields of the new and edit forms, as the API
// names them.
var expenditureFields = []string{"pledge_id", "amount", "spent_on_jalali", "invoice_no", "vendor_name",
	"vendor_national_id", "category", "description"}

// expenditureFormData is what the new and edit forms show besides the
// typed values.
type expenditureFormData struct {
	// Edit is set on the edit form, for E.
	Edit bool
	E    ledger.Expenditure
	// Pledge is the edited expenditure's pledge (it cannot change).
	Pledge ledger.Pledge
	// Pledges are the pledges a new expenditure may go to: the
	// accountant's units' that are not cancelled.
	Pledges    []ledger.Pledge
	Categories []string
	// FilesChosen names the files chosen before the form came back with
	// errors: a browser never keeps them, so they must be chosen again.
	FilesChosen []string
	MaxFiles    int
}

// now is the ledger's clock: the day a date may not pass.
func (p *Pages) now() time.Time { return p.ledger.DB.Now() }

// readExpenditureFields keeps what was typed into each field.
func readExpenditureFields(c *gin.Context, f *form) {
	for _, name := range expenditureFields {
		f.values[name] = c.PostForm(name)
	}
}

// expenditureText is the text of a field as the ledger takes it: Arabic
// letters read as Persian, surrounding space gone.
func expenditureText(f *form, name string) string { return Text(f.Value(name)) }

// optionalText is a text field that may be left empty: nil when it is.
func optionalText(f *form, name string) *string {
	if s := expenditureText(f, name); s != "" {
		return &s
	}
	return nil
}

// amountJSON is an amount as typed, in the canonical text the ledger's
// strict parser reads (AmountText), as a JSON string. An empty field is
// reported here as required; anything else the parser cannot read it
// names.
func amountJSON(f *form, name string) json.RawMessage {
	v := strings.TrimSpace(f.Value(name))
	if v == "" {
		f.fail(name, "required")
	}
	return json.RawMessage(strconv.Quote(AmountText(v)))
}

// jalaliDate reads a Solar Hijri date as typed into the canonical
// "1404/05/10" the ledger reads; nil when the field is empty. A date it
// cannot read is reported beside the field.
func jalaliDate(f *form, name string) *string {
	v := strings.TrimSpace(f.Value(name))
	if v == "" {
		return nil
	}
	d, err := ParseDate(v)
	if err != nil {
		f.fail(name, fieldCode(err, "invalid_jalali_date"))
		return nil
	}
	s := d.Jalali()
	return &s
}

// fieldCode is the code of the first field an error names, or fallback.
func fieldCode(err error, fallback string) string {
	var e *taahod.Error
	if errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Code != "" {
		return e.Fields[0].Code
	}
	return fallback
}

// newExpenditureInput is the submission the form holds. Faults the page
// finds itself (a date it cannot read, an empty amount, a pledge that is
// not a number) are recorded in f; the ledger names the rest.
func newExpenditureInput(f *form) ledger.NewExpenditure {
	in := ledger.NewExpenditure{
		Amount:           amountJSON(f, "amount"),
		SpentOnJalali:    jalaliDate(f, "spent_on_jalali"),
		InvoiceNo:        expenditureText(f, "invoice_no"),
		VendorName:       expenditureText(f, "vendor_name"),
		VendorNationalID: optionalText(f, "vendor_national_id"),
		Category:         f.Value("category"),
		Description:      optionalText(f, "description"),
	}
	if in.VendorNationalID != nil {
		id := taahod.ASCIIDigits(*in.VendorNationalID)
		in.VendorNationalID = &id
	}
	if v := strings.TrimSpace(taahod.ASCIIDigits(f.Value("pledge_id"))); v == "" {
		f.fail("pledge_id", "required")
	} else if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 {
		f.fail("pledge_id", "invalid_choice")
	} else {
		in.PledgeID = id
	}
	return in
}

// expenditurePatch is the edit the form holds: every field of the form is
// sent (a PATCH of all of them), the optional ones cleared when emptied.
func expenditurePatch(f *form) ledger.ExpenditurePatch {
	var patch ledger.ExpenditurePatch
	patch.Amount = taahod.Optional[json.RawMessage]{Set: true, Value: amountJSON(f, "amount")}
	if d := jalaliDate(f, "spent_on_jalali"); d != nil {
		patch.SpentOnJalali = taahod.Optional[string]{Set: true, Value: *d}
	} else if strings.TrimSpace(f.Value("spent_on_jalali")) == "" {
		f.fail("spent_on_jalali", "required")
	}
	patch.InvoiceNo = taahod.Optional[string]{Set: true, Value: expenditureText(f, "invoice_no")}
	patch.VendorName = taahod.Optional[string]{Set: true, Value: expenditureText(f, "vendor_name")}
	patch.Category = taahod.Optional[string]{Set: true, Value: f.Value("category")}
	patch.VendorNationalID = optionalPatch(optionalText(f, "vendor_national_id"))
	if patch.VendorNationalID.Set && !patch.VendorNationalID.Null {
		patch.VendorNationalID.Value = taahod.ASCIIDigits(patch.VendorNationalID.Value)
	}
	patch.Description = optionalPatch(optionalText(f, "description"))
	return patch
}

// optionalPatch sets a field that may be cleared: null when s is nil.
func optionalPatch(s *string) taahod.Optional[string] {
	if s == nil {
		return taahod.Optional[string]{Set: true, Null: true}
	}
	return taahod.Optional[string]{Set: true, Value: *s}
}

// takeExpenditureError records the ledger's err against the form's fields
// and returns the page's alert and status. The ledger names the date
// spent_on whichever way it came; the form's field is spent_on_jalali.
func takeExpenditureError(f *form, err error) (string, int) {
	alert := f.take(err)
	if m, ok := f.errors["spent_on"]; ok {
		if _, has := f.errors["spent_on_jalali"]; !has {
			f.errors["spent_on_jalali"] = m
		}
		delete(f.errors, "spent_on")
	}
	return alert, formStatus(err)
}

// formStatus is the status a form with err comes back with: 409 for a
// state conflict, 422 for the rest (bad fields, a refused file, a pledge
// not found among the accountant's).
func formStatus(err error) int {
	if taahod.ErrorCode(err) == taahod.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// formFault reports whether err is one a form answers beside its fields
// (bad input, a conflict, a refused file, something not found); the others
// (the database down, an internal error) get the error page.
func formFault(err error) bool {
	switch taahod.ErrorCode(err) {
	case taahod.EINVALID, taahod.ECONFLICT, taahod.ENOTFOUND, taahod.EUNSUPPORTEDMEDIA, taahod.ETOOLARGE, taahod.EFORBIDDEN:
		return true
	}
	return false
}

// maxUploadBody bounds the body of a form that sends files: four files of
// the largest size, and the form around them. More is refused before
// anything is read.
const maxUploadBody = 4*ledger.MaxDocumentSize + 1<<20

// limitUpload refuses, with the Persian 413 page, a body over
// maxUploadBody, and stops reading one that grows past it.
func (p *Pages) limitUpload(c *gin.Context) {
	if c.Request.ContentLength > maxUploadBody {
		p.failure(c, http.StatusRequestEntityTooLarge, Message("upload_too_large"))
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUploadBody)
	c.Next()
}

// readDocuments reads the files of the field "documents": each checked by
// the ledger's own rules (ledger.NewDocument.Validate) so that every file
// refused is named beside the field, and none is kept while one is. It
// returns the files and the names of all that were chosen; an empty file
// input (no file chosen) is no file.
func readDocuments(c *gin.Context, f *form) ([]ledger.NewDocument, []string) {
	mf, err := c.MultipartForm()
	if err != nil || mf == nil {
		return nil, nil
	}
	var (
		docs     []ledger.NewDocument
		names    []string
		problems []string
	)
	refuse := func(name, code string) {
		// The name is isolated (FSI … PDI, <bdi> in plain text), so that
		// a Latin name keeps its place in the Persian sentence.
		problems = append(problems, "«\u2068"+name+"\u2069»: "+Message(code))
	}
	for _, fh := range mf.File["documents"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		names = append(names, fh.Filename)
		if fh.Size > ledger.MaxDocumentSize {
			refuse(fh.Filename, "file_too_large")
			continue
		}
		file, err := fh.Open()
		if err != nil {
			refuse(fh.Filename, "malformed")
			continue
		}
		content, err := io.ReadAll(io.LimitReader(file, ledger.MaxDocumentSize+1))
		file.Close()
		if err != nil {
			refuse(fh.Filename, "malformed")
			continue
		}
		doc := ledger.NewDocument{Name: fh.Filename, Content: content}
		check := doc
		if err := check.Validate(); err != nil {
			code := fieldCode(err, taahod.ErrorCode(err))
			if taahod.ErrorCode(err) == taahod.ETOOLARGE {
				code = "file_too_large"
			}
			refuse(fh.Filename, code)
			continue
		}
		docs = append(docs, doc)
	}
	if len(names) > ledger.MaxSubmissionDocuments {
		problems = append([]string{Message("too_many_files")}, problems...)
	}
	if len(problems) > 0 {
		f.errors["documents"] = strings.Join(problems, " ")
	}
	return docs, names
}
