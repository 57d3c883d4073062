package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/host"
	"berth/images"
)

// UpOptions are `compose up`'s flags.
type UpOptions struct {
	// Services limits up to these services and, unless NoDeps, what
	// they depend on; none is every service.
	Services      []string
	NoDeps        bool
	ForceRecreate bool
	NoRecreate    bool
	NoStart       bool // --no-start: create, do not start
	Build         bool // --build: build images before starting
	NoBuild       bool
	RemoveOrphans bool
	// Scale is --scale SERVICE=N.
	Scale map[string]int
	// Wait is --wait: up returns once every service runs (healthy if it
	// has a healthcheck), failing if one exits or turns unhealthy.
	Wait        bool
	WaitTimeout time.Duration
	// Timeout is -t: how long a container being replaced gets to stop.
	Timeout *time.Duration
	// Pull is --pull: "missing" (default), "always" or "never".
	Pull     string
	Registry images.RegistryOptions
	// Progress receives one line per network, volume and container made,
	// as Docker Compose prints them; BuildOutput the build logs. nil
	// discards them.
	Progress    io.Writer
	BuildOutput io.Writer
}

// Up converges h to project p: networks and volumes made, images built
// or pulled, then for each service in dependency order its containers
// created, recreated when their configuration hash changed, scaled to
// the wanted number, and started once its dependencies meet their
// conditions. Nothing is touched when a service's options or image
// cannot be had; a failure later leaves what was started running and
// names the service.
func Up(ctx context.Context, h host.Host, p *types.Project, o UpOptions) error {
	p, err := selectServices(p, o.Services, o.NoDeps)
	if err != nil {
		return err
	}
	for name, n := range o.Scale {
		s, ok := p.Services[name]
		if !ok {
			return fmt.Errorf("no such service: %s", name)
		}
		s.SetScale(n)
		p.Services[name] = s
	}
	// Every service's options are checked before anything is made.
	if err := checkProject(p); err != nil {
		return err
	}
	if err := ensureImages(ctx, h, p, p.ServiceNames(), o); err != nil {
		return err
	}
	if err := ensureNetworks(h, p, o.Progress); err != nil {
		return err
	}
	if err := ensureVolumes(ctx, h, p, o.Progress); err != nil {
		return err
	}
	if err := orphans(ctx, h, p, o); err != nil {
		return err
	}
	// failed are the services that failed: the graph walk may still visit
	// a dependent before it stops, which then fails with its
	// dependency's error, so that up names the service that failed
	// whichever error comes first.
	var mu sync.Mutex
	failed := map[string]error{}
	err = graph.InDependencyOrder(ctx, p, func(ctx context.Context, _ string, s types.ServiceConfig) (err error) {
		mu.Lock()
		for dep := range s.DependsOn {
			if failed[dep] != nil {
				err = failed[dep]
			}
		}
		mu.Unlock()
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				mu.Lock()
				failed[s.Name] = err
				mu.Unlock()
			}
		}()
		if !o.NoStart {
			if err := waitDependencies(ctx, h, p, s, o.Progress); err != nil {
				return err
			}
		}
		return converge(ctx, h, p, s, o)
	})
	if err != nil {
		return err
	}
	if o.Wait {
		return waitRunning(ctx, h, p, o)
	}
	return nil
}

// selectServices is p with only services and, unless noDeps, what they
// depend on.
func selectServices(p *types.Project, services []string, noDeps bool) (*types.Project, error) {
	if len(services) == 0 {
		return p, nil
	}
	for _, name := range services {
		if _, ok := p.Services[name]; !ok {
			return nil, fmt.Errorf("no such service: %s", name)
		}
	}
	if noDeps {
		sel, err := p.WithSelectedServices(services, types.IgnoreDependencies)
		if err != nil {
			return nil, err
		}
		return sel, nil
	}
	return p.WithSelectedServices(services)
}

