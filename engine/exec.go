package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"berth/engine/containerinit"
	"berth/engine/events"
	"berth/ptyexec"
	"berth/ptyexec/nsenter"
)

// ExecOptions is `berth exec`'s flags.
type ExecOptions struct {
	Cmd        []string // empty: the user's login shell (the TUI's shell key)
	Env        []string // over the container's environment
	User       string   // "" is the container's user
	WorkingDir string   // "" is the container's working directory
	Tty        bool
	Privileged bool // every capability berth holds, as docker exec --privileged
	// Size and Resize, with Tty, give the window size when the caller's
	// side is not a terminal berth can measure (the TUI's terminal pane).
	Size   TerminalSize
	Resize <-chan TerminalSize
	// NoSignalProxy keeps the signals berth receives from going to the
	// process (a server running it for a remote client).
	NoSignalProxy bool
}

// ExecSession is a process about to run inside a container. Run it with
// the caller's streams (Run), or hand Session to Bubble Tea's tea.Exec;
// it satisfies tea.ExecCommand.
type ExecSession struct {
	cmd     *nsenter.Cmd
	Session *ptyexec.ExecSession
	e       *Engine
	c       *record
	// id and cmdline name the exec in its events, as docker's execID and
	// "exec_start: CMD ARGS".
	id, cmdline string
	// pid is the process's host PID once it started (Pid).
	pid atomic.Int64
}

// Exec prepares opts.Cmd to run inside the running container ref: it
// joins all the namespaces of the container's PID 1, lands in its cgroup,
// and runs as its user with its capabilities, environment and working
// directory unless opts say otherwise. Nothing runs until Run.
func (e *Engine) Exec(ctx context.Context, ref string, opts ExecOptions) (*ExecSession, error) {
	c, err := e.get(ref)
	if err != nil {
		return nil, err
	}
	switch {
	case c.State.Status == StatusPaused:
		return nil, fmt.Errorf("container %s is paused, unpause the container before exec: %w", c.DisplayName(), ErrPaused)
	case !c.State.Status.hasProcess():
		return nil, fmt.Errorf("container %s is not running: %w", c.DisplayName(), ErrNotRunning)
	}
	root := "/proc/" + strconv.Itoa(c.State.Pid) + "/root"
	// Read as the container sees them: a symlink in a hostile image
	// must not lead to the host's files. Unreadable is empty, as before.
	passwd, _ := containerinit.ReadFileInRoot(root, "/etc/passwd")
	group, _ := containerinit.ReadFileInRoot(root, "/etc/group")
	spec := opts.User
	if spec == "" {
		spec = c.Config.User
	}
	u, err := containerinit.ResolveUser(spec, bytes.NewReader(passwd), bytes.NewReader(group))
	if err != nil {
		return nil, &ExitError{Code: 126, Err: fmt.Errorf("exec in %s: %w", c.DisplayName(), err)}
	}
	args := opts.Cmd
	if len(args) == 0 {
		args = []string{loginShell(root, u.Shell)}
	}
	hc := c.HostConfig
	caps, err := containerinit.Capabilities(hc.CapAdd, hc.CapDrop, hc.Privileged || opts.Privileged)
	if err != nil {
		return nil, err
	}
	// The container's own filter, whatever the exec's capabilities, as
	// docker (runc) gives an exec'd process.
	containerCaps, _ := containerinit.Capabilities(hc.CapAdd, hc.CapDrop, hc.Privileged)
	filter, err := e.seccompProgram(c, containerCaps)
	if err != nil {
		return nil, fmt.Errorf("exec in %s: %w", c.DisplayName(), err)
	}
	env := mergeEnv(c.Config.Env, []string{"HOSTNAME=" + c.Config.Hostname})
	if !hasEnv(env, "HOME") {
		env = append(env, "HOME="+u.Home)
	}
	if opts.Tty && !hasEnv(opts.Env, "TERM") {
		env = mergeEnv(env, []string{"TERM=xterm"})
	}
	env = mergeEnv(env, opts.Env)
	dir := opts.WorkingDir
	if dir == "" {
		dir = c.Config.WorkingDir
	}
	groups, rlimits, err := execProcess(hc, u, group)
	if err != nil {
		return nil, &ExitError{Code: 126, Err: fmt.Errorf("exec in %s: %w", c.DisplayName(), err)}
	}
	cg, err := e.cgroup(c)
	if err != nil {
		return nil, err
	}
	// On cgroup v1 the process joins the cgroup itself (CgroupTasks),
	// much faster than Add can move it.
	tasks := cg.TaskFiles()
	beforeExec := func(pid int) error {
		if len(tasks) == 0 {
			if err := cg.Add(pid); err != nil {
				return err
			}
		}
		return setOOMScoreAdj(pid, hc.OomScoreAdj)
	}
	cmd := nsenter.Command(nsenter.Config{
		Pid:             c.State.Pid,
		Args:            args,
		Env:             env,
		Dir:             dir,
		UID:             uint32(u.UID),
		GID:             uint32(u.GID),
		Groups:          groups,
		Capabilities:    caps,
		NoNewPrivileges: noNewPrivileges(hc.SecurityOpt),
		Seccomp:         filter,
		Rlimits:         rlimits,
		CgroupTasks:     tasks,
		BeforeExec:      beforeExec,
		Self:            e.opts.Exe,
		ScratchDir:      e.sealScratch(),
	})
	s := &ExecSession{cmd: cmd, e: e, c: c, id: newID(), cmdline: execCommandLine(args)}
	e.event(c, events.ActionExecCreate+": "+s.cmdline, map[string]string{events.AttrExecID: s.id})
	// A terminal from the container's own devpts, so that tty(1) inside
	// names it.
	s.Session = ptyexec.NewExecSession(cmd.Cmd, ptyexec.ExecOptions{Tty: opts.Tty, Start: s.start, PTYRoot: root,
		Size: opts.Size, Resize: opts.Resize, NoSignalProxy: opts.NoSignalProxy})
	return s, nil
}

