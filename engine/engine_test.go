package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/network"
	"berth/images"
	"berth/internal/testenv"
)

const cgroupRoot = "/sys/fs/cgroup"

// testSeq numbers the engines of this test process, for unique subnets
// and cgroup parents.
var testSeq atomic.Int64

// newTestEngine is an engine on temporary roots with a cgroup parent of
// its own, holding the busybox image. Everything it made is removed when
// the test ends, also when it fails.
func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	return newTestEngineDriver(t, "")
}

func newTestEngineDriver(t *testing.T, driver string) *Engine {
	t.Helper()
	n := testSeq.Add(1)
	return newTestEngineWith(t, driver, network.Options{
		DefaultSubnet: fmt.Sprintf("10.%d.%d.0/24", 180+os.Getpid()%10, n%250),
		SubnetPool:    fmt.Sprintf("10.%d.0.0/16", 190+os.Getpid()%10),
	})
}

// newTestEngineWith is newTestEngine with a storage driver and network
// options of the test's choosing. The data root is the test's own, and so
// are the bridge and nftables table named after it (network.RootNames).
func newTestEngineWith(t *testing.T, driver string, nets network.Options) *Engine {
	t.Helper()
	testenv.RequireRoot(t)
	parent := fmt.Sprintf("berth-test-%s-%d-%d", regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-"), os.Getpid(), testSeq.Add(1))
	e, err := New(Options{
		Network:       nets,
		Root:          t.TempDir(),
		RunRoot:       t.TempDir(),
		CgroupRoot:    cgroupRoot,
		CgroupParent:  parent,
		StorageDriver: driver,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		all, _ := e.List(ctx, ListOptions{All: true})
		for _, c := range all {
			if err := e.Remove(ctx, c.ID, RemoveOptions{Force: true}); err != nil {
				t.Errorf("cleanup: remove %s: %v", c.DisplayName(), err)
			}
		}
		if _, err := e.Networks().Prune(); err != nil {
			t.Errorf("cleanup: prune networks: %v", err)
		}
		dirs, _ := filepath.Glob(filepath.Join(cgroupRoot, "*", parent))
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	tar := testenv.BusyboxTar(t)
	if _, err := e.Images().Import(bytes.NewReader(tar), "busybox:latest", images.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return e
}

func create(t *testing.T, e *Engine, opts CreateOptions) *Container {
	t.Helper()
	if opts.Config.Image == "" {
		opts.Config.Image = "busybox"
	}
	c, err := e.Create(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func run(t *testing.T, e *Engine, cmd ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: cmd}})
	var out, errOut bytes.Buffer
	res, err := e.Run(context.Background(), c.ID, AttachOptions{Stdout: &out, Stderr: &errOut})
	if err != nil {
		return out.String(), err.Error(), ExitCode(err)
	}
	return out.String(), errOut.String(), res.ExitCode
}

func TestRunOutputAndExitCodes(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	tests := []struct {
		name       string
		cmd        []string
		wantOut    string
		wantErrSub string
		wantCode   int
	}{
		{"echo", []string{"echo", "hello"}, "hello\n", "", 0},
		{"stderr apart", []string{"sh", "-c", "echo out; echo err >&2"}, "out\n", "err", 0},
		{"exit code", []string{"sh", "-c", "exit 3"}, "", "", 3},
		{"pid 1", []string{"sh", "-c", "echo $$"}, "1\n", "", 0},
		{"not found", []string{"nope"}, "", "executable file not found", 127},
		{"not executable", []string{"/etc/passwd"}, "", "permission denied", 126},
		{"default caps", []string{"sh", "-c", "grep CapEff /proc/self/status"}, "CapEff:\t00000000a80425fb\n", "", 0},
		{"no signal ignored", []string{"grep", "SigIgn", "/proc/self/status"}, "SigIgn:\t0000000000000000\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, e, tt.cmd...)
			if out != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErrSub) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErrSub)
			}
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
		})
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDetachedLifecycle(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{Name: "web", Config: ContainerConfig{
		Cmd:        []string{"sh", "-c", "echo out; echo err >&2; while :; do echo tick; sleep 0.1; done"},
		Env:        []string{"A=1"},
		WorkingDir: "/tmp",
		Hostname:   "box",
	}})
	if err := e.Start(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Inspect(ctx, c.ID[:8])
	if err != nil {
		t.Fatal(err)
	}
	if !got.State.Running() || got.State.Pid == 0 || got.State.Status != StatusRunning {
		t.Fatalf("state after start = %+v", got.State)
	}

	logs := func(stream string) string {
		var b strings.Builder
		err := e.Logs(ctx, "web", LogsOptions{Tail: -1, Stdout: stream == "stdout", Stderr: stream == "stderr"},
			func(l LogEntry) error { b.Write(l.Line); return nil })
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	waitFor(t, "log lines", func() bool { return strings.Count(logs("stdout"), "tick") >= 2 })
	if out := logs("stdout"); !strings.HasPrefix(out, "out\n") || strings.Contains(out, "err") {
		t.Errorf("stdout log = %q", out)
	}
	if errLog := logs("stderr"); errLog != "err\n" {
		t.Errorf("stderr log = %q", errLog)
	}

	procs, err := e.Top(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if len(procs) == 0 || procs[0].PID != 1 || procs[0].HostPID != got.State.Pid || procs[0].User != "root" {
		t.Errorf("top = %+v", procs)
	}
	st, err := e.Stats(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if st.PidsCurrent == 0 || st.MemoryUsage == 0 || st.MemoryLimit == 0 {
		t.Errorf("stats = %+v", st)
	}

	if err := e.Pause(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Inspect(ctx, "web"); !got.State.Paused() || got.State.Status != StatusPaused {
		t.Errorf("after pause: %+v", got.State)
	}
	if err := e.Unpause(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if err := e.Remove(ctx, "web", RemoveOptions{}); err == nil {
		t.Error("removing a running container without force succeeded")
	}
	timeout := time.Second
	if err := e.Stop(ctx, "web", StopOptions{Timeout: &timeout}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.Inspect(ctx, "web")
	if got.State.Running() || got.State.Status != StatusExited || got.State.ExitCode != 143 && got.State.ExitCode != 137 {
		t.Errorf("after stop: %+v", got.State)
	}
	if err := e.Start(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if err := e.Rename(ctx, "web", "web2"); err != nil {
		t.Fatal(err)
	}
	if err := e.Remove(ctx, "web2", RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Inspect(ctx, c.ID); err == nil {
		t.Error("container still there after rm -f")
	}
	if _, err := os.Stat(e.store.dir(c.ID)); !os.IsNotExist(err) {
		t.Errorf("container directory left: %v", err)
	}
	if dirs, _ := filepath.Glob(filepath.Join(cgroupRoot, "*", e.opts.CgroupParent, c.ID)); len(dirs) > 0 {
		t.Errorf("cgroups left: %v", dirs)
	}
}

func TestAutoRemove(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{AutoRemove: true}})
	res, err := e.Run(context.Background(), c.ID, AttachOptions{})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, %+v", err, res)
	}
	waitFor(t, "removal", func() bool { _, err := e.Inspect(context.Background(), c.ID); return err != nil })
}

func TestShimKilledLeavesExitedContainer(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"sleep", "1000"}}})
	if err := e.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.load(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Kill(r.ShimPID, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "shim to die", func() bool { return processStartTime(r.ShimPID) != r.ShimStart })
	got, err := e.Inspect(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State.Running() || got.State.Status != StatusExited {
		t.Errorf("state = %+v, want exited", got.State)
	}
	if processStartTime(r.State.Pid) != 0 {
		t.Errorf("container process %d still alive", r.State.Pid)
	}
	if err := e.Remove(ctx, c.ID, RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestRestartPolicyOnFailure(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{
		Config:     ContainerConfig{Cmd: []string{"sh", "-c", "exit 2"}},
		HostConfig: HostConfig{RestartPolicy: RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}},
	})
	if err := e.Start(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "restarts to end", func() bool {
		r, err := e.store.load(c.ID)
		return err == nil && r.ShimPID == 0
	})
	got, _ := e.Inspect(ctx, c.ID)
	if got.RestartCount != 2 || got.State.ExitCode != 2 || got.State.Status != StatusExited {
		t.Errorf("restart count %d, state %+v", got.RestartCount, got.State)
	}
}

func TestOOMKill(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	c := create(t, e, CreateOptions{
		Config:     ContainerConfig{Cmd: []string{"sh", "-c", `a=$(head -c 100000000 /dev/zero | tr '\0' x); echo ${#a}`}},
		HostConfig: HostConfig{Resources: Resources{Memory: 32 << 20}}, // room for a race-instrumented init
	})
	res, err := e.Run(context.Background(), c.ID, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.Inspect(context.Background(), c.ID)
	if res.ExitCode != 137 || !got.State.OOMKilled {
		t.Errorf("exit %d, state %+v; want 137 and OOMKilled", res.ExitCode, got.State)
	}
}

func TestNameRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := e.Create(context.Background(), CreateOptions{Name: "same",
				Config: ContainerConfig{Image: "busybox", Cmd: []string{"true"}}})
			errs <- err
		}()
	}
	wins := 0
	for range 8 {
		if err := <-errs; err == nil {
			wins++
		}
	}
	all, _ := e.List(context.Background(), ListOptions{All: true})
	if wins != 1 || len(all) != 1 {
		t.Errorf("%d creates won, %d containers exist; want 1 and 1", wins, len(all))
	}
}

func TestBadInputLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	tests := []struct {
		name string
		opts CreateOptions
	}{
		{"unknown image", CreateOptions{Config: ContainerConfig{Image: "nope", Cmd: []string{"true"}}}},
		{"bad reference", CreateOptions{Config: ContainerConfig{Image: "UPPER:case:x", Cmd: []string{"true"}}}},
		{"missing --mount bind source", CreateOptions{HostConfig: HostConfig{Mounts: []Mount{{Type: "bind", Source: "/does/not/exist", Target: "/x"}}}}},
		{"invalid volume name", CreateOptions{HostConfig: HostConfig{Binds: []string{"a/b:/x"}}}},
		{"duplicate mount point", CreateOptions{HostConfig: HostConfig{Binds: []string{"vol:/x", "/tmp:/x"}}}},
		{"volumes from nobody", CreateOptions{HostConfig: HostConfig{VolumesFrom: []string{"nobody"}}}},
		{"bind into /proc", CreateOptions{HostConfig: HostConfig{Binds: []string{"/etc/hostname:/proc/sys/kernel/core_pattern"}}}},
		{"bind onto /", CreateOptions{HostConfig: HostConfig{Binds: []string{"/tmp:/"}}}},
		{"tmpfs over /proc/sys", CreateOptions{HostConfig: HostConfig{Tmpfs: map[string]string{"/proc/sys": ""}}}},
		{"tmpfs over /proc", CreateOptions{HostConfig: HostConfig{Tmpfs: map[string]string{"/proc/../proc": ""}}}},
		{"bad restart policy", CreateOptions{HostConfig: HostConfig{RestartPolicy: RestartPolicy{Name: "sometimes"}}}},
		{"tiny memory", CreateOptions{HostConfig: HostConfig{Resources: Resources{Memory: 1024}}}},
		{"bad cap", CreateOptions{HostConfig: HostConfig{CapAdd: []string{"CAP_NOPE"}}}},
		{"bad name", CreateOptions{Name: "-x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Config.Image == "" {
				tt.opts.Config.Image = "busybox"
				tt.opts.Config.Cmd = []string{"true"}
			}
			if _, err := e.Create(context.Background(), tt.opts); err == nil {
				t.Fatal("create succeeded")
			} else if ExitCode(err) != 125 {
				t.Errorf("exit code %d for %v", ExitCode(err), err)
			}
		})
	}
	ids, _ := e.store.ids()
	names, _ := os.ReadDir(e.store.names)
	rootfs, _ := os.ReadDir(filepath.Join(e.opts.Root, "image", "containers"))
	if len(ids)+len(names)+len(rootfs) != 0 {
		t.Errorf("left behind: %d records, %d names, %d rootfs dirs", len(ids), len(names), len(rootfs))
	}
	if vols, err := e.volumes.List(); err != nil || len(vols) != 0 {
		t.Errorf("left behind: %d volumes (%v)", len(vols), err)
	}
}

