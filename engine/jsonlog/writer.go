package jsonlog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Writer appends entries to a json-file log and rotates it. It is shared by
// the StreamWriters of one container; each batch of entries is written
// whole under its lock, so stdout and stderr lines never mix.
type Writer struct {
	path string
	opts Options

	mu      sync.Mutex
	f       *os.File
	size    int64
	streams []*StreamWriter
	closed  bool
}

// New opens (creating it with mode 0640, or appending to it) the log at
// path, whose directory must exist.
func New(path string, opts Options) (*Writer, error) {
	if opts.MaxFile < 1 {
		opts.MaxFile = 1
	}
	w := &Writer{path: path, opts: opts}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open log %s: %w", w.path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("stat log %s: %w", w.path, err)
	}
	w.f, w.size = f, st.Size()
	return nil
}

// Stream returns a writer for one stream ("stdout" or "stderr"). Each
// StreamWriter is meant for one goroutine (the copier of that stream);
// different streams may write concurrently.
func (w *Writer) Stream(name string) *StreamWriter {
	s := &StreamWriter{w: w, tail: streamTail(name)}
	w.mu.Lock()
	w.streams = append(w.streams, s)
	w.mu.Unlock()
	return s
}

// Close writes every stream's unterminated last line, as docker does when
// a stream ends, then closes the file. Data is not fsynced.
func (w *Writer) Close() error {
	w.mu.Lock()
	streams := w.streams
	w.mu.Unlock()
	var first error
	for _, s := range streams {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return first
	}
	w.closed = true
	if err := w.f.Close(); err != nil && first == nil {
		first = fmt.Errorf("close log %s: %w", w.path, err)
	}
	return first
}

// writeBatch writes encoded entries; ends holds the end offset of each
// entry in b so rotation happens between entries, never inside one.
func (w *Writer) writeBatch(b []byte, ends []int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	max := w.opts.MaxSize
	if max <= 0 || w.size+int64(len(b)) <= max {
		return w.write(b)
	}
	chunk, prev := 0, 0
	for _, end := range ends {
		pending := int64(prev - chunk)
		if w.size+pending+int64(end-prev) > max && w.size+pending > 0 {
			if err := w.write(b[chunk:prev]); err != nil {
				return err
			}
			if err := w.rotate(); err != nil {
				return err
			}
			chunk = prev
		}
		prev = end
	}
	return w.write(b[chunk:])
}

func (w *Writer) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := w.f.Write(b)
	w.size += int64(n)
	if err != nil {
		return fmt.Errorf("write log %s: %w", w.path, err)
	}
	return nil
}

// rotate shifts path.N-2 … path.1 up by one, dropping the oldest, moves
// path to path.1 and starts a new path. With MaxFile 1 it truncates.
func (w *Writer) rotate() error {
	if w.opts.MaxFile < 2 {
		if err := w.f.Truncate(0); err != nil {
			return fmt.Errorf("truncate log %s: %w", w.path, err)
		}
		w.size = 0
		return nil
	}
	last := rotatedName(w.path, w.opts.MaxFile-1)
	if err := os.Remove(last); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("rotate log: remove %s: %w", last, err)
	}
	for i := w.opts.MaxFile - 2; i >= 1; i-- {
		from := rotatedName(w.path, i)
		if err := os.Rename(from, rotatedName(w.path, i+1)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rotate log: rename %s: %w", from, err)
		}
	}
	if err := os.Rename(w.path, rotatedName(w.path, 1)); err != nil {
		return fmt.Errorf("rotate log: rename %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("rotate log: close %s: %w", w.path, err)
	}
	return w.open()
}

// rotatedName is path for i == 0, else path.i.
func rotatedName(path string, i int) string {
	if i == 0 {
		return path
	}
	return filepath.Clean(path) + "." + strconv.Itoa(i)
}

// StreamWriter is the io.WriteCloser for one stream of a container. It cuts
// what it is given into lines the way docker's log copier does and writes
// the entries of one Write call with one write(2), all stamped with the time
// of that call.
type StreamWriter struct {
	w    *Writer
	tail []byte

	mu      sync.Mutex
	pending []byte // start of a line not yet terminated, < maxLine bytes
	batch   []byte
	ends    []int
	ts      []byte // time of this Write
	lineTS  []byte // time of the first piece of a line cut into pieces
}

// Write logs p. Complete lines are written at once; an unterminated end is
// kept until its newline arrives, it reaches 16 KiB, or Close.
func (s *StreamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begin()
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.addUnterminated(rest)
			break
		}
		s.addLine(rest[:i])
		rest = rest[i+1:]
	}
	if err := s.flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes the unterminated last line, if any, without a newline, as
// docker does when a stream ends. The Writer stays open.
func (s *StreamWriter) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	s.begin()
	s.add(s.pending, false)
	s.pending, s.lineTS = s.pending[:0], s.lineTS[:0]
	return s.flush()
}

func (s *StreamWriter) begin() {
	s.batch, s.ends = s.batch[:0], s.ends[:0]
	s.ts = appendTime(s.ts[:0], time.Now())
}

// add encodes one entry. As in docker, every piece of a line that was cut
// carries the time of its first piece.
func (s *StreamWriter) add(piece []byte, newline bool) {
	ts := s.ts
	if len(s.lineTS) > 0 {
		ts = s.lineTS
	} else if !newline {
		s.lineTS = append(s.lineTS[:0], s.ts...)
	}
	s.batch = appendEntry(s.batch, piece, newline, s.tail, ts)
	s.ends = append(s.ends, len(s.batch))
	if newline {
		s.lineTS = s.lineTS[:0]
	}
}

// addUnterminated adds text with no newline: every full 16 KiB becomes a
// partial entry, the remainder waits in pending.
func (s *StreamWriter) addUnterminated(p []byte) {
	for len(s.pending)+len(p) >= maxLine {
		k := maxLine - len(s.pending)
		if len(s.pending) == 0 {
			s.add(p[:k], false)
		} else {
			s.pending = append(s.pending, p[:k]...)
			s.add(s.pending, false)
			s.pending = s.pending[:0]
		}
		p = p[k:]
	}
	s.pending = append(s.pending, p...)
}

// addLine adds the text of a line whose newline has arrived.
func (s *StreamWriter) addLine(p []byte) {
	if len(s.pending) == 0 && len(p) < maxLine {
		s.add(p, true)
		return
	}
	s.addUnterminated(p)
	s.add(s.pending, true)
	s.pending = s.pending[:0]
}

func (s *StreamWriter) flush() error {
	if len(s.batch) == 0 {
		return nil
	}
	err := s.w.writeBatch(s.batch, s.ends)
	if cap(s.batch) > 4<<20 {
		s.batch = nil
	}
	return err
}