func (s *ExecSession) start() error {
	err := s.cmd.Start()
	if err == nil {
		s.pid.Store(int64(s.cmd.Pid()))
		s.e.event(s.c, events.ActionExecStart+": "+s.cmdline, map[string]string{events.AttrExecID: s.id})
		return nil
	}
	// docker exec ends with 126 whatever kept the command from starting,
	// a command not found included (run's 127 is for run only).
	if errors.Is(err, nsenter.ErrNotFound) || errors.Is(err, nsenter.ErrNotExecutable) {
		return &ExitError{Code: 126, Err: err}
	}
	return &ExitError{Code: 126, Err: fmt.Errorf("exec in %s: %w", s.c.DisplayName(), err)}
}

// Run runs the process with the given streams (nil: none) and returns its
// exit code, 128+N when signal N ended it.
func (s *ExecSession) Run(stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if stdin != nil {
		s.Session.SetStdin(stdin)
	}
	s.Session.SetStdout(stdout)
	s.Session.SetStderr(stderr)
	if err := s.Session.Run(); err != nil {
		return 0, err
	}
	code := s.ExitCode()
	s.e.event(s.c, events.ActionExecDie, map[string]string{events.AttrExecID: s.id, events.AttrExitCode: strconv.Itoa(code)})
	return code, nil
}

// ExitCode is the process's docker-style exit code once it ended.
func (s *ExecSession) ExitCode() int {
	ps := s.cmd.ProcessState
	if ps == nil {
		return -1
	}
	code := ps.ExitCode()
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	return code
}

// Pid is the process's host PID once it started, else 0; it may be
// read while Run runs.
func (s *ExecSession) Pid() int { return int(s.pid.Load()) }

// Hangup tells the running process its terminal is gone (SIGHUP), as
// closing a terminal window does; a shell then exits.
func (s *ExecSession) Hangup() error {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return nil
	}
	return s.cmd.Process.Signal(syscall.SIGHUP)
}

// Detach starts the process with no streams and leaves it running, as
// `docker exec -d` does.
func (s *ExecSession) Detach() error {
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := s.start(); err != nil {
		return err
	}
	go func() { _ = s.cmd.Wait() }() // reaps it; a detached exec's status is not kept, as docker's
	return nil
}

// loginShell is the user's shell when the container has it, else /bin/sh.
func loginShell(root, shell string) string {
	if shell != "" && shell != "/bin/false" && shell != "/usr/sbin/nologin" && shell != "/sbin/nologin" {
		if fi, err := os.Stat(root + shell); err == nil && fi.Mode()&0o111 != 0 {
			return shell
		}
	}
	return "/bin/sh"
}
