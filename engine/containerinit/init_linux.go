package containerinit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"syscall"

	"berth/ptyexec/nsenter"

	"golang.org/x/sys/unix"
)

// Main is the container's init, run by this package's initialisation when
// the process was started as one (dispatch.go). It
// never returns: it execs the container's command, or reports why it could
// not on the report pipe and exits with docker's code for that.
func Main() {
	if os.Args[0] == TinyInitArg0 {
		os.Exit(tinyInit())
	}
	// Credentials and capabilities are set on this thread only, and the
	// command is exec'd from it.
	runtime.LockOSThread()
	err := initContainer()
	var execErr *ExecError
	if !errors.As(err, &execErr) {
		execErr = &ExecError{Code: ExitSetupFailed, Msg: err.Error()}
	}
	report := os.NewFile(reportFd, "report")
	if b, jerr := json.Marshal(execErr); jerr == nil {
		// The parent reads whatever arrives; nothing is left to do if it is gone.
		_, _ = report.Write(b)
	}
	os.Exit(execErr.Code)
}

// initContainer sets the container up and execs its command. It returns
// only on failure.
func initContainer() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("container init: %v", r)
		}
	}()
	// Until the command is exec'd (which makes the process dumpable again)
	// nothing in the container may open this process's /proc/1/exe, mem
	// or fd; and it keeps none of its parent's descriptors but its pipes
	// and the terminal's devpts (closed once mounted).
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make init non-dumpable: %w", err)
	}
	if _, err := unix.FcntlInt(reportFd, unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
		return fmt.Errorf("report pipe: %w", err)
	}
	// The sealed berth and the ready pipe stay open only for --init
	// (tinyinit_linux.go); they are closed once the config says.
	keep := []int{configFd, devptsFd, exeFd, readyFd}
	for fd := cgroupTasksFd; fd < cgroupTasksFd+maxCgroupTasks; fd++ {
		keep = append(keep, fd) // those the config counts
	}
	if err := nsenter.CloseInheritedFds(keep...); err != nil {
		return err
	}
	cfg, err := readConfig()
	if err != nil {
		return err
	}
	if cfg.Init {
		return superviseInit(cfg)
	}
	if err := closeUnlessInit(cfg); err != nil {
		return err
	}
	if err := applyKernelSettings(cfg); err != nil {
		return err
	}
	unix.Umask(0)
	if err := setupRootfs(cfg); err != nil {
		return err
	}
	if cfg.Hostname != "" && !slices.Contains(cfg.Shared, "uts") {
		if err := unix.Sethostname([]byte(cfg.Hostname)); err != nil {
			return fmt.Errorf("set hostname %q: %w", cfg.Hostname, err)
		}
	}
	if cfg.Domainname != "" && !slices.Contains(cfg.Shared, "uts") {
		if err := unix.Setdomainname([]byte(cfg.Domainname)); err != nil {
			return fmt.Errorf("set domain name %q: %w", cfg.Domainname, err)
		}
	}
	if cfg.Network != "host" && !slices.Contains(cfg.Shared, "net") {
		if err := setLoopbackUp(); err != nil {
			return err
		}
	}
	user, err := lookupUser(cfg.User)
	if err != nil {
		return err
	}
	if user.Groups, err = lookupGroups(user, cfg.GroupAdd); err != nil {
		return err
	}
	env := buildEnv(cfg.Env, user.Home, cfg.Hostname, cfg.Terminal)
	pathEnv, _ := lookupEnv(env, "PATH")
	argv0, err := lookPath(cfg.Args[0], pathEnv)
	if err != nil {
		return err
	}
	if err := prepareStdio(user); err != nil {
		return err
	}
	if err := nsenter.CloseFdsOnExec(); err != nil {
		return err
	}
	// Before any seccomp filter, which might not allow prlimit64.
	if err := nsenter.SetRlimits(cfg.Rlimits); err != nil {
		return err
	}
	// As late as can be: a thread the runtime starts from here on would
	// count against the container's pids.max (new threads of a locked
	// thread come from the runtime's template thread, outside). Before
	// the seccomp filter, which might not allow write.
	if err := joinCgroup(cfg); err != nil {
		return err
	}
	// Installing a seccomp filter without no_new_privs needs CAP_SYS_ADMIN:
	// then it goes before the capabilities are dropped, as in runc, and
	// the profile must allow what follows (Docker's does); with
	// no_new_privs it is the last step before exec.
	if !cfg.NoNewPrivileges {
		if err := nsenter.LoadSeccomp(cfg.Seccomp); err != nil {
			return err
		}
	}
	if err := applyCredentials(cfg, user); err != nil {
		return err
	}
	unix.Umask(0o022)
	nsenter.ResetIgnoredSignals()
	if cfg.NoNewPrivileges {
		if err := nsenter.LoadSeccomp(cfg.Seccomp); err != nil {
			return err
		}
	}
	err = syscall.Exec(argv0, cfg.Args, env)
	return execFailure(cfg.Args[0], err)
}

// joinCgroup moves this thread into the container's cgroup through the
// tasks files Start handed down, if any.
func joinCgroup(cfg *Config) error {
	if cfg.CgroupTasks == 0 {
		return nil
	}
	return nsenter.JoinCgroup(cgroupTasksFd, cgroupTasksFd+cfg.CgroupTasks-1)
}

// readConfig reads the Config the parent writes once the child is in its
// cgroup.
func readConfig() (*Config, error) {
	f := os.NewFile(configFd, "config")
	defer func() { _ = f.Close() }()
	var cfg Config
	if err := json.NewDecoder(f).Decode(&cfg); err != nil {
		return nil, fmt.Errorf("read container config: %w", err)
	}
	if len(cfg.Args) == 0 {
		return nil, fmt.Errorf("%w: no command", ErrInvalidConfig)
	}
	return &cfg, nil
}

// lookupUser resolves -u against the container's own /etc/passwd and
// /etc/group (the rootfs is / by now); a missing file is an empty one.
func lookupUser(spec string) (User, error) {
	passwd, err := readOptional("/etc/passwd")
	if err != nil {
		return User{}, err
	}
	group, err := readOptional("/etc/group")
	if err != nil {
		return User{}, err
	}
	u, err := resolveUser(spec, bytes.NewReader(passwd), bytes.NewReader(group))
	if err != nil {
		return User{}, fmt.Errorf("user %q: %w", spec, err)
	}
	return u, nil
}

// readOptional reads a file of the image that may be missing; a FIFO or
// device there is refused rather than waited on (ReadFileInRoot).
func readOptional(name string) ([]byte, error) {
	b, err := ReadFileInRoot("/", name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// prepareStdio hands the command's stdio to its user, so that it can reopen
// /dev/stdout and friends, as runc does; /dev/null stays root's. Only the
// owner changes: a terminal keeps its group, tty.
func prepareStdio(u User) error {
	if u.UID == 0 && u.GID == 0 {
		return nil
	}
	for fd := 0; fd <= 2; fd++ {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			if errors.Is(err, unix.EBADF) {
				continue
			}
			return fmt.Errorf("stat fd %d: %w", fd, err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == unix.Mkdev(1, 3) {
			continue
		}
		err := unix.Fchown(fd, u.UID, int(st.Gid))
		// A read-only or foreign file keeps its owner, as with runc.
		if err != nil && !errors.Is(err, unix.EROFS) && !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("chown fd %d: %w", fd, err)
		}
	}
	return nil
}