func TestVFSDriver(t *testing.T) {
	t.Parallel()
	e := newTestEngineDriver(t, "vfs")
	if d := e.Images().Driver(); d != "vfs" {
		t.Fatalf("driver = %s", d)
	}
	out, errOut, code := run(t, e, "sh", "-c", "echo changed > /etc/motd; cat /etc/motd")
	if out != "changed\n" || code != 0 {
		t.Errorf("got %q %q exit %d", out, errOut, code)
	}
}

func TestStopAndRemoveAutoRemoveContainer(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	for _, op := range []string{"stop", "rm -f"} {
		c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"sleep", "100"}},
			HostConfig: HostConfig{AutoRemove: true, NetworkMode: "none"}})
		if err := e.Start(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		var err error
		if op == "stop" {
			timeout := time.Second
			err = e.Stop(ctx, c.ID, StopOptions{Timeout: &timeout})
		} else {
			err = e.Remove(ctx, c.ID, RemoveOptions{Force: true})
		}
		if err != nil {
			t.Errorf("%s of a running --rm container: %v", op, err)
		}
		waitFor(t, "removal", func() bool { _, err := e.Inspect(ctx, c.ID); return err != nil })
	}
}

// A kill with SIGKILL returns once the container is stopped, as dockerd's
// does: what comes next (inspect, start, rm) finds it exited.
func TestKillWaitsForTheStop(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"sleep", "1000"}}})
	for i := range 5 {
		if err := e.Start(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.Kill(ctx, c.ID, ""); err != nil {
			t.Fatal(err)
		}
		got, err := e.Inspect(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State.Status != StatusExited || got.State.ExitCode != 137 {
			t.Fatalf("kill %d: state %s, exit code %d; want exited, 137", i, got.State.Status, got.State.ExitCode)
		}
	}
}
