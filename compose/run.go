package compose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine"
	"berth/host"
)

// LabelSlug is the random ID of a `compose run` container, the end of
// its name, as Docker Compose v2 labels it.
const LabelSlug = "com.docker.compose.slug"

// RunOptions are `compose run`'s: the service, and what its one-off
// container does differently from the service's own.
type RunOptions struct {
	Service string
	// Name is --name; "" is project-service-run-ID.
	Name string
	// Command replaces the service's command when given.
	Command []string
	// Entrypoint, when not nil, replaces the service's entrypoint, and
	// then the service's command too unless Command is given.
	Entrypoint []string
	User       string
	WorkingDir string
	// Env is -e KEY=VALUE, over the service's environment.
	Env []string
	// Labels are -l, over the service's labels.
	Labels  map[string]string
	Volumes []types.ServiceVolumeConfig
	// Publish are -p: the only ports published unless ServicePorts,
	// which publishes the service's own.
	Publish      []types.ServicePortConfig
	ServicePorts bool
	CapAdd       []string
	CapDrop      []string
	Tty          bool
	Interactive  bool
	// Detach is -d: nothing attaches to the container's streams.
	Detach     bool
	AutoRemove bool // --rm
	// UseAliases gives the container the service's name and aliases on
	// its networks; without it only its own name.
	UseAliases bool
	// NoDeps leaves the service's dependencies alone; else they are
	// brought up (as up does) and their depends_on conditions awaited.
	NoDeps bool
	// Up are the options the dependencies are brought up with, and the
	// service's image built or pulled with (Build, NoBuild, Pull,
	// Registry, RemoveOrphans, Progress, BuildOutput).
	Up UpOptions
}

// CreateOneoff is `compose run` up to the container: the service's
// dependencies up and meeting their conditions, its networks, volumes
// and image there, then its one-off container created (not started),
// labelled oneoff=True and named project-service-run-ID. The caller
// starts it, attached or not.
func CreateOneoff(ctx context.Context, h host.Host, p *types.Project, o RunOptions) (*engine.Container, error) {
	if _, ok := p.DisabledServices[o.Service]; ok {
		// Running a service of a profile that is not active enables it,
		// as Docker Compose does.
		enabled, err := p.WithServicesEnabled(o.Service)
		if err != nil {
			return nil, err
		}
		p = enabled
	}
	sel, err := selectServices(p, []string{o.Service}, o.NoDeps)
	if err != nil {
		return nil, err
	}
	s, err := oneoffService(sel.Services[o.Service], o)
	if err != nil {
		return nil, err
	}
	name := o.Name
	if name == "" {
		name = OneoffName(p.Name, s.Name, slugID(s))
	}
	s.ContainerName = name
	hash, err := ServiceHash(s)
	if err != nil {
		return nil, err
	}
	// The container's options are checked before anything is made.
	spec, err := createOptions(p, s, 1, hash)
	if err != nil {
		return nil, err
	}
	if deps := sel.WithServicesDisabled(o.Service); !o.NoDeps && len(deps.Services) > 0 {
		if err := Up(ctx, h, deps, o.Up); err != nil {
			return nil, err
		}
	}
	alone, err := selectServices(sel, []string{o.Service}, true)
	if err != nil {
		return nil, err
	}
	if err := ensureImages(ctx, h, alone, []string{o.Service}, o.Up); err != nil {
		return nil, err
	}
	if err := ensureNetworks(h, alone, o.Up.Progress); err != nil {
		return nil, err
	}
	if err := ensureVolumes(ctx, h, alone, o.Up.Progress); err != nil {
		return nil, err
	}
	if !o.NoDeps {
		if err := waitDependencies(ctx, h, sel, s, o.Up.Progress); err != nil {
			return nil, err
		}
	}
	oneoffSpec(&spec, s, o)
	return createOneoff(ctx, h, p, s, spec, o.Up.Progress)
}

