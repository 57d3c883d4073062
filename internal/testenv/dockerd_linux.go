package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/flock"
)

// PrivateDocker is a dockerd of the caller's own: its own data root, exec
// root, socket, cgroup parent and containerd (which dockerd starts and
// stops), no bridge, no iptables rules, every pull sent to a dead local
// proxy. It never talks to another Docker (it refuses to start beside a
// system containerd, which dockerd would use) and Stop removes all it
// made. One runs on the machine at a time.
type PrivateDocker struct {
	Env     []string // the caller's environment, its DOCKER_* settings replaced by DOCKER_HOST and DOCKER_CONFIG of this daemon, and a PATH holding the client
	CLI     string   // the docker client
	Root    string   // its data root
	Host    string   // DOCKER_HOST: its socket
	Version string   // the daemon's version, as it answered
	Pid     int      // dockerd's

	cmd    *exec.Cmd
	exited chan struct{} // closed when dockerd has exited
	run    string        // exec root, socket, config and log
	parent string        // the containers' cgroup parent
	made   map[string]bool
	unlock func()
}

// dockerLock keeps a second private dockerd from starting: two would each
// find the other's /run/docker and /run/containerd, think them not their
// own, and leave them behind.
var dockerLock = filepath.Join(os.TempDir(), "berth-private-dockerd.lock")

// Directories that dockerd and containerd create at fixed paths whatever
// their roots (plugin discovery, shim sockets); removed afterwards when
// the private daemon made them and they are empty.
var fixedDockerDirs = []string{"/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"}

// StartPrivateDocker runs a PrivateDocker until t ends (stopped even when
// t fails); without dockerd and a docker client it fails t.
func StartPrivateDocker(t testing.TB) *PrivateDocker {
	t.Helper()
	d, err := RunPrivateDocker()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(t.Logf); err != nil {
			t.Error(err)
		}
	})
	t.Logf("private dockerd %s (pid %d) on %s", d.Version, d.Pid, d.Host)
	return d
}

// findDocker returns dockerd, the docker client and the directories to
// put first on dockerd's PATH (containerd, runc, docker-init): those of
// the tree in $BERTH_COMPAT_DOCKER (Debian's packages unpacked with dpkg
// -x), or else what PATH holds.
func findDocker() (dockerd, cli string, path []string, err error) {
	if dir := os.Getenv("BERTH_COMPAT_DOCKER"); dir != "" {
		path = []string{filepath.Join(dir, "usr/sbin"), filepath.Join(dir, "usr/bin")}
		dockerd, cli = filepath.Join(path[0], "dockerd"), filepath.Join(path[1], "docker")
		for _, f := range []string{dockerd, cli} {
			if _, err := os.Stat(f); err != nil {
				return "", "", nil, fmt.Errorf("BERTH_COMPAT_DOCKER=%s: %w", dir, err)
			}
		}
		return dockerd, cli, path, nil
	}
	if dockerd, err = exec.LookPath("dockerd"); err != nil {
		return "", "", nil, fmt.Errorf("no dockerd: set BERTH_COMPAT_DOCKER to a directory holding usr/sbin/dockerd (see README, \"Side by side with Docker\"): %w", err)
	}
	if cli, err = exec.LookPath("docker"); err != nil {
		return "", "", nil, fmt.Errorf("no docker client on PATH: %w", err)
	}
	return dockerd, cli, nil, nil
}

