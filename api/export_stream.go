package api

import (
	"errors"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
)

// A list read from its store (exportList.stream) is written by two
// goroutines: the request's reads the rows from the database and makes
// their cells, another writes them to the file. Reading (the driver's
// decoding, the scan) and writing (excelize's XML, CSV quoting) take about
// as long as each other on 100,000 rows, so that on two cores the file is
// ready in about the time of the longer, not of both. The rows go across
// in batches, and only a few batches exist at a time, reused: the list is
// never held whole, whatever its length.

const (
	// exportBatchRows is the rows of a batch.
	exportBatchRows = 256
	// exportBatches is how many batches exist at most: one being filled,
	// one being written, the rest waiting.
	exportBatches = 4
)

// errExportStopped ends the reading of a list whose writer failed; the
// writer's error is the one answered.
var errExportStopped = errors.New("export: the writer stopped")

// exportBatch is a batch of rows, each of one cell per column.
type exportBatch struct {
	rows [][]any
	n    int
}

// streamRows writes the rows of a list read from its store (list.stream)
// to w and returns how many there were. The query asks for one row more
// than a file holds, so that a longer list is the 422 of tooManyRows, not a
// file cut short.
func (s *Server) streamRows(c *gin.Context, list exportList, cols []exportColumn, today taahod.Date, w export.Writer) (int, error) {
	// A file is the whole list: limit and cursor are the pages', and the
	// export ignores them (queryLimit; each stream sets its own bound).
	c.Set(exportPageKey, true)
	free := make(chan *exportBatch, exportBatches)
	for range exportBatches {
		b := &exportBatch{rows: make([][]any, exportBatchRows)}
		for i := range b.rows {
			b.rows[i] = make([]any, len(cols))
		}
		free <- b
	}
	full := make(chan *exportBatch, exportBatches)
	// stop is closed by the writer when it fails, so that the reader stops
	// filling batches no one will write.
	stop := make(chan struct{})
	var writeErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for b := range full {
			if writeErr == nil {
				for _, row := range b.rows[:b.n] {
					if writeErr = w.Write(row); writeErr != nil {
						close(stop)
						break
					}
				}
			}
			b.n = 0
			free <- b
		}
	})
	rows := 0
	var b *exportBatch
	send := func() error {
		select {
		case full <- b:
			b = nil
			return nil
		case <-stop:
			return errExportStopped
		}
	}
	err := list.stream(s, c, exportMaxRows+1, func(item any) error {
		if rows == exportMaxRows {
			return tooManyRows()
		}
		if b == nil {
			select {
			case b = <-free:
			case <-stop:
				return errExportStopped
			}
		}
		row := b.rows[b.n]
		for i, col := range cols {
			row[i] = col.get(item, today)
		}
		b.n++
		rows++
		if b.n == exportBatchRows {
			return send()
		}
		return nil
	})
	if err == nil && b != nil && b.n > 0 {
		err = send()
	}
	close(full)
	wg.Wait()
	if writeErr != nil {
		return rows, writeErr
	}
	return rows, err
}
