package events

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// followPoll is how often a follower looks at the live file.
const followPoll = 200 * time.Millisecond

// Follow sends the events f selects as they are appended, by any process,
// until ctx is cancelled or f.Until has passed (by the clock or by an
// event's time); then it closes the channel. With f.Since set it first sends the recorded events from
// then on (as `docker events --since`); without, only new ones.
func (l *Log) Follow(ctx context.Context, f Filter) (<-chan Event, error) {
	var backlog []Event
	var t tailer
	var err error
	if !f.Since.IsZero() {
		t.ino, t.off, err = l.snapshot(f, func(e Event) { backlog = append(backlog, e) })
	} else {
		t.ino, t.off, err = l.position()
	}
	if err != nil {
		return nil, fmt.Errorf("follow events: %w", err)
	}
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		send := func(e Event) bool {
			select {
			case ch <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, e := range backlog {
			if !send(e) {
				return
			}
		}
		tick := time.NewTicker(followPoll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			data, err := l.poll(&t)
			if err != nil {
				continue // a transient failure: the next tick reads from the same place
			}
			stop := false
			eachEvent(data, Filter{}, func(e Event) {
				switch {
				case stop:
				case !f.Until.IsZero() && e.Time.After(f.Until):
					stop = true
				case f.Match(e):
					stop = !send(e)
				}
			})
			// The poll after the clock passed Until has read every event
			// appended before it: docker events --until returns then,
			// even when nothing more happens.
			if stop || !f.Until.IsZero() && time.Now().After(f.Until) {
				return
			}
		}
	}()
	return ch, nil
}

// tailer is where a follower has read up to: the live file it was
// reading (by inode; 0 when there was none) and the offset in it.
type tailer struct {
	ino uint64
	off int64
}

// position returns the live file's inode and size, under the shared lock.
func (l *Log) position() (ino uint64, size int64, err error) {
	err = withLock(l.path(lockName), false, func() error {
		ino, size, err = fileID(l.path(currentName))
		return err
	})
	return ino, size, err
}

// poll returns what was appended since t, under the shared lock so no
// append or rotation is half done. If the file was rotated, the rest of
// the old file comes first.
func (l *Log) poll(t *tailer) (out []byte, err error) {
	err = withLock(l.path(lockName), false, func() error {
		out, err = l.readNew(t)
		return err
	})
	return out, err
}

func (l *Log) readNew(t *tailer) ([]byte, error) {
	ino, size, err := fileID(l.path(currentName))
	if err != nil {
		return nil, err
	}
	var out []byte
	if ino != t.ino {
		if t.ino != 0 {
			oldIno, oldSize, err := fileID(l.path(oldName))
			if err != nil {
				return nil, err
			}
			if oldIno == t.ino && oldSize > t.off {
				if out, err = readRange(l.path(oldName), t.off, oldSize); err != nil {
					return nil, err
				}
			}
		}
		t.ino, t.off = ino, 0
	}
	if ino != 0 && size > t.off {
		data, err := readRange(l.path(currentName), t.off, size)
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
		t.off = size
	}
	return out, nil
}

func readRange(name string, from, to int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer func() { _ = f.Close() }()
	buf := make([]byte, to-from)
	if _, err := f.ReadAt(buf, from); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read events %s: %w", name, err)
	}
	return buf, nil
}
