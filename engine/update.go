package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// UpdateOptions is `berth update`: each field set (non-nil) replaces the
// container's setting, the rest stay.
type UpdateOptions struct {
	Memory     *int64 // bytes; 0 removes the limit
	MemorySwap *int64 // memory+swap bytes; -1 unlimited
	NanoCPUs   *int64
	CPUShares  *int64
	CpusetCpus *string
	CpusetMems *string
	PidsLimit  *int64 // 0 or -1: unlimited
	// CPUPeriod and CPUQuota are the CFS period and quota in µs,
	// MemoryReservation the memory soft limit in bytes (0 removes them).
	CPUPeriod, CPUQuota, MemoryReservation *int64
	// RestartPolicy replaces the restart policy (not for --rm containers).
	RestartPolicy *RestartPolicy
	// PublishAdd adds port bindings ("80/tcp" → bindings, as run -p
	// makes them); PublishRemove removes bindings: a container port with
	// no bindings listed loses all of them. Only for a container that is
	// not running: berth's own, beyond docker.
	PublishAdd    map[string][]PortBinding
	PublishRemove map[string][]PortBinding
}

func (o UpdateOptions) changesResources() bool {
	return o.Memory != nil || o.MemorySwap != nil || o.NanoCPUs != nil || o.CPUShares != nil ||
		o.CpusetCpus != nil || o.CpusetMems != nil || o.PidsLimit != nil || o.CPUPeriod != nil || o.CPUQuota != nil ||
		o.MemoryReservation != nil
}

// minMemory is docker's smallest memory limit.
const minMemory = 6 << 20

// Update changes a container's resources, restart policy or (when it
// is not running) port bindings. A running container's cgroup is updated
// live; a stopped one's record keeps the change for its next start. It
// records the event update.
func (e *Engine) Update(ctx context.Context, ref string, opts UpdateOptions) error {
	c, unlock, err := e.locked(ref)
	if err != nil {
		return err
	}
	defer unlock()
	name := c.DisplayName()
	hc, err := updatedHostConfig(c.HostConfig, opts)
	if err != nil {
		return fmt.Errorf("cannot update container %s: %w", name, err)
	}
	cc := c.Config
	if len(opts.PublishAdd) > 0 || len(opts.PublishRemove) > 0 {
		if c.State.Status.live() {
			return fmt.Errorf("cannot change the published ports of %s while it runs: stop it first: %w", name, ErrRunning)
		}
		if hc.NetworkMode == "none" || hc.NetworkMode == "host" {
			return fmt.Errorf("cannot publish ports of %s: it uses --network %s: %w", name, hc.NetworkMode, ErrInvalidArgument)
		}
		hc.PortBindings, cc.ExposedPorts = updatedPorts(hc.PortBindings, cc.ExposedPorts, opts.PublishAdd, opts.PublishRemove)
	}
	live := c.State.Status.hasProcess() && opts.changesResources()
	if live {
		if err := e.applyResources(c, hc); err != nil {
			return fmt.Errorf("cannot update container %s: %w", name, err)
		}
	}
	old := c.Container
	c.HostConfig, c.Config = hc, cc
	if err := e.store.save(c); err != nil {
		if live {
			err = errors.Join(err, e.applyResources(c, old.HostConfig))
		}
		return fmt.Errorf("update %s: %w", name, err)
	}
	e.event(c, "update", nil)
	return nil
}

// applyResources writes hc's limits to the running container's cgroup.
func (e *Engine) applyResources(c *record, hc HostConfig) error {
	cg, err := e.cgroup(c)
	if err != nil {
		return err
	}
	res := cgroupResources(hc.Resources)
	if _, res.Devices, err = containerDevices(hc, hostDevices{}); err != nil {
		return err
	}
	return cg.Update(res)
}

