// Package ratelimit slows down the clients of the endpoints anyone may
// call: a token bucket per client address, in memory, of bounded size.
package ratelimit

import (
	"sync"
	"time"
)

// DefaultPerMinute is the public endpoints' rate per client address unless
// configured (TAAHOD_PUBLIC_RATE): generous for a person, a school's shared
// address or a tax office checking certificates, not for a script walking
// serials.
const DefaultPerMinute = 60

// DefaultMaxAddresses bounds how many addresses a Limiter tracks.
const DefaultMaxAddresses = 10_000

// Limiter lets each client address make up to perMinute requests a minute,
// in bursts of up to perMinute. It is safe for concurrent use. Each server
// process keeps its own: behind a load balancer of n servers an address may
// make up to n times as many.
type Limiter struct {
	perMinute    int
	maxAddresses int
	// now is the clock, which tests set.
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]bucket
}

// bucket is an address's tokens as of at.
type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a Limiter of perMinute requests a minute per address;
// perMinute < 1 takes DefaultPerMinute.
func New(perMinute int) *Limiter {
	if perMinute < 1 {
		perMinute = DefaultPerMinute
	}
	return &Limiter{perMinute: perMinute, maxAddresses: DefaultMaxAddresses, now: time.Now, buckets: map[string]bucket{}}
}

// PerMinute is the limiter's rate per address.
func (l *Limiter) PerMinute() int { return l.perMinute }

// Allow takes a token for address and reports whether there was one; when
// there was not, wait is how long until there is.
func (l *Limiter) Allow(address string) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, found := l.buckets[address]
	if !found {
		if len(l.buckets) >= l.maxAddresses {
			l.evict(now)
		}
		b = bucket{tokens: float64(l.perMinute), at: now}
	} else {
		b.tokens = l.refilled(b, now)
		b.at = now
	}
	if b.tokens < 1 {
		l.buckets[address] = b
		perSecond := float64(l.perMinute) / 60
		return false, time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
	}
	b.tokens--
	l.buckets[address] = b
	return true, 0
}

// refilled is b's tokens at now.
func (l *Limiter) refilled(b bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at).Seconds()
	if elapsed < 0 {
		elapsed = 0
	}
	return min(float64(l.perMinute), b.tokens+elapsed*float64(l.perMinute)/60)
}

// evict makes room: first the buckets that are full again, which are as
// good as forgotten; then, if that was not enough, a quarter of the rest,
// taken at random (Go's map order), which start full when they come back.
func (l *Limiter) evict(now time.Time) {
	for a, b := range l.buckets {
		if l.refilled(b, now) >= float64(l.perMinute) {
			delete(l.buckets, a)
		}
	}
	for a := range l.buckets {
		if len(l.buckets) < l.maxAddresses*3/4 {
			break
		}
		delete(l.buckets, a)
	}
}

// tracked is how many addresses the limiter holds.
func (l *Limiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
