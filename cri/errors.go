package cri

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"berth/engine"
	"berth/images"
)

// errSandboxNotFound: no pod sandbox has the ID (or unique prefix).
var errSandboxNotFound = errors.New("no such pod sandbox")

// grpcError gives err the gRPC code kubelet acts on: NotFound for what
// does not exist, InvalidArgument and FailedPrecondition for what the
// caller asked wrong, DeadlineExceeded and Canceled for a call whose
// context ended (a pull with critest's 1 ms deadline), Internal for the
// rest. An error that already has a code keeps it.
func grpcError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err
	}
	code := codes.Internal
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, images.ErrNotFound), errors.Is(err, engine.ErrNotFound), errors.Is(err, errSandboxNotFound), errors.Is(err, fs.ErrNotExist):
		code = codes.NotFound
	case errors.Is(err, engine.ErrInvalidArgument), errors.Is(err, images.ErrInvalidReference):
		code = codes.InvalidArgument
	case errors.Is(err, engine.ErrRunning), errors.Is(err, engine.ErrNotRunning), errors.Is(err, engine.ErrNameInUse):
		code = codes.FailedPrecondition
	}
	return status.Error(code, err.Error())
}

// countInodes counts the files and directories under root.
func countInodes(root string) (uint64, error) {
	var n uint64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil // removed while walking
		}
		if err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// verboseInfo is a status call's verbose answer: v as JSON under "info",
// as crictl inspect prints it.
func verboseInfo(op string, v any) (map[string]string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, grpcError(fmt.Errorf("%s: %w", op, err))
	}
	return map[string]string{"info": string(b)}, nil
}
