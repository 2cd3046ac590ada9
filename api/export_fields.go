package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// The cells of a list read from its store (exportList.stream): each column
// says how its cell comes from the store's item, and what it gives is what
// the JSON list's field holds (null is nil, an empty cell), of the kind the
// export writer takes. An optional field's cell is nil, never a typed nil
// pointer, which the writer would refuse.

// field is a column of a list of items of type T, read by get.
func field[T any](fa, en string, kind export.Kind, get func(*T) any) exportColumn {
	c := col(fa, en, kind)
	c.get = func(item any, _ taahod.Date) any { return get(item.(*T)) }
	return c
}

// taxField is a field only the roles that see units' tax affairs get.
func taxField[T any](fa, en string, kind export.Kind, get func(*T) any) exportColumn {
	c := field(fa, en, kind, get)
	c.tax = true
	return c
}

// textCell is an optional text.
func textCell(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// idCell is an optional id.
func idCell(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// countCell is an optional count.
func countCell(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

// listCell is a list of texts joined by the Persian comma, as the files
// always wrote a JSON list; nil (the JSON's null) is an empty cell.
func listCell(list []string) any {
	if list == nil {
		return nil
	}
	return strings.Join(list, "، ")
}

// flagCell is a yes-or-no as the JSON writes it: true or false.
func flagCell(b bool) any { return strconv.FormatBool(b) }

// amountCell is an optional amount.
func amountCell(d decimal.NullDecimal) any {
	if !d.Valid {
		return nil
	}
	return d.Decimal
}

// dateCell is a day; the zero Date is the JSON's null.
func dateCell(d taahod.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

// instantCell is an optional instant.
func instantCell(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// userCell is the name of an optional user.
func userCell(u *taahod.UserRef) any {
	if u == nil {
		return nil
	}
	return u.FullName
}
