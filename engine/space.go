package engine

import (
	"fmt"

	units "github.com/docker/go-units"

	"berth/internal/diskspace"
)

// What the engine keeps free in its data root so that a full disk never
// takes control away.
const (
	// recordReserve is the size of <Root>/reserve, the preallocated file
	// that record writes (and a removal's rename) spend when they fail for
	// want of space: a record is a few KiB, so this covers hundreds.
	recordReserve = 1 << 20
	// lowSpace is the free space below which the data root counts as
	// full: create (and so run) refuses, and a container's log stops
	// writing (jsonlog.Options.MinFree) until it is back.
	lowSpace = 32 << 20
)

// checkSpace refuses to make a container in a data root that is full.
func (e *Engine) checkSpace() error {
	free, err := diskspace.Free(e.opts.Root)
	if err != nil {
		return fmt.Errorf("check free space of the data root: %w", err)
	}
	if free < lowSpace {
		return fmt.Errorf("%w: the data root %s has %s free, less than the %s berth keeps free (remove containers, images or logs to make room)",
			ErrNoSpace, e.opts.Root, units.BytesSize(float64(free)), units.BytesSize(lowSpace))
	}
	return nil
}
