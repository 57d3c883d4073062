package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth/engine"
)

// Create sends the container's Config and HostConfig as docker's create
// request; the network aliases and --ip go in its NetworkingConfig.
func (c *Client) Create(ctx context.Context, opts engine.CreateOptions) (*engine.Container, error) {
	var cfg container.Config
	var hc container.HostConfig
	if err := convert(opts.Config, &cfg); err != nil {
		return nil, fmt.Errorf("create container: %w", err)
	}
	if err := convert(opts.HostConfig, &hc); err != nil {
		return nil, fmt.Errorf("create container: %w", err)
	}
	req := client.ContainerCreateOptions{Config: &cfg, HostConfig: &hc, Name: opts.Name}
	if netName := opts.HostConfig.NetworkMode; len(opts.NetworkAliases) > 0 || opts.IP != "" {
		ep := &network.EndpointSettings{Aliases: opts.NetworkAliases}
		ipam, err := ipamFor(opts.IP)
		if err != nil {
			return nil, fmt.Errorf("create container: %w", err)
		}
		ep.IPAMConfig = ipam
		if netName == "" {
			netName = "bridge"
		}
		req.NetworkingConfig = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{netName: ep}}
	}
	if opts.Platform != "" {
		p, err := parsePlatform(opts.Platform)
		if err != nil {
			return nil, fmt.Errorf("create container: %w", err)
		}
		req.Platform = p
	}
	r, err := c.api.ContainerCreate(ctx, req)
	if err != nil {
		return nil, c.fail("create container", opts.Name, err)
	}
	return c.Inspect(ctx, r.ID)
}

// ipamFor is --ip as an endpoint's address configuration; nil for none.
func ipamFor(ip string) (*network.EndpointIPAMConfig, error) {
	if ip == "" {
		return nil, nil
	}
	var cfg network.EndpointIPAMConfig
	if err := convert(map[string]string{"IPv4Address": ip}, &cfg); err != nil {
		return nil, fmt.Errorf("invalid IP address %q: %w", ip, err)
	}
	return &cfg, nil
}

// parsePlatform is os[/arch[/variant]].
func parsePlatform(s string) (*ocispec.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) > 3 || parts[0] == "" {
		return nil, fmt.Errorf("invalid platform %q: os[/arch[/variant]]", s)
	}
	p := &ocispec.Platform{OS: parts[0]}
	if len(parts) > 1 {
		p.Architecture = parts[1]
	}
	if len(parts) > 2 {
		p.Variant = parts[2]
	}
	return p, nil
}

func (c *Client) Start(ctx context.Context, ref string) error {
	if _, err := c.api.ContainerStart(ctx, ref, client.ContainerStartOptions{}); err != nil {
		return c.fail("start container", ref, err)
	}
	return nil
}

// stopSeconds is docker's stop timeout: whole seconds, -1 for as long as
// the container takes, nil for the container's own.
func stopSeconds(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	s := int(d.Seconds())
	if *d < 0 {
		s = -1
	}
	return &s
}

func (c *Client) Stop(ctx context.Context, ref string, opts engine.StopOptions) error {
	if _, err := c.api.ContainerStop(ctx, ref, client.ContainerStopOptions{Timeout: stopSeconds(opts.Timeout)}); err != nil {
		return c.fail("stop container", ref, err)
	}
	return nil
}

func (c *Client) Restart(ctx context.Context, ref string, opts engine.StopOptions) error {
	if _, err := c.api.ContainerRestart(ctx, ref, client.ContainerRestartOptions{Timeout: stopSeconds(opts.Timeout)}); err != nil {
		return c.fail("restart container", ref, err)
	}
	return nil
}

func (c *Client) Kill(ctx context.Context, ref string, signal string) error {
	if _, err := c.api.ContainerKill(ctx, ref, client.ContainerKillOptions{Signal: signal}); err != nil {
		return c.fail("kill container", ref, err)
	}
	return nil
}

func (c *Client) Pause(ctx context.Context, ref string) error {
	if _, err := c.api.ContainerPause(ctx, ref, client.ContainerPauseOptions{}); err != nil {
		return c.fail("pause container", ref, err)
	}
	return nil
}

func (c *Client) Unpause(ctx context.Context, ref string) error {
	if _, err := c.api.ContainerUnpause(ctx, ref, client.ContainerUnpauseOptions{}); err != nil {
		return c.fail("unpause container", ref, err)
	}
	return nil
}

func (c *Client) Remove(ctx context.Context, ref string, opts engine.RemoveOptions) error {
	if _, err := c.api.ContainerRemove(ctx, ref, client.ContainerRemoveOptions{Force: opts.Force, RemoveVolumes: opts.Volumes}); err != nil {
		return c.fail("remove container", ref, err)
	}
	return nil
}

func (c *Client) Rename(ctx context.Context, ref, newName string) error {
	if _, err := c.api.ContainerRename(ctx, ref, client.ContainerRenameOptions{NewName: newName}); err != nil {
		return c.fail("rename container", ref, err)
	}
	return nil
}

