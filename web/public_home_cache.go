package web

import (
	"sync"

	"github.com/taahod/taahod/registry"
)

// renderedHomes keeps the public home as last rendered for each year, with
// the figures it showed. The signed-out page is a function of
// those figures, the year asked for and the current year; when a later
// request reads the same figures — every visitor between two changes of the
// registry — the rendered bytes are sent again instead of running the
// templates anew. The figures are still asked of the registry on every
// request (which reads the records' version, and counts again when it has
// moved: registry.Store.TwoYears), so the page is never older than the
// records, and a change of any count renders it again.
type renderedHomes struct {
	mu     sync.Mutex
	byYear map[int]renderedHome // at most one per fiscal year
}

type renderedHome struct {
	two     registry.TwoYears
	current int
	html    []byte
}

// get returns the page rendered for year when it showed the figures two
// with current as the current year.
func (h *renderedHomes) get(year int, two registry.TwoYears, current int) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.byYear[year]
	return r.html, ok && r.current == current && r.two.Equal(two)
}

// put keeps html as the page of year showing two.
func (h *renderedHomes) put(year int, two registry.TwoYears, current int, html []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byYear == nil {
		h.byYear = map[int]renderedHome{}
	}
	h.byYear[year] = renderedHome{two: two, current: current, html: html}
}
