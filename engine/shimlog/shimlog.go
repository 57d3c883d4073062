// Package shimlog is the shim's own log: one small file of timestamped
// lines, each an error the shim could not hand to anyone (its caller is
// gone, or there never was one), rotated once when it reaches its size
// cap so it can never grow past twice that. The file is opened only when
// there is something to write: a shim that meets no error costs nothing.
//
// Last reads the newest line back; `berth inspect` shows it.
package shimlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSize is the size at which the log is rotated.
const DefaultMaxSize = 256 << 10

// maxLine bounds one entry, so one huge error cannot rotate the log alone.
const maxLine = 4 << 10

// Log appends lines to a file at Path and its one rotation, Path+".1".
// The zero MaxSize means DefaultMaxSize. A Log is safe for concurrent use.
type Log struct {
	Path    string
	MaxSize int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex
}

// Printf writes one line: an RFC 3339 UTC time with nanoseconds, a space,
// and the message with its newlines flattened.
func (l *Log) Printf(format string, args ...any) error {
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	if len(msg) > maxLine {
		msg = msg[:maxLine]
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	line := now().UTC().Format(time.RFC3339Nano) + " " + msg + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write([]byte(line))
}

func (l *Log) write(line []byte) error {
	limit := l.MaxSize
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	if st, err := os.Stat(l.Path); err == nil && st.Size()+int64(len(line)) > limit {
		if err := os.Rename(l.Path, l.Path+".1"); err != nil {
			return fmt.Errorf("rotate shim log %s: %w", l.Path, err)
		}
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open shim log: %w", err)
	}
	_, werr := f.Write(line)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("write shim log %s: %w", l.Path, err)
	}
	return nil
}

// Entry is one line of the log.
type Entry struct {
	Time    time.Time `json:"Time"`
	Message string    `json:"Message"`
}

// Last returns the newest entry of the log at path (or of its rotation
// when the log itself is empty); ok is false when there is none.
func Last(path string) (e Entry, ok bool, err error) {
	for _, p := range []string{path, path + ".1"} {
		line, err := lastLine(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Entry{}, false, err
		}
		if line == "" {
			continue
		}
		ts, msg, _ := strings.Cut(line, " ")
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return Entry{Message: line}, true, nil
		}
		return Entry{Time: t, Message: msg}, true, nil
	}
	return Entry{}, false, nil
}

// lastLine reads the last complete line of a file from its tail.
func lastLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }() // read only
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read shim log: %w", err)
	}
	off := max(st.Size()-2*maxLine, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read shim log %s: %w", path, err)
	}
	buf = bytes.TrimRight(buf, "\n")
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[i+1:]
	}
	return string(buf), nil
}
