package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/engine/containerinit"
	"berth/engine/jsonlog"
	"berth/engine/network"
)

// Logs delivers the container's log lines to fn, as `berth logs` selects
// them. Following ends when ctx ends or the container stops.
func (e *Engine) Logs(ctx context.Context, ref string, opts LogsOptions, fn func(LogEntry) error) error {
	c, err := e.get(ref)
	if err != nil {
		return err
	}
	if c.HostConfig.LogConfig.Type == logDriverNone {
		return ErrLogsNotReadable
	}
	ro := jsonlog.ReadOptions{Tail: opts.Tail, Since: opts.Since, Until: opts.Until,
		Follow: opts.Follow, Stdout: opts.Stdout, Stderr: opts.Stderr, Transient: opts.Transient, Joined: opts.Joined}
	if opts.Follow {
		done := make(chan struct{})
		ro.Done = done
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			_ = e.waitStopped(wctx, c.ID) // ends with the container or when the reader stops following
			close(done)
		}()
	}
	err = jsonlog.Read(ctx, c.LogPath, ro, func(en jsonlog.Entry) error {
		return fn(LogEntry{Stream: en.Stream, Time: en.Time, Line: en.Line})
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("logs %s: %w", c.DisplayName(), err)
	}
	return nil
}

// processes returns the container ref and the host PIDs in its cgroup;
// a container that has no process is an error, as docker top's.
func (e *Engine) processes(ref string) (*record, []int, error) {
	c, err := e.get(ref)
	if err != nil {
		return nil, nil, err
	}
	if !c.State.Status.hasProcess() {
		return nil, nil, fmt.Errorf("container %s: %w", c.DisplayName(), ErrNotRunning)
	}
	cg, err := e.cgroup(c)
	if err != nil {
		return nil, nil, err
	}
	pids, err := cg.Procs()
	if err != nil {
		return nil, nil, fmt.Errorf("top %s: %w", c.DisplayName(), err)
	}
	return c, pids, nil
}

// Top lists the processes in the container's cgroup.
func (e *Engine) Top(ctx context.Context, ref string) ([]Process, error) {
	c, pids, err := e.processes(ref)
	if err != nil {
		return nil, err
	}
	boot, err := bootTime()
	if err != nil {
		return nil, fmt.Errorf("top %s: %w", c.DisplayName(), err)
	}
	// User names come from the container's own /etc/passwd.
	passwd, _ := os.ReadFile("/proc/" + strconv.Itoa(c.State.Pid) + "/root/etc/passwd")
	users := containerinit.UserNames(bytes.NewReader(passwd))
	procs := make([]Process, 0, len(pids))
	for _, pid := range pids {
		p, err := readProcess(pid, boot, users)
		if err != nil {
			continue // exited meanwhile
		}
		procs = append(procs, p)
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].PID < procs[j].PID })
	return procs, nil
}

// SignalProcess sends sig to one process of the container, named by its
// host PID, refusing PIDs outside the container.
func (e *Engine) SignalProcess(ctx context.Context, ref string, hostPID int, signal string) error {
	sig, err := parseSignal(signal)
	if err != nil {
		return err
	}
	c, err := e.get(ref)
	if err != nil {
		return err
	}
	cg, err := e.cgroup(c)
	if err != nil {
		return err
	}
	pids, err := cg.Procs()
	if err != nil {
		return err
	}
	for _, p := range pids {
		if p == hostPID {
			if err := unix.Kill(p, sig); err != nil {
				return fmt.Errorf("signal process %d: %w", p, err)
			}
			return nil
		}
	}
	return invalidf("process %d is not in container %s", hostPID, c.DisplayName())
}

// Stats reads one sample of the container's resource use from its cgroup.
func (e *Engine) Stats(ctx context.Context, ref string) (*Stats, error) {
	c, err := e.getCached(ref)
	if err != nil {
		return nil, err
	}
	st := &Stats{ID: c.ID, Name: c.DisplayName(), Time: time.Now()}
	if !c.State.Status.hasProcess() {
		return st, nil
	}
	cg, err := e.cgroup(c)
	if err != nil {
		return nil, err
	}
	cs, err := cg.Stats()
	if err != nil {
		return nil, fmt.Errorf("stats %s: %w", c.DisplayName(), err)
	}
	st.CPUUsage = time.Duration(cs.CPUUsage)
	st.MemoryUsage, st.MemoryLimit = cs.MemoryUsage, cs.MemoryLimit
	st.MemoryCurrent, st.MemoryRSS = cs.MemoryCurrent, cs.MemoryRSS
	st.PageFaults, st.MajorPageFaults = cs.PageFaults, cs.MajorPageFaults
	if total := hostMemory(); st.MemoryLimit == 0 || st.MemoryLimit > total {
		st.MemoryLimit = total
	}
	st.PidsCurrent, st.PidsLimit = cs.PidsCurrent, cs.PidsLimit
	st.BlockRead, st.BlockWrite = cs.BlkioRead, cs.BlkioWrite
	if c.HostConfig.NetworkMode != "host" {
		if nc, err := network.ContainerCounters(c.State.Pid); err == nil {
			st.NetRx, st.NetTx = nc.RxBytes, nc.TxBytes
		}
	}
	return st, nil
}

func hostMemory() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// Info describes the engine as `berth info` shows it.
func (e *Engine) Info(ctx context.Context) (*Info, error) {
	all, err := e.List(ctx, ListOptions{All: true})
	if err != nil {
		return nil, err
	}
	imgs, err := e.images.List()
	if err != nil {
		return nil, err
	}
	info := &Info{
		Containers:      len(all),
		Images:          len(imgs),
		StorageDriver:   e.images.Driver(),
		CgroupDriver:    "cgroupfs",
		NCPU:            runtime.NumCPU(),
		MemTotal:        hostMemory(),
		DataRoot:        e.opts.Root,
		RunRoot:         e.opts.RunRoot,
		ConfigFile:      e.opts.ConfigFile,
		CgroupParent:    e.opts.CgroupParent,
		LogOpts:         e.opts.LogOpts,
		OperatingSystem: osName(),
		SecurityOptions: []string{"name=seccomp,profile=" + seccompBuiltin},
	}
	for _, c := range all {
		switch {
		case c.State.Paused():
			info.ContainersPaused++
		case c.State.Running():
			info.ContainersRunning++
		default:
			info.ContainersStopped++
		}
	}
	if v, err := cgroupVersion(e.opts.CgroupRoot); err == nil {
		info.CgroupVersion = v
	}
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		info.KernelVersion = unix.ByteSliceToString(uts.Release[:])
	}
	return info, nil
}

func osName() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return "Linux"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return "Linux"
}

func cgroupVersion(root string) (string, error) {
	v, err := cgroups.Detect(root)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(v.String(), "v"), nil
}
