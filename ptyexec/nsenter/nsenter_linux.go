package nsenter

// #cgo CFLAGS: -Wall -O2
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Namespace is a namespace kind as /proc/<pid>/ns names it.
type Namespace string

// The namespaces nsenter can join.
const (
	IPC   Namespace = "ipc"
	UTS   Namespace = "uts"
	Net   Namespace = "net"
	PID   Namespace = "pid"
	Mount Namespace = "mnt"
)

// CloneFlag is n's CLONE_NEW* flag, which unshare takes and against
// which setns checks a namespace file; 0 for a kind it does not know.
func (n Namespace) CloneFlag() int {
	switch n {
	case IPC:
		return unix.CLONE_NEWIPC
	case UTS:
		return unix.CLONE_NEWUTS
	case Net:
		return unix.CLONE_NEWNET
	case PID:
		return unix.CLONE_NEWPID
	case Mount:
		return unix.CLONE_NEWNS
	}
	return 0
}

// DefaultNamespaces returns the namespaces of a berth container.
func DefaultNamespaces() []Namespace { return []Namespace{IPC, UTS, Net, PID, Mount} }

// Config describes the process to start inside a running container. The
// engine resolves everything first (user, groups, capabilities, env):
// nsenter applies it, it does not read the container's /etc/passwd.
type Config struct {
	// Pid is the host PID of a process in the container, its PID 1.
	Pid int
	// Namespaces to join; nil means DefaultNamespaces(). Joining the mount
	// namespace also moves to the target's root directory.
	Namespaces []Namespace
	// Args is the command and its arguments. Args[0] without a slash is
	// looked up in the PATH of Env, inside the container.
	Args []string
	// Env is the command's whole environment; a missing PATH means
	// docker's default.
	Env []string
	// Dir is the working directory inside the container; "" means "/".
	Dir string
	// UID, GID and Groups are the user the command runs as, already
	// resolved; zero values mean root with no supplementary groups.
	UID, GID uint32
	Groups   []uint32
	// Capabilities is the final capability list, CAP_ names; it becomes
	// the bounding set, and the effective and permitted sets a root
	// command gets. Empty means none.
	Capabilities []string
	// NoNewPrivileges sets no_new_privs, as --security-opt no-new-privileges.
	NoNewPrivileges bool
	// Seccomp is the seccomp filter the command runs under, a BPF program
	// as LoadSeccomp takes it (the container's own); nil means none.
	Seccomp []byte
	// Rlimits are the container's --ulimit limits, set before the user
	// changes; nil keeps the limits berth was started with.
	Rlimits []Rlimit
	// CgroupTasks are the cgroup v1 tasks files of the group the command
	// runs in, one per hierarchy (cgroups.Manager's TaskFiles). The
	// thread that execs the command writes "0" to each first thing: a
	// thread that moves itself spares the kernel the global lock that a
	// move by PID takes, whose wait for an RCU grace period (about 10 ms)
	// would otherwise hold up every exec. Nil leaves the cgroup to
	// BeforeExec.
	CgroupTasks []string
	// BeforeExec, when set, is called with the host PID of the process
	// that becomes the command, after it joined the namespaces and before
	// it execs. Without CgroupTasks the engine adds it to the container's
	// cgroup here. An error kills the process and fails Start.
	BeforeExec func(pid int) error
	// Self is the berth binary to re-execute; "" means /proc/self/exe. It
	// must link this package, whose constructor does the joining. It is
	// never run as is: Start runs a SealedCopy of it, so that no process
	// in the container can reach the host's file through /proc/<pid>/exe.
	Self string
	// ScratchDir is the empty directory SealedCopy may use to seal Self
	// without copying it; "" copies Self into a sealed memfd each time.
	ScratchDir string
}

// Cmd is a process entering a container. Set Stdin, Stdout, Stderr and
// SysProcAttr (Setsid, Setctty for a terminal) on the embedded exec.Cmd;
// leave Path, Args, Env and ExtraFiles to Command. Use Cmd's Start or Run,
// not the embedded ones, then the embedded Wait: the embedded process is
// the waiting parent, which exits with the command's status (and is killed
// by the same signal); signals sent to it are passed on to the command.
type Cmd struct {
	*exec.Cmd
	cfg Config
	pid int
}

// Command returns the Cmd for cfg; nothing runs until Start.
func Command(cfg Config) *Cmd {
	if cfg.Self == "" {
		cfg.Self = "/proc/self/exe"
	}
	// Path is set by Start, once it knows the sealed copy's descriptor.
	cmd := &exec.Cmd{Args: []string{"berth-nsenter"}}
	return &Cmd{Cmd: cmd, cfg: cfg}
}

