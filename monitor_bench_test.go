package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkShimMemory is the memory of idle shims with 10 and 100
// containers running (500 with BERTH_BENCH_500=1): one monitor's RSS,
// and each container's share of the proportional set (PSS) and private
// heap of all monitors (a monitor watches a group of containers; most of
// a Go process's RSS is its binary's file-backed pages, which all
// monitors share). Beside it, when conmon is on PATH, conmon's PSS with as
// many runc containers of the same busybox each watched by one (issue
// 16's goal: at or below conmon's, at most 0.5 MiB).
func BenchmarkShimMemory(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			if n == 500 && os.Getenv("BERTH_BENCH_500") != "1" {
				b.Skip("set BERTH_BENCH_500=1 to start 500 containers")
			}
			benchShimMemory(b, n)
		})
	}
}

func benchShimMemory(b *testing.B, n int) {
	e := newBerthEnv(b)
	if err := startIdle(e, n, "idle", "--network", "none"); err != nil {
		b.Fatal(err)
	}
	// Each monitor counts once; its cost is shared by its group.
	shims := monitorPIDs(b, e, containerNames("idle", n))
	// Their steady state: a monitor gives back the binary's pages its
	// starts mapped once they have been quiet for 2 s (engine's
	// trimQuiet).
	time.Sleep(3 * time.Second)
	var rss, pss, anon float64
	for i, shim := range shims {
		mem := smapsRollup(b, shim)
		if i == 0 {
			rss = mem["Rss"]
		}
		pss += mem["Pss"] / float64(n)
		anon += mem["Pss_Anon"] / float64(n)
	}
	b.ReportMetric(rss, "MiB-RSS")
	b.ReportMetric(pss, "MiB-PSS")
	b.ReportMetric(anon, "MiB-anon")
	b.Logf("monitors: %d for %d containers, one's RSS %.1f MiB; each container's share of them (PSS) %.2f MiB, of which %.2f MiB private heap and stacks",
		len(shims), n, rss, pss, anon)
	conmon, err := conmonPSS(b, n, e.parent)
	if err != nil {
		b.Logf("no comparison with conmon: %v", err)
		return
	}
	b.ReportMetric(pss/conmon, "x-conmon")
	b.Logf("conmon watching %d runc containers of the same: each one's PSS %.2f MiB; a container's share of berth's monitors is %.2f× conmon's (goal: at most 1×, and 0.5 MiB)",
		n, conmon, pss/conmon)
}

// containerNames are prefix000, prefix001, … for n containers.
func containerNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return names
}

// startIdle runs n idle busybox containers named by containerNames,
// with runArgs before the image, four at a time, and returns the first
// error.
func startIdle(e *berthEnv, n int, prefix string, runArgs ...string) error {
	return fourAtATime(containerNames(prefix, n), func(name string) error {
		args := append(append([]string{"run", "-d", "--name", name}, runArgs...), "busybox", "sleep", "100000")
		if out, err := e.berth(args...).CombinedOutput(); err != nil {
			return fmt.Errorf("berth %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	})
}

// fourAtATime calls start for each name, four at a time (a container
// engine's start mostly waits, for its monitor and its init), and
// returns the first error.
func fourAtATime(names []string, start func(name string) error) error {
	queue := make(chan string)
	errs := make(chan error, len(names))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for name := range queue {
				if err := start(name); err != nil {
					errs <- err
				}
			}
		})
	}
	for _, name := range names {
		queue <- name
	}
	close(queue)
	wg.Wait()
	close(errs)
	return <-errs
}

// monitorPIDs are the monitors of the named running containers (each
// the parent of a container's first process), each once, in order: a
// monitor watches a group of containers.
func monitorPIDs(b *testing.B, e *berthEnv, names []string) []int {
	b.Helper()
	out := e.must(append([]string{"inspect", "--format", "{{.State.Pid}}"}, names...)...)
	var shims []int
	for _, f := range strings.Fields(out) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid == 0 {
			b.Fatalf("berth inspect: container PID %q", f)
		}
		shims = append(shims, procStat(b, pid).ppid)
	}
	if len(shims) != len(names) {
		b.Fatalf("berth inspect: %d PIDs for %d containers", len(shims), len(names))
	}
	slices.Sort(shims)
	return slices.Compact(shims)
}

// smapsRollup reads a process's memory totals in MiB.
func smapsRollup(b *testing.B, pid int) map[string]float64 {
	b.Helper()
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		b.Fatal(err)
	}
	mem := map[string]float64{}
	for _, line := range strings.Split(string(rollup), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[2] == "kB" {
			kb, _ := strconv.Atoi(f[1])
			mem[strings.TrimSuffix(f[0], ":")] = float64(kb) / 1024
		}
	}
	return mem
}

