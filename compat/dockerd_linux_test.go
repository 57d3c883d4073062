package compat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/flock"
	"berth/internal/testenv"
)

// privateDocker is a dockerd of the harness's own: its own data root,
// exec root, socket, cgroup parent and containerd (which dockerd starts
// and stops), no bridge, no iptables rules. It never talks to another
// Docker and removes all it made when the test ends, even on failure.
type privateDocker struct {
	env  []string // DOCKER_HOST, DOCKER_CONFIG and a PATH holding the client
	cli  string   // the docker client
	root string   // its data root
}

// Directories that dockerd and containerd create at fixed paths whatever
// their roots (plugin discovery, shim sockets); removed afterwards when
// the harness made them and they are empty.
var fixedDirs = []string{"/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"}

// findDocker returns dockerd, the docker client and the directories to put
// first on dockerd's PATH (containerd, runc, docker-init): those of the
// tree in $BERTH_COMPAT_DOCKER (Debian's packages unpacked with dpkg -x),
// or else what PATH holds.
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

// startDocker starts the private dockerd and waits until it answers.
func startDocker(t testing.TB) *privateDocker {
	t.Helper()
	dockerd, cli, path, err := findDocker()
	if err != nil {
		t.Fatal(err)
	}
	// One run at a time: two would each find the other's /run/docker and
	// /run/containerd, think them not their own, and leave them behind.
	lock := filepath.Join(os.TempDir(), "berth-compat.lock")
	unlock, ok, err := flock.TryLock(lock)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("another make test-compat holds %s: one run at a time", lock)
	}
	t.Cleanup(func() { // registered first, so it runs after dockerd's cleanup
		_ = os.Remove(lock)
		unlock()
	})
	if _, err := os.Stat("/run/containerd/containerd.sock"); err == nil {
		t.Fatal("a containerd runs at /run/containerd/containerd.sock: dockerd would use it instead of its own; refusing to touch another daemon")
	}
	made := map[string]bool{}
	for _, d := range fixedDirs {
		if _, err := os.Stat(d); errors.Is(err, os.ErrNotExist) {
			made[d] = true
		}
	}
	// Sockets live in a short directory (sun_path holds 108 bytes); the
	// images and containers on a disk (overlay2 on tmpfs is not Docker's
	// everyday case).
	run, err := os.MkdirTemp("", "compat-dk-")
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(testenv.DiskTempDir(t), "docker")
	parent := fmt.Sprintf("/berth-compat-%d", os.Getpid())
	d := &privateDocker{cli: cli, root: data}
	sock := "unix://" + filepath.Join(run, "docker.sock")
	d.env = append(os.Environ(), "DOCKER_HOST="+sock, "DOCKER_CONFIG="+filepath.Join(run, "client"))
	daemonEnv := offline(os.Environ())
	if path != nil {
		p := strings.Join(path, ":") + ":" + os.Getenv("PATH")
		daemonEnv = append(daemonEnv, "PATH="+p)
		d.env = append(d.env, "PATH="+p)
	}
	// The trust key would otherwise land in /etc/docker.
	cfg := filepath.Join(run, "daemon.json")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `{"deprecated-key-path": %q}`, filepath.Join(run, "key.json")), 0o644); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(run, "dockerd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dockerd, "--config-file", cfg, "--data-root", data,
		"--exec-root", filepath.Join(run, "exec"), "--pidfile", filepath.Join(run, "docker.pid"),
		"-H", sock, "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
		"--cgroup-parent", parent)
	cmd.Env = daemonEnv
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	t.Cleanup(func() { stopDocker(t, cmd.Process, exited, run, data, parent, made) })
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := d.command("version", "--format", "{{.Server.Version}}").CombinedOutput()
		if err == nil {
			t.Logf("private dockerd %s (pid %d) on %s", strings.TrimSpace(string(out)), cmd.Process.Pid, sock)
			return d
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(run, "dockerd.log"))
			t.Fatalf("dockerd exited: %s", tail(log, 20))
		case <-time.After(300 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(run, "dockerd.log"))
			t.Fatalf("dockerd did not answer within 90s: %s\n%s", out, tail(log, 20))
		}
	}
}

// command is the private daemon's docker client with args.
func (d *privateDocker) command(args ...string) *exec.Cmd {
	cmd := exec.Command(d.cli, args...)
	cmd.Env = d.env
	return cmd
}

// stopDocker ends dockerd (TERM, then KILL after 30s), then every process
// still running from the harness's directories (containerd, shims,
// container processes; found by their command line naming run), unmounts
// what is left under run and data, removes both and the cgroup parent,
// and the fixed directories the harness made.
func stopDocker(t testing.TB, p *os.Process, exited <-chan struct{}, run, data, parent string, made map[string]bool) {
	p.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Errorf("dockerd (pid %d) ignored SIGTERM for 30s; killing it", p.Pid)
		p.Kill()
		<-exited
	}
	for _, pid := range pidsMentioning(run) {
		t.Logf("killing leftover pid %d", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
	waitGone(run)
	for _, m := range mountsUnder(run, data) {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", m, err)
		}
	}
	if err := os.RemoveAll(run); err != nil {
		t.Errorf("remove %s: %v", run, err)
	}
	if err := os.RemoveAll(data); err != nil {
		t.Errorf("remove %s: %v", data, err)
	}
	cgroups, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
	for _, cg := range cgroups {
		removeCgroup(t, cg)
	}
	for _, dir := range fixedDirs {
		if made[dir] {
			os.Remove(dir) // only when empty: another user's files stay
		}
	}
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

// mountsUnder lists the mount points under any of dirs, deepest first.
func mountsUnder(dirs ...string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
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

// removeCgroup removes a cgroup directory and the ones below it, deepest
// first (cgroupfs directories go with rmdir, not by removing files).
func removeCgroup(t testing.TB, dir string) {
	var dirs []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Errorf("remove cgroup %s: %v", dirs[i], err)
		}
	}
}

// tail returns the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
