package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine/network"
	"berth/host"
	"berth/images"
)

// DownOptions are `compose down`'s flags.
type DownOptions struct {
	// Project is the loaded project, nil when only its name is known:
	// then every container with the project's label goes.
	Project       *types.Project
	Volumes       bool   // -v: the project's named volumes too
	RemoveImages  string // --rmi: "", "local" (images built for the project) or "all"
	RemoveOrphans bool
	Timeout       *time.Duration
	Progress      io.Writer
}

// Down stops and removes project name's containers, then its networks,
// then (-v) its volumes and (--rmi) its images. External networks and
// volumes are never removed. A failure does not stop the rest: every
// error is returned, joined.
func Down(ctx context.Context, h host.Host, name string, o DownOptions) error {
	containers, err := Containers(ctx, h, name, nil, true, true)
	if err != nil {
		return err
	}
	var errs []error
	var orphans []string
	var usedImages []string
	for _, c := range slices.Backward(containers) {
		service := c.Config.Labels[LabelService]
		if o.Project != nil && !isOneoff(c.Config.Labels) && !slices.Contains(o.Project.ServiceNames(), service) && !slices.Contains(o.Project.DisabledServiceNames(), service) && !o.RemoveOrphans {
			orphans = append(orphans, strings.TrimPrefix(c.Name, "/"))
			continue
		}
		usedImages = append(usedImages, c.Config.Image)
		if err := removeContainer(ctx, h, c, o.Timeout, o.Progress); err != nil {
			errs = append(errs, err)
		}
	}
	if len(orphans) > 0 && o.Progress != nil {
		_, _ = fmt.Fprintf(o.Progress, "WARN[0000] Found orphan containers (%s) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n", strings.Join(orphans, ", "))
	}
	errs = append(errs, removeNetworks(h, name, o.Progress))
	if o.Volumes {
		errs = append(errs, removeVolumes(ctx, h, name, o.Progress))
	}
	if o.RemoveImages != "" {
		errs = append(errs, removeImages(ctx, h, name, o, usedImages))
	}
	return errors.Join(errs...)
}

// removeNetworks removes the networks labelled with project name.
func removeNetworks(h host.Host, name string, out io.Writer) error {
	list, err := h.Networks().List()
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	var errs []error
	for _, n := range list {
		if n.Labels[LabelProject] != name {
			continue
		}
		progress(out, "Network", n.Name, "Removing")
		if err := h.Networks().Remove(n.ID); err != nil && !errors.Is(err, network.ErrNotFound) {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			continue
		}
		progress(out, "Network", n.Name, "Removed")
	}
	return errors.Join(errs...)
}

// removeVolumes removes the volumes labelled with project name.
func removeVolumes(ctx context.Context, h host.Host, name string, out io.Writer) error {
	list, err := h.Volumes().List(ctx)
	if err != nil {
		return fmt.Errorf("list volumes: %w", err)
	}
	var errs []error
	for _, v := range list {
		if v.Labels[LabelProject] != name {
			continue
		}
		progress(out, "Volume", v.Name, "Removing")
		if err := h.Volumes().Remove(ctx, v.Name, false); err != nil {
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
			continue
		}
		progress(out, "Volume", v.Name, "Removed")
	}
	return errors.Join(errs...)
}

// removeImages is --rmi: "local" removes the images built for the
// project's services (those without an image: of their own, named
// project-service), "all" every image its services use.
func removeImages(ctx context.Context, h host.Host, name string, o DownOptions, used []string) error {
	var refs []string
	switch o.RemoveImages {
	case "local", "all":
	default:
		return fmt.Errorf("--rmi %q: local or all", o.RemoveImages)
	}
	if o.Project != nil {
		for _, s := range o.Project.Services {
			if o.RemoveImages == "all" || s.Image == "" {
				refs = append(refs, ImageName(name, s))
			}
		}
	} else {
		for _, ref := range used {
			if o.RemoveImages == "all" || strings.HasPrefix(ref, name+"-") {
				refs = append(refs, ref)
			}
		}
	}
	slices.Sort(refs)
	var errs []error
	for _, ref := range slices.Compact(refs) {
		if _, err := h.Images().Lookup(ref); errors.Is(err, images.ErrNotFound) {
			continue
		}
		progress(o.Progress, "Image", ref, "Removing")
		if _, err := host.RemoveImage(ctx, h, h.Images(), ref, false); err != nil {
			errs = append(errs, fmt.Errorf("remove image %s: %w", ref, err))
			continue
		}
		progress(o.Progress, "Image", ref, "Removed")
	}
	return errors.Join(errs...)
}
