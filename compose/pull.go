package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"

	"berth/host"
	"berth/images"
)

// PullOptions are `compose pull`'s.
type PullOptions struct {
	Services    []string // none: every service
	IncludeDeps bool     // the services they depend on too
	// Policy, when set, replaces every service's pull_policy ("missing"
	// or "always").
	Policy string
	// IgnoreBuildable skips the services that have build:;
	// IgnoreFailures pulls what it can.
	IgnoreBuildable bool
	IgnoreFailures  bool
	Registry        images.RegistryOptions
	Progress        io.Writer
}

// Pull pulls the images of project p's services that name one, under
// their pull_policy: none given or always pulls, missing (and
// if_not_present) pulls an image that is not there or is tagged latest,
// never and build do not. An image that cannot be pulled fails Pull
// unless its service can build it (a warning says to) or
// IgnoreFailures.
func Pull(ctx context.Context, h host.Host, p *types.Project, o PullOptions) error {
	sel, err := selectServices(p, o.Services, !o.IncludeDeps)
	if err != nil {
		return err
	}
	pulled := map[string]bool{}
	var mustBuild []string
	var errs []error
	for _, name := range sel.ServiceNames() {
		s := sel.Services[name]
		if o.Policy != "" {
			s.PullPolicy = o.Policy
		}
		if s.Image == "" {
			progress(o.Progress, "Service", name, "Skipped - No image to be pulled")
			continue
		}
		pull, reason, err := mustPull(h, s)
		if err != nil {
			return err
		}
		if !pull {
			if reason != "" {
				progress(o.Progress, "Image", s.Image, "Skipped - "+reason)
			}
			continue
		}
		if s.Build != nil && o.IgnoreBuildable {
			progress(o.Progress, "Image", s.Image, "Skipped - Image can be built")
			continue
		}
		if pulled[s.Image] {
			continue
		}
		pulled[s.Image] = true
		progress(o.Progress, "Image", s.Image, "Pulling")
		if _, err := h.Images().Pull(ctx, s.Image, images.PullOptions{Registry: o.Registry}); err != nil {
			progress(o.Progress, "Image", s.Image, "Error "+err.Error())
			if s.Build != nil {
				mustBuild = append(mustBuild, name)
				continue
			}
			if !o.IgnoreFailures {
				errs = append(errs, failure(PullFailure, err, "service %q: pull %s: %w", name, s.Image))
			}
			continue
		}
		progress(o.Progress, "Image", s.Image, "Pulled")
	}
	if len(mustBuild) > 0 && o.Progress != nil {
		_, _ = fmt.Fprintf(o.Progress, "WARNING: Some service image(s) must be built from source by running:\n    berth compose build %s\n", strings.Join(mustBuild, " "))
	}
	return errors.Join(errs...)
}

// mustPull is whether `compose pull` pulls service s's image, and why
// not when it does not and says so.
func mustPull(h host.Host, s types.ServiceConfig) (bool, string, error) {
	policy, _, err := s.GetPullPolicy()
	if err != nil {
		return false, "", fmt.Errorf("service %q: pull_policy: %w", s.Name, err)
	}
	switch {
	case s.PullPolicy == "", policy == types.PullPolicyAlways, policy == types.PullPolicyRefresh:
		return true, "", nil
	case policy == types.PullPolicyMissing, policy == types.PullPolicyIfNotPresent:
		_, err := h.Images().Lookup(s.Image)
		if errors.Is(err, images.ErrNotFound) || isLatest(s.Image) {
			return true, "", nil
		}
		if err != nil {
			return false, "", fmt.Errorf("service %q: image %s: %w", s.Name, s.Image, err)
		}
		return false, "Image is already present locally", nil
	}
	return false, "", nil // never, build
}

// isLatest reports whether ref is tagged latest, by name or by default:
// a tag expected to move, refreshed even when present.
func isLatest(ref string) bool {
	named, err := reference.ParseDockerRef(ref)
	if err != nil {
		return false
	}
	tagged, ok := named.(reference.Tagged)
	return ok && tagged.Tag() == "latest"
}
