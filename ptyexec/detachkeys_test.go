package ptyexec

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestParseDetachKeysMessage(t *testing.T) {
	_, err := ParseDetachKeys("ctrl-A,a")
	// docker: invalid detach keys (ctrl-A,a): unknown character: 'ctrl-A'
	if want := "invalid detach keys (ctrl-A,a): unknown character: 'ctrl-A'"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestParseDetachKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
		err  bool
	}{
		{in: "ctrl-p,ctrl-q", want: []byte{16, 17}},
		{in: "ctrl-x,x", want: []byte{24, 'x'}},
		{in: "a,b,c", want: []byte("abc")},
		{in: "ctrl-z", want: []byte{26}},
		{in: "DEL", want: []byte{127}},
		{in: "ctrl-p,DEL,q", want: []byte{16, 127, 'q'}},
		{in: ",,", err: true},
		{in: "CTRL-A", err: true},
		{in: "ctrl-A,a", err: true},
		{in: "ctrl-Z", err: true},
		{in: "Ctrl-a", err: true},
		{in: "del", err: true},
		{in: "ctrl-{", err: true},
		{in: "ctrl-`", err: true},
		{in: "ctrl-@", want: []byte{0}},
		{in: "ctrl-[", want: []byte{27}},
		{in: `ctrl-\`, want: []byte{28}},
		{in: "ctrl-]", want: []byte{29}},
		{in: "ctrl-^", want: []byte{30}},
		{in: "ctrl-_", want: []byte{31}},
		{in: ",", err: true},
		{in: "", err: true},
		{in: "ctrl-", err: true},
		{in: "ctrl-1", err: true},
		{in: "ctrl-ab", err: true},
		{in: "alt-x", err: true},
		{in: "ctrl-p,,ctrl-q", err: true},
		{in: "xx", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDetachKeys(tt.in)
			if tt.err {
				if !errors.Is(err, ErrInvalidDetachKeys) {
					t.Fatalf("got %v, %v; want ErrInvalidDetachKeys", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// chunkReader returns its chunks one Read at a time, then EOF.
type chunkReader struct{ chunks [][]byte }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	if len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func TestDetachReader(t *testing.T) {
	const p, q, x = "\x10", "\x11", "\x18"
	tests := []struct {
		name     string
		keys     string
		chunks   []string
		want     string
		detached bool
	}{
		{"no keys", "ctrl-p,ctrl-q", []string{"hello"}, "hello", false},
		{"detach in one read", "ctrl-p,ctrl-q", []string{"ls" + p + q + "after"}, "ls", true},
		{"detach across reads", "ctrl-p,ctrl-q", []string{"ls" + p, q + "after"}, "ls", true},
		{"each byte a read", "ctrl-p,ctrl-q", []string{"a", p, q}, "a", true},
		{"partial then other key", "ctrl-p,ctrl-q", []string{p, "a"}, p + "a", false},
		{"partial across reads then other", "ctrl-p,ctrl-q", []string{"x" + p, "y"}, "x" + p + "y", false},
		{"partial at EOF delivered", "ctrl-p,ctrl-q", []string{"ab" + p}, "ab" + p, false},
		{"repeated first key", "ctrl-p,ctrl-q", []string{p, p, q}, p, true},
		{"three keys overlap", "ctrl-x,ctrl-x,x", []string{x + x, x + "x"}, x, true},
		{"letter keys", "ctrl-x,x", []string{"ab" + x, "xcd"}, "ab", true},
		{"letter keys broken", "ctrl-x,x", []string{x + "y"}, x + "y", false},
		{"single key", "ctrl-a", []string{"ab\x01"}, "ab", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseDetachKeys(tt.keys)
			if err != nil {
				t.Fatal(err)
			}
			var chunks [][]byte
			for _, c := range tt.chunks {
				chunks = append(chunks, []byte(c))
			}
			// OneByteReader on top also splits every output read.
			r := iotest.OneByteReader(newDetachReader(&chunkReader{chunks}, keys))
			got, err := io.ReadAll(r)
			if tt.detached != errors.Is(err, ErrDetached) || (!tt.detached && err != nil) {
				t.Fatalf("err %v, want detached=%v", err, tt.detached)
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