// RunPrivateDocker starts a PrivateDocker and waits (90 s at most) until
// it answers; the caller stops it with Stop. On an error it has removed
// all it made. Should the caller's process
// die without calling Stop (a panic, a test binary's timeout), dockerd
// gets SIGTERM, which stops its containers and its containerd, though
// its directories stay behind.
func RunPrivateDocker() (d *PrivateDocker, err error) {
	dockerd, cli, path, err := findDocker()
	if err != nil {
		return nil, err
	}
	unlock, ok, err := flock.TryLock(dockerLock)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dockerLock, err)
	}
	if !ok {
		return nil, fmt.Errorf("another private dockerd holds %s: one at a time", dockerLock)
	}
	d = &PrivateDocker{CLI: cli, unlock: unlock, made: map[string]bool{},
		parent: fmt.Sprintf("/berth-dockerd-%d", os.Getpid()), exited: make(chan struct{})}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Stop(func(string, ...any) {}))
			d = nil // stopped: no caller may stop it again
		}
	}()
	if _, err := os.Stat("/run/containerd/containerd.sock"); err == nil {
		return d, errors.New("a containerd runs at /run/containerd/containerd.sock: dockerd would use it instead of its own; refusing to touch another daemon")
	}
	for _, dir := range fixedDockerDirs {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			d.made[dir] = true
		}
	}
	// Sockets live in a short directory (sun_path holds 108 bytes); the
	// images and containers on a disk (overlay2 on tmpfs is not Docker's
	// everyday case).
	if d.run, err = os.MkdirTemp("", "berth-dk-"); err != nil {
		return d, fmt.Errorf("private dockerd: %w", err)
	}
	if d.Root, err = diskDir("berth-dockerd-"); err != nil {
		return d, fmt.Errorf("private dockerd's data root: %w", err)
	}
	d.Host = "unix://" + filepath.Join(d.run, "docker.sock")
	d.Env = append(withoutDockerSettings(os.Environ()), "DOCKER_HOST="+d.Host, "DOCKER_CONFIG="+filepath.Join(d.run, "client"))
	daemonEnv := Offline(os.Environ())
	if path != nil {
		p := strings.Join(path, ":") + ":" + os.Getenv("PATH")
		daemonEnv = append(daemonEnv, "PATH="+p)
		d.Env = append(d.Env, "PATH="+p)
	}
	// The trust key would otherwise land in /etc/docker.
	cfg := filepath.Join(d.run, "daemon.json")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `{"deprecated-key-path": %q}`, filepath.Join(d.run, "key.json")), 0o644); err != nil {
		return d, fmt.Errorf("private dockerd: %w", err)
	}
	logPath := filepath.Join(d.run, "dockerd.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return d, fmt.Errorf("private dockerd: %w", err)
	}
	cmd := exec.Command(dockerd, "--config-file", cfg, "--data-root", d.Root,
		"--exec-root", filepath.Join(d.run, "exec"), "--pidfile", filepath.Join(d.run, "docker.pid"),
		"-H", d.Host, "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
		"--cgroup-parent", d.parent)
	cmd.Env = daemonEnv
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGTERM}
	started := make(chan error)
	go func() {
		// The parent-death signal follows the thread that started
		// dockerd: locked and never unlocked, it lives until dockerd
		// has exited, or the process dies.
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait() // its exit is the daemon's end, however it came
		}
		_ = logf.Close() // only dockerd wrote to it
		close(d.exited)
	}()
	if err := <-started; err != nil {
		return d, fmt.Errorf("start %s: %w", dockerd, err)
	}
	d.cmd = cmd
	d.Pid = d.cmd.Process.Pid
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := d.Command("version", "--format", "{{.Server.Version}}").CombinedOutput()
		if err == nil {
			d.Version = strings.TrimSpace(string(out))
			return d, nil
		}
		select {
		case <-d.exited:
			log, _ := os.ReadFile(logPath)
			return d, fmt.Errorf("private dockerd exited: %s", tail(log, 20))
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			return d, fmt.Errorf("private dockerd did not answer within 90s: %s\n%s", out, tail(log, 20))
		}
	}
}

// Command is the private daemon's docker client with args.
func (d *PrivateDocker) Command(args ...string) *exec.Cmd {
	cmd := exec.Command(d.CLI, args...)
	cmd.Env = d.Env
	return cmd
}

