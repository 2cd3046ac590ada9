package ledger

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Store reads and writes the money domain's records. Every method takes the
// acting user: it scopes what is read (an accountant sees only their units'
// pledges and expenditures) and names who made each change in the audit log.
type Store struct {
	DB *database.DB
}

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db} }

// today is the civil date in Tehran by the store's clock.
func (s *Store) today() taahod.Date { return taahod.Today(s.DB.Now()) }

// placeholders builds the WHERE clause of a filtered list: each condition
// names its values through arg, which numbers them; values never enter the
// text.
type placeholders struct {
	where []string
	args  []any
}

func (q *placeholders) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

func (q *placeholders) add(cond string) { q.where = append(q.where, cond) }

func (q *placeholders) clause() string {
	if len(q.where) == 0 {
		return "TRUE"
	}
	return strings.Join(q.where, " AND ")
}

// cleanText trims s and checks it: required or not, valid UTF-8, no control
// characters, at most max characters.
func cleanText(p *taahod.Problems, field string, s *string, required bool, max int) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		p.Add(field, "required", field+" is required")
	case !utf8.ValidString(*s):
		p.Add(field, "invalid_text", field+" is not valid UTF-8")
	case strings.ContainsFunc(*s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		p.Add(field, "invalid_text", field+" has control characters")
	case utf8.RuneCountInString(*s) > max:
		p.Add(field, "too_long", fmt.Sprintf("%s is longer than %d characters", field, max))
	}
}

// cleanOptionalText is cleanText for an optional field; blank becomes nil.
func cleanOptionalText(p *taahod.Problems, field string, s **string, max int) {
	if *s == nil {
		return
	}
	cleanText(p, field, *s, false, max)
	if **s == "" {
		*s = nil
	}
}

// dateInput resolves a date given as ISO "YYYY-MM-DD" (field) or Solar
// Hijri "1404/09/05" (field + "_jalali"). Both may be given if they name the
// same day. required says whether one of them must be. Dates arrive as text
// so that a bad one is reported under its own field name.
func dateInput(p *taahod.Problems, field string, iso, jalali *string, required bool) taahod.Date {
	var fromISO, fromJalali taahod.Date
	var err error
	if iso != nil && *iso != "" {
		if fromISO, err = taahod.ParseDate(*iso); err != nil {
			p.AddErr(field, err)
			return taahod.Date{}
		}
	}
	if jalali != nil && *jalali != "" {
		if fromJalali, err = taahod.ParseJalali(*jalali); err != nil {
			p.AddErr(field+"_jalali", err)
			return taahod.Date{}
		}
	}
	switch {
	case fromISO.IsZero() && fromJalali.IsZero():
		if required {
			p.Add(field, "required", field+" or "+field+"_jalali is required")
		}
		return taahod.Date{}
	case fromJalali.IsZero():
		return fromISO
	case fromISO.IsZero():
		return fromJalali
	case fromISO != fromJalali:
		p.Add(field+"_jalali", "mismatch", field+" and "+field+"_jalali name different days; give one of them")
		return taahod.Date{}
	}
	return fromISO
}
