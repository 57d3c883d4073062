package cgroups

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// freezeTimeout bounds the wait for a group to become frozen.
	freezeTimeout = 10 * time.Second
	// removeTimeout bounds the wait for killed processes to leave a group
	// before its directory can be removed.
	removeTimeout = 10 * time.Second
	// statBufSize holds the largest stat file read, with room to spare
	// (memory.stat is about 1.5 KiB on 6.x kernels).
	statBufSize = 8 << 10
)

// New returns the Manager of the group <parent>/<name> under mountRoot
// (e.g. /sys/fs/cgroup), for the cgroup version mounted there. It only
// looks at the filesystem; the group is made by Create.
func New(mountRoot, parent, name string) (Manager, error) {
	rel, err := groupPath(parent, name)
	if err != nil {
		return nil, err
	}
	v, err := Detect(mountRoot)
	if err != nil {
		return nil, err
	}
	if v == V2 {
		return newV2(mountRoot, rel), nil
	}
	return newV1(mountRoot, rel), nil
}

// apply makes the planned writes. dirOf returns the directory owning a
// controller's files, or "" when the controller is not available.
func apply(ws []write, dirOf func(ctrl string) string) error {
	for _, w := range ws {
		dir := dirOf(w.ctrl)
		if dir == "" {
			if w.reset {
				continue
			}
			return &SettingError{Setting: w.setting, Value: w.asked,
				Err: fmt.Errorf("%w: %s", ErrNoController, w.ctrl)}
		}
		if err := writeFile(dir, w.file, w.value); err != nil {
			if w.reset && isGone(err) {
				continue
			}
			return &SettingError{Setting: w.setting, Value: w.asked, Err: err}
		}
	}
	return nil
}

// freezer is what signalFrozen needs from a group.
type freezer interface {
	Freeze() error
	Thaw() error
	Paused() (bool, error)
	Procs() ([]int, error)
}

// signalFrozen freezes g, signals every process in it and thaws it again
// (unless it was paused before and the signal is not SIGKILL, which a
// frozen v1 process never acts on). While frozen nothing can fork, so no
// child escapes the signal. Without a freezer (canFreeze false), or when
// a SIGKILL cannot wait for a group that will not freeze, the processes
// are signalled as listed, which a forking process may outrun.
func signalFrozen(g freezer, canFreeze bool, sig unix.Signal) error {
	paused := false
	if canFreeze {
		var err error
		if paused, err = g.Paused(); err != nil {
			return err
		}
		if !paused {
			err = g.Freeze()
			switch {
			case errors.Is(err, ErrFreezeTimeout) && sig == unix.SIGKILL:
				canFreeze = false // Freeze has thawed the group again
			case err != nil:
				return err
			}
		}
	}
	pids, err := g.Procs()
	if err == nil {
		err = signalAll(pids, sig)
	}
	if canFreeze && (!paused || sig == unix.SIGKILL) {
		if terr := g.Thaw(); err == nil {
			err = terr
		}
	}
	return err
}

// statReader reads stat files into one buffer, remembering whether any
// file was there and the first error other than "not there".
type statReader struct {
	buf   *[]byte
	found bool
	err   error
}

// statBufs are the buffers Stats reads into, shared by every Manager: a
// process that samples 500 containers keeps one or two, not one each
// (8 KiB a container, most of a TUI's heap).
var statBufs = sync.Pool{New: func() any {
	b := make([]byte, statBufSize)
	return &b
}}

// newStatReader is a statReader with a buffer of statBufs; release
// gives the buffer back.
func newStatReader() statReader {
	return statReader{buf: statBufs.Get().(*[]byte)}
}

// release returns the reader's buffer to statBufs: what read returned
// is not valid after.
func (r *statReader) release() {
	statBufs.Put(r.buf)
	r.buf = nil
}

// read returns the contents of f (valid until the next read), or nil
// when f does not exist.
func (r *statReader) read(f statFile) []byte {
	if r.err != nil {
		return nil
	}
	b, err := f.read(*r.buf)
	if err != nil {
		if !isGone(err) {
			r.err = fmt.Errorf("read %s: %w", f[:len(f)-1], err)
		}
		return nil
	}
	r.found = true
	return b
}
