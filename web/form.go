package web

import (
	"errors"

	"github.com/taahod/taahod"
)

// form is a form as the person typed it and what is wrong with each field,
// so that a page with errors comes back with the input kept and each error
// beside its field. Password fields are never kept.
type form struct {
	values map[string]string
	errors map[string]string
}

func newForm() *form { return &form{values: map[string]string{}, errors: map[string]string{}} }

// Value is what was typed into the field name.
func (f *form) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.values[name]
}

// Error is the Persian sentence of what is wrong with the field name, or "".
func (f *form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.errors[name]
}

// fail records a problem code against a field.
func (f *form) fail(field, code string) {
	if _, ok := f.errors[field]; !ok {
		f.errors[field] = Message(code)
	}
}

// failed reports whether any field is at fault.
func (f *form) failed() bool { return len(f.errors) > 0 }

// take records the domain's err against the fields it names and returns
// the sentence for the page's alert: the field errors sit beside their
// fields, and the alert says what the problem as a whole is.
func (f *form) take(err error) string {
	var e *taahod.Error
	if errors.As(err, &e) {
		for _, fe := range e.Fields {
			f.fail(fe.Field, fe.Code)
		}
	}
	return ErrorMessage(err)
}

// formField is one field of a form, for the templates that write a field's
// error and attributes (the view's "field-attrs", "field-end") or the whole
// field with its label (the policy page's "policy-rate").
type formField struct {
	Form  *form
	Name  string
	Label string
}

// fieldOf pairs a form with one of its fields' names and, optionally, its
// label: {{template "x" (fieldOf .Form "rate" "نرخ")}}.
func fieldOf(f *form, name string, label ...string) formField {
	ff := formField{Form: f, Name: name}
	if len(label) > 0 {
		ff.Label = label[0]
	}
	return ff
}

// formFaults is the error of a form some of whose fields could not be
// read: the domain's own check (validate, given today) of what could be,
// so that every other fault is named at the same time, or a plain
// EINVALID when that check finds nothing more. Nothing is written.
func (p *Pages) formFaults(validate func(today taahod.Date) error) error {
	if err := validate(taahod.Today(p.now())); err != nil {
		return err
	}
	return taahod.Errorf(taahod.EINVALID, "the form has faults")
}
