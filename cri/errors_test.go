package cri

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestGRPCErrorContextEnded: a call whose context ended answers with the
// code that says so, not Internal (critest pulls with a 1 ms deadline and
// wants DeadlineExceeded, whichever side sees the deadline first).
func TestGRPCErrorContextEnded(t *testing.T) {
	for err, want := range map[error]codes.Code{
		fmt.Errorf("pull busybox: %w", context.DeadlineExceeded): codes.DeadlineExceeded,
		fmt.Errorf("pull busybox: %w", context.Canceled):         codes.Canceled,
		fmt.Errorf("pull busybox: refused"):                      codes.Internal,
	} {
		if got := status.Code(grpcError(err)); got != want {
			t.Errorf("%v: code %v, want %v", err, got, want)
		}
	}
}