// conmonPSS runs n runc containers of busybox sleeping, each watched by
// a conmon of its own as podman starts one (conmon runs `runc create`
// and forks off; the caller then runs `runc start`), with their cgroups
// under parent, and returns the mean PSS of the conmons in MiB. Every
// container is deleted and every conmon ended (by a pidfd, so never
// another process) when the benchmark ends; an error says why there is
// no figure.
func conmonPSS(b *testing.B, n int, parent string) (float64, error) {
	bin, err := exec.LookPath("conmon")
	if err != nil {
		return 0, fmt.Errorf("conmon is not installed")
	}
	r, err := newOCIRuntime(b, "runc", parent, "sleep", "100000")
	if err != nil {
		return 0, err
	}
	group := parent + "/conmon-bench"
	b.Cleanup(func() {
		for _, d := range cgroupDirs(group, "") {
			if err := os.Remove(d); err != nil {
				b.Errorf("cleanup: %v", err)
			}
		}
	})
	dir := b.TempDir()
	conmons := make([]int, 0, n)
	for i := range n {
		id := fmt.Sprintf("berth-bench-%d-conmon%03d", os.Getpid(), i)
		c := filepath.Join(dir, fmt.Sprintf("c%03d", i))
		if err := conmonBundle(r.bundle, c, "/"+group+"/"+id); err != nil {
			return 0, err
		}
		pid, err := startConmon(b, r, bin, id, c)
		if err != nil {
			return 0, err
		}
		if err := r.command("start", id); err != nil {
			return 0, err
		}
		conmons = append(conmons, pid)
	}
	// Their steady state: a monitor gives back the binary's pages its
	// starts mapped once they have been quiet for 2 s (engine's
	// trimQuiet).
	time.Sleep(3 * time.Second)
	var pss float64
	for _, pid := range conmons {
		pss += smapsRollup(b, pid)["Pss"] / float64(n)
	}
	return pss, nil
}

// conmonBundle makes a bundle in dir for one container: the shared
// bundle's config on the shared root filesystem, in a cgroup of its own.
func conmonBundle(shared, dir, cgroup string) error {
	data, err := os.ReadFile(filepath.Join(shared, "config.json"))
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("read OCI spec of %s: %w", shared, err)
	}
	spec["root"].(map[string]any)["path"] = filepath.Join(shared, "rootfs")
	spec["linux"].(map[string]any)["cgroupsPath"] = cgroup
	if data, err = json.Marshal(spec); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "exit"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644)
}

// startConmon starts conmon on the container id of bundle with runc r,
// waits until runc has created it, and returns conmon's PID; a Cleanup
// deletes the container and kills conmon through a pidfd.
func startConmon(b *testing.B, r *ociRuntime, bin, id, bundle string) (int, error) {
	pidfile, conmonPidfile := filepath.Join(bundle, "pid"), filepath.Join(bundle, "conmon.pid")
	cmd := exec.Command(bin, "--api-version", "1", "-c", id, "-u", id, "-n", id, "-r", r.bin, "-b", bundle,
		"-p", pidfile, "--conmon-pidfile", conmonPidfile, "--exit-dir", filepath.Join(bundle, "exit"),
		"-l", "k8s-file:"+filepath.Join(bundle, "ctr.log"), "--socket-dir-path", bundle,
		"--runtime-arg", "--root", "--runtime-arg", r.state)
	if out, err := cmd.CombinedOutput(); err != nil { // conmon forks off and returns
		return 0, fmt.Errorf("conmon %s: %v: %s", id, err, out)
	}
	data, err := waitFile(conmonPidfile) // written by the conmon that stays
	if err != nil {
		return 0, fmt.Errorf("conmon %s: %w", id, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("conmon %s: pid file %q: %w", id, data, err)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return 0, fmt.Errorf("conmon %s: pidfd of %d: %w", id, pid, err)
	}
	b.Cleanup(func() {
		defer unix.Close(fd)
		if err := r.command("delete", "--force", id); err != nil {
			b.Errorf("cleanup: %v", err)
		}
		// conmon would leave a moment after its container: end it now
		if err := unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
			b.Errorf("cleanup: kill conmon %d: %v", pid, err)
		}
	})
	if _, err := waitFile(pidfile); err != nil {
		return 0, fmt.Errorf("conmon %s: runc create: %w", id, err)
	}
	return pid, nil
}

// waitFile returns the contents of a file another process writes, once
// it is there and not empty, waiting at most 10 s.
func waitFile(path string) ([]byte, error) {
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			return data, nil
		}
		if time.Since(start) > 10*time.Second {
			return nil, fmt.Errorf("no %s after 10 s", path)
		}
	}
}
