package notify

import (
	"testing"
	"time"
)

func TestSignature(t *testing.T) {
	at := time.Unix(1764151200, 0)
	body := []byte(`{"id":"x","type":"certificate.issued"}`)
	h := Sign("a-secret-of-16-chars", at, body)
	// The documented scheme, computed independently:
	// printf '1764151200.{"id":"x","type":"certificate.issued"}' | openssl dgst -sha256 -hmac a-secret-of-16-chars
	if want := "t=1764151200,v1=a013b3d76ecb08aa55d33b3558123da2cfef88833a1b6252380d20071ab62af5"; h != want {
		t.Fatalf("header %q, want %q", h, want)
	}
	for _, c := range []struct {
		name   string
		secret string
		body   string
		now    time.Time
		ok     bool
	}{
		{"as signed", "a-secret-of-16-chars", string(body), at.Add(time.Minute), true},
		{"other secret", "another-secret-16ch", string(body), at, false},
		{"body changed", "a-secret-of-16-chars", string(body) + " ", at, false},
		{"replayed late", "a-secret-of-16-chars", string(body), at.Add(10 * time.Minute), false},
	} {
		if got := VerifySignature(c.secret, h, []byte(c.body), c.now, 5*time.Minute); got != c.ok {
			t.Errorf("%s: verified %v, want %v", c.name, got, c.ok)
		}
	}
	if VerifySignature("a-secret-of-16-chars", "v1=00", body, at, time.Minute) {
		t.Error("a header without a timestamp verified")
	}
}

func TestBackoff(t *testing.T) {
	var total time.Duration
	prev := time.Duration(0)
	n := 0
	for total < RetryWindow {
		n++
		d := Backoff(n)
		if d < prev || d > time.Hour {
			t.Fatalf("Backoff(%d) = %s after %s", n, d, prev)
		}
		prev, total = d, total+d
	}
	if Backoff(1) != 30*time.Second || n < 20 || n > 40 {
		t.Errorf("first wait %s, %d attempts in a day", Backoff(1), n)
	}
}
