package export_test

import (
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
	"github.com/taahod/taahod/internal/heappeak"
)

// BenchmarkExport100k writes 100,000 expenditure rows in each format to
// io.Discard and reports, beside the time, the peak heap in use above what
// it was before (sampled every millisecond): the goals are ≤ 3 s
// and ≤ 100 MB for 100,000 rows.
//
//	go test -run '^$' -bench Export100k ./export/
func BenchmarkExport100k(b *testing.B) {
	const n = 100_000
	formats := map[string]func(io.Writer) (export.Writer, error){
		"csv":  func(w io.Writer) (export.Writer, error) { return export.NewCSV(w, expenditures, false) },
		"xlsx": func(w io.Writer) (export.Writer, error) { return export.NewXLSX(w, expenditures) },
	}
	at := time.Date(2025, 11, 26, 6, 30, 0, 0, time.UTC)
	on := taahod.MustParseDate("2025-11-26")
	for name, start := range formats {
		b.Run(name, func(b *testing.B) {
			var peak uint64
			for b.Loop() {
				peak = max(peak, heappeak.Above(func() {
					w, err := start(io.Discard)
					if err != nil {
						b.Fatal(err)
					}
					for i := range n {
						amount := decimal.New(int64(1_000_000+i*37), -2)
						if err := w.Write([]any{int64(i), "INV-1404-000123", "مصالح ساختمانی نور و شرکا", amount, on, at}); err != nil {
							b.Fatal(err)
						}
					}
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
		})
	}
}
