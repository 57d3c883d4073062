package jsonlog

import "bytes"

// emitJoined is emit for a Joined read: it takes the lines of the common
// shape that data starts with, one stream's and all selected, packs their
// texts together in place at the start of data, and delivers them as one
// entry with the first line's time and position. A line that ends the
// run (another stream, another shape, a time out of range) waits for the
// next call; when it is the first, emit takes it alone. So a read of a
// big log makes a call of fn per read chunk, not per line.
func (r *reader) emitJoined(data []byte, lf *logFile, off int64) (int, error) {
	var (
		c      common
		first  Entry
		taken  int // bytes of data taken
		packed int // bytes of text packed at data[0:]
	)
	for {
		body, ok := bytes.CutPrefix(data[taken:], []byte(lineHead))
		if !ok {
			break
		}
		n := -1
		if packed > 0 {
			n = textBefore(body, r.end)
		}
		if n >= 0 {
			taken += len(lineHead) + n + len(r.end)
		} else {
			if !commonShape(&c, body, &r.tc, true) {
				break
			}
			if packed == 0 {
				first = Entry{Stream: c.stream, Time: c.t}
				if r.pastUntil(&first) || !r.wanted(&first) {
					break
				}
			} else if c.stream != first.Stream || !r.inRange(&c) {
				break
			}
			n = c.n
			r.end = append(r.end[:0], body[n:c.end+1]...)
			taken += len(lineHead) + c.end + 1
		}
		packed += copy(data[packed:], body[:n])
		data[packed] = '\n'
		packed++
		r.lines++
	}
	if packed == 0 {
		return r.emit(data, lf, off)
	}
	first.Line = data[:packed:packed]
	first.Pos = Position{File: lf.ino, Offset: off, At: first.Time.UnixNano()}
	return taken, r.fn(first)
}

// textBefore returns the length of the text of a common line, body being
// what follows its `{"log":"`, when the line ends in end (its escaped
// newline, stream, time and brace, and the newline after it) as the line
// before did; else -1. Lines read at once by the writer all end alike:
// one comparison stands for commonShape's checks of the stream and time.
func textBefore(body, end []byte) int {
	n := bytes.IndexByte(body[:min(len(body), maxLine+1)], '\\')
	if n < 0 || !bytes.HasPrefix(body[n:], end) || bytes.IndexByte(body[:n], '"') >= 0 || !noControl(body[:n]) {
		return -1
	}
	return n
}

// inRange reports whether a common line's time is within Since and Until.
func (r *reader) inRange(c *common) bool {
	return (r.opts.Since.IsZero() || !c.t.Before(r.opts.Since)) &&
		(r.opts.Until.IsZero() || !c.t.After(r.opts.Until))
}

// emitter is how the read hands out what it decodes: emitJoined for a
// Joined Transient read, else emit.
func (r *reader) emitter() func([]byte, *logFile, int64) (int, error) {
	if r.opts.Joined && r.opts.Transient {
		return r.emitJoined
	}
	return r.emit
}
