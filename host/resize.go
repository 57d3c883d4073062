package host

import (
	"context"

	"berth/engine"
)

// TTYResizer sets the window size of a running tty container's terminal
// for a caller that is not attached through this Host (the API server
// answering a resize for an attach it does not serve).
type TTYResizer interface {
	ResizeTTY(ctx context.Context, ref string, size engine.TerminalSize) error
}
