package engine

import (
	"context"
	"fmt"

	"berth/ptyexec"
)

// ResizeTTY sets the window size of a running tty container's terminal
// for a caller that is not attached (docker's POST /containers/{id}/resize
// from a client whose attach another process serves): a session opened
// with the size and closed at once, which the shim applies as any
// attach's. A container without a tty has no window: nothing to do.
func (e *Engine) ResizeTTY(ctx context.Context, ref string, size TerminalSize) error {
	c, err := e.get(ref)
	if err != nil {
		return err
	}
	if !c.State.Status.hasProcess() {
		return fmt.Errorf("cannot resize container %s: %w", c.DisplayName(), ErrNotRunning)
	}
	if !c.Config.Tty || size == (TerminalSize{}) {
		return nil
	}
	conn, err := dialUnix(e.attachSocket(c.ID))
	if err != nil {
		return fmt.Errorf("resize %s: %w", c.DisplayName(), err)
	}
	defer func() { _ = conn.Close() }()
	f, err := ptyexec.RequestFrame(ptyexec.Request{Tty: true, Size: size})
	if err != nil {
		return err
	}
	if err := ptyexec.WriteFrame(conn, f); err != nil {
		return fmt.Errorf("resize %s: %w", c.DisplayName(), err)
	}
	return nil
}
