package reports

import (
	"math/rand/v2"
	"reflect"
	"testing"

	qr "github.com/piglig/go-qr"
)

// TestSegmentsOptimallyASCII: the segments of a compact QR URL are those
// go-qr's MakeSegmentsOptimally makes, for random printable ASCII of every
// mix of digits, capitals and other characters and of every length up to
// beyond version 10, so that the QR code of every certificate stays the
// same.
func TestSegmentsOptimallyASCII(t *testing.T) {
	for c := rune(0x20); c <= 0x7E; c++ {
		if _, err := qr.MakeKanji(string(c)); (err == nil) != (c == '\\') {
			t.Fatalf("go-qr takes %q for kanji: %v; segmentsOptimallyASCII takes only the backslash", c, err == nil)
		}
	}
	alphabets := []string{
		"0123456789",
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:",
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_/.:?=&~",
		"0123456789" + "0123456789" + "ABCDEF" + "/.-:" + "abc?=",
		" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~",
	}
	rng := rand.New(rand.NewPCG(13, 4))
	ours := 0
	contents := []string{"https://taahod.example/c/QZV14040017/8F3KQ2ZR7MBD0XW5", "HTTPS://TAAHOD.EXAMPLE/C/QZV-1404-000017"}
	for range 3000 {
		alphabet := alphabets[rng.IntN(len(alphabets))]
		b := make([]byte, 1+rng.IntN(260))
		// Runs of one class, as URLs have, and mixed stretches.
		for i := 0; i < len(b); {
			sub := alphabet[rng.IntN(len(alphabet)):]
			sub = sub[:1+rng.IntN(len(sub))]
			for n := 1 + rng.IntN(12); n > 0 && i < len(b); n-- {
				b[i] = sub[rng.IntN(len(sub))]
				i++
			}
		}
		contents = append(contents, string(b))
	}
	for _, content := range contents {
		want, wantErr := qr.MakeSegmentsOptimally(content, qr.Quartile, qr.MinVersion, qrMaxVersionCompact)
		got, ok := segmentsOptimallyASCII(content)
		if !ok {
			continue
		}
		ours++
		if wantErr != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: segmented into %d segments, go-qr %d (error %v)", content, len(got), len(want), wantErr)
		}
	}
	if ours < len(contents)/3 {
		t.Errorf("only %d of %d contents segmented here", ours, len(contents))
	}
	for _, content := range []string{"", "https://taahod.example/ü", "a\nb", `a\b`} {
		if _, ok := segmentsOptimallyASCII(content); ok {
			t.Errorf("%q segmented here: only printable ASCII is", content)
		}
	}
}
