package runewidth

import (
	"testing"
	"unicode/utf8"
	"unsafe"
)

// A change made for berth: the strict-width table covers the BMP only,
// and every rune still measures as the interval search says.

func TestStrictWidthLUTCoversTheBMPOnly(t *testing.T) {
	if size := unsafe.Sizeof(strictWidthLUT); size > 2*0x10000 {
		t.Errorf("strictWidthLUT is %d bytes, want at most %d", size, 2*0x10000)
	}
}

func TestRuneWidthAsWithoutTable(t *testing.T) {
	for _, ea := range []bool{false, true} {
		c := &Condition{EastAsianWidth: ea, StrictEmojiNeutral: true}
		for r := rune(-1); r <= utf8.MaxRune+1; r++ {
			want := 0
			if r >= 0 && r <= utf8.MaxRune {
				want = runeWidthNoLUT(r, ea, true)
			}
			if got := c.RuneWidth(r); got != want {
				t.Fatalf("RuneWidth(%U) with EastAsianWidth %v = %d, want %d", r, ea, got, want)
			}
		}
	}
}
