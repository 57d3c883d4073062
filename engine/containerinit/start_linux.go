package containerinit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"berth/ptyexec/nsenter"

	"golang.org/x/sys/unix"
)

// The child's inherited fds, after stdin, stdout and stderr.
const (
	configFd = 3 // read end of the config pipe: the Config as JSON, then EOF
	reportFd = 4 // write end of the report pipe: an ExecError as JSON, or EOF at exec
	exeFd    = 5 // the sealed copy of berth the child was exec'd from; it closes it
	devptsFd = 6 // StartOptions.Devpts, when given
	// readyFd (7) is the tiny init's; cgroupTasksFd on are
	// StartOptions.CgroupTasks.
	cgroupTasksFd  = 8
	maxCgroupTasks = 16
)

// Process is a started container: its PID 1 runs the user's command.
type Process struct {
	// Pid is the host pid of the container's PID 1.
	Pid int
	cmd *exec.Cmd
}

// Start starts a container and returns once its command has been exec'd.
// When setup or exec fails in the child, the error is an *ExecError with
// docker run's exit code (125, 126, 127); any other error means 125 too.
// Nothing is left behind on error: the child is killed and reaped, and its
// mounts lived only in its own mount namespace.
//
// Start must be called from a process that stays alive to Wait for the
// container: the container is its child.
func Start(cfg *Config, opts StartOptions) (*Process, error) {
	err := validate(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Terminal && opts.Stdin == nil {
		return nil, fmt.Errorf("%w: a terminal needs the PTY slave as stdin", ErrInvalidConfig)
	}
	if len(opts.CgroupTasks) > maxCgroupTasks {
		return nil, fmt.Errorf("%w: %d cgroup tasks files, at most %d", ErrInvalidConfig, len(opts.CgroupTasks), maxCgroupTasks)
	}
	devpts := cfg.Terminal && opts.Devpts != nil
	if devpts || len(opts.CgroupTasks) > 0 {
		c := *cfg
		c.Devpts = devpts
		c.CgroupTasks = len(opts.CgroupTasks)
		cfg = &c
	}
	exe := opts.Exe
	if exe == nil {
		if exe, err = nsenter.SealedCopy("/proc/self/exe", ""); err != nil {
			return nil, fmt.Errorf("start container init: %w", err)
		}
		defer func() { _ = exe.Close() }()
	}
	payload, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode container config: %w", err)
	}
	configR, configW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("config pipe: %w", err)
	}
	defer func() { _ = configW.Close() }()
	reportR, reportW, err := os.Pipe()
	if err != nil {
		_ = configR.Close()
		return nil, fmt.Errorf("report pipe: %w", err)
	}
	defer func() { _ = reportR.Close() }()
	tasks, err := nsenter.OpenCgroupTasks(opts.CgroupTasks)
	if err != nil {
		_ = configR.Close()
		_ = reportW.Close()
		return nil, fmt.Errorf("start container init: %w", err)
	}
	defer nsenter.CloseAll(tasks)
	extra := []*os.File{configR, reportW, exe} // configFd, reportFd, exeFd
	if devpts || len(tasks) > 0 {
		var d *os.File // none: the child's devptsFd is closed
		if devpts {
			d = opts.Devpts
		}
		extra = append(extra, d) // devptsFd
	}
	if len(tasks) > 0 {
		extra = append(append(extra, nil), tasks...) // readyFd closed, cgroupTasksFd…
	}

	cmd := &exec.Cmd{
		Path:       nsenter.ExecPath(exeFd),
		Args:       []string{Arg0},
		Env:        []string{},
		Stdin:      opts.Stdin,
		Stdout:     opts.Stdout,
		Stderr:     opts.Stderr,
		ExtraFiles: extra,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: cloneFlags(cfg.Network) &^ sharedFlags(cfg.Shared),
			Setsid:     true,
			Setctty:    cfg.Terminal,
			Ctty:       0,
		},
	}
	err = startIn(cmd, opts.Join)
	_ = configR.Close()
	_ = reportW.Close()
	if err != nil {
		return nil, fmt.Errorf("start container init: %w", err)
	}
	p := &Process{Pid: cmd.Process.Pid, cmd: cmd}

	if opts.BeforeRun != nil {
		if err := opts.BeforeRun(p.Pid); err != nil {
			p.kill()
			return nil, err
		}
	}
	_, writeErr := configW.Write(payload)
	_ = configW.Close() // a pipe: the write above is what can fail
	report, readErr := io.ReadAll(reportR)
	switch {
	case len(report) > 0:
		p.kill()
		return nil, decodeReport(report)
	case readErr != nil:
		p.kill()
		return nil, fmt.Errorf("read container init report: %w", readErr)
	case writeErr != nil:
		p.kill()
		return nil, fmt.Errorf("send container config: %w", writeErr)
	}
	return p, nil
}

