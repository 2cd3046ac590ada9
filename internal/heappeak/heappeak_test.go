package heappeak

import (
	"testing"
	"time"
)

// TestAboveSeesWhatIsHeld: 64 MB held while fn runs shows as a rise of
// about that much (what else the process held at the start may have been
// freed meanwhile, so a little less); a function that allocates nothing
// shows far less.
func TestAboveSeesWhatIsHeld(t *testing.T) {
	const size = 64 << 20
	var held []byte
	peak := Above(func() {
		held = make([]byte, size)
		for i := range held {
			held[i] = byte(i)
		}
		time.Sleep(20 * time.Millisecond) // a few samples while it is held
	})
	if peak < size*7/8 {
		t.Errorf("holding %d bytes rose the heap by %d", size, peak)
	}
	held = nil
	if quiet := Above(func() { time.Sleep(20 * time.Millisecond) }); quiet > size/8 {
		t.Errorf("allocating nothing rose the heap by %d", quiet)
	}
	_ = held
}