// converge makes service s's containers what the project wants: as many
// as its scale, each from the current configuration, started.
func converge(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, o UpOptions) error {
	hash, err := ServiceHash(s)
	if err != nil {
		return err
	}
	existing, err := Containers(ctx, h, p.Name, []string{s.Name}, true, false)
	if err != nil {
		return err
	}
	want := s.GetScale()
	if want > 1 && s.ContainerName != "" {
		return fmt.Errorf("service %q: container_name %s: a service with a fixed container name cannot be scaled", s.Name, s.ContainerName)
	}
	// Scale down: the highest numbers go first.
	for len(existing) > want {
		c := existing[len(existing)-1]
		existing = existing[:len(existing)-1]
		if err := removeContainer(ctx, h, c, o.Timeout, o.Progress); err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	image, err := h.Images().Lookup(ImageName(p.Name, s))
	if err != nil {
		return fmt.Errorf("service %q: image: %w", s.Name, err)
	}
	next := 1
	for _, c := range existing {
		next = max(next, number(c.Config.Labels)+1)
		// A container is stale when its configuration changed, or its
		// image: rebuilt or pulled anew under the same name.
		stale := c.Config.Labels[LabelConfigHash] != hash || strings.TrimPrefix(c.Image, "sha256:") != strings.TrimPrefix(image.ID, "sha256:")
		if (stale || o.ForceRecreate) && !o.NoRecreate {
			if c, err = recreate(ctx, h, p, s, c, hash, o); err != nil {
				return fmt.Errorf("service %q: %w", s.Name, err)
			}
		}
		if err := startContainer(ctx, h, c, o); err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	for range want - len(existing) {
		c, err := createContainer(ctx, h, p, s, next, hash, "", o.Progress)
		if err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
		next++
		if err := startContainer(ctx, h, c, o); err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
	}
	return nil
}

// createContainer creates container number n of service s, named name
// ("" for its own), on every network of the service.
func createContainer(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, n int, hash, name string, out io.Writer) (*engine.Container, error) {
	spec, err := createOptions(p, s, n, hash)
	if err != nil {
		return nil, err
	}
	final := spec.opts.Name
	if name != "" {
		spec.opts.Name = name
	}
	progress(out, "Container", final, "Creating")
	c, err := h.Create(ctx, spec.opts)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", final, err)
	}
	for _, j := range spec.more {
		if err := h.ConnectNetwork(j.name, c.ID, j.options); err != nil {
			_ = h.Remove(ctx, c.ID, engine.RemoveOptions{Force: true, Volumes: true})
			return nil, fmt.Errorf("connect %s to network %s: %w", final, j.name, err)
		}
	}
	if err := copyFiles(ctx, h, p, s, c.ID); err != nil {
		_ = h.Remove(ctx, c.ID, engine.RemoveOptions{Force: true, Volumes: true})
		return nil, fmt.Errorf("%s: %w", final, err)
	}
	progress(out, "Container", final, "Created")
	return c, nil
}

// recreate replaces c by a container of the current configuration: the
// new one is created under a temporary name first, so that a create
// that fails leaves c as it was, then c is stopped and removed and the
// new one takes its name.
func recreate(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, c *engine.Container, hash string, o UpOptions) (*engine.Container, error) {
	name := strings.TrimPrefix(c.Name, "/")
	progress(o.Progress, "Container", name, "Recreate")
	tmp := shortID(c.ID) + "_" + name
	created, err := createContainer(ctx, h, p, s, number(c.Config.Labels), hash, tmp, nil)
	if err != nil {
		return nil, err
	}
	if err := h.Stop(ctx, c.ID, engine.StopOptions{Timeout: o.Timeout}); err != nil && !errors.Is(err, engine.ErrNotRunning) {
		_ = h.Remove(ctx, created.ID, engine.RemoveOptions{Force: true, Volumes: true})
		return nil, fmt.Errorf("stop %s: %w", name, err)
	}
	if err := h.Remove(ctx, c.ID, engine.RemoveOptions{Force: true}); err != nil {
		return nil, fmt.Errorf("remove %s: %w", name, err)
	}
	if err := h.Rename(ctx, created.ID, name); err != nil {
		return nil, fmt.Errorf("rename %s to %s: %w", tmp, name, err)
	}
	progress(o.Progress, "Container", name, "Recreated")
	return h.Inspect(ctx, created.ID)
}

// startContainer starts c unless it runs already or up was told not to.
func startContainer(ctx context.Context, h host.Host, c *engine.Container, o UpOptions) error {
	name := strings.TrimPrefix(c.Name, "/")
	if o.NoStart || c.State.Status == engine.StatusRunning || c.State.Status == engine.StatusRestarting {
		if !o.NoStart {
			progress(o.Progress, "Container", name, "Running")
		}
		return nil
	}
	if c.State.Status == engine.StatusPaused {
		return h.Unpause(ctx, c.ID)
	}
	progress(o.Progress, "Container", name, "Starting")
	if err := h.Start(ctx, c.ID); err != nil {
		return err // the engine names the container it could not start
	}
	progress(o.Progress, "Container", name, "Started")
	return nil
}

// removeContainer stops and removes c (and its anonymous volumes).
func removeContainer(ctx context.Context, h host.Host, c *engine.Container, timeout *time.Duration, out io.Writer) error {
	name := strings.TrimPrefix(c.Name, "/")
	if c.State.Running() {
		progress(out, "Container", name, "Stopping")
		if err := h.Stop(ctx, c.ID, engine.StopOptions{Timeout: timeout}); err != nil && !errors.Is(err, engine.ErrNotRunning) {
			return fmt.Errorf("stop %s: %w", name, err)
		}
		progress(out, "Container", name, "Stopped")
	}
	progress(out, "Container", name, "Removing")
	if err := h.Remove(ctx, c.ID, engine.RemoveOptions{Force: true, Volumes: true}); err != nil && !errors.Is(err, engine.ErrNotFound) {
		return fmt.Errorf("remove %s: %w", name, err)
	}
	progress(out, "Container", name, "Removed")
	return nil
}

// orphans are the project's containers of services it no longer has:
// removed with --remove-orphans, else named in a warning.
func orphans(ctx context.Context, h host.Host, p *types.Project, o UpOptions) error {
	all, err := Containers(ctx, h, p.Name, nil, true, false)
	if err != nil {
		return err
	}
	known := append(p.ServiceNames(), p.DisabledServiceNames()...)
	var names []string
	for _, c := range all {
		if slices.Contains(known, c.Config.Labels[LabelService]) {
			continue
		}
		if o.RemoveOrphans {
			if err := removeContainer(ctx, h, c, o.Timeout, o.Progress); err != nil {
				return err
			}
			continue
		}
		names = append(names, strings.TrimPrefix(c.Name, "/"))
	}
	if len(names) > 0 && o.Progress != nil {
		_, _ = fmt.Fprintf(o.Progress, "WARN[0000] Found orphan containers (%s) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n", strings.Join(names, ", "))
	}
	return nil
}

// waitRunning is up --wait: every container of the project runs, and is
// healthy if it has a healthcheck; a one-shot that exited 0 passes.
func waitRunning(ctx context.Context, h host.Host, p *types.Project, o UpOptions) error {
	if o.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.WaitTimeout)
		defer cancel()
	}
	for _, name := range p.ServiceNames() {
		containers, err := Containers(ctx, h, p.Name, []string{name}, true, false)
		if err != nil {
			return err
		}
		for _, c := range containers {
			condition := types.ServiceConditionStarted
			if c.Config.Healthcheck != nil && len(c.Config.Healthcheck.Test) > 0 && c.Config.Healthcheck.Test[0] != "NONE" {
				condition = types.ServiceConditionHealthy
			}
			if err := waitContainer(ctx, h, c, name, condition); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitContainer waits for one container to meet condition, or to exit:
// an exit is a failure unless it was with 0.
func waitContainer(ctx context.Context, h host.Host, c *engine.Container, service, condition string) error {
	name := strings.TrimPrefix(c.Name, "/")
	for {
		now, err := h.Inspect(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", name, err)
		}
		st := now.State
		if st.Status == engine.StatusExited || st.Status == engine.StatusDead {
			if st.ExitCode == 0 {
				return nil
			}
			return fmt.Errorf("container %s exited (%d)", name, st.ExitCode)
		}
		err = conditionMet(now, service, condition)
		if err == nil && st.Status == engine.StatusRunning {
			return nil
		}
		if err != nil && !errors.Is(err, errNotYet) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("container %s is not ready: %w", name, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// shortID is the first 12 hex digits of a container ID.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
