package taahod

import (
	"bytes"
	"encoding/json"
)

// Optional is a field of a partial update (PATCH): absent leaves the value as
// it is, null clears it, anything else sets it.
type Optional[T any] struct {
	Set   bool // the field was in the body
	Null  bool // it was null
	Value T
}

// UnmarshalJSON records that the field was present and reads its value.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
