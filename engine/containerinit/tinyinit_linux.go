package containerinit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"berth/ptyexec/nsenter"
)

// berth's tiny init (--init), as docker-init (tini) is docker's: PID 1 of
// the container for its whole life, the command its child. It forwards
// every signal it can catch to the command (the command's process alone,
// as tini without -g: a shell's background jobs get only what the shell
// passes on), reaps every zombie the container's orphans leave, and exits
// with the command's code, 128+N when signal N killed it.
//
// How it comes to be, without ever running the host's binary in the
// container and without a privileged process left in it:
//
//  1. The init Start cloned (P, PID 1) reads a Config with Init. Before it
//     builds anything it starts a second init from the same sealed copy of
//     berth (C, PID 2) with the Config minus Init (plus UnderInit), in a
//     process group of its own, the terminal's foreground one. C builds
//     the container exactly as a plain init does and execs the command;
//     its errors reach Start on the report pipe, as always.
//  2. P drops to uid 0 with CAP_KILL alone (to signal a command run as
//     another user), no_new_privs and the container's seccomp filter, and
//     execs the sealed berth once more as TinyInitArg0. berth is
//     dynamically linked, so this exec must happen while the host's root
//     is still P's: C waits on a pipe (readyFd) until the tiny init, its
//     libraries loaded and its signal handlers in place, closes it. C's
//     pivot_root then moves the tiny init's root and working directory
//     (the host's /) into the container as well.

// readyFd is the pipe C waits on; P hands its write end to the tiny init
// as this descriptor too.
const readyFd = 7

// envInitChild passes the command's PID to the tiny init.
const envInitChild = "BERTH_INIT_CHILD"

// superviseInit is step 1 and 2 above, run by P. It returns only on
// failure.
func superviseInit(cfg *Config) error {
	// C, forked from this thread, is born in the cgroup this thread
	// joins; the tiny init is this thread, exec'd.
	if err := joinCgroup(cfg); err != nil {
		return err
	}
	child := *cfg
	child.Init, child.UnderInit, child.CgroupTasks = false, true, 0
	payload, err := json.Marshal(&child)
	if err != nil {
		return fmt.Errorf("--init: encode the command's config: %w", err)
	}
	configR, configW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("--init: config pipe: %w", err)
	}
	defer func() { _ = configW.Close() }()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		_ = configR.Close()
		return fmt.Errorf("--init: ready pipe: %w", err)
	}
	defer func() { _ = readyW.Close() }()
	var devpts *os.File // fd 6 only when the shim gave one
	if cfg.Devpts {
		devpts = os.NewFile(devptsFd, "devpts")
	}
	cmd := &exec.Cmd{
		Path:   nsenter.ExecPath(exeFd),
		Args:   []string{Arg0},
		Env:    []string{},
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		// configFd, reportFd, exeFd, devptsFd, readyFd
		ExtraFiles: []*os.File{configR, os.NewFile(reportFd, "report"), os.NewFile(exeFd, "exe"), devpts, readyR},
		// As tini: the command leads a process group of its own, in the
		// foreground of the terminal, so ctrl-c reaches it and not PID 1.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Foreground: cfg.Terminal, Ctty: 0},
	}
	err = cmd.Start()
	_ = configR.Close()
	_ = readyR.Close()
	if err != nil {
		return fmt.Errorf("--init: start the command's init: %w", err)
	}
	if _, err := configW.Write(payload); err != nil {
		return fmt.Errorf("--init: send the command's config: %w", err)
	}
	if err := configW.Close(); err != nil {
		return fmt.Errorf("--init: send the command's config: %w", err)
	}
	if devpts != nil {
		_ = devpts.Close() // C has its own; only C mounts it
	}
	// The tiny init is the container's PID 1: its limits are the
	// container's too (docker-init has them under docker), set before the
	// seccomp filter that dropToTinyInit loads.
	if err := nsenter.SetRlimits(cfg.Rlimits); err != nil {
		return err
	}
	if err := dropToTinyInit(cfg); err != nil {
		return err
	}
	if err := nsenter.CloseFdsOnExec(); err != nil {
		return err
	}
	// The ready pipe becomes the tiny init's fd 3, kept across exec.
	if fd := int(readyW.Fd()); fd == 3 {
		if _, err := unix.FcntlInt(3, unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("--init: ready pipe: %w", err)
		}
	} else if err := unix.Dup3(fd, 3, 0); err != nil {
		return fmt.Errorf("--init: ready pipe: %w", err)
	}
	nsenter.ResetIgnoredSignals()
	argv := append([]string{TinyInitArg0, "--"}, cfg.Args...)
	// Without asynchronous preemption the Go runtime sends itself no
	// SIGURG, so every signal the tiny init sees came from someone.
	env := []string{"GODEBUG=asyncpreemptoff=1", envInitChild + "=" + strconv.Itoa(cmd.Process.Pid)}
	err = syscall.Exec(nsenter.ExecPath(exeFd), argv, env)
	return fmt.Errorf("--init: exec the tiny init: %w", err)
}