// oneoffService is service s with run's overrides applied: one
// container, never restarted.
func oneoffService(s types.ServiceConfig, o RunOptions) (types.ServiceConfig, error) {
	s.Tty = o.Tty
	s.StdinOpen = o.Interactive
	s.Scale = nil
	s.Restart = ""
	if s.Deploy != nil {
		d := *s.Deploy
		d.RestartPolicy = nil
		d.Replicas = nil
		s.Deploy = &d
	}
	if len(o.Command) > 0 {
		s.Command = o.Command
	}
	if o.Entrypoint != nil {
		s.Entrypoint = o.Entrypoint
		if len(o.Command) == 0 {
			s.Command = types.ShellCommand{}
		}
	}
	if o.User != "" {
		s.User = o.User
	}
	if o.WorkingDir != "" {
		s.WorkingDir = o.WorkingDir
	}
	if len(o.CapAdd) > 0 {
		s.CapAdd = append(slices.Clone(s.CapAdd), o.CapAdd...)
		s.CapDrop = slices.DeleteFunc(slices.Clone(s.CapDrop), func(c string) bool { return slices.Contains(o.CapAdd, c) })
	}
	if len(o.CapDrop) > 0 {
		s.CapDrop = append(slices.Clone(s.CapDrop), o.CapDrop...)
		s.CapAdd = slices.DeleteFunc(slices.Clone(s.CapAdd), func(c string) bool { return slices.Contains(o.CapDrop, c) })
	}
	if len(o.Env) > 0 {
		env := types.MappingWithEquals{}
		for k, v := range s.Environment {
			env[k] = v
		}
		for k, v := range types.NewMappingWithEquals(o.Env) {
			if v == nil {
				return s, fmt.Errorf("--env %s: give KEY=VALUE, or KEY set in berth's environment", k)
			}
			env[k] = v
		}
		s.Environment = env
	}
	slug, err := newSlug()
	if err != nil {
		return s, err
	}
	labels := types.Labels{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range o.Labels {
		labels[k] = v
	}
	labels[LabelSlug] = slug
	s.Labels = labels
	if !o.ServicePorts {
		s.Ports = o.Publish
	}
	s.Volumes = append(slices.Clone(s.Volumes), o.Volumes...)
	return s, nil
}

// slugID is the 12 hex digits of a one-off container's name; the whole
// slug is in its labels.
func slugID(s types.ServiceConfig) string {
	return s.Labels[LabelSlug][:12]
}

// newSlug is a one-off container's random ID: 64 hex digits.
func newSlug() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random ID for compose run: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// oneoffSpec makes spec a one-off container's: labelled oneoff=True
// without a number, removed when it exits with --rm, attached unless
// detached, and known on its networks by its own name only unless
// UseAliases.
func oneoffSpec(spec *containerSpec, s types.ServiceConfig, o RunOptions) {
	cc := &spec.opts.Config
	delete(cc.Labels, LabelNumber)
	cc.Labels[LabelOneoff] = "True"
	spec.opts.HostConfig.AutoRemove = o.AutoRemove
	cc.OpenStdin = o.Interactive
	if !o.Detach {
		cc.AttachStdout, cc.AttachStderr = true, true
		cc.AttachStdin = o.Interactive
		cc.StdinOnce = o.Interactive
	}
	aliases := func(service []string) []string {
		if len(service) == 0 {
			return nil
		}
		if o.UseAliases {
			return append([]string{s.ContainerName}, service...)
		}
		return []string{s.ContainerName}
	}
	spec.opts.NetworkAliases = aliases(spec.opts.NetworkAliases)
	for i := range spec.more {
		spec.more[i].options.Aliases = aliases(spec.more[i].options.Aliases)
	}
}

// createOneoff creates the one-off container of spec on every network of
// service s, with its secrets and configs; a failure leaves nothing.
func createOneoff(ctx context.Context, h host.Host, p *types.Project, s types.ServiceConfig, spec containerSpec, out io.Writer) (*engine.Container, error) {
	name := spec.opts.Name
	progress(out, "Container", name, "Creating")
	c, err := h.Create(ctx, spec.opts)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	undo := func(err error) (*engine.Container, error) {
		_ = h.Remove(ctx, c.ID, engine.RemoveOptions{Force: true, Volumes: true})
		return nil, err
	}
	for _, j := range spec.more {
		if err := h.ConnectNetwork(j.name, c.ID, j.options); err != nil {
			return undo(fmt.Errorf("connect %s to network %s: %w", name, j.name, err))
		}
	}
	if err := copyFiles(ctx, h, p, s, c.ID); err != nil {
		return undo(fmt.Errorf("%s: %w", name, err))
	}
	progress(out, "Container", name, "Created")
	return c, nil
}
