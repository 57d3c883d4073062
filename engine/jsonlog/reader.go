package jsonlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// TailAll as ReadOptions.Tail reads the whole log.
const TailAll = -1

// Entry is one line of the log.
type Entry struct {
	Stream string    // "stdout" or "stderr"
	Time   time.Time // when the shim read the line
	Line   []byte    // the text, ending in '\n' unless the line was partial
	Pos    Position  // where the entry starts, for ReadBackward
}

// Partial reports whether the entry is a piece of a line: a 16 KiB cut of
// a longer line, or an unterminated last line.
func (e Entry) Partial() bool { return !bytes.HasSuffix(e.Line, []byte{'\n'}) }

// Position identifies an entry in a log that rotates: the inode of the file
// that holds it, its byte offset there, and its time, which tells the file
// from a newer one that reused the inode after rotation deleted it. The
// zero Position is the end of the log.
type Position struct {
	File   uint64
	Offset int64
	At     int64 // the entry's time, Unix nanoseconds
}

// ReadOptions selects what Read delivers. The zero value reads nothing (a
// tail of 0, as docker's --tail 0): set Tail to TailAll for everything.
type ReadOptions struct {
	// Tail is how many of the last matching entries to read; TailAll (any
	// negative number) for all of them. Tail counts entries after the
	// stream, Since and Until selection.
	Tail int
	// Since and Until bound entry times (inclusive); zero means unbounded.
	// Entries past Until end the read, also when following.
	Since, Until time.Time
	// Follow keeps reading as the log grows, across rotations, until the
	// context is cancelled or Done is closed.
	Follow bool
	// Stdout and Stderr select streams; when both are false, both are read.
	Stdout, Stderr bool
	// Done, when closed, tells a follower the writer has finished (the
	// container exited): it reads what is left and returns.
	Done <-chan struct{}
	// Transient says fn is done with an Entry's Line when it returns (it
	// writes it out at once, as `berth logs` does): the read then decodes
	// every line into the same memory instead of new blocks.
	Transient bool
	// Joined, with Transient, lets the read hand fn several consecutive
	// lines of one stream as one entry: its Line holds their texts one
	// after the other, its Time and Pos are the first line's. It is for
	// a caller that prints the lines without their times (`berth logs`
	// without -t): a call per read chunk instead of one per line.
	Joined bool
}

// Read delivers the entries of the log at path selected by opts to fn, in
// order, across rotated files (path.N … path.1, path). An error from fn
// stops the read and is returned. A log that does not exist yet reads as
// empty (and is waited for when following). Following returns nil when ctx
// is cancelled or opts.Done is closed; a read that is not following returns
// ctx.Err() if cancelled before the end. Unparsable lines are skipped.
func Read(ctx context.Context, path string, opts ReadOptions, fn func(Entry) error) error {
	return read(ctx, path, opts, defaultPacing(), fn)
}

// read is Read with a follower's pacing.
func read(ctx context.Context, path string, opts ReadOptions, pace pacing, fn func(Entry) error) error {
	r := &reader{path: path, opts: opts, fn: fn, pace: pace}
	if !opts.Stdout && !opts.Stderr {
		r.opts.Stdout, r.opts.Stderr = true, true
	}
	cur, older, err := openChain(path)
	if err != nil {
		return err
	}
	defer func() { closeAll(r.cur.lf, older) }()
	r.cur = &forward{lf: cur}
	if opts.Tail >= 0 {
		err = r.tail(cur, older)
	} else {
		err = r.all(ctx, older)
	}
	if err == nil && opts.Follow {
		err = r.follow(ctx)
	}
	if errors.Is(err, errUntil) {
		return nil
	}
	return err
}

type reader struct {
	path  string
	opts  ReadOptions
	fn    func(Entry) error
	cur   *forward // the live file, read forward
	tc    decoder
	pace  pacing
	lines int    // lines read so far: a follower rests after a read that found some
	end   []byte // a Joined read's last line, from its text's escaped newline on
}

func (r *reader) wanted(e *Entry) bool {
	switch e.Stream {
	case "stdout":
		if !r.opts.Stdout {
			return false
		}
	case "stderr":
		if !r.opts.Stderr {
			return false
		}
	}
	return r.opts.Since.IsZero() || !e.Time.Before(r.opts.Since)
}

func (r *reader) pastUntil(e *Entry) bool {
	return !r.opts.Until.IsZero() && e.Time.After(r.opts.Until)
}

