package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/testenv"
)

// These tests run against the host's real cgroupfs at /sys/fs/cgroup, for
// the version mounted there and, on a hybrid host, for the cgroup2 tree at
// unified/ too. Every group lives under a parent named after the test and
// the PID, removed in t.Cleanup.

const hostMountRoot = "/sys/fs/cgroup"

// requireRoot skips a test that needs root, except under CI=true where a
// missing privilege is a failure.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("cgroup integration tests need root (CI=true)")
	}
	t.Skip("cgroup integration tests need root")
}

type hostRoot struct {
	root    string
	version Version
}

// hostRoots lists the real cgroup trees to test against.
func hostRoots(t testing.TB) []hostRoot {
	t.Helper()
	requireRoot(t)
	v, err := Detect(hostMountRoot)
	if err != nil {
		t.Fatal(err)
	}
	roots := []hostRoot{{hostMountRoot, v}}
	unified := filepath.Join(hostMountRoot, "unified")
	if v == V1 && exists(filepath.Join(unified, "cgroup.controllers")) {
		roots = append(roots, hostRoot{unified, V2})
	}
	return roots
}

func (h hostRoot) name() string {
	return h.version.String() + "_" + filepath.Base(h.root)
}

// hasController tells whether a fresh group below h.root gets ctrl.
func (h hostRoot) hasController(ctrl string) bool {
	if h.version == V1 {
		return exists(filepath.Join(h.root, ctrl, "cgroup.procs"))
	}
	have, err := readString(h.root, "cgroup.controllers")
	return err == nil && slices.Contains(strings.Fields(have), ctrl)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// testParent returns a parent group name unique to the test and this
// process, and removes it from every hierarchy when the test ends.
func testParent(t testing.TB, h hostRoot) string {
	t.Helper()
	parent := fmt.Sprintf("berth-test-%s-%d", unsafeChars.ReplaceAllString(t.Name(), "_"), os.Getpid())
	var dirs []string
	if h.version == V1 {
		for _, c := range v1Controllers() {
			dirs = append(dirs, filepath.Join(h.root, c, parent))
		}
	} else {
		dirs = append(dirs, filepath.Join(h.root, parent))
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			if err := removeGroup(d, 10*time.Second); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	return parent
}

// newGroup returns a Manager for a group of its own, destroyed when the
// test ends.
func newGroup(t testing.TB, h hostRoot) Manager {
	t.Helper()
	m, err := New(h.root, testParent(t, h), "c1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Destroy(); err != nil {
			t.Errorf("clean up: %v", err)
		}
	})
	return m
}

// child is a process started by a test, killed and reaped at its end.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	done   chan error
}

// startChild runs script under busybox sh. The script should wait for a
// line on stdin before doing anything the test must see in the group.
func startChild(t testing.TB, script string) *child {
	t.Helper()
	cmd := exec.Command("/bin/busybox", "sh", "-c", script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = unix.Kill(cmd.Process.Pid, unix.SIGKILL)
		<-c.done
	})
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) release(t testing.TB) {
	t.Helper()
	if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
}

// readLine waits for the next line the child prints.
func (c *child) readLine(t testing.TB) string {
	t.Helper()
	line, err := c.stdout.ReadString('\n')
	if err != nil {
		t.Fatalf("read from child: %v", err)
	}
	return strings.TrimSpace(line)
}

// waitExit waits for the child to end and returns how.
func (c *child) waitExit(t testing.TB) error {
	t.Helper()
	select {
	case err := <-c.done:
		c.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("child did not exit")
		return nil
	}
}

// eventually polls cond until it holds; correctness only, no timing claim.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func groupDirs(h hostRoot, m Manager) []string {
	if h.version == V2 {
		return []string{filepath.Join(h.root, m.Path())}
	}
	var dirs []string
	for _, c := range v1Controllers() {
		if h.hasController(c) {
			dirs = append(dirs, filepath.Join(h.root, c, m.Path()))
		}
	}
	return dirs
}