// updatedHostConfig applies opts to hc with docker's checks (moby's
// daemon/update.go and verifyContainerResources).
func updatedHostConfig(hc HostConfig, opts UpdateOptions) (HostConfig, error) {
	old := hc.Resources
	r := &hc.Resources
	if opts.Memory != nil {
		r.Memory = *opts.Memory
		if r.Memory > 0 && r.Memory < minMemory {
			return hc, invalidf("minimum memory limit allowed is 6MB")
		}
		if opts.MemorySwap == nil && old.MemorySwap > 0 && r.Memory > old.MemorySwap {
			return hc, invalidf("memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
		}
	}
	if opts.MemorySwap != nil {
		r.MemorySwap = *opts.MemorySwap
	}
	if r.MemorySwap > 0 {
		if r.Memory == 0 {
			return hc, invalidf("you should always set the memory limit when using the memoryswap limit, see usage")
		}
		if r.MemorySwap < r.Memory {
			return hc, invalidf("minimum memoryswap limit should be larger than memory limit, see usage")
		}
	}
	if opts.NanoCPUs != nil {
		if *opts.NanoCPUs < 0 {
			return hc, invalidf("range of CPUs is from 0.01 to the number of CPUs available")
		}
		r.NanoCPUs = *opts.NanoCPUs
	}
	if opts.CPUShares != nil {
		if *opts.CPUShares < 0 {
			return hc, invalidf("invalid CPU shares %d: must not be negative", *opts.CPUShares)
		}
		r.CPUShares = *opts.CPUShares
	}
	if opts.CpusetCpus != nil {
		r.CpusetCpus = *opts.CpusetCpus
	}
	if opts.CpusetMems != nil {
		r.CpusetMems = *opts.CpusetMems
	}
	if opts.PidsLimit != nil {
		n := *opts.PidsLimit
		if n <= 0 {
			n = 0
		}
		r.PidsLimit = &n
		if n == 0 {
			r.PidsLimit = nil
		}
	}
	for _, f := range []struct {
		from *int64
		to   *int64
	}{{opts.CPUPeriod, &r.CPUPeriod}, {opts.CPUQuota, &r.CPUQuota}, {opts.MemoryReservation, &r.MemoryReservation}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if err := checkCPUAndReservation(*r); err != nil {
		return hc, err
	}
	if opts.RestartPolicy != nil {
		switch opts.RestartPolicy.Name { // the CLI checks it, a client of the API may not
		case "", "no", "always", "unless-stopped", "on-failure":
		default:
			return hc, invalidf("invalid restart policy %q: must be no, on-failure[:max-retries], always or unless-stopped", opts.RestartPolicy.Name)
		}
		if hc.AutoRemove && opts.RestartPolicy.Name != "" && opts.RestartPolicy.Name != "no" {
			return hc, invalidf("restart policy cannot be updated because AutoRemove is enabled for the container")
		}
		hc.RestartPolicy = *opts.RestartPolicy
	}
	return hc, nil
}

// updatedPorts returns copies of bindings and exposed with add added and
// remove removed.
func updatedPorts(bindings map[string][]PortBinding, exposed map[string]struct{}, add, remove map[string][]PortBinding) (map[string][]PortBinding, map[string]struct{}) {
	nb := map[string][]PortBinding{}
	for k, v := range bindings {
		nb[k] = slices.Clone(v)
	}
	ne := map[string]struct{}{}
	for k := range exposed {
		ne[k] = struct{}{}
	}
	for port, rm := range remove {
		if len(rm) == 0 {
			delete(nb, port)
			continue
		}
		nb[port] = slices.DeleteFunc(nb[port], func(b PortBinding) bool { return slices.Contains(rm, b) })
		if len(nb[port]) == 0 {
			delete(nb, port)
		}
	}
	for port, bs := range add {
		for _, b := range bs {
			if !slices.Contains(nb[port], b) {
				nb[port] = append(nb[port], b)
			}
		}
		ne[port] = struct{}{}
	}
	if len(nb) == 0 {
		nb = nil
	}
	if len(ne) == 0 {
		ne = nil
	}
	return nb, ne
}