// validate checks what can be checked before anything starts.
func validate(cfg *Config) error {
	if cfg.Rootfs == "" {
		return fmt.Errorf("%w: no rootfs", ErrInvalidConfig)
	}
	if len(cfg.Args) == 0 || cfg.Args[0] == "" {
		return fmt.Errorf("%w: no command", ErrInvalidConfig)
	}
	if cfg.Cwd != "" && !filepath.IsAbs(cfg.Cwd) {
		return fmt.Errorf("%w: working directory %q is not absolute", ErrInvalidConfig, cfg.Cwd)
	}
	for _, m := range cfg.Mounts {
		if m.Target == "" {
			return fmt.Errorf("%w: mount of %s has no target", ErrInvalidConfig, m.Source)
		}
		if m.Type != "bind" {
			continue
		}
		if _, err := os.Stat(m.Source); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("invalid mount config for type \"bind\": %w: %s", ErrBindSourceMissing, m.Source)
			}
			return fmt.Errorf("bind mount %s: %w", m.Source, err)
		}
	}
	return nil
}

// cloneFlags returns the namespaces a container gets.
func cloneFlags(network string) uintptr {
	flags := uintptr(unix.CLONE_NEWPID | unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC)
	if network != "host" {
		flags |= unix.CLONE_NEWNET
	}
	return flags
}

// decodeReport turns what the child wrote on the report pipe into an error.
func decodeReport(report []byte) error {
	var e ExecError
	if err := json.Unmarshal(report, &e); err != nil || e.Code == 0 {
		return &ExecError{Code: ExitSetupFailed, Msg: fmt.Sprintf("container init: %s", report)}
	}
	return &e
}

// kill ends a container that failed to start and reaps it.
func (p *Process) kill() {
	// The child may already have exited on its own; either way Wait reaps it.
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// Wait waits for the container's PID 1 to exit. exitCode is its exit
// status, or 128+N when signal N killed it (docker's convention); signal is
// that signal, 0 when it exited by itself. err is set only when waiting
// itself failed.
func (p *Process) Wait() (exitCode int, signal syscall.Signal, err error) {
	err = p.cmd.Wait()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return 0, 0, fmt.Errorf("wait for container pid %d: %w", p.Pid, err)
	}
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return 0, 0, fmt.Errorf("wait for container pid %d: no wait status", p.Pid)
	}
	exitCode, signal = exitStatus(ws)
	return exitCode, signal, nil
}

// Signal sends sig to the container's PID 1. As PID 1 of its namespace, the
// command ignores signals it has no handler for, except SIGKILL and SIGSTOP.
func (p *Process) Signal(sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal container pid %d: %w", p.Pid, err)
	}
	return nil
}

// exitStatus turns a wait status into docker's exit code (128+N for signal
// N) and the signal, if any.
func exitStatus(ws syscall.WaitStatus) (int, syscall.Signal) {
	if ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return ws.ExitStatus(), 0
}
