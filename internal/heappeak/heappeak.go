// Package heappeak measures how far the heap rises while a function runs,
// for the benchmarks whose goals bound memory above idle.
package heappeak

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// inUse names the two parts of the heap in use (runtime.MemStats'
// HeapInuse): live and dead objects, and the free space of spans that
// hold objects. They are read through runtime/metrics, which does not stop
// the world as runtime.ReadMemStats does: sampled every millisecond, that
// stop was a quarter of the export benchmark's profile.
var inUse = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapInUse reads the heap in use into samples.
func heapInUse(samples []metrics.Sample) uint64 {
	metrics.Read(samples)
	var n uint64
	for _, s := range samples {
		n += s.Value.Uint64()
	}
	return n
}

// Above runs fn and returns the largest rise of the heap in use above its
// level after a collection just before fn, sampled every millisecond while
// fn runs.
func Above(fn func()) uint64 {
	samples := make([]metrics.Sample, len(inUse))
	for i, name := range inUse {
		samples[i].Name = name
	}
	runtime.GC()
	idle := heapInUse(samples)
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
				if n := heapInUse(samples); n > idle && n-idle > peak {
					peak = n - idle
				}
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return peak
}
