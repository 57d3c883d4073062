package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// File names inside the directory given to Open.
const (
	currentName = "events.log"
	oldName     = "events.log.1"
	lockName    = "events.lock"
)

// DefaultMaxSize is the size past which Open's log rotates: about 20,000
// events, kept twice (the live file and one old one).
const DefaultMaxSize = 4 << 20

// Options tunes a Log.
type Options struct {
	// MaxSize is the size in bytes past which the live file is rotated.
	// Zero means DefaultMaxSize.
	MaxSize int64
}

// Log is the event timeline in one directory. It is safe for concurrent
// use, and other processes may use the same directory at the same time.
type Log struct {
	dir     string
	maxSize int64

	mu     sync.Mutex
	f      *os.File // live file, O_APPEND; reopened after another process rotates
	ino    uint64
	closed bool
}

// Open opens the timeline in dir, creating the directory if needed.
func Open(dir string) (*Log, error) {
	return OpenOptions(dir, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(dir string, opts Options) (*Log, error) {
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	l := &Log{dir: dir, maxSize: opts.MaxSize}
	if err := withLock(l.path(lockName), false, func() error { return nil }); err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	return l, nil
}

// Close releases the log's files.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.f == nil {
		return nil
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("close event log %s: %w", l.dir, err)
	}
	return nil
}

func (l *Log) path(name string) string { return filepath.Join(l.dir, name) }

// Append records e as one line. A zero e.Time is set to now, taken under
// the lock, so events appended without a time are in time order in the
// file.
func (l *Log) Append(e Event) error {
	if e.Type == "" || e.Action == "" {
		return fmt.Errorf("append event %q %q for %s: %w", e.Type, e.Action, e.ID, ErrInvalidEvent)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	err := withLock(l.path(lockName), true, func() error {
		if e.Time.IsZero() {
			e.Time = time.Now().UTC()
		}
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		line = append(line, '\n')
		if err := l.prepare(int64(len(line))); err != nil {
			return err
		}
		if n, err := l.f.Write(line); err != nil {
			// Cut a line cut short (a full disk) off again, or it would
			// swallow the next one.
			if st, serr := l.f.Stat(); n > 0 && serr == nil {
				_ = l.f.Truncate(st.Size() - int64(n)) // the write's error says enough
			}
			return fmt.Errorf("write %s: %w", l.path(currentName), err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append event %s %s for %s: %w", e.Type, e.Action, e.ID, err)
	}
	return nil
}

// prepare, under the exclusive lock, makes l.f the live file with room
// for n more bytes, rotating when it has none.
func (l *Log) prepare(n int64) error {
	cur := l.path(currentName)
	ino, size, err := fileID(cur)
	if err != nil {
		return err
	}
	if ino != 0 && size > 0 && size+n > l.maxSize {
		if err := l.countRotation(); err != nil {
			return err
		}
		if err := os.Rename(cur, l.path(oldName)); err != nil {
			return fmt.Errorf("rotate %s: %w", cur, err)
		}
		ino = 0
	}
	if l.f != nil && ino == l.ino {
		return nil
	}
	if l.f != nil {
		_ = l.f.Close() // appended with write(2): the events are in the file already
		l.f = nil
	}
	f, err := os.OpenFile(cur, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", cur, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("stat %s: %w", cur, err)
	}
	l.f, l.ino = f, inode(st)
	return nil
}

// Query returns the events f selects, oldest first.
func (l *Log) Query(f Filter) ([]Event, error) {
	var out []Event
	_, _, err := l.snapshot(f, func(e Event) { out = append(out, e) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// snapshot reads both files under the shared lock, calling fn for each
// event f selects, and returns the live file's inode and size it read up
// to, where a follower continues.
func (l *Log) snapshot(f Filter, fn func(Event)) (ino uint64, size int64, err error) {
	err = withLock(l.path(lockName), false, func() error {
		for _, name := range []string{oldName, currentName} {
			data, err := os.ReadFile(l.path(name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			data = data[:bytes.LastIndexByte(data, '\n')+1]
			eachEvent(data, f, fn)
			if name == currentName {
				if ino, _, err = fileID(l.path(name)); err != nil {
					return err
				}
				size = int64(len(data))
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("query events in %s: %w", l.dir, err)
	}
	return ino, size, nil
}

// eachEvent parses the complete lines in data and calls fn for those f
// selects. When f names an ID or a name, lines without it are skipped
// unparsed.
func eachEvent(data []byte, f Filter, fn func(Event)) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return
		}
		line := data[:i]
		data = data[i+1:]
		if !mayContain(line, f.ID) || !mayContain(line, f.Name) {
			continue
		}
		var e Event
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		if f.Match(e) {
			fn(e)
		}
	}
}

// mayContain reports whether an encoded event line can hold the string s:
// false only when s is written as itself in JSON and is not in the line.
func mayContain(line []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || strings.IndexByte(`"\<>&`, c) >= 0 {
			return true
		}
	}
	return bytes.Contains(line, []byte(s))
}
