package jsonlog

import (
	"bytes"
	"fmt"
	"io"
	"time"
)

// seekChunk is how much seekSince reads at each probe.
const seekChunk = 4 << 10

// seekSince returns where in lf, up to end, reading forward for entries
// at or after since may start: the start of a line, with every entry
// before it older than since. It bisects on entry times, a few small
// reads however big the file, so --since is as quick on a gigabyte as on
// a kilobyte. Like tail's backward walk it takes the log to be in time
// order, as the writer stamps it; an entry it cannot read leaves the
// bisection where it was, and the forward read decides.
func seekSince(lf *logFile, end int64, since time.Time) (int64, error) {
	lo, hi := int64(0), end // lo: a line start with only older entries before it
	buf := make([]byte, seekChunk)
	var d decoder
	for hi-lo > seekChunk {
		mid := lo + (hi-lo)/2
		start, line, err := lineAfter(lf, buf, mid, hi)
		if err != nil {
			return 0, err
		}
		if line == nil {
			hi = mid // no whole line starts in [mid, hi)
			continue
		}
		e, err := decodeEntry(line, &d)
		if err != nil || !e.Time.Before(since) {
			hi = mid
			continue
		}
		lo = start
	}
	return lo, nil
}

// lineAfter finds the first line that starts after off (past the newline
// at or after off) and ends before end, and returns its start and text
// (without the newline); a nil line when there is none. It reads buf's
// length at a time and allocates only for a line longer than buf.
func lineAfter(lf *logFile, buf []byte, off, end int64) (int64, []byte, error) {
	start := int64(-1)
	var line []byte
	for pos := off; pos < end; {
		n, err := lf.f.ReadAt(buf[:min(int64(len(buf)), end-pos)], pos)
		if err != nil && err != io.EOF {
			return 0, nil, fmt.Errorf("read log %s: %w", lf.f.Name(), err)
		}
		if n == 0 {
			return 0, nil, nil
		}
		chunk := buf[:n]
		if start < 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				pos += int64(n)
				continue
			}
			start, chunk = pos+int64(i)+1, chunk[i+1:]
		}
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			if line == nil {
				return start, chunk[:i], nil
			}
			return start, append(line, chunk[:i]...), nil
		}
		line = append(line, chunk...)
		pos += int64(n)
	}
	return 0, nil, nil
}
