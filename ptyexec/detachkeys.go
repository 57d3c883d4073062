package ptyexec

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys is docker's default detach sequence.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ParseDetachKeys turns docker's --detach-keys syntax into the byte sequence
// the terminal sends, by docker's rules (moby/term's ToBytes): a
// comma-separated list where each item is a single character ("x"), "DEL",
// or "ctrl-" followed by a lower-case letter or one of @ [ \ ] ^ _.
// "ctrl-p,ctrl-q" is 0x10 0x11; "ctrl-A" and "CTRL-a" are errors, as in
// docker.
func ParseDetachKeys(s string) ([]byte, error) {
	var keys []byte
	for _, item := range strings.Split(s, ",") {
		code, ok := detachKey(item)
		if !ok {
			return nil, fmt.Errorf("%w (%s): unknown character: '%s'", ErrInvalidDetachKeys, s, item)
		}
		keys = append(keys, code)
	}
	return keys, nil
}

// detachKey is the byte one item of a detach key list stands for.
func detachKey(item string) (byte, bool) {
	if len(item) == 1 {
		return item[0], true
	}
	if item == "DEL" {
		return 127, true
	}
	c, ok := strings.CutPrefix(item, "ctrl-")
	if !ok || len(c) != 1 {
		return 0, false
	}
	switch b := c[0]; {
	case b >= 'a' && b <= 'z':
		return b - 'a' + 1, true
	case b == '@', b >= '[' && b <= '_':
		return b & 0x1f, true // @ [ \ ] ^ _ are 0 and 27-31
	}
	return 0, false
}

// detachReader passes bytes through from r until the detach sequence keys
// is read, then returns ErrDetached. Bytes that start the sequence are held
// back until the sequence completes (they are swallowed) or breaks (they are
// delivered), so a partial match spread over several reads is still seen.
type detachReader struct {
	r       io.Reader
	keys    []byte
	pending []byte // a proper prefix of keys, held back
	out     []byte // filtered bytes not yet returned
	buf     []byte
	err     error // sticky: ErrDetached or the error of r
}

// NewDetachReader is r with the detach sequence keys (ParseDetachKeys)
// taken out: its reads end with ErrDetached once the sequence is typed.
// It is for a client that reads the user's keys itself (the TUI's
// attach) and must see the detach keys whatever the container's stdin.
func NewDetachReader(r io.Reader, keys []byte) io.Reader { return newDetachReader(r, keys) }

func newDetachReader(r io.Reader, keys []byte) *detachReader {
	return &detachReader{r: r, keys: keys, buf: make([]byte, 32*1024)}
}

func (d *detachReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 && d.err == nil {
		n, err := d.r.Read(d.buf)
		d.filter(d.buf[:n])
		if err != nil && d.err == nil {
			// The stream ended: a held-back partial match is user input.
			d.out = append(d.out, d.pending...)
			d.pending = nil
			d.err = err
		}
	}
	if len(d.out) > 0 {
		n := copy(p, d.out)
		d.out = d.out[n:]
		return n, nil
	}
	return 0, d.err
}

// filter moves the bytes of b to d.out, holding back a possible start of
// the detach sequence in d.pending. Once the sequence is complete, the
// rest of b is dropped and d.err becomes ErrDetached.
func (d *detachReader) filter(b []byte) {
	if len(d.keys) == 0 {
		d.out = append(d.out, b...)
		return
	}
	for _, c := range b {
		if d.err != nil {
			return
		}
		d.pending = append(d.pending, c)
		for len(d.pending) > 0 && !bytes.HasPrefix(d.keys, d.pending) {
			d.out = append(d.out, d.pending[0])
			d.pending = d.pending[1:]
		}
		if len(d.pending) == len(d.keys) {
			d.pending = nil
			d.err = ErrDetached
		}
	}
}
