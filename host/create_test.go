package host

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"berth/engine"
	"berth/images"
)

// storeContainers is Containers whose Create succeeds once the image is
// in the store (has), recording the calls.
type storeContainers struct {
	Containers
	has   *bool
	calls *[]string
}

func (s storeContainers) Create(_ context.Context, opts engine.CreateOptions) (*engine.Container, error) {
	*s.calls = append(*s.calls, "create")
	if !*s.has {
		return nil, fmt.Errorf("create from %s: %w", opts.Config.Image, images.ErrNotFound)
	}
	return &engine.Container{ID: "c1"}, nil
}

func TestCreatePulling(t *testing.T) {
	pullErr := errors.New("registry down")
	for _, tt := range []struct {
		policy  string
		has     bool
		pullErr error
		calls   []string
		err     error
	}{
		{PullMissing, true, nil, []string{"create"}, nil},
		{PullMissing, false, nil, []string{"create", "pull busybox missing=true", "create"}, nil},
		{PullMissing, false, pullErr, []string{"create", "pull busybox missing=true"}, pullErr},
		{PullAlways, true, nil, []string{"pull busybox missing=false", "create"}, nil},
		{PullAlways, true, pullErr, []string{"pull busybox missing=false"}, pullErr},
		{PullNever, false, nil, []string{"create"}, images.ErrNotFound},
	} {
		var calls []string
		has := tt.has
		c := storeContainers{has: &has, calls: &calls}
		opts := engine.CreateOptions{Config: engine.ContainerConfig{Image: "busybox"}}
		_, err := CreatePulling(t.Context(), c, opts, tt.policy, func(ref string, missing bool) error {
			calls = append(calls, fmt.Sprintf("pull %s missing=%v", ref, missing))
			if tt.pullErr == nil {
				has = true
			}
			return tt.pullErr
		})
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || !reflect.DeepEqual(calls, tt.calls) {
			t.Errorf("%s (in store %v): calls %q, %v; want %q, %v", tt.policy, tt.has, calls, err, tt.calls, tt.err)
		}
	}
}
