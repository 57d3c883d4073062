package jsonlog

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// plainString8 says of eight bytes what plainInString says of each:
// every byte value at every position, and random words.
func TestPlainString8MatchesTable(t *testing.T) {
	want := func(w []byte) bool {
		for _, b := range w {
			if !plainInString[b] {
				return false
			}
		}
		return true
	}
	for pos := range 8 {
		for v := range 256 {
			for _, fill := range []byte{'a', 0x7f, 0x20, 0xff, 0x80, '#'} {
				w := []byte{fill, fill, fill, fill, fill, fill, fill, fill}
				w[pos] = byte(v)
				if got := plainString8(binary.LittleEndian.Uint64(w)); got != want(w) {
					t.Fatalf("plainString8(%q) = %v", w, got)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	w := make([]byte, 8)
	for range 200000 {
		for i := range w {
			w[i] = byte(r.IntN(256))
			if r.IntN(4) > 0 {
				w[i] = byte(0x20 + r.IntN(0x60)) // mostly printable
			}
		}
		if got := plainString8(binary.LittleEndian.Uint64(w)); got != want(w) {
			t.Fatalf("plainString8(%q) = %v", w, got)
		}
	}
}
