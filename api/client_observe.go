package api

import (
	"context"
	"time"

	"github.com/moby/moby/client"

	"berth/engine"
)

// These are host.Observer (the TUI's machine gauges and its kill of one
// process) and host.TTYResizer.

// HostStats is the far side's CPU count and memory from info. Its CPU
// counters (/proc/stat of the far side) have no API request: they stay
// zero, so a CPU gauge of a remote host reads idle.
func (c *Client) HostStats(ctx context.Context) (*engine.HostStats, error) {
	r, err := c.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, c.fail("info", "", err)
	}
	return &engine.HostStats{Time: time.Now(), NCPU: r.Info.NCPU, MemTotal: uint64(r.Info.MemTotal)}, nil
}

// DiskUsage is the size of berth's data root on the far side, which the
// API does not report as one number.
func (c *Client) DiskUsage(ctx context.Context) (int64, error) {
	return 0, c.notImplemented("disk usage of the data root")
}

// SignalProcess signals one process of a container by its host PID; the
// API's kill signals only the container's main process.
func (c *Client) SignalProcess(ctx context.Context, ref string, hostPID int, signal string) error {
	return c.notImplemented("signal of one process of " + ref)
}

// ResizeTTY sets the window size of a tty container's terminal on the far
// side (POST /containers/{id}/resize).
func (c *Client) ResizeTTY(ctx context.Context, ref string, size engine.TerminalSize) error {
	if _, err := c.api.ContainerResize(ctx, ref, client.ContainerResizeOptions{Height: uint(size.Height), Width: uint(size.Width)}); err != nil {
		return c.fail("resize the terminal of container", ref, err)
	}
	return nil
}
