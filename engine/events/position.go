package events

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
)

// Position is a place in the timeline: where it ended at some moment.
// A reader that keeps something derived from the events (a snapshot of
// the containers' list) stamps it with the Position it read up to, and
// asks Since for what came after.
//
// The live file is named by its rotation (Rotation, counted in the lock
// file) and its inode: an inode alone may be the number of a file long
// rotated away, given again to a new one.
type Position struct {
	Rotation uint64 `json:"rotation"`
	Ino      uint64 `json:"ino"` // the live file's; 0: there was none
	Off      int64  `json:"off"`
}

// Position is where the timeline ends now.
func (l *Log) Position() (Position, error) {
	var p Position
	err := withLock(l.path(lockName), false, func() error {
		var err error
		if p.Rotation, err = l.rotation(); err != nil {
			return err
		}
		p.Ino, p.Off, err = fileID(l.path(currentName))
		return err
	})
	if err != nil {
		return Position{}, fmt.Errorf("position in events %s: %w", l.dir, err)
	}
	return p, nil
}

// Since returns the events appended after p, oldest first, and where
// they end. It fails with ErrLost when it cannot tell them all: the
// file p is in was rotated away twice, or cut short, or rotated by a
// writer that did not count its rotation.
func (l *Log) Since(p Position) ([]Event, Position, error) {
	var out []Event
	var end Position
	err := withLock(l.path(lockName), false, func() error {
		rot, err := l.rotation()
		if err != nil {
			return err
		}
		ino, size, err := fileID(l.path(currentName))
		if err != nil {
			return err
		}
		end = Position{Rotation: rot, Ino: ino, Off: size}
		var data []byte
		switch {
		case rot == p.Rotation && (ino == p.Ino || p.Ino == 0) && size >= p.Off:
			if data, err = l.readFrom(currentName, ino, p.Off, size); err != nil {
				return err
			}
		case rot == p.Rotation+1 && p.Ino == 0:
			// There was no live file: every event is new.
			if data, err = l.readFrom(oldName, 0, 0, -1); err != nil {
				return err
			}
			cur, err := l.readFrom(currentName, ino, 0, size)
			if err != nil {
				return err
			}
			data = append(data, cur...)
		case rot == p.Rotation+1:
			oldIno, oldSize, err := fileID(l.path(oldName))
			if err != nil {
				return err
			}
			if oldIno != p.Ino || oldSize < p.Off {
				return ErrLost
			}
			if data, err = readRange(l.path(oldName), p.Off, oldSize); err != nil {
				return err
			}
			cur, err := l.readFrom(currentName, ino, 0, size)
			if err != nil {
				return err
			}
			data = append(data, cur...)
		default:
			return ErrLost
		}
		data = data[:bytes.LastIndexByte(data, '\n')+1]
		eachEvent(data, Filter{}, func(e Event) { out = append(out, e) })
		return nil
	})
	if err != nil {
		return nil, Position{}, fmt.Errorf("events in %s since %+v: %w", l.dir, p, err)
	}
	return out, end, nil
}

// readFrom reads name from off up to size (-1: its end); a missing file,
// or one of no inode ino (0: any), reads as nothing.
func (l *Log) readFrom(name string, ino uint64, off, size int64) ([]byte, error) {
	got, gotSize, err := fileID(l.path(name))
	if err != nil || got == 0 || ino != 0 && got != ino {
		return nil, err
	}
	if size < 0 {
		size = gotSize
	}
	if size <= off {
		return nil, nil
	}
	return readRange(l.path(name), off, size)
}

// rotation is how many times the live file was rotated, as the lock
// file counts (nothing: none yet). The caller holds the lock.
func (l *Log) rotation() (uint64, error) {
	b, err := os.ReadFile(l.path(lockName))
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(b) == 0 {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read the rotation count: %w", ErrLost)
	}
	return n, nil
}

// countRotation counts one more rotation in the lock file, before the
// rename that makes it (under the exclusive lock): a crash between the
// two has readers read more than they need, never less.
func (l *Log) countRotation() error {
	n, err := l.rotation()
	if err != nil {
		n = 0 // unreadable: any count differs from what readers stamped
	}
	if err := os.WriteFile(l.path(lockName), []byte(strconv.FormatUint(n+1, 10)), 0o600); err != nil {
		return fmt.Errorf("count the rotation of %s: %w", l.path(currentName), err)
	}
	return nil
}
