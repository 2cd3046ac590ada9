package taahod

// Changes is what a partial update changed, field by field, in the form the
// audit log keeps: name → {"from": old, "to": new}.
type Changes map[string]any

// Record notes that the field name went from from to to.
func (c Changes) Record(name string, from, to any) {
	c[name] = map[string]any{"from": from, "to": to}
}

// Apply sets *dst to o's value when o is present and differs from it, and
// records the change. It reports whether *dst changed.
func Apply[T comparable](c Changes, name string, o Optional[T], dst *T) bool {
	if !o.Set || o.Value == *dst {
		return false
	}
	c.Record(name, *dst, o.Value)
	*dst = o.Value
	return true
}

// ApplyNullable is Apply for a nullable field: null clears it.
func ApplyNullable[T comparable](c Changes, name string, o Optional[T], dst **T) bool {
	if !o.Set {
		return false
	}
	var next *T
	if !o.Null {
		v := o.Value
		next = &v
	}
	if SamePtr(*dst, next) {
		return false
	}
	c.Record(name, *dst, next)
	*dst = next
	return true
}

// SamePtr reports whether two optional values are equal: both absent, or
// both present with equal values.
func SamePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
