package registry

import (
	"context"
	"fmt"
	"sync"
)

// figuresVersionQuery reads the number that moves whenever a record the
// figures count from moves (migration 0024). Figures computed in a snapshot
// that saw version N are the figures of every snapshot that sees N.
const figuresVersionQuery = `SELECT version FROM registry_figures_version`

// figuresVersionColumn is figuresVersionQuery as a column of the figures'
// statements, so that the figures and the version they were counted at
// come from one snapshot.
const figuresVersionColumn = `(` + figuresVersionQuery + `)`

// figuresCache keeps the figures a Store computed with the version of the
// records they were counted at. The public home and GET /public/registry
// are read far more often than the registry changes (a few hundred records
// a year, against every visitor who scans a certificate's QR code), so a
// request that finds the version unmoved answers with the figures already
// counted: one read of one row instead of counting two years again
// (BenchmarkPublicHome). Every request still reads the version, so a
// change made through any server, or behind the service's back through
// SQL, shows on the next request; a server keeps no figures it has not
// counted itself.
//
// Entries are kept for the latest version seen only, one per year asked
// (years are bounded by the calendar, YearBounds), and are shared by every
// caller: Figures and TwoYears are values their callers only read.
type figuresCache struct {
	mu       sync.Mutex
	version  int64
	years    map[int]Figures
	twoYears map[int]TwoYears
}

// figures is year's figures if they were counted at version.
func (c *figuresCache) figures(version int64, year int) (Figures, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.years[year]
	return f, ok && c.version == version
}

// twoYearsAt is TwoYears(year) if it was counted at version.
func (c *figuresCache) twoYearsAt(version int64, year int) (TwoYears, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.twoYears[year]
	return t, ok && c.version == version
}

// at readies the cache for entries counted at version, which every entry
// kept must share. Versions are compared for equality only (they are drawn
// at random, migration 0024): a slower request that counted in a snapshot
// from before a change sets the cache back to that older version, and the
// next request, which reads the newer one, counts again.
func (c *figuresCache) at(version int64) {
	if version != c.version || c.years == nil {
		c.version = version
		c.years, c.twoYears = map[int]Figures{}, map[int]TwoYears{}
	}
}

// putFigures keeps f, counted at version.
func (c *figuresCache) putFigures(version int64, f Figures) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(version)
	c.years[f.Year] = f
}

// putTwoYears keeps t, counted at version.
func (c *figuresCache) putTwoYears(version int64, t TwoYears) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(version)
	c.twoYears[t.Figures.Year] = t
}

// figuresVersion reads the records' version now (figuresVersionQuery).
func (s *Store) figuresVersion(ctx context.Context) (int64, error) {
	st, err := s.prepared(ctx, figuresVersionQuery)
	if err != nil {
		return 0, fmt.Errorf("read the figures' version: %w", err)
	}
	var v int64
	if err := st.QueryRowxContext(ctx).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the figures' version: %w", err)
	}
	return v, nil
}