func TestHostLifecycle(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			m := newGroup(t, h)
			if err := m.Create(Resources{}); err != nil {
				t.Fatal(err)
			}
			for _, d := range groupDirs(h, m) {
				if !exists(d) {
					t.Errorf("Create made no %s", d)
				}
			}
			if !strings.HasSuffix(m.Path(), "/c1") || strings.HasPrefix(m.Path(), "/") {
				t.Errorf("Path = %q", m.Path())
			}

			dir := testenv.DiskTempDir(t) // io.stat counts block I/O only
			c := startChild(t, "read x; /bin/busybox dd if=/dev/zero of="+dir+"/f bs=1M count=2 oflag=direct 2>/dev/null; echo written; exec /bin/busybox sleep 600")
			if err := m.Add(c.pid()); err != nil {
				t.Fatal(err)
			}
			c.release(t)
			procs, err := m.Procs()
			if err != nil || !slices.Contains(procs, c.pid()) {
				t.Fatalf("Procs = %v, %v; want it to hold %d", procs, err, c.pid())
			}
			if line := c.readLine(t); line != "written" {
				t.Fatalf("child said %q", line)
			}

			s, err := m.Stats()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("stats: %+v", s)
			if s.CPUUsage == 0 {
				t.Error("CPUUsage is 0 after the child ran")
			}
			if h.hasController("pids") && s.PidsCurrent != 1 {
				t.Errorf("PidsCurrent = %d, want 1", s.PidsCurrent)
			}
			if h.hasController("memory") && s.MemoryUsage == 0 {
				t.Error("MemoryUsage is 0")
			}
			if (h.hasController("io") || h.hasController("blkio")) && s.BlkioWrite < 2<<20 {
				t.Errorf("BlkioWrite = %d, want at least the 2 MiB written", s.BlkioWrite)
			}

			if err := m.Freeze(); err != nil {
				t.Fatal(err)
			}
			if paused, err := m.Paused(); !paused || err != nil {
				t.Errorf("Paused = %v, %v after Freeze", paused, err)
			}
			if err := m.Thaw(); err != nil {
				t.Fatal(err)
			}
			if paused, err := m.Paused(); paused || err != nil {
				t.Errorf("Paused = %v, %v after Thaw", paused, err)
			}

			if err := m.Kill(unix.SIGTERM); err != nil {
				t.Fatal(err)
			}
			var exit *exec.ExitError
			if err := c.waitExit(t); !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != unix.SIGTERM {
				t.Errorf("child ended with %v, want SIGTERM", err)
			}

			for range 2 {
				if err := m.Destroy(); err != nil {
					t.Fatal(err)
				}
			}
			for _, d := range groupDirs(h, m) {
				if exists(d) {
					t.Errorf("Destroy left %s", d)
				}
			}
		})
	}
}

func TestHostKillCatchesForkingProcesses(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			m := newGroup(t, h)
			if err := m.Create(Resources{}); err != nil {
				t.Fatal(err)
			}
			// Forks a short-lived child without pause, and a sleeper
			// that would outlive a signal sent only to the listed PIDs.
			c := startChild(t, "read x; /bin/busybox sleep 600 & while :; do /bin/busybox true; done")
			if err := m.Add(c.pid()); err != nil {
				t.Fatal(err)
			}
			c.release(t)
			eventually(t, "the shell has forked", func() bool {
				procs, err := m.Procs()
				return err == nil && len(procs) > 1
			})

			// A paused group stays paused after a signal it cannot act on.
			if err := m.Freeze(); err != nil {
				t.Fatal(err)
			}
			if err := m.Kill(unix.SIGCONT); err != nil {
				t.Fatal(err)
			}
			if paused, err := m.Paused(); !paused || err != nil {
				t.Errorf("Paused = %v, %v after Kill(SIGCONT) of a paused group", paused, err)
			}

			// SIGKILL reaches every process, paused or not.
			if err := m.Kill(unix.SIGKILL); err != nil {
				t.Fatal(err)
			}
			c.waitExit(t)
			eventually(t, "the group is empty", func() bool {
				procs, err := m.Procs()
				return err == nil && len(procs) == 0
			})
			if paused, err := m.Paused(); paused || err != nil {
				t.Errorf("Paused = %v, %v after SIGKILL", paused, err)
			}
		})
	}
}

func TestHostDestroyKillsWhatIsLeft(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			m := newGroup(t, h)
			if err := m.Create(Resources{}); err != nil {
				t.Fatal(err)
			}
			c := startChild(t, "read x; exec /bin/busybox sleep 600")
			if err := m.Add(c.pid()); err != nil {
				t.Fatal(err)
			}
			if err := m.Freeze(); err != nil { // a paused container being removed
				t.Fatal(err)
			}
			if err := m.Destroy(); err != nil {
				t.Fatal(err)
			}
			c.waitExit(t)
			for _, d := range groupDirs(h, m) {
				if exists(d) {
					t.Errorf("Destroy left %s", d)
				}
			}
		})
	}
}

func TestHostRefusedCreateLeavesNothing(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			parent := testParent(t, h)
			m, err := New(h.root, parent+"/sub", "c1")
			if err != nil {
				t.Fatal(err)
			}
			// Valid syntax, so the refusal comes after the directories
			// were made: CPUs the host lacks (v1, or v2 with cpuset) or a
			// missing controller (a v2 tree without cpuset).
			err = m.Create(Resources{CpusetCpus: "0-4095"})
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != "cpuset-cpus" {
				t.Fatalf("Create = %v, want a SettingError for cpuset-cpus", err)
			}
			t.Log(err)
			dirs := []string{filepath.Join(h.root, parent)}
			if h.version == V1 {
				dirs = nil
				for _, c := range v1Controllers() {
					dirs = append(dirs, filepath.Join(h.root, c, parent))
				}
			}
			for _, d := range dirs {
				if exists(d) {
					t.Errorf("refused Create left %s", d)
				}
			}
		})
	}
}

