package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/engine/network"
	"berth/engine/volumes"
	"berth/host"
)

// ensureNetworks creates the project's networks that do not exist yet,
// labelled as Docker Compose labels them, and checks that the external
// ones exist. Only networks a service uses are made.
func ensureNetworks(h host.Host, p *types.Project, out io.Writer) error {
	existing, err := h.Networks().List()
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n.Name] = true
	}
	used := usedNetworks(p)
	for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
		nw := p.Networks[key]
		if !used[key] || have[nw.Name] {
			continue
		}
		if nw.External {
			return fmt.Errorf("network %s declared as external, but could not be found", nw.Name)
		}
		opts, err := networkOptions(p, key, nw)
		if err != nil {
			return err
		}
		progress(out, "Network", nw.Name, "Creating")
		if _, err := h.Networks().Create(opts); err != nil {
			return fmt.Errorf("create network %s: %w", nw.Name, err)
		}
		progress(out, "Network", nw.Name, "Created")
	}
	return nil
}

// usedNetworks are the keys of the networks the project's services join.
func usedNetworks(p *types.Project) map[string]bool {
	used := map[string]bool{}
	for _, s := range p.Services {
		if s.NetworkMode != "" {
			continue
		}
		for key := range s.Networks {
			used[key] = true
		}
	}
	return used
}

// networkOptions is the engine's network for network key of p.
func networkOptions(p *types.Project, key string, nw types.NetworkConfig) (network.CreateOptions, error) {
	if nw.Driver != "" && nw.Driver != "bridge" {
		return network.CreateOptions{}, fmt.Errorf("network %s: driver %q: berth makes bridge networks only", key, nw.Driver)
	}
	if nw.EnableIPv6 != nil && *nw.EnableIPv6 {
		return network.CreateOptions{}, fmt.Errorf("network %s: enable_ipv6: berth's networks are IPv4 only", key)
	}
	labels := map[string]string{}
	maps.Copy(labels, nw.Labels)
	maps.Copy(labels, nw.CustomLabels)
	labels[LabelProject] = p.Name
	labels[LabelNetwork] = key
	labels[LabelVersion] = version
	opts := network.CreateOptions{Name: nw.Name, Internal: nw.Internal, Labels: labels}
	switch len(nw.Ipam.Config) {
	case 0:
	case 1:
		opts.Subnet = nw.Ipam.Config[0].Subnet
		opts.Gateway = nw.Ipam.Config[0].Gateway
	default:
		return opts, fmt.Errorf("network %s: ipam.config: berth takes one subnet per network", key)
	}
	return opts, nil
}

// ensureVolumes creates the project's named volumes that do not exist
// yet and checks that the external ones exist.
func ensureVolumes(ctx context.Context, h host.Host, p *types.Project, out io.Writer) error {
	for _, key := range slices.Sorted(maps.Keys(p.Volumes)) {
		v := p.Volumes[key]
		_, err := h.Volumes().Inspect(ctx, v.Name)
		if err == nil {
			continue
		}
		if !errors.Is(err, volumes.ErrNotFound) {
			return fmt.Errorf("inspect volume %s: %w", v.Name, err)
		}
		if v.External {
			return fmt.Errorf("external volume %q not found", v.Name)
		}
		labels := map[string]string{}
		maps.Copy(labels, v.Labels)
		maps.Copy(labels, v.CustomLabels)
		labels[LabelProject] = p.Name
		labels[LabelVolume] = key
		labels[LabelVersion] = version
		progress(out, "Volume", v.Name, "Creating")
		if _, err := h.Volumes().Create(ctx, volumes.CreateOptions{Name: v.Name, Driver: v.Driver, Options: v.DriverOpts, Labels: labels}); err != nil {
			return fmt.Errorf("create volume %s: %w", v.Name, err)
		}
		progress(out, "Volume", v.Name, "Created")
	}
	return nil
}

// progress is one line of up's and down's report, as Docker Compose
// prints it without a terminal: " Container web-1  Started".
func progress(out io.Writer, kind, name, what string) {
	if out != nil {
		_, _ = fmt.Fprintf(out, " %s %s  %s\n", kind, name, what)
	}
}
