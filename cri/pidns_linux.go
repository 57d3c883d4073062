package cri

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/cri/podinit"
	"berth/engine"
	"berth/ptyexec/nsenter"
)

// A pod whose PID namespace is shared (mode POD) needs a process to hold
// it: a PID namespace whose first process has ended takes no new ones.
// Unlike the network, IPC and UTS namespaces (pinns_linux.go), a pinned
// file is not enough. So the server starts, per pod, a tiny holder
// (package podinit): berth itself re-executed (from a sealed copy, as a
// container's init) as the first process of a new PID namespace, in a
// session of its own, that only reaps the orphans the pod's containers
// leave (as the pause container of containerd and CRI-O does) and
// waits. Its namespace is pinned beside the others (<ns dir>/pid) and
// the pod's containers join it by path (engine.HostConfig.NamespacePaths),
// so in one container ps shows the others' processes, and the holder is
// PID 1.
//
// The holder is not the first container's init, which kubelet may stop
// and restart on its own while the pod lives. It outlives the server,
// as containers do: the pod's record keeps its PID and start time, so a
// restarted server kills that process and never one that reused the PID.

// startPodInit starts sb's holder and pins its PID namespace at
// <ns dir>/pid; sb records the holder. The server reaps the holder when
// it ends while the server runs.
func (s *Server) startPodInit(sb *sandbox) error {
	scratch := filepath.Join(s.opts.RunRoot, "seal")
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return fmt.Errorf("start the pod's PID namespace: %w", err)
	}
	exe, err := nsenter.SealedCopy("/proc/self/exe", scratch)
	if err != nil {
		return fmt.Errorf("start the pod's PID namespace: %w", err)
	}
	defer func() { _ = exe.Close() }() // read-only; the holder runs from its own descriptor
	cmd := &exec.Cmd{
		Path: nsenter.ExecPath(3), Args: []string{podinit.Arg0}, Env: []string{"GOMAXPROCS=1"},
		ExtraFiles:  []*os.File{exe},
		SysProcAttr: &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWPID, Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the pod's PID namespace: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reaps it; it ends only when killed
	sb.PodInitPID, sb.PodInitStart = cmd.Process.Pid, engine.ProcessStartTime(cmd.Process.Pid)
	pin := filepath.Join(sb.NSDir, "pid")
	f, err := os.OpenFile(pin, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o400)
	if err != nil {
		return fmt.Errorf("pin the pod's PID namespace: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("pin the pod's PID namespace: %w", err)
	}
	src := fmt.Sprintf("/proc/%d/ns/pid", sb.PodInitPID)
	if err := unix.Mount(src, pin, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("pin the pod's PID namespace: bind %s: %w", src, err)
	}
	return nil
}

// stopPodInit kills sb's holder, and with it every process left in the
// pod's PID namespace, if it is still the process the record names.
func stopPodInit(sb *sandbox) error {
	if sb.PodInitPID <= 0 {
		return nil
	}
	if err := killProcess(sb.PodInitPID, sb.PodInitStart); err != nil {
		return fmt.Errorf("stop the PID namespace holder of pod %s: %w", sb.ID, err)
	}
	sb.PodInitPID, sb.PodInitStart = 0, 0
	return nil
}

// killProcess sends SIGKILL to the process pid that started at start
// (engine.ProcessStartTime); one that ended is done.
func killProcess(pid int, start uint64) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open process %d: %w", pid, err)
	}
	defer func() { _ = unix.Close(fd) }() // a pidfd; nothing to flush
	// Checked with the pidfd open: it names this process, whatever
	// happens to the PID after.
	if engine.ProcessStartTime(pid) != start {
		return nil // it ended, and the PID is another's now
	}
	if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("kill process %d: %w", pid, err)
	}
	return nil
}
