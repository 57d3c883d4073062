package jsonlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
)

// backChunk is how much a backward scan reads at a time.
const backChunk = 64 << 10

// backScanner returns the lines of a file from a boundary towards its
// start, reading only the chunks it needs: tail touches the end of a big
// log, never all of it.
type backScanner struct {
	lf   *logFile
	off  int64  // file offset of data[0]
	data []byte // unread bytes, ending just after a newline (or empty)
}

// newBackScanner starts at end, backed up to just after the last newline
// before it so a line still being written is left out. It returns that
// boundary: where reading forward resumes.
func newBackScanner(lf *logFile, end int64) (*backScanner, int64, error) {
	b := &backScanner{lf: lf, off: end}
	for b.off > 0 {
		if err := b.fill(); err != nil {
			return nil, 0, err
		}
		if i := bytes.LastIndexByte(b.data, '\n'); i >= 0 {
			b.data = b.data[:i+1]
			return b, b.off + int64(len(b.data)), nil
		}
	}
	b.data = nil
	return b, 0, nil
}

// fill prepends the chunk before off to data.
func (b *backScanner) fill() error {
	n := min(int64(backChunk), b.off)
	buf := make([]byte, int(n)+len(b.data))
	if _, err := b.lf.f.ReadAt(buf[:n], b.off-n); err != nil {
		return fmt.Errorf("read log %s: %w", b.lf.f.Name(), err)
	}
	copy(buf[n:], b.data)
	b.data, b.off = buf, b.off-n
	return nil
}

// prev returns the line before the current position (without its
// newline) and its offset; ok is false at the start of the file.
func (b *backScanner) prev() (line []byte, off int64, ok bool, err error) {
	for {
		if len(b.data) == 0 {
			return nil, 0, false, nil
		}
		if i := bytes.LastIndexByte(b.data[:len(b.data)-1], '\n'); i >= 0 {
			line, off = b.data[i+1:len(b.data)-1], b.off+int64(i+1)
			b.data = b.data[:i+1]
			return line, off, true, nil
		}
		if b.off == 0 {
			line = b.data[:len(b.data)-1]
			b.data = b.data[:0]
			return line, 0, true, nil
		}
		if err := b.fill(); err != nil {
			return nil, 0, false, err
		}
	}
}

// collectBackward walks files (newest first; the first starting at start,
// the others at their end) and gathers up to n entries accepted by keep,
// stopping early when stop says an entry is older than wanted. The result
// is in log order, oldest first.
func collectBackward(files []*logFile, start int64, n int, keep, stop func(Entry) bool) ([]Entry, error) {
	var out []Entry
	var tc decoder
	for i, lf := range files {
		end := start
		if i > 0 {
			var err error
			if end, err = lf.size(); err != nil {
				return nil, err
			}
		}
		bs, _, err := newBackScanner(lf, end)
		if err != nil {
			return nil, err
		}
		for len(out) < n {
			line, off, ok, err := bs.prev()
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			e, err := decodeEntry(line, &tc)
			if err != nil {
				continue
			}
			e.Pos = Position{File: lf.ino, Offset: off, At: e.Time.UnixNano()}
			if stop != nil && stop(e) {
				slices.Reverse(out)
				return out, nil
			}
			if keep == nil || keep(e) {
				out = append(out, e)
			}
		}
		if len(out) >= n {
			break
		}
	}
	slices.Reverse(out)
	return out, nil
}

// ReadBackward returns up to n entries that come before pos, oldest first,
// crossing into rotated files. The zero Position means the end of the log.
// To page further back, pass the Pos of the first entry returned; an empty
// result means the start of the log was reached. If the file pos points into
// has been rotated away, the error wraps ErrPositionGone.
func ReadBackward(path string, pos Position, n int) ([]Entry, error) {
	if n <= 0 {
		return nil, nil
	}
	cur, older, err := openChain(path)
	if err != nil {
		return nil, err
	}
	defer closeAll(cur, older)
	var files []*logFile
	if cur != nil {
		files = append(files, cur)
	}
	files = append(files, older...)
	if len(files) == 0 {
		return nil, nil
	}
	start := pos.Offset
	if pos.File == 0 {
		if start, err = files[0].size(); err != nil {
			return nil, err
		}
	} else {
		i := slices.IndexFunc(files, func(lf *logFile) bool { return lf.ino == pos.File })
		if i < 0 || !holds(files[i], pos) {
			return nil, fmt.Errorf("read log %s before %d:%d: %w", path, pos.File, pos.Offset, ErrPositionGone)
		}
		files = files[i:]
	}
	return collectBackward(files, start, n, nil, nil)
}

// holds reports whether the entry at pos.Offset in lf has pos's time: the
// inode may belong to a newer file than the one pos was taken from.
func holds(lf *logFile, pos Position) bool {
	size, err := lf.size()
	if err != nil || pos.Offset < 0 || pos.Offset >= size {
		return false
	}
	fw := &forward{lf: lf, off: pos.Offset}
	found := false
	stop := errors.New("first line read")
	err = fw.drain(context.Background(), func(data []byte, _ *logFile, _ int64) (int, error) {
		var e Entry
		n, err := decodeNext(&e, data, nil)
		found = n > 0 && err == nil && e.Time.UnixNano() == pos.At
		if n == 0 {
			return 0, nil
		}
		return n, stop
	})
	return found && errors.Is(err, stop)
}
