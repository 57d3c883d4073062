package engine

// briefOf is what a brief list (ListOptions.Brief) keeps of c: what a
// list of containers shows and its filters read (ID, name, image,
// command, created, state and health status, restart count, labels,
// ports, network mode and networks, mount points, TTY and stdin, the
// stop timeout, the restart policy and the CPU limit), what Stats reads
// (the cgroup parent) and the shim's identity List checks (shimDied).
// It shares c's slices, maps and pointers; the rest of c (environment,
// the other host settings, the health probes' output) is left to the
// collector. What it keeps is the list snapshot's format
// (listSnapshotVersion).
func briefOf(c *record) *record {
	b := &record{ShimPID: c.ShimPID, ShimStart: c.ShimStart, ShimBoot: c.ShimBoot}
	b.ID, b.Created, b.Name, b.Image = c.ID, c.Created, c.Name, c.Image
	b.Path, b.Args, b.RestartCount = c.Path, c.Args, c.RestartCount
	b.Mounts = c.Mounts
	b.State = c.State
	if h := c.State.Health; h != nil {
		b.State.Health = &Health{Status: h.Status, FailingStreak: h.FailingStreak}
	}
	b.Config = ContainerConfig{
		Image: c.Config.Image, Labels: c.Config.Labels,
		Cmd: c.Config.Cmd, Entrypoint: c.Config.Entrypoint,
		Tty: c.Config.Tty, OpenStdin: c.Config.OpenStdin,
		StopTimeout: c.Config.StopTimeout, ExposedPorts: c.Config.ExposedPorts,
	}
	hc := &b.HostConfig
	hc.NetworkMode, hc.PortBindings = c.HostConfig.NetworkMode, c.HostConfig.PortBindings
	hc.RestartPolicy, hc.AutoRemove = c.HostConfig.RestartPolicy, c.HostConfig.AutoRemove
	hc.CgroupParent, hc.NanoCPUs = c.HostConfig.CgroupParent, c.HostConfig.NanoCPUs
	b.NetworkSettings = c.NetworkSettings
	return b
}