func TestHostLimits(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			m := newGroup(t, h)
			if !h.hasController("memory") {
				// A tree without controllers (the unified tree of a hybrid
				// host) takes groups, but no limits.
				err := m.Create(Resources{Memory: 64 << 20})
				if !errors.Is(err, ErrNoController) {
					t.Fatalf("Create with a memory limit = %v, want ErrNoController", err)
				}
				return
			}
			// file reads a control file of the group, by v1 controller.
			file := func(ctrl, name string) string {
				dir := filepath.Join(h.root, m.Path())
				if h.version == V1 {
					dir = filepath.Join(h.root, ctrl, m.Path())
				}
				v, err := readString(dir, name)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			swap := exists(filepath.Join(h.root, "memory", "memory.memsw.limit_in_bytes")) ||
				(h.version == V2 && exists(filepath.Join(h.root, "memory.swap.max")))

			r := Resources{Memory: 64 << 20, CPUQuota: 50000, CPUShares: 512, CpusetCpus: "0", PidsLimit: 50}
			if err := m.Create(r); err != nil {
				t.Fatal(err)
			}
			var want map[string]string
			if h.version == V1 {
				want = map[string]string{"memory/memory.limit_in_bytes": "67108864", "cpu/cpu.cfs_quota_us": "50000",
					"cpu/cpu.cfs_period_us": "100000", "cpu/cpu.shares": "512", "cpuset/cpuset.cpus": "0", "pids/pids.max": "50"}
				if swap {
					want["memory/memory.memsw.limit_in_bytes"] = "134217728"
				}
			} else {
				want = map[string]string{"memory/memory.max": "67108864", "cpu/cpu.max": "50000 100000",
					"cpu/cpu.weight": "59", "cpuset/cpuset.cpus": "0", "pids/pids.max": "50"}
			}
			for k, v := range want {
				ctrl, name := filepath.Split(k)
				if got := file(filepath.Clean(ctrl), name); got != v {
					t.Errorf("after Create %s = %q, want %q", k, got, v)
				}
			}
			s, err := m.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if s.MemoryLimit != 64<<20 || s.PidsLimit != 50 {
				t.Errorf("Stats limits = %d, %d; want %d, 50", s.MemoryLimit, s.PidsLimit, 64<<20)
			}

			// Lower memory and swap, then raise both past the old swap:
			// v1 needs the writes in opposite orders.
			if swap {
				if err := m.Update(Resources{Memory: 32 << 20, MemorySwap: 32 << 20}); err != nil {
					t.Fatal(err)
				}
				if err := m.Update(Resources{Memory: 1 << 30, MemorySwap: 2 << 30}); err != nil {
					t.Fatal(err)
				}
				if h.version == V1 && file("memory", "memory.memsw.limit_in_bytes") != "2147483648" {
					t.Errorf("memsw after raising = %s", file("memory", "memory.memsw.limit_in_bytes"))
				}
			}
			if err := m.Update(Resources{}); err != nil {
				t.Fatal(err)
			}
			if s, err = m.Stats(); err != nil || s.MemoryLimit != 0 || s.PidsLimit != 0 {
				t.Errorf("Stats after removing limits = %+v, %v; want no limits", s, err)
			}
		})
	}
}

// BenchmarkStatsHost reads the stats of a real group holding one process.
func BenchmarkStatsHost(b *testing.B) {
	h := hostRoots(b)[0]
	m := newGroup(b, h)
	if err := m.Create(Resources{}); err != nil {
		b.Fatal(err)
	}
	c := startChild(b, "exec /bin/busybox sleep 600")
	if err := m.Add(c.pid()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Stats(); err != nil {
			b.Fatal(err)
		}
	}
}

// A process with one thread that writes "0" to each of TaskFiles is in
// the group, in every hierarchy.
func TestHostTaskFilesMoveTheWriter(t *testing.T) {
	for _, h := range hostRoots(t) {
		t.Run(h.name(), func(t *testing.T) {
			t.Parallel()
			m := newGroup(t, h)
			if err := m.Create(Resources{}); err != nil {
				t.Fatal(err)
			}
			files := m.TaskFiles()
			if len(files) == 0 {
				t.Skip("no task files on cgroup v2")
			}
			c := startChild(t, "read x; for f in '"+strings.Join(files, "' '")+"'; do echo 0 > $f || exit 1; done; echo joined; exec /bin/busybox sleep 600")
			c.release(t)
			if line := c.readLine(t); line != "joined" {
				t.Fatalf("child said %q", line)
			}
			for _, d := range groupDirs(h, m) {
				pids, err := readProcs(d)
				if err != nil || !slices.Contains(pids, c.pid()) {
					t.Errorf("%s holds %v, %v; want %d", d, pids, err, c.pid())
				}
			}
		})
	}
}
