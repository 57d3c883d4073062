package ptyexec

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DefaultDetachKeys is docker's default detach sequence.
const DefaultDetachKeys = "ctrl-p,ctrl-q"

// ctrlSymbols are the non-letter keys docker accepts after "ctrl-".
var ctrlSymbols = map[byte]byte{'@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, '_': 31}

// ParseDetachKeys turns docker's --detach-keys syntax into the byte sequence
// the terminal sends: a comma-separated list where each item is a single
// character ("x") or "ctrl-" followed by a letter or one of @ [ \ ] ^ _.
// "ctrl-p,ctrl-q" is 0x10 0x11.
func ParseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("parse detach keys %q: %w: empty", s, ErrInvalidDetachKeys)
	}
	var keys []byte
	for _, item := range strings.Split(s, ",") {
		switch {
		case len(item) == 1:
			keys = append(keys, item[0])
		case len(item) == 6 && strings.EqualFold(item[:5], "ctrl-"):
			c := item[5]
			switch {
			case c >= 'a' && c <= 'z':
				keys = append(keys, c-'a'+1)
			case c >= 'A' && c <= 'Z':
				keys = append(keys, c-'A'+1)
			default:
				code, ok := ctrlSymbols[c]
				if !ok {
					return nil, fmt.Errorf("parse detach keys %q: %w: unknown key %q", s, ErrInvalidDetachKeys, item)
				}
				keys = append(keys, code)
			}
		default:
			return nil, fmt.Errorf("parse detach keys %q: %w: unknown key %q", s, ErrInvalidDetachKeys, item)
		}
	}
	return keys, nil
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
