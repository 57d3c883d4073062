package host

import (
	"context"

	"berth/engine"
)

// Observer is what a face samples of a machine beyond its containers'
// own figures: the full-screen program's header (CPU, memory, the data
// root's disk use) and top's signal to one process of a container.
type Observer interface {
	// HostStats is one sample of the machine's CPU counters and memory.
	HostStats(ctx context.Context) (*engine.HostStats, error)
	// DiskUsage walks berth's data root and counts its bytes.
	DiskUsage(ctx context.Context) (int64, error)
	// SignalProcess sends signal to one process of the container, named
	// by its host PID; a PID that is not the container's is refused.
	SignalProcess(ctx context.Context, ref string, hostPID int, signal string) error
}
