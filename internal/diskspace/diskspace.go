// Package diskspace tells how much room a filesystem has left, and keeps a
// little of it in reserve so that berth's own small writes (a container's
// record, a network's record, the directory a removal renames into)
// succeed when something else has filled the disk.
//
// The reserve is a file of preallocated blocks in the data root. Reserve.Do
// runs an operation; when it fails for want of space, the reserve file is
// truncated (its blocks are free again), the operation runs once more, and
// the reserve is allocated anew, all under the reserve file's lock so that
// two berth processes never spend it at once. Nothing stops another process
// from taking the freed blocks first: the reserve makes berth's writes
// likely to succeed on a full disk, not certain (only a quota could).
//
// "Free" here is what df calls available: the space an unprivileged
// process may still use, without the blocks a filesystem keeps for root.
package diskspace

import (
	"errors"
	"syscall"
)

// NoSpace reports whether err means the filesystem (or the user's quota)
// is full.
func NoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// Reserve is space held back in one file. A nil *Reserve holds nothing:
// Do then just runs the operation.
type Reserve struct {
	path string
	size int64
}

// NewReserve describes the reserve file at path holding size bytes; call
// Ensure to allocate it.
func NewReserve(path string, size int64) *Reserve {
	return &Reserve{path: path, size: size}
}

// Do runs op; if op fails for want of space, it frees the reserve, runs op
// again, then allocates the reserve anew as far as the disk allows (the
// next Ensure completes it).
func (r *Reserve) Do(op func() error) error {
	err := op()
	if r == nil || !NoSpace(err) {
		return err
	}
	f, lerr := r.lock()
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	defer func() { _ = f.Close() }() // drops the lock; the file holds reserved space, no data
	if terr := f.Truncate(0); terr != nil {
		return errors.Join(err, terr)
	}
	err = op()
	_ = r.allocate(f) // a shortfall is made up by the next Ensure
	return err
}
