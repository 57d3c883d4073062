package nsenter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// defaultPath is docker's PATH for a command whose environment has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// init finishes what the constructor in nsenter.c started, in the child
// it forked into the container's namespaces: it is the only Go code that
// process runs before exec. Doing it in init, not from main, keeps both
// halves in this package: any binary that links the constructor also
// finishes the job, and main cannot forget to.
func init() {
	if os.Getenv(envTarget) == "" {
		return
	}
	fd, err := strconv.Atoi(os.Getenv(envSync))
	if err != nil {
		os.Exit(codeEnter)
	}
	ntasks := 0
	if v := os.Getenv(envTasks); v != "" {
		if ntasks, err = strconv.Atoi(v); err != nil || ntasks < 0 || ntasks > fd-3 {
			os.Exit(codeEnter)
		}
	}
	os.Exit(finish(os.NewFile(uintptr(fd), "nsenter-sync"), fd-ntasks, fd-1))
}

// finish reads the command's configuration from the launcher, becomes the
// command's user and execs it; it returns only on failure, after reporting
// it, with the exit code to use. The cgroup tasks files it joins are the
// descriptors firstTask to lastTask.
func finish(sync *os.File, firstTask, lastTask int) int {
	// Credentials and capabilities are set on this thread only and carried
	// into the command by exec from the same thread.
	runtime.LockOSThread()
	var cfg childConfig
	if err := json.NewDecoder(sync).Decode(&cfg); err != nil {
		return codeEnter
	}
	code, err := enter(cfg, firstTask, lastTask)
	_ = json.NewEncoder(sync).Encode(report{Error: err.Error(), Code: code})
	return code
}

// enter applies cfg and execs the command; it returns only on failure.
// The seccomp filter comes last before exec when no_new_privs is set;
// without it, installing the filter needs CAP_SYS_ADMIN, so it comes
// before the capabilities are dropped (runc's order), and the profile must
// allow what follows (Docker's does).
func enter(cfg childConfig, firstTask, lastTask int) (int, error) {
	if err := JoinCgroup(firstTask, lastTask); err != nil {
		return codeEnter, err
	}
	if err := SetRlimits(cfg.Rlimits); err != nil {
		return codeEnter, err
	}
	if !cfg.NoNewPrivileges {
		if err := LoadSeccomp(cfg.Seccomp); err != nil {
			return codeEnter, err
		}
	}
	if err := applyCredentials(cfg); err != nil {
		return codeEnter, err
	}
	dir := cfg.Dir
	if dir == "" {
		dir = "/"
	}
	if err := ChdirInside(dir); err != nil {
		return codeEnter, err
	}
	if cfg.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return codeEnter, fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	path, code, err := lookPath(cfg.Args[0], pathOf(cfg.Env))
	if err != nil {
		return code, err
	}
	if err := CloseFdsOnExec(); err != nil {
		return codeEnter, err
	}
	ResetIgnoredSignals()
	if cfg.NoNewPrivileges {
		if err := LoadSeccomp(cfg.Seccomp); err != nil {
			return codeEnter, err
		}
	}
	err = unix.Exec(path, cfg.Args, cfg.Env)
	return execCode(err), fmt.Errorf("exec: %q: %w", cfg.Args[0], err)
}

// JoinCgroup moves this thread, which execs the command, into the
// container's cgroup v1 hierarchies whose tasks files are the descriptors
// first to last (OpenCgroupTasks), and closes them; the container's init
// joins so too. A thread that writes "0" to a tasks
// file moves alone, so the kernel needs none of the global lock that a
// move by PID takes (and its wait for an RCU grace period, about 10 ms).
// The runtime's other threads stay outside and end at exec, which leaves
// the command as this thread. Moving threads that already exist is not
// limited by pids.max, as the launcher's move by PID was not; a process
// that joined before its runtime started them could not start them in a
// container at its PID limit.
func JoinCgroup(first, last int) error {
	for fd := first; fd <= last; fd++ {
		_, err := unix.Write(fd, []byte("0"))
		_ = unix.Close(fd) // a cgroup file: the write is what can fail
		if err != nil {
			return fmt.Errorf("join the container's cgroup: %w", err)
		}
	}
	return nil
}