// Wait waits until the container is not running.
func (c *Client) Wait(ctx context.Context, ref string) (engine.WaitResult, error) {
	w := c.api.ContainerWait(ctx, ref, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case r := <-w.Result:
		res := engine.WaitResult{ExitCode: int(r.StatusCode)}
		if r.Error != nil {
			res.Error = r.Error.Message
		}
		return res, nil
	case err := <-w.Error:
		return engine.WaitResult{}, c.fail("wait for container", ref, err)
	}
}

// List is the containers the filters keep, each as inspect describes it
// (a list entry lacks most of what berth's faces show).
func (c *Client) List(ctx context.Context, opts engine.ListOptions) ([]*engine.Container, error) {
	if opts.IDs != nil {
		return c.listIDs(ctx, opts.IDs)
	}
	f := client.Filters{}
	for k, vs := range opts.Filters {
		f.Add(k, vs...)
	}
	r, err := c.api.ContainerList(ctx, client.ContainerListOptions{All: opts.All, Size: opts.Size, Filters: f})
	if err != nil {
		return nil, c.fail("list containers", "", err)
	}
	out := make([]*engine.Container, 0, len(r.Items))
	for _, s := range r.Items {
		ctr, err := c.Inspect(ctx, s.ID)
		if err != nil {
			if strings.Contains(err.Error(), engine.ErrNotFound.Error()) {
				continue // removed between the list and the inspect
			}
			return nil, err
		}
		out = append(out, ctr)
	}
	return out, nil
}

// listIDs is a list of given containers (ListOptions.IDs): each one
// inspected, one gone left out.
func (c *Client) listIDs(ctx context.Context, ids []string) ([]*engine.Container, error) {
	out := make([]*engine.Container, 0, len(ids))
	for _, id := range ids {
		if len(id) != 64 {
			continue // not a full ID (a name or a prefix could name another)
		}
		ctr, err := c.Inspect(ctx, id)
		if err != nil {
			if errors.Is(err, engine.ErrNotFound) {
				continue
			}
			return nil, err
		}
		out = append(out, ctr)
	}
	return out, nil
}

// Inspect is docker's inspect document, read into the engine's Container.
func (c *Client) Inspect(ctx context.Context, ref string) (*engine.Container, error) {
	r, err := c.api.ContainerInspect(ctx, ref, client.ContainerInspectOptions{})
	if err != nil {
		return nil, c.fail("inspect container", ref, err)
	}
	var ctr engine.Container
	if err := convert(r.Raw, &ctr); err != nil {
		return nil, fmt.Errorf("inspect container %s on %s: %w", ref, c.endpoint, err)
	}
	return &ctr, nil
}

func (c *Client) TopPS(ctx context.Context, ref string, psArgs []string) (*engine.TopResult, error) {
	r, err := c.api.ContainerTop(ctx, ref, client.ContainerTopOptions{Arguments: psArgs})
	if err != nil {
		return nil, c.fail("top", ref, err)
	}
	return &engine.TopResult{Titles: r.Titles, Processes: r.Processes}, nil
}

func (c *Client) Info(ctx context.Context) (*engine.Info, error) {
	r, err := c.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return nil, c.fail("info", "", err)
	}
	i := r.Info
	return &engine.Info{
		Containers: i.Containers, ContainersRunning: i.ContainersRunning,
		ContainersPaused: i.ContainersPaused, ContainersStopped: i.ContainersStopped,
		Images: i.Images, StorageDriver: i.Driver, CgroupVersion: i.CgroupVersion,
		CgroupDriver: i.CgroupDriver, KernelVersion: i.KernelVersion,
		OperatingSystem: i.OperatingSystem, NCPU: i.NCPU, MemTotal: uint64(i.MemTotal),
		DataRoot: i.DockerRootDir,
	}, nil
}

// Check and Boot are berth's own repair and start-at-boot passes; the
// API has no request for them (run them on the far side).
func (c *Client) Check(ctx context.Context, opts engine.CheckOptions) ([]engine.Damage, error) {
	return nil, c.notImplemented("system check")
}

func (c *Client) Boot(ctx context.Context) ([]engine.BootResult, error) {
	return nil, c.notImplemented("system boot")
}

func (c *Client) ConnectNetwork(net, ctr string, opts engine.ConnectOptions) error {
	ipam, err := ipamFor(opts.IP)
	if err != nil {
		return fmt.Errorf("connect %s to network %s: %w", ctr, net, err)
	}
	ep := &network.EndpointSettings{Aliases: opts.Aliases, IPAMConfig: ipam}
	if _, err := c.api.NetworkConnect(context.Background(), net, client.NetworkConnectOptions{Container: ctr, EndpointConfig: ep}); err != nil {
		return c.fail("connect "+ctr+" to network", net, err)
	}
	return nil
}

func (c *Client) DisconnectNetwork(net, ctr string, force bool) error {
	if _, err := c.api.NetworkDisconnect(context.Background(), net, client.NetworkDisconnectOptions{Container: ctr, Force: force}); err != nil {
		return c.fail("disconnect "+ctr+" from network", net, err)
	}
	return nil
}
