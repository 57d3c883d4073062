package api

import (
	"context"

	"github.com/moby/moby/client"

	"berth/engine"
)

// This is host.TTYResizer; host.Observer, host.CPUClock and Top are
// berth's own endpoints, in client_berth.go.

// ResizeTTY sets the window size of a tty container's terminal on the far
// side (POST /containers/{id}/resize).
func (c *Client) ResizeTTY(ctx context.Context, ref string, size engine.TerminalSize) error {
	if _, err := c.api.ContainerResize(ctx, ref, client.ContainerResizeOptions{Height: uint(size.Height), Width: uint(size.Width)}); err != nil {
		return c.fail("resize the terminal of container", ref, err)
	}
	return nil
}
