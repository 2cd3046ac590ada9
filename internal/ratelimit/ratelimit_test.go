package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestBucketPerAddress(t *testing.T) {
	clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	l := New(60)
	l.now = func() time.Time { return clock }
	for i := range 60 {
		if ok, _ := l.Allow("192.0.2.1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("192.0.2.1")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("past the burst: ok %v, wait %v", ok, wait)
	}
	if ok, _ := l.Allow("192.0.2.2"); !ok {
		t.Fatal("another address was refused")
	}
	clock = clock.Add(time.Second) // one token back
	if ok, _ := l.Allow("192.0.2.1"); !ok {
		t.Fatal("a second later: refused")
	}
	if ok, _ := l.Allow("192.0.2.1"); ok {
		t.Fatal("a second later: two tokens")
	}
}

func TestTrackedAddressesAreBounded(t *testing.T) {
	clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	l := New(60)
	l.maxAddresses = 100
	l.now = func() time.Time { return clock }
	for i := range 1000 {
		l.Allow(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		if n := l.tracked(); n > 100 {
			t.Fatalf("%d addresses tracked", n)
		}
	}
	// A busy address that was evicted starts full; one still tracked keeps
	// its count.
	for range 60 {
		l.Allow("192.0.2.9")
	}
	if ok, _ := l.Allow("192.0.2.9"); ok {
		t.Fatal("the busy address got a 61st request")
	}
}
