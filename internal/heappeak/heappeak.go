// Package heappeak measures how far the heap rises while a function runs,
// for the benchmarks whose goals bound memory above idle.
package heappeak

import (
	"runtime"
	"sync"
	"time"
)

// Above runs fn and returns the largest rise of the heap in use above its
// level after a collection just before fn, sampled every millisecond while
// fn runs.
func Above(fn func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	idle := m.HeapInuse
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > idle && m.HeapInuse-idle > peak {
					peak = m.HeapInuse - idle
				}
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak
}
