package compat

import (
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

	"berth/internal/testenv"
)

// apiBenchContainers is how many running containers `docker ps` lists.
const apiBenchContainers = 50

// BenchmarkAPIPs50 times `docker ps` with 50 running containers, the same
// docker CLI once through berth's API service and once through Docker's
// own daemon on this machine (issue 12: berth must be at least as fast),
// and how much CPU the service spends while nobody asks it anything. Like
// the side-by-side harness it needs BERTH_COMPAT=1 and a dockerd (make
// bench-compat).
func BenchmarkAPIPs50(b *testing.B) {
	if os.Getenv("BERTH_COMPAT") != "1" {
		b.Skip("needs a private dockerd: make bench-compat (BERTH_COMPAT=1)")
	}
	testenv.RequireRoot(b)
	tmp := testenv.DiskTempDir(b)
	rootfs := filepath.Join(tmp, "busybox-rootfs.tar")
	if err := os.WriteFile(rootfs, testenv.BusyboxTar(b), 0o644); err != nil {
		b.Fatal(err)
	}
	d := testenv.StartPrivateDocker(b)
	importArgs := []string{"import"}
	for _, c := range busyboxChanges {
		importArgs = append(importArgs, "--change", c)
	}
	mustRun(b, d.Command(append(importArgs, rootfs, "busybox:latest")...))
	image := filepath.Join(tmp, "busybox-image.tar")
	mustRun(b, d.Command("save", "-o", image, "busybox:latest"))

	br := startBerth(b, filepath.Join(tmp, "berth"))
	mustRun(b, br.command("load", "-i", image))
	run, err := os.MkdirTemp("", "compat-api-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(run) })
	sock := filepath.Join(run, "api.sock")
	svc := startService(b, br, sock)
	berthCLI := exec.Command(d.CLI)
	berthCLI.Env = append(os.Environ(), "DOCKER_HOST=unix://"+sock, "DOCKER_CONFIG="+filepath.Join(run, "client"))

	for i := 0; i < apiBenchContainers; i++ {
		mustRun(b, d.Command("run", "-d", "--network", "none", "busybox", "sleep", "3600"))
		mustRun(b, br.command("run", "-d", "--pull", "never", "--network", "none", "busybox", "sleep", "3600"))
	}
	b.ResetTimer()
	berthMs := medianRun(b, func() *exec.Cmd {
		cmd := exec.Command(d.CLI, "ps")
		cmd.Env = berthCLI.Env
		return cmd
	})
	dockerMs := medianRun(b, func() *exec.Cmd { return d.Command("ps") })
	idle := idleCPU(b, svc.Process.Pid, 3*time.Second)
	b.StopTimer()
	b.ReportMetric(berthMs, "berth-ps-ms")
	b.ReportMetric(dockerMs, "dockerd-ps-ms")
	b.ReportMetric(idle, "service-idle-cpu-ms/3s")
	fmt.Printf("docker ps, %d running containers (median of 20, docker CLI 20.10): berth API %.1f ms, dockerd %.1f ms (anchor); berth service idle: %.0f ms CPU in 3 s\n",
		apiBenchContainers, berthMs, dockerMs, idle)
}

// startService runs `berth system service` for b's roots on sock and waits
// until it answers; the cleanup ends it by its PID.
func startService(t testing.TB, b *privateBerth, sock string) *exec.Cmd {
	t.Helper()
	svc := b.command("system", "service", "unix://"+sock)
	if err := svc.Start(); err != nil {
		t.Fatalf("start berth system service: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		svc.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = svc.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = svc.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			return svc
		}
		select {
		case <-exited:
			t.Fatal("berth system service exited")
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth system service made no socket at %s", sock)
		}
	}
}

// medianRun runs the command that next makes 20 times, after one warm-up
// run, and returns the median wall time in milliseconds.
func medianRun(t testing.TB, next func() *exec.Cmd) float64 {
	t.Helper()
	mustRun(t, next())
	var ms []float64
	for range 20 {
		start := time.Now()
		mustRun(t, next())
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	sort.Float64s(ms)
	return ms[len(ms)/2]
}

// idleCPU is the CPU time (user and system, in milliseconds) process pid
// spends during d.
func idleCPU(t testing.TB, pid int, d time.Duration) float64 {
	t.Helper()
	before := cpuTicks(t, pid)
	time.Sleep(d)
	after := cpuTicks(t, pid)
	return float64(after-before) * 1000 / 100 // USER_HZ is 100 on Linux
}

// cpuTicks is utime+stime of pid from /proc/PID/stat, in clock ticks.
func cpuTicks(t testing.TB, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return ut + st
}
