package ptyexec

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// detachKeySpec writes keys back in --detach-keys syntax.
func detachKeySpec(keys []byte) string {
	items := make([]string, len(keys))
	for i, k := range keys {
		switch {
		case k == 0:
			items[i] = "ctrl-@"
		case k >= 1 && k <= 26:
			items[i] = "ctrl-" + string(rune('a'+k-1))
		case k >= 27 && k <= 31:
			items[i] = "ctrl-" + string(rune('@'+k))
		case k == 127:
			items[i] = "DEL"
		default:
			items[i] = string([]byte{k})
		}
	}
	return strings.Join(items, ",")
}

// FuzzParseDetachKeys checks that accepted key lists have one key per
// item and read the same when written back; rejected ones say why with
// ErrInvalidDetachKeys.
func FuzzParseDetachKeys(f *testing.F) {
	for _, s := range []string{"ctrl-p,ctrl-q", "ctrl-x,x", "a,b,c", "ctrl-@", `ctrl-\`, "ctrl-_", "DEL", ",", "", "ctrl-A,a", "CTRL-a", "ctrl-", "alt-x", "ctrl-ab", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		keys, err := ParseDetachKeys(spec)
		if err != nil {
			if !errors.Is(err, ErrInvalidDetachKeys) {
				t.Fatalf("ParseDetachKeys(%q) = %v, want ErrInvalidDetachKeys", spec, err)
			}
			return
		}
		if len(keys) != strings.Count(spec, ",")+1 {
			t.Fatalf("ParseDetachKeys(%q) = %v: not one key per item", spec, keys)
		}
		for _, item := range strings.Split(spec, ",") {
			if len(item) > 1 && !strings.HasPrefix(item, "ctrl-") && item != "DEL" {
				t.Fatalf("ParseDetachKeys(%q) accepted %q", spec, item)
			}
			if c, ok := strings.CutPrefix(item, "ctrl-"); ok && c >= "A" && c <= "Z" {
				t.Fatalf("ParseDetachKeys(%q) accepted the upper-case %q", spec, item)
			}
		}
		back, err := ParseDetachKeys(detachKeySpec(keys))
		if err != nil || !bytes.Equal(back, keys) {
			t.Fatalf("ParseDetachKeys(%q) = %v, written back as %q it reads %v, %v", spec, keys, detachKeySpec(keys), back, err)
		}
	})
}

// FuzzDetachReader checks the detach filter against its definition: the
// output is the input up to the first complete key sequence, and
// ErrDetached follows exactly when the sequence was typed, however the
// input is split into reads.
func FuzzDetachReader(f *testing.F) {
	f.Add([]byte{16, 17}, []byte("ls\n\x10\x11after"), uint8(1))
	f.Add([]byte{16, 17}, []byte("\x10x\x10\x10\x11"), uint8(2))
	f.Add([]byte{24, 'x'}, []byte("\x18\x18\x18x"), uint8(0))
	f.Add([]byte{'a', 'a', 'b'}, []byte("aaaab"), uint8(3))
	f.Add([]byte{}, []byte("anything"), uint8(5))
	f.Add([]byte{16}, []byte("x\x10"), uint8(7))
	f.Fuzz(func(t *testing.T, keys, input []byte, split uint8) {
		chunk := int(split%8) + 1
		var chunks [][]byte
		for rest := input; len(rest) > 0; {
			n := min(chunk, len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		d := newDetachReader(&chunkReader{chunks: chunks}, keys)
		var got []byte
		buf := make([]byte, int(split%5)+1)
		var err error
		for {
			var n int
			n, err = d.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		want, wantErr := input, io.EOF
		if i := bytes.Index(input, keys); len(keys) > 0 && i >= 0 {
			want, wantErr = input[:i], ErrDetached
		}
		if !bytes.Equal(got, want) || !errors.Is(err, wantErr) {
			t.Fatalf("keys %q input %q in reads of %d: got %q, %v; want %q, %v", keys, input, chunk, got, err, want, wantErr)
		}
	})
}
