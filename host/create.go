package host

import (
	"context"
	"errors"

	"berth/engine"
	"berth/images"
)

// Pull policies of run and create (--pull).
const (
	PullAlways  = "always"  // pull before creating
	PullMissing = "missing" // pull only when the store lacks the image
	PullNever   = "never"   // only what the store has
)

// CreatePulling creates a container as `berth run` and `berth create`
// do under the pull policy: pull(ref, missing) fetches the image, told
// whether it is pulled because the store lacked it (the CLI says
// "Unable to find image" then).
func CreatePulling(ctx context.Context, c Containers, opts engine.CreateOptions, policy string,
	pull func(ref string, missing bool) error) (*engine.Container, error) {
	if policy == PullAlways {
		if err := pull(opts.Config.Image, false); err != nil {
			return nil, err
		}
	}
	created, err := c.Create(ctx, opts)
	if errors.Is(err, images.ErrNotFound) && policy == PullMissing {
		if err := pull(opts.Config.Image, true); err != nil {
			return nil, err
		}
		created, err = c.Create(ctx, opts)
	}
	return created, err
}