// ChdirInside changes to dir and checks that the result lies inside this
// process's root: a dir that leads out of it (through /proc/self/fd/N of a
// descriptor opened outside, as in CVE-2024-21626) makes getcwd name a
// path the root cannot reach, and the command must not start there. The
// container's init and exec'd processes both call it.
func ChdirInside(dir string) error {
	if err := unix.Chdir(dir); err != nil {
		return fmt.Errorf("chdir to cwd (%q): %w", dir, err)
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Getcwd(buf)
	if err != nil {
		return fmt.Errorf("chdir to cwd (%q): getcwd: %w", dir, err)
	}
	if n == 0 || buf[0] != '/' {
		return fmt.Errorf("chdir to cwd (%q): %w", dir, ErrCwdOutside)
	}
	return nil
}

// applyCredentials becomes cfg's user with cfg's capabilities, in runc's
// order: shrink the bounding set, keep capabilities across the uid change,
// switch groups and ids (raw system calls: this thread only), set the
// effective and permitted sets. The kernel then gives a root command these
// capabilities at exec and clears them for anyone else, as docker does.
func applyCredentials(cfg childConfig) error {
	for c := 0; c < 64; c++ {
		in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0)
		if errors.Is(err, unix.EINVAL) {
			break // past the kernel's last capability
		}
		if err != nil {
			return fmt.Errorf("read bounding set: %w", err)
		}
		if in == 1 && cfg.Capabilities&(1<<c) == 0 {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
				return fmt.Errorf("drop capability %d from bounding set: %w", c, err)
			}
		}
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("keep capabilities: %w", err)
	}
	var groups uintptr
	if len(cfg.Groups) > 0 {
		groups = uintptr(unsafe.Pointer(&cfg.Groups[0]))
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(cfg.Groups)), groups, 0); e != 0 {
		return fmt.Errorf("setgroups %v: %w", cfg.Groups, e)
	}
	gid, uid := uintptr(cfg.GID), uintptr(cfg.UID)
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, gid, gid, gid); e != 0 {
		return fmt.Errorf("setgid %d: %w", cfg.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uid, uid, uid); e != 0 {
		return fmt.Errorf("setuid %d: %w", cfg.UID, e)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("stop keeping capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	// What this process may still hold bounds what it asks for: a
	// privileged container's "every capability" is every one the host
	// left berth (a host may have dropped some from its bounding set),
	// as the container's init takes them.
	var held [2]unix.CapUserData
	if err := unix.Capget(&hdr, &held[0]); err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	caps := cfg.Capabilities & (uint64(held[0].Permitted) | uint64(held[1].Permitted)<<32)
	data := [2]unix.CapUserData{
		{Effective: uint32(caps), Permitted: uint32(caps)},
		{Effective: uint32(caps >> 32), Permitted: uint32(caps >> 32)},
	}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("set capabilities %#x: %w", caps, err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	return nil
}

// pathOf returns the PATH of env, or docker's default.
func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return defaultPath
}

// lookPath finds file as exec.LookPath does, on the container's PATH, and
// says which exit code a failure means.
func lookPath(file, pathEnv string) (string, int, error) {
	if strings.Contains(file, "/") {
		if err := checkExecutable(file); err != nil {
			return "", execCode(err), fmt.Errorf("exec: %q: %w", file, err)
		}
		return file, 0, nil
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		if checkExecutable(p) == nil {
			return p, 0, nil
		}
	}
	return "", codeNotFound, fmt.Errorf("exec: %q: executable file not found in $PATH", file)
}

// checkExecutable reports whether p is a regular file with an execute bit.
func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return err
	case fi.IsDir():
		return syscall.EISDIR
	case fi.Mode()&0o111 == 0:
		return fs.ErrPermission
	}
	return nil
}

// execCode maps a failure to find or exec the command to docker exec's
// exit codes.
func execCode(err error) int {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return codeNotFound
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EISDIR),
		errors.Is(err, syscall.ENOEXEC), errors.Is(err, syscall.ETXTBSY):
		return codeNotExecutable
	}
	return codeEnter
}
