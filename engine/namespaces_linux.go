package engine

import (
	"fmt"
	"os"
	"path/filepath"

	"berth/engine/containerinit"
	"berth/engine/network"

	"golang.org/x/sys/unix"
)

// sharedNamespaces are the kinds of namespace (containerinit.Config.Shared)
// the container takes from the host or another container instead of
// getting its own, as --pid, --ipc, --uts and --network say. Only these
// flags ever give a container a namespace that is not its own.
func sharedNamespaces(hc HostConfig) []string {
	var shared []string
	if hc.PidMode == ModeHost || containerRef(hc.PidMode) != "" {
		shared = append(shared, "pid")
	}
	if hc.IpcMode == ModeHost || containerRef(hc.IpcMode) != "" {
		shared = append(shared, "ipc")
	}
	if hc.UTSMode == ModeHost {
		shared = append(shared, "uts")
	}
	if containerRef(hc.NetworkMode) != "" {
		shared = append(shared, "net")
	}
	return append(shared, pathKinds(hc)...)
}

// namespaceMounts are the /dev/shm a shared IPC namespace brings: the
// host's with --ipc host, as docker's; with --ipc shareable a directory
// of the container's own (emptied at each start) that containers joining
// its IPC namespace mount too, so that POSIX shared memory is shared
// with System V's. A private or no IPC namespace keeps the tmpfs the
// init mounts.
func (e *Engine) namespaceMounts(c *record) ([]containerinit.Mount, error) {
	opts := []string{"rbind", "rprivate", "nosuid", "nodev", "noexec"}
	hc := c.HostConfig
	switch {
	case hc.IpcMode == ModeHost:
		return []containerinit.Mount{{Type: "bind", Source: "/dev/shm", Target: "/dev/shm", Options: opts}}, nil
	case hc.IpcMode == ModeShareable:
		dir := e.shareableShm(c.ID)
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("empty the shareable /dev/shm: %w", err)
		}
		if err := os.Mkdir(dir, 0o1777); err != nil {
			return nil, fmt.Errorf("make the shareable /dev/shm: %w", err)
		}
		if err := os.Chmod(dir, 0o1777|os.ModeSticky); err != nil { // past the umask
			return nil, fmt.Errorf("make the shareable /dev/shm: %w", err)
		}
		return []containerinit.Mount{{Type: "bind", Source: dir, Target: "/dev/shm", Options: opts}}, nil
	case containerRef(hc.IpcMode) != "":
		d, err := e.get(containerRef(hc.IpcMode))
		if err != nil {
			return nil, fmt.Errorf("can't join IPC of container %s: %w", containerRef(hc.IpcMode), err)
		}
		if d.HostConfig.IpcMode != ModeShareable {
			return nil, nil // namespaceJoins refuses it
		}
		return []containerinit.Mount{{Type: "bind", Source: e.shareableShm(d.ID), Target: "/dev/shm", Options: opts}}, nil
	}
	return nil, nil
}

// shareableShm is the /dev/shm of a container with --ipc shareable, in
// its directory of the store (so rm removes it).
func (e *Engine) shareableShm(id string) string { return filepath.Join(e.store.dir(id), "shm") }

// namespaceJoins opens, for one start of c, a pidfd of the PID 1 of each
// container whose namespaces c shares (--network, --pid, --ipc
// container:NAME). Each must be running, and its PID 1 is checked to be
// the child of its live shim after the pidfd is open: the pidfd then
// names that process, whatever happens to its PID later. closeAll closes
// them; on error nothing is left open.
func (e *Engine) namespaceJoins(c *record) (joins []containerinit.Join, closeAll func(), err error) {
	hc := c.HostConfig
	byDonor := map[string]uintptr{}
	var order []string
	add := func(ref string, flag uintptr) {
		if _, ok := byDonor[ref]; !ok {
			order = append(order, ref)
		}
		byDonor[ref] |= flag
	}
	if ref := containerRef(hc.NetworkMode); ref != "" {
		add(ref, unix.CLONE_NEWNET)
	}
	if ref := containerRef(hc.PidMode); ref != "" {
		add(ref, unix.CLONE_NEWPID)
	}
	if ref := containerRef(hc.IpcMode); ref != "" {
		add(ref, unix.CLONE_NEWIPC)
	}
	closeAll = func() {
		for _, j := range joins {
			_ = unix.Close(j.Pidfd) // a pidfd; nothing to flush
		}
	}
	if joins, err = openNamespacePaths(hc); err != nil {
		return nil, nil, err
	}
	for _, ref := range order {
		flags := byDonor[ref]
		fd, err := e.openDonor(c, ref, flags)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		joins = append(joins, containerinit.Join{Pidfd: fd, Flags: flags})
	}
	return joins, closeAll, nil
}

// openDonor opens a pidfd of the PID 1 of the container ref, whose
// namespaces of flags c joins, with docker's errors when it cannot be
// joined.
func (e *Engine) openDonor(c *record, ref string, flags uintptr) (int, error) {
	kind := "network"
	switch {
	case flags&unix.CLONE_NEWNET != 0:
	case flags&unix.CLONE_NEWPID != 0:
		kind = "PID"
	default:
		kind = "IPC"
	}
	d, err := e.get(ref)
	if err != nil {
		return -1, fmt.Errorf("can't join %s of container %s: %w", kind, ref, err)
	}
	if d.ID == c.ID {
		return -1, invalidf("cannot join own %s", kind)
	}
	if !d.State.Status.hasProcess() || d.State.Pid <= 0 {
		return -1, fmt.Errorf("cannot join %s of a non running container: %s: %w", kind, d.DisplayName(), ErrNotRunning)
	}
	if flags&unix.CLONE_NEWIPC != 0 && d.HostConfig.IpcMode != ModeShareable {
		return -1, invalidf("can't join IPC of container %s: non-shareable IPC (hint: use IpcMode:shareable for the donor container)", d.DisplayName())
	}
	if flags&unix.CLONE_NEWNET != 0 && (d.HostConfig.NetworkMode == network.NameHost || containerRef(d.HostConfig.NetworkMode) != "") {
		// Docker follows the chain; berth keeps every joiner on a
		// namespace of a container's own.
		return -1, invalidf("cannot join network of %s: it shares another's network (--network %s)", d.DisplayName(), d.HostConfig.NetworkMode)
	}
	if flags&unix.CLONE_NEWPID != 0 && (d.HostConfig.PidMode == ModeHost || containerRef(d.HostConfig.PidMode) != "") {
		return -1, invalidf("cannot join PID of %s: it shares another's PID namespace (--pid %s)", d.DisplayName(), d.HostConfig.PidMode)
	}
	fd, err := unix.PidfdOpen(d.State.Pid, 0)
	if err != nil {
		return -1, fmt.Errorf("cannot join %s of %s: open its process: %w", kind, d.DisplayName(), err)
	}
	st, err := readProcStat("/proc", d.State.Pid)
	if err != nil || st.PPID != d.ShimPID || !shimAlive(d) {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("cannot join %s of a non running container: %s: %w", kind, d.DisplayName(), ErrNotRunning)
	}
	return fd, nil
}
