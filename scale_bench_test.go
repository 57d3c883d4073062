package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scaleFigures are one engine's figures at a count of containers.
type scaleFigures struct {
	start, ps, stop, rm time.Duration // start all (4 at a time), one `ps -a` (median of 5), stop all, rm all
	memPer              float64       // MemAvailable's drop while starting them, MiB per container
}

// BenchmarkScale1000 is issue 16's scale figures (set BERTH_BENCH_1000=1;
// BERTH_BENCH_SCALE_N=100 runs it at another count): that many busybox
// containers sleeping, --network none, started four at a time; the time
// to start them all, `ps -a` with them running, memory per container (the
// shims' PSS and the containers' cgroups, and the machine's MemAvailable
// drop, each over N), the time to stop them all (-t 0: busybox's sleep as
// PID 1 ignores SIGTERM) and remove them, in one command each; beside
// podman's and docker's at the same count when they are at hand.
func BenchmarkScale1000(b *testing.B) {
	if os.Getenv("BERTH_BENCH_1000") != "1" {
		b.Skip("set BERTH_BENCH_1000=1 to start 1000 containers (BERTH_BENCH_SCALE_N for another count)")
	}
	n := 1000
	if s := os.Getenv("BERTH_BENCH_SCALE_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("BERTH_BENCH_SCALE_N=%q: want a count of containers", s)
		}
	}
	e := newBerthEnv(b)
	names := containerNames("scale", n)
	var berth scaleFigures
	avail := memAvailable(b)
	start := time.Now()
	if err := startIdle(e, n, "scale", "--network", "none"); err != nil {
		b.Fatal(err)
	}
	berth.start = time.Since(start)
	time.Sleep(time.Second)
	berth.memPer = (avail - memAvailable(b)) / float64(n)
	berth.ps = medianOf(5, func() time.Duration { return timedRun(b, e.env, e.bin, "ps", "-a") })
	var shims float64
	for _, pid := range monitorPIDs(b, e, names) {
		shims += smapsRollup(b, pid)["Pss"]
	}
	cgroups := cgroupMemory(b, e.parent)
	berth.stop = timedRun(b, e.env, e.bin, append([]string{"stop", "-t", "0"}, names...)...)
	berth.rm = timedRun(b, e.env, e.bin, append([]string{"rm"}, names...)...)

	b.ReportMetric(ms(berth.start)/float64(n), "ms-start-each")
	b.ReportMetric(ms(berth.ps), "ms-ps")
	b.ReportMetric(berth.memPer, "MiB-each")
	b.ReportMetric((shims+cgroups)/float64(n), "MiB-shim+cgroup-each")
	b.ReportMetric(ms(berth.stop)/float64(n), "ms-stop-each")
	b.ReportMetric(ms(berth.rm)/float64(n), "ms-rm-each")
	b.Logf("berth with %d containers: started in %.1f s (%.1f ms each, 4 at a time); ps -a %.0f ms; "+
		"memory each %.2f MiB (MemAvailable's drop), %.2f MiB its share of the monitors (PSS) + %.2f MiB its cgroup; stop -t 0 of all %.1f s, rm of all %.1f s",
		n, berth.start.Seconds(), ms(berth.start)/float64(n), ms(berth.ps), berth.memPer,
		shims/float64(n), cgroups/float64(n), berth.stop.Seconds(), berth.rm.Seconds())

	for _, engine := range peers {
		p, err := newPeer(b, engine, e.parent)
		var f scaleFigures
		if err == nil {
			f, err = peerScale(b, p, n)
		}
		if err != nil {
			b.Logf("no comparison with %s at %d containers: %v", engine, n, err)
			continue
		}
		b.ReportMetric(float64(berth.start)/float64(f.start), "x-"+engine+"-start")
		b.ReportMetric(float64(berth.ps)/float64(f.ps), "x-"+engine+"-ps")
		b.ReportMetric(berth.memPer/f.memPer, "x-"+engine+"-mem")
		b.ReportMetric(float64(berth.stop+berth.rm)/float64(f.stop+f.rm), "x-"+engine+"-stop-rm")
		b.Logf("%s with %d containers: started in %.1f s (berth %.2f× its time); ps -a %.0f ms (%.2f×); memory each %.2f MiB (%.2f×); stop -t 0 %.1f s, rm %.1f s (berth %.2f× its time)",
			engine, n, f.start.Seconds(), float64(berth.start)/float64(f.start), ms(f.ps), float64(berth.ps)/float64(f.ps),
			f.memPer, berth.memPer/f.memPer, f.stop.Seconds(), f.rm.Seconds(), float64(berth.stop+berth.rm)/float64(f.stop+f.rm))
	}
}

// peerScale is scaleFigures of engine p with n containers of busybox.
func peerScale(b *testing.B, p *peer, n int) (scaleFigures, error) {
	var f scaleFigures
	names := containerNames(fmt.Sprintf("berth-bench-%d-scale", os.Getpid()), n)
	avail := memAvailable(b)
	start := time.Now()
	err := fourAtATime(names, func(name string) error {
		_, err := p.output(p.run("-d", "--name", name, "--network", "none", p.image, "sleep", "100000")...)
		return err
	})
	if err != nil {
		return f, err
	}
	f.start = time.Since(start)
	time.Sleep(time.Second)
	f.memPer = (avail - memAvailable(b)) / float64(n)
	if f.ps, err = p.medianOf(5, "ps", "-a"); err != nil {
		return f, err
	}
	if f.stop, err = p.timed(append([]string{"stop", "-t", "0"}, names...)...); err != nil {
		return f, err
	}
	f.rm, err = p.timed(append([]string{"rm"}, names...)...)
	return f, err
}

// memAvailable is the machine's MemAvailable in MiB.
func memAvailable(b *testing.B) float64 {
	b.Helper()
	info, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "MemAvailable:" {
			kb, err := strconv.Atoi(f[1])
			if err != nil {
				b.Fatalf("/proc/meminfo: %q", line)
			}
			return float64(kb) / 1024
		}
	}
	b.Fatal("/proc/meminfo has no MemAvailable")
	return 0
}

// cgroupMemory is the memory charged to the cgroup parent (its
// containers' cgroups together) in MiB, from cgroup v1's memory
// hierarchy or cgroup v2.
func cgroupMemory(b *testing.B, parent string) float64 {
	b.Helper()
	for _, f := range []string{
		filepath.Join("/sys/fs/cgroup/memory", parent, "memory.usage_in_bytes"),
		filepath.Join("/sys/fs/cgroup", parent, "memory.current"),
	} {
		if data, err := os.ReadFile(f); err == nil {
			n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
			if err != nil {
				b.Fatalf("%s: %q", f, data)
			}
			return float64(n) / (1 << 20)
		}
	}
	b.Fatalf("no memory cgroup of %s", parent)
	return 0
}
