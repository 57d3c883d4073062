package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// criLog is a container's log in kubelet's CRI format
// (HostConfig.CRILogPath), written by its shim beside the json-file log:
// one line per line of output, "<RFC 3339 nano time> <stream> <tag>
// <text>", the tag F for a full line and P for a piece of one the
// container has not ended yet (as kubelet's parser reads them).
//
// kubelet rotates the file by renaming it and then asks the runtime to
// reopen it (ReopenContainerLog); the CRI server makes the new file,
// and the writer notices at its next line that the path names another
// file, and reopens it. A nil *criLog writes nothing.
type criLog struct {
	path string
	mu   sync.Mutex
	f    *os.File
	ino  uint64
	now  func() time.Time
}

// openCRILog opens path for appending, making its directory; "" is no
// CRI log.
func openCRILog(path string) (*criLog, error) {
	if path == "" {
		return nil, nil
	}
	l := &criLog{path: path, now: time.Now}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *criLog) open() error {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return fmt.Errorf("open CRI log %s: %w", l.path, err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open CRI log %s: %w", l.path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close() // never written
		return fmt.Errorf("open CRI log %s: %w", l.path, err)
	}
	l.f, l.ino = f, fi.Sys().(*syscall.Stat_t).Ino
	return nil
}

// reopenIfMoved reopens the path when it no longer names the open file
// (kubelet rotated it).
func (l *criLog) reopenIfMoved() error {
	fi, err := os.Stat(l.path)
	if err == nil && fi.Sys().(*syscall.Stat_t).Ino == l.ino {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stat CRI log %s: %w", l.path, err)
	}
	old := l.f
	if err := l.open(); err != nil {
		return err
	}
	return old.Close()
}

// write logs p, output of stream, as CRI lines.
func (l *criLog) write(stream string, p []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.reopenIfMoved(); err != nil {
		return err
	}
	if _, err := l.f.Write(appendCRILines(nil, l.now(), stream, p)); err != nil {
		return fmt.Errorf("write CRI log %s: %w", l.path, err)
	}
	return nil
}

// appendCRILines appends p as CRI log lines of stream at t: each line
// ended in p is full (F), what follows the last newline a partial (P).
func appendCRILines(dst []byte, t time.Time, stream string, p []byte) []byte {
	ts := t.UTC().AppendFormat(nil, time.RFC3339Nano)
	for len(p) > 0 {
		line, rest, full := cutLine(p)
		dst = append(dst, ts...)
		dst = append(dst, ' ')
		dst = append(dst, stream...)
		if full {
			dst = append(dst, " F "...)
		} else {
			dst = append(dst, " P "...)
		}
		dst = append(dst, line...)
		dst = append(dst, '\n')
		p = rest
	}
	return dst
}

func cutLine(p []byte) (line, rest []byte, full bool) {
	for i, b := range p {
		if b == '\n' {
			return p[:i], p[i+1:], true
		}
	}
	return p, nil, false
}

// Close closes the file; nil is a no-op.
func (l *criLog) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// tee is w, and the CRI log's stream too when there is one: both are
// written, the first error returned.
func (l *criLog) tee(w io.Writer, stream string) io.Writer {
	if l == nil {
		return w
	}
	return criTee{w: w, l: l, stream: stream}
}

type criTee struct {
	w      io.Writer
	l      *criLog
	stream string
}

func (t criTee) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	return n, errors.Join(err, t.l.write(t.stream, p))
}
