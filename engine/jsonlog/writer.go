package jsonlog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"berth/internal/diskspace"
)

// Writer appends entries to a json-file log and rotates it. It is shared by
// the StreamWriters of one container; each batch of entries is written
// whole under its lock, so stdout and stderr lines never mix. When its
// filesystem is full it drops output instead (see space.go).
type Writer struct {
	path string
	opts Options
	disk disk

	mu      sync.Mutex
	f       *os.File
	size    int64
	streams []*StreamWriter
	closed  bool
	space   spaceWatch
}

// disk is what the Writer asks of the filesystem beyond plain file
// operations, and its clock; tests replace them to fail on cue.
type disk struct {
	write func(f *os.File, b []byte) (int, error)
	free  func(dir string) (int64, error) // bytes free, as diskspace.Free
	now   func() time.Time
}

var realDisk = disk{write: (*os.File).Write, free: diskspace.Free, now: time.Now}

// New opens (creating it with mode 0640, or appending to it) the log at
// path, whose directory must exist.
func New(path string, opts Options) (*Writer, error) {
	return newWriter(path, opts, realDisk)
}

func newWriter(path string, opts Options, d disk) (*Writer, error) {
	if opts.MaxFile < 1 {
		opts.MaxFile = 1
	}
	w := &Writer{path: path, opts: opts, disk: d}
	w.space.sinceCheck = checkEvery // check before the first write
	f, size, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	w.f, w.size = f, size
	return w, nil
}

func openAppend(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, 0, fmt.Errorf("open log %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("stat log %s: %w", path, err)
	}
	return f, st.Size(), nil
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
// a stream ends, and the note of output dropped for want of space, then
// closes the file. Data is not fsynced.
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
	if err := w.space.closeNote(w); err != nil && first == nil {
		first = err
	}
	if err := w.f.Close(); err != nil && first == nil {
		first = fmt.Errorf("close log %s: %w", w.path, err)
	}
	return first
}

// writeBatch writes encoded entries; ends holds the end offset of each
// entry in b so rotation happens between entries, never inside one. When
// the disk has no room the batch is dropped and counted (in payload: the
// bytes of output it holds), and the call succeeds: the container's output
// must keep flowing.
func (w *Writer) writeBatch(b []byte, ends []int, payload int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if !w.space.room(w) {
		w.space.count(payload, len(ends))
		return nil
	}
	err := w.writeEntries(b, ends)
	if diskspace.NoSpace(err) {
		w.space.stop(w, noSpaceReason)
		w.space.count(payload, len(ends))
		return nil
	}
	return err
}

// writeEntries writes b, rotating between entries as max-size says.
func (w *Writer) writeEntries(b []byte, ends []int) error {
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

// write appends b to the live file. A write cut short (a full disk) is cut
// off the file again, so that no half entry breaks its readers.
func (w *Writer) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := w.disk.write(w.f, b)
	if err != nil && n > 0 && w.f.Truncate(w.size) == nil {
		n = 0
	}
	w.size += int64(n)
	w.space.sinceCheck += int64(n)
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
	f, size, err := openAppend(w.path)
	if err != nil {
		// Keep writing the old file (a full disk may have no room for
		// a new one): it gets its name back.
		if rerr := os.Rename(rotatedName(w.path, 1), w.path); rerr != nil {
			return errors.Join(fmt.Errorf("rotate log: %w", err), fmt.Errorf("rotate log: rename back: %w", rerr))
		}
		return fmt.Errorf("rotate log: %w", err)
	}
	if err := w.f.Close(); err != nil {
		_ = f.Close() // the new file, empty and given up
		return fmt.Errorf("rotate log: close %s: %w", w.path, err)
	}
	w.f, w.size = f, size
	return nil
}

// Remove deletes the log at path and its rotated files.
func Remove(path string) error {
	rotated, err := filepath.Glob(filepath.Clean(path) + ".[0-9]*")
	if err != nil {
		return fmt.Errorf("remove log %s: %w", path, err)
	}
	for _, p := range append(rotated, path) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove log: %w", err)
		}
	}
	return nil
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
// of that call. One time a read of the container's pipe is conmon's choice
// for its k8s-file log too; docker's copier takes the time again for each
// line, but the lines of one read arrived together, and a time taken and
// formatted for each (83 ns) would add four fifths to the cost of writing
// an 80-byte line (106 ns, BenchmarkWrite).
type StreamWriter struct {
	w    *Writer
	tail []byte

	mu      sync.Mutex
	pending []byte // start of a line not yet terminated, < maxLine bytes
	batch   []byte
	ends    []int
	payload int64  // bytes of output in batch
	ts      []byte // time of this Write
	lineTS  []byte // time of the first piece of a line cut into pieces
	// end is what follows the text of a whole line stamped ts: its
	// escaped newline, the stream, the time and the closing brace.
	end []byte
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
	s.batch, s.ends, s.payload = s.batch[:0], s.ends[:0], 0
	s.ts = appendTime(s.ts[:0], time.Now())
	s.end = append(append(append(append(s.end[:0], `\n`...), s.tail...), s.ts...), `"}`+"\n"...)
}

// add encodes one entry. As in docker, every piece of a line that was cut
// carries the time of its first piece.
func (s *StreamWriter) add(piece []byte, newline bool) {
	if newline && len(s.lineTS) == 0 {
		// A whole line, as most: appendEntry with the end made once
		// per Write.
		s.batch = append(s.batch, lineHead...)
		s.batch = append(appendEscaped(s.batch, piece), s.end...)
		s.ends = append(s.ends, len(s.batch))
		s.payload += int64(len(piece)) + 1
		return
	}
	ts := s.ts
	if len(s.lineTS) > 0 {
		ts = s.lineTS
	} else if !newline {
		s.lineTS = append(s.lineTS[:0], s.ts...)
	}
	s.batch = appendEntry(s.batch, piece, newline, s.tail, ts)
	s.ends = append(s.ends, len(s.batch))
	s.payload += int64(len(piece))
	if newline {
		s.payload++
	}
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
	err := s.w.writeBatch(s.batch, s.ends, s.payload)
	if cap(s.batch) > 4<<20 {
		s.batch = nil
	}
	return err
}