// Stop ends dockerd (TERM, then KILL after 30s), then every process still
// running from its directories (containerd, shims, container processes;
// found by their command line naming the run directory, each named to
// logf), unmounts what is left under its directories, removes them and
// the cgroup parent, and the fixed directories it made; then it lets
// another private dockerd start.
func (d *PrivateDocker) Stop(logf func(format string, args ...any)) error {
	var errs []error
	if d.cmd != nil {
		if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, fmt.Errorf("stop dockerd (pid %d): %w", d.Pid, err))
		}
		select {
		case <-d.exited:
		case <-time.After(30 * time.Second):
			errs = append(errs, fmt.Errorf("dockerd (pid %d) ignored SIGTERM for 30s; killed it", d.Pid))
			_ = d.cmd.Process.Kill() // it may have exited since
			<-d.exited
		}
	}
	var dirs []string
	for _, dir := range []string{d.run, d.Root} {
		if dir != "" {
			dirs = append(dirs, dir)
		}
	}
	if d.run != "" {
		for _, pid := range pidsMentioning(d.run) {
			logf("killing leftover pid %d", pid)
			_ = syscall.Kill(pid, syscall.SIGKILL) // it may have exited since
		}
		waitGone(d.run)
	}
	for _, m := range MountsUnder(dirs...) {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("unmount %s: %w", m, err))
		}
	}
	for _, dir := range dirs {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", dir, err))
		}
	}
	cgroups, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", d.parent))
	for _, cg := range cgroups {
		if err := RemoveCgroupTree(cg); err != nil {
			errs = append(errs, err)
		}
	}
	for _, dir := range fixedDockerDirs {
		if d.made[dir] {
			_ = os.Remove(dir) // only when empty: another user's files stay
		}
	}
	_ = os.Remove(dockerLock) // the next one makes it again
	d.unlock()
	return errors.Join(errs...)
}

// withoutDockerSettings is env without the DOCKER_* settings that would
// send a docker client elsewhere (DOCKER_HOST, DOCKER_CONTEXT, TLS).
func withoutDockerSettings(env []string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, "DOCKER_") {
			out = append(out, e)
		}
	}
	return out
}

// deadProxy is where Offline sends every registry request: nothing
// listens on the discard port, so a pull fails at once on this machine
// instead of reaching the network.
const deadProxy = "http://127.0.0.1:9"

// Offline returns env with every proxy setting replaced by a dead local
// proxy.
func Offline(env []string) []string {
	var out []string
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		switch strings.ToLower(k) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy":
			continue
		}
		out = append(out, e)
	}
	return append(out, "HTTP_PROXY="+deadProxy, "HTTPS_PROXY="+deadProxy, "http_proxy="+deadProxy, "https_proxy="+deadProxy)
}

// diskDir makes a new directory named prefix* on a disk-backed filesystem
// ($TMPDIR or /tmp, else /var/tmp, else the working directory).
func diskDir(prefix string) (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	base, err := pickDiskDir([]string{os.TempDir(), "/var/tmp", cwd}, fsType)
	if err != nil {
		return "", err
	}
	return os.MkdirTemp(base, prefix)
}

// pidsMentioning lists the processes whose command line contains dir.
func pidsMentioning(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(dir)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitGone waits (10s at most) until no process names dir any more.
func waitGone(dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for len(pidsMentioning(dir)) > 0 && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
}

// MountsUnder lists the mount points at or under any of dirs, deepest
// first.
func MountsUnder(dirs ...string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }() // read only
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		for _, d := range dirs {
			if mp == d || strings.HasPrefix(mp, d+"/") {
				out = append(out, mp)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// RemoveCgroupTree removes a cgroup directory and the ones below it,
// deepest first (cgroupfs directories go with rmdir, not by removing
// files).
func RemoveCgroupTree(dir string) error {
	var dirs []string
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil // a cgroup gone meanwhile is no cgroup to remove
	})
	var errs []error
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", dirs[i], err))
		}
	}
	return errors.Join(errs...)
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