// dropToTinyInit leaves this thread (which execs the tiny init) with what
// PID 1 needs and nothing more: root's uid in the host's / (until C's
// pivot_root moves it), a bounding set of CAP_KILL alone (a root exec
// then gets it, and nothing else), no_new_privs and the container's
// seccomp filter. CAP_KILL is kept even when the container's command
// lacks it: it reaches only the container's processes, which the tiny
// init must be able to signal whatever user runs them, and nothing in
// the container can make the tiny init use it.
func dropToTinyInit(cfg *Config) error {
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("--init: chdir /: %w", err)
	}
	for c := 0; ; c++ {
		if c == unix.CAP_KILL {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); errors.Is(err, unix.EINVAL) {
			break // past the kernel's last capability
		} else if err != nil {
			return fmt.Errorf("--init: drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("--init: clear ambient capabilities: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("--init: set no_new_privs: %w", err)
	}
	return nsenter.LoadSeccomp(cfg.Seccomp)
}

// waitForTinyInit is C's side of the ready pipe: it returns once the tiny
// init runs (or is gone, and the container with it).
func waitForTinyInit() error {
	f := os.NewFile(readyFd, "init-ready")
	defer func() { _ = f.Close() }()
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("wait for the tiny init: %w", err)
	}
	return nil
}

// closeUnlessInit closes what a plain init kept for --init, and makes the
// command's setup under the tiny init wait for it (see above).
func closeUnlessInit(cfg *Config) error {
	if err := unix.Close(exeFd); err != nil && !errors.Is(err, unix.EBADF) {
		return fmt.Errorf("close the sealed berth: %w", err)
	}
	if cfg.UnderInit {
		return waitForTinyInit()
	}
	if err := unix.Close(readyFd); err != nil && !errors.Is(err, unix.EBADF) {
		return fmt.Errorf("close fd %d: %w", readyFd, err)
	}
	return nil
}

// tinyInit is the tiny init's main; it returns the exit code.
func tinyInit() int {
	// Nothing in the container may read or trace PID 1's memory.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return tinyInitFailed(fmt.Errorf("make non-dumpable: %w", err))
	}
	// exec'd as /proc/self/fd/N, its name is N: give it docker-init's,
	// which ps shows. A name is cosmetic: failing to set it is no error.
	_ = os.WriteFile("/proc/self/comm", []byte("docker-init"), 0)
	child, err := strconv.Atoi(os.Getenv(envInitChild))
	if err != nil || child <= 1 {
		return tinyInitFailed(fmt.Errorf("no command to supervise (%s=%q)", envInitChild, os.Getenv(envInitChild)))
	}
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs) // every signal that can be caught
	if err := unix.Close(3); err != nil {
		return tinyInitFailed(fmt.Errorf("tell the command to go on: %w", err))
	}
	// A child gone before the handler was in place sent its SIGCHLD to
	// no one: reap once first.
	if code, done := reapChildren(child); done {
		return code
	}
	for sig := range sigs {
		if sig == unix.SIGCHLD {
			if code, done := reapChildren(child); done {
				return code
			}
			continue
		}
		// ESRCH: the command just exited; its SIGCHLD is on its way.
		_ = unix.Kill(child, sig.(syscall.Signal))
	}
	return 0
}

// reapChildren reaps every child that has exited: the command and any
// orphan of the container. done says the command was among them, with
// its docker-style exit code.
func reapChildren(child int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return 0, false // ECHILD or none exited yet
		}
		if pid == child {
			if ws.Signaled() {
				return 128 + int(ws.Signal()), true
			}
			return ws.ExitStatus(), true
		}
	}
}

// tinyInitFailed reports why the tiny init cannot go on; the container
// ends with it.
func tinyInitFailed(err error) int {
	fmt.Fprintf(os.Stderr, "berth tiny init: %v\n", err)
	return ExitSetupFailed
}
