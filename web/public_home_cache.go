package web

import (
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/taahod/taahod/registry"
)

// renderedHomes keeps the public home as last rendered for each year, with
// the digest of the figures it showed. The signed-out page is a function of
// those figures, the year asked for and the current year; when a later
// request reads the same figures — every visitor between two changes of the
// registry — the rendered bytes are sent again instead of running the
// templates anew. The figures are still read from the database on every
// request, so the page is never older than the records, and a change of any
// count renders it again.
type renderedHomes struct {
	mu     sync.Mutex
	byYear map[int]renderedHome // at most one per fiscal year
}

type renderedHome struct {
	key  [32]byte
	html []byte
}

// homeKey is the digest of what the public home of year shows.
func homeKey(two registry.TwoYears, year, current int) ([32]byte, error) {
	b, err := json.Marshal(two)
	if err != nil {
		return [32]byte{}, err
	}
	b = strconv.AppendInt(append(b, '|'), int64(year), 10)
	b = strconv.AppendInt(append(b, '|'), int64(current), 10)
	return sha256.Sum256(b), nil
}

// get returns the page rendered for year with key, if it is the last one.
func (h *renderedHomes) get(year int, key [32]byte) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.byYear[year]
	return r.html, ok && r.key == key
}

// put keeps html as the page of year with key.
func (h *renderedHomes) put(year int, key [32]byte, html []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byYear == nil {
		h.byYear = map[int]renderedHome{}
	}
	h.byYear[year] = renderedHome{key: key, html: html}
}