// Pid returns the host PID of the command's process once Start returned.
func (c *Cmd) Pid() int { return c.pid }

// Run starts the command and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Start enters the container and starts the command; it returns once the
// command was exec'd. Errors wrap ErrNotFound, ErrNotExecutable or
// ErrEnter.
func (c *Cmd) Start() error {
	cfg := c.cfg
	if len(cfg.Args) == 0 {
		return fmt.Errorf("%w: no command", ErrEnter)
	}
	caps, err := CapabilityMask(cfg.Capabilities)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnter, err)
	}
	namespaces := cfg.Namespaces
	if namespaces == nil {
		namespaces = DefaultNamespaces()
	}
	names := make([]string, len(namespaces))
	for i, ns := range namespaces {
		names[i] = string(ns)
	}
	exe, err := SealedCopy(cfg.Self, cfg.ScratchDir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnter, err)
	}
	defer func() { _ = exe.Close() }()
	tasks, err := OpenCgroupTasks(cfg.CgroupTasks)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEnter, err)
	}
	defer CloseAll(tasks)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%w: socketpair: %w", ErrEnter, err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "nsenter-sync"), os.NewFile(uintptr(fds[1]), "nsenter-sync")
	defer func() { _ = ours.Close() }()
	// The child's fds 3… are ExtraFiles: the sealed binary, which the
	// constructor closes once it runs, the tasks files right below the
	// sync socket, and the socket.
	c.ExtraFiles = append(c.ExtraFiles, exe)
	c.Path = ExecPath(len(c.ExtraFiles) + 2)
	c.ExtraFiles = append(append(c.ExtraFiles, tasks...), theirs)
	c.Env = []string{
		envTarget + "=" + strconv.Itoa(cfg.Pid),
		envNamespaces + "=" + strings.Join(names, ","),
		envSync + "=" + strconv.Itoa(2+len(c.ExtraFiles)),
		envTasks + "=" + strconv.Itoa(len(tasks)),
	}
	err = c.Cmd.Start()
	_ = theirs.Close()
	if err != nil {
		return fmt.Errorf("%w: start %s: %w", ErrEnter, cfg.Self, err)
	}

	dec := json.NewDecoder(ours)
	var joined report
	if err := dec.Decode(&joined); err != nil || joined.Error != "" {
		return c.failed(joined, err)
	}
	c.pid = joined.Pid
	if cfg.BeforeExec != nil {
		if err := cfg.BeforeExec(c.pid); err != nil {
			_ = c.Process.Kill()
			_ = c.Wait()
			return fmt.Errorf("%w: %w", ErrEnter, err)
		}
	}
	sendErr := json.NewEncoder(ours).Encode(childConfig{
		Args: cfg.Args, Env: cfg.Env, Dir: cfg.Dir,
		UID: cfg.UID, GID: cfg.GID, Groups: cfg.Groups,
		Capabilities: caps, NoNewPrivileges: cfg.NoNewPrivileges,
		Seccomp: cfg.Seccomp, Rlimits: cfg.Rlimits,
	})
	// Read the outcome even when sending failed: a child that died
	// reported why before it went.
	var execd report
	readErr := dec.Decode(&execd)
	switch {
	case execd.Error != "":
		return c.failed(execd, nil)
	case sendErr != nil:
		return c.failed(report{}, sendErr)
	case !errors.Is(readErr, io.EOF):
		return c.failed(execd, readErr)
	}
	return nil
}

// OpenCgroupTasks opens cgroup tasks files for writing, to be handed to a
// child that joins through them (JoinCgroup).
func OpenCgroupTasks(paths []string) ([]*os.File, error) {
	files := make([]*os.File, 0, len(paths))
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			CloseAll(files)
			return nil, fmt.Errorf("open cgroup tasks file: %w", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// CloseAll closes files opened only to be handed to a child.
func CloseAll(files []*os.File) {
	for _, f := range files {
		_ = f.Close()
	}
}

// failed waits for the process that could not enter or exec and returns
// the error it reported (r), or what went wrong reading it (err).
func (c *Cmd) failed(r report, err error) error {
	waitErr := c.Wait()
	switch {
	case r.Error != "":
		kind := ErrEnter
		switch r.Code {
		case codeNotFound:
			kind = ErrNotFound
		case codeNotExecutable:
			kind = ErrNotExecutable
		}
		return &childError{kind: kind, msg: r.Error}
	case err == nil || errors.Is(err, io.EOF):
		return fmt.Errorf("%w: %s exited early: %w", ErrEnter, c.cfg.Self, waitErr)
	}
	return fmt.Errorf("%w: talk to %s: %w", ErrEnter, c.cfg.Self, err)
}