// emit delivers the line data starts with, data being the rest of a
// read chunk, and returns its length with its newline, or 0 when data
// holds no whole line.
func (r *reader) emit(data []byte, lf *logFile, off int64) (int, error) {
	if r.opts.Transient {
		r.tc.block, r.tc.inPlace = r.tc.block[:0], true
	}
	var e Entry
	n, err := decodeNext(&e, data, &r.tc)
	if n == 0 {
		return 0, nil
	}
	r.lines++
	if err != nil {
		return n, nil
	}
	if r.pastUntil(&e) {
		return n, errUntil
	}
	if !r.wanted(&e) {
		return n, nil
	}
	e.Pos = Position{File: lf.ino, Offset: off, At: e.Time.UnixNano()}
	return n, r.fn(e)
}

// tail reads backwards for the last Tail entries, then leaves the live
// file positioned where that read began.
func (r *reader) tail(cur *logFile, older []*logFile) error {
	var files []*logFile
	var start int64
	if cur != nil {
		size, err := cur.size()
		if err != nil {
			return err
		}
		_, start, err = newBackScanner(cur, size)
		if err != nil {
			return err
		}
		r.cur.off = start
		files = append(files, cur)
	}
	files = append(files, older...)
	if r.opts.Tail == 0 || len(files) == 0 {
		return nil
	}
	keep := func(e Entry) bool { return r.wanted(&e) && !r.pastUntil(&e) }
	var stop func(Entry) bool
	if !r.opts.Since.IsZero() {
		stop = func(e Entry) bool { return e.Time.Before(r.opts.Since) }
	}
	entries, err := collectBackward(files, start, r.opts.Tail, keep, stop)
	if err != nil {
		return err
	}
	r.lines += len(entries)
	for _, e := range entries {
		if err := r.fn(e); err != nil {
			return err
		}
	}
	return nil
}

// all reads every rotated file oldest first, skipping files that end
// before Since and the older part of the others, then the live file up to
// its end.
func (r *reader) all(ctx context.Context, older []*logFile) error {
	for i := len(older) - 1; i >= 0; i-- {
		lf := older[i]
		if !r.opts.Since.IsZero() {
			last, err := collectBackward([]*logFile{lf}, sizeOrZero(lf), 1, nil, nil)
			if err == nil && len(last) == 1 && last[0].Time.Before(r.opts.Since) {
				continue
			}
		}
		fw := &forward{lf: lf}
		if err := r.skipOlder(fw); err != nil {
			return err
		}
		if err := fw.drain(ctx, r.emitter()); err != nil {
			return err
		}
	}
	if r.cur.lf == nil {
		return nil
	}
	if err := r.skipOlder(r.cur); err != nil {
		return err
	}
	return r.cur.drain(ctx, r.emitter())
}

// skipOlder moves fw, at the start of its file, past the entries older
// than Since (seekSince), so that --since never reads a whole log.
func (r *reader) skipOlder(fw *forward) error {
	if r.opts.Since.IsZero() {
		return nil
	}
	size, err := fw.lf.size()
	if err != nil {
		return err
	}
	fw.off, err = seekSince(fw.lf, size, r.opts.Since)
	return err
}

func sizeOrZero(lf *logFile) int64 {
	n, err := lf.size()
	if err != nil {
		return 0
	}
	return n
}

// readChunk is the forward read size.
const readChunk = 256 << 10

// forward reads a file front to back in chunks, handing out complete lines
// and keeping an unterminated end until the rest is written.
type forward struct {
	lf  *logFile
	off int64  // file offset of buf[0]
	buf []byte // bytes read from off that do not end a line yet
}

// drain hands every complete line up to the current end of file to emit,
// which is given the rest of the chunk read from the line's start on and
// returns the line's length with its newline (0: no whole line left).
func (fw *forward) drain(ctx context.Context, emit func([]byte, *logFile, int64) (int, error)) error {
	if fw.lf == nil {
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if cap(fw.buf)-len(fw.buf) < readChunk/2 {
			grown := make([]byte, len(fw.buf), max(readChunk, 2*cap(fw.buf)))
			copy(grown, fw.buf)
			fw.buf = grown
		}
		free := fw.buf[len(fw.buf):cap(fw.buf)]
		n, err := fw.lf.f.ReadAt(free, fw.off+int64(len(fw.buf)))
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read log %s: %w", fw.lf.f.Name(), err)
		}
		data := fw.buf[:len(fw.buf)+n]
		start := 0
		for start < len(data) {
			n, err := emit(data[start:], fw.lf, fw.off+int64(start))
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			start += n
		}
		fw.buf = append(fw.buf[:0], data[start:]...)
		fw.off += int64(start)
		if n < len(free) {
			return nil
		}
	}
}

// restartIfTruncated goes back to the start when the file got shorter than
// what was read.
func (fw *forward) restartIfTruncated() error {
	size, err := fw.lf.size()
	if err != nil {
		return err
	}
	if size < fw.off+int64(len(fw.buf)) {
		fw.off, fw.buf = 0, fw.buf[:0]
	}
	return nil
}
