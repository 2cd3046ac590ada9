package registry

import "strconv"

// sqlArgs collects the parameters of a statement built from filters: each
// value is bound, never written into the text.
type sqlArgs []any

// add binds v and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}
