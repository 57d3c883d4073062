package jsonlog

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// plainString8 and plainASCII8 say of eight bytes what plainInString and
// plainASCII say of each: every byte value at every position, and random
// words.
func TestWordRulesMatchTables(t *testing.T) {
	for _, rule := range []struct {
		name string
		word func(uint64) bool
		ok   func(byte) bool
	}{
		{"plainString8", plainString8, func(b byte) bool { return plainInString[b] }},
		{"plainASCII8", plainASCII8, func(b byte) bool { return b < utf8.RuneSelf && plainASCII[b] }},
	} {
		want := func(w []byte) bool {
			for _, b := range w {
				if !rule.ok(b) {
					return false
				}
			}
			return true
		}
		for pos := range 8 {
			for v := range 256 {
				for _, fill := range []byte{'a', 0x7f, 0x20, 0xff, 0x80, '#', '=', '?'} {
					w := []byte{fill, fill, fill, fill, fill, fill, fill, fill}
					w[pos] = byte(v)
					if got := rule.word(binary.LittleEndian.Uint64(w)); got != want(w) {
						t.Fatalf("%s(%q) = %v", rule.name, w, got)
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
			if got := rule.word(binary.LittleEndian.Uint64(w)); got != want(w) {
				t.Fatalf("%s(%q) = %v", rule.name, w, got)
			}
		}
	}
}

// noControl finds a control byte at any position of slices of any length
// (shorter than a word, a word, overlapping words), and only those.
func TestNoControl(t *testing.T) {
	for size := range 20 {
		for pos := range size {
			for v := range 256 {
				b := bytes.Repeat([]byte{'a'}, size)
				b[pos] = byte(v)
				if got, want := noControl(b), v >= 0x20; got != want {
					t.Fatalf("noControl(%q) = %v", b, got)
				}
			}
		}
	}
}
