package api

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

// TestImportBounds: what a CSV import can make the server hold or answer
// is bounded whatever the file: a header of 300,000 empty columns is one
// problem, a file of very many bad lines lists its first 100 problems with
// their total, every answer is at most 1 MB, and the server's heap grows
// by less than 100 MB while it imports the largest file the route takes
// (importBodyLimit) in its worst shapes.
func TestImportBounds(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	const path = "/api/v1/resolutions/import"
	const answerLimit = 1 << 20
	const heapLimit = 100 << 20

	// post writes a file with write, straight to disk (the client's copy
	// is not the server's memory), sends it and returns the answer and how
	// far the heap grew above idle while the server read it.
	post := func(t *testing.T, write func(w *countingWriter)) (response, uint64) {
		t.Helper()
		name := filepath.Join(t.TempDir(), "import.csv")
		fh, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriter(fh)
		w := &countingWriter{w: bw}
		write(w)
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if w.n > importBodyLimit {
			t.Fatalf("the file has %d bytes, over the limit", w.n)
		}
		var r response
		grew := heapGrowth(func() { r = e.postFile(path, sec, name) })
		t.Logf("%d bytes: %d, answer %d bytes, heap +%d MB", w.n, r.status, len(r.body), grew>>20)
		if len(r.body) > answerLimit {
			t.Errorf("the answer has %d bytes, more than 1 MB", len(r.body))
		}
		if grew > heapLimit {
			t.Errorf("the heap grew by %d MB", grew>>20)
		}
		return r, grew
	}

	t.Run("300,000 empty header columns", func(t *testing.T) {
		r, _ := post(t, func(f *countingWriter) {
			f.WriteString("text,category,agencies")
			f.WriteString(strings.Repeat(",", 299_997))
			f.WriteString("\n")
			f.WriteString(strings.Repeat("x,", 299_999))
			f.WriteString("x\n")
		})
		// Its header is 300 KB: longer than a line may be.
		if r.status != 422 || len(r.fieldErrors()) != 1 || r.fieldErrors()["line 1"] != "line_too_long" {
			t.Errorf("%d %.500s", r.status, r.body)
		}
		short := "text,category,agencies" + strings.Repeat(",", 62) + "\nx,tax,y\n"
		if r := e.postCSV(t, path, sec, short, 422); len(r.fieldErrors()) != 1 || r.fieldErrors()["line 1"] != "too_many_columns" {
			t.Errorf("65 columns: %s", r.body)
		}
		wideRow := "text,category,agencies\nx,tax,y" + strings.Repeat(",", 62) + "\n"
		if r := e.postCSV(t, path, sec, wideRow, 422); len(r.fieldErrors()) != 1 || r.fieldErrors()["line 2"] != "too_many_columns" {
			t.Errorf("a row of 65 cells: %s", r.body)
		}
	})

	// Rows of 64 cells, 61 of them under no column: every row is 61
	// problems, and the file is as large as the route takes.
	t.Run("very many bad lines", func(t *testing.T) {
		r, _ := post(t, func(f *countingWriter) {
			f.WriteString("text,category,agencies" + strings.Repeat(",", 61) + "\n")
			row := "x,tax,y" + strings.Repeat(","+strings.Repeat("z", 12), 61) + "\n"
			for f.n+len(row) <= importBodyLimit {
				f.WriteString(row)
			}
		})
		m := r.json()
		errs, _ := m["errors"].([]any)
		total, _ := m["errors_total"].(interface{ Int64() (int64, error) })
		if r.status != 422 || len(errs) != taahod.MaxFieldErrors || total == nil {
			t.Fatalf("%d, %d errors, total %v", r.status, len(errs), m["errors_total"])
		}
		if n, _ := total.Int64(); n <= int64(taahod.MaxFieldErrors) {
			t.Errorf("errors_total %d", n)
		}
	})

	// 20,000 rows of the widest kind the parser keeps, each with a long
	// text and every other cell bad: all rows reach the registry's checks.
	t.Run("the most rows, every one bad", func(t *testing.T) {
		r, _ := post(t, func(f *countingWriter) {
			f.WriteString("session_id,session_date,session_kind,unit_national_id,text,category,agencies,deadline,adopted_on,confidential,status,status_on,status_note\n")
			for i := 0; i < 20_000; i++ {
				fmt.Fprintf(f, "0,1404/13/01,kind,123,%s,cat,,1404/14/01,1404/15/01,maybe,state,1404/16/01,%s\n",
					strings.Repeat("متن", 40), strings.Repeat("ن", 200))
			}
		})
		m := r.json()
		errs, _ := m["errors"].([]any)
		if r.status != 422 || len(errs) != taahod.MaxFieldErrors || m["errors_total"] == nil {
			t.Fatalf("%d, %d errors, total %v", r.status, len(errs), m["errors_total"])
		}
	})

	t.Run("a line or a cell too long", func(t *testing.T) {
		long := "text,category,agencies\n" + strings.Repeat("ن", 40_000) + ",tax,y\n"
		if r := e.postCSV(t, path, sec, long, 422); r.fieldErrors()["line 2"] != "line_too_long" {
			t.Errorf("%s", r.body)
		}
		cell := "text,category,agencies\n\"" + strings.Repeat("ن\n", 20_000) + "\",tax,y\n"
		if r := e.postCSV(t, path, sec, cell, 422); r.fieldErrors()["line 2: text"] != "too_long" {
			t.Errorf("%s", r.body)
		}
		nul := "text,category,agencies\nx\x00,tax,y\n"
		if r := e.postCSV(t, path, sec, nul, 422); r.fieldErrors()["line 2: text"] != "invalid_text" {
			t.Errorf("%s", r.body)
		}
	})
	if strings.Contains(e.logBuf.String(), `"status":500`) {
		t.Error("a request failed with 500")
	}
}

// heapGrowth runs f and returns how far the heap in use (HeapAlloc) rose
// above what it was before, sampled every millisecond while f ran.
func heapGrowth(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	peak.Store(base)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// postFile sends the file at name as a CSV body.
func (e *env) postFile(path, token, name string) response {
	e.t.Helper()
	f, err := os.Open(name)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	req, err := http.NewRequest("POST", e.http.URL+path, f)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{t: e.t, status: res.StatusCode, header: res.Header, body: raw}
	checkOpenAPI(e.t, "POST", path, r)
	return r
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

func (c *countingWriter) WriteString(s string) { _, _ = c.Write([]byte(s)) }
