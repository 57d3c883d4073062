package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Published figures the cost of watching is compared with: idle CPU of
// lazydocker (plus 48 % in Docker's daemons) and of ctop watching 100
// idle containers, as issue 14 quotes them; and berth's goals.
const (
	lazydockerCPU = 7.6
	ctopCPU       = 4.5
	goalCPU       = 2.0
	goalRSSMiB    = 30
)

// BenchmarkWatch100Containers is the cost of watching: berth's TUI on
// the containers screen over 100 running containers for 10 seconds, in a
// 100x30 tmux pane. It reports the CPU of the TUI and of every berth
// process (the TUI and the 100 shims) as % of one core beside
// lazydocker's and ctop's, the TUI's RSS (and of it the anonymous
// memory, its own: the rest is the binary's pages, mapped by the kernel
// in folios up to 2 MiB), and the bytes per second it writes to the
// terminal.
func BenchmarkWatch100Containers(b *testing.B) { benchWatch(b, 100, "busybox") }

// BenchmarkWatch500Containers is BenchmarkWatch100Containers over 500
// containers (issue 16: the cost must not grow with containers off
// screen). Starting them takes minutes and about 4 GiB of memory, so it
// runs only when BERTH_BENCH_500=1. They run without a network (a data
// root's bridge subnet is a /24).
func BenchmarkWatch500Containers(b *testing.B) {
	if os.Getenv("BERTH_BENCH_500") != "1" {
		b.Skip("set BERTH_BENCH_500=1 to start 500 containers")
	}
	benchWatch(b, 500, "--network", "none", "busybox")
}

// BenchmarkWatch1000Containers is BenchmarkWatch500Containers over
// 1,000 (issue 16's scale: watch them in the TUI), run only when
// BERTH_BENCH_1000=1, as the root package's BenchmarkScale1000 is.
func BenchmarkWatch1000Containers(b *testing.B) {
	if os.Getenv("BERTH_BENCH_1000") != "1" {
		b.Skip("set BERTH_BENCH_1000=1 to start 1000 containers")
	}
	benchWatch(b, 1000, "--network", "none", "busybox")
}

// watchSettle is how long after its first full list the TUI runs before
// its cost is measured: past ui's and the monitors' trimQuiet.
const watchSettle = 5 * time.Second

// benchWatch starts n idle containers (run's arguments before the
// command: image last) and measures the TUI watching them.
func benchWatch(b *testing.B, n int, runArgs ...string) {
	bin := newBerthBinary(b)
	names := make(chan int)
	var wg sync.WaitGroup
	for range 4 { // a few at a time: each start waits for its shim
		wg.Go(func() {
			for i := range names {
				args := append([]string{"run", "-d", "--name", fmt.Sprintf("idle%03d", i)}, runArgs...)
				bin.must(nil, append(args, "sleep", "100000")...)
			}
		})
	}
	for i := range n {
		names <- i
	}
	close(names)
	wg.Wait()
	s := bin.startTUI()
	want := fmt.Sprintf("CONTAINERS %d/%d", n, n)
	s.waitFor("the list", func(scr string) bool { return strings.Contains(scr, want) })
	tui := tuiPID(b, s, bin.path)
	// Watching is the steady state: the window opens once the TUI's
	// start-up is over (its first lists, and its trim of the binary's
	// pages 3 s in) and the monitors' trims after the starts are done.
	time.Sleep(watchSettle)
	out := filepath.Join(b.TempDir(), "pane.out")
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.tmux("pipe-pane", "-t", "ui", "-o", "cat >> "+out); err != nil {
			b.Fatal(err)
		}
		tui0, all0 := cpuTicks(tui), berthTicks(bin.path)
		const window = 10 * time.Second
		time.Sleep(window)
		tui1, all1 := cpuTicks(tui), berthTicks(bin.path)
		s.tmux("pipe-pane", "-t", "ui")
		fi, err := os.Stat(out)
		if err != nil {
			b.Fatal(err)
		}
		const hz = 100 // USER_HZ
		tuiCPU := float64(tui1-tui0) / hz / window.Seconds() * 100
		rss, anon := rssKiB(tui, "VmRSS:"), rssKiB(tui, "RssAnon:")
		b.ReportMetric(tuiCPU, "tui-cpu-%")
		b.ReportMetric(float64(all1-all0)/hz/window.Seconds()*100, "berth-cpu-%")
		b.ReportMetric(lazydockerCPU, "lazydocker-cpu-%")
		b.ReportMetric(ctopCPU, "ctop-cpu-%")
		b.ReportMetric(float64(rss)/1024, "tui-rss-MiB")
		b.ReportMetric(float64(anon)/1024, "tui-anon-MiB")
		b.ReportMetric(float64(fi.Size())/window.Seconds(), "term-B/s")
		b.Logf("%d idle containers: TUI %.1f %% of a core (goal under %.0f %%; lazydocker %.1f %% plus 48 %% in Docker's daemons, ctop %.1f %%), "+
			"%.1f MiB resident (goal under %d MiB; %.1f MiB its own, the rest the binary's pages), %.0f bytes/s to the terminal",
			n, tuiCPU, goalCPU, lazydockerCPU, ctopCPU, float64(rss)/1024, goalRSSMiB, float64(anon)/1024, float64(fi.Size())/window.Seconds())
		os.Remove(out)
	}
}

// tuiPID is the berth process the tmux pane runs (under the shell that
// redirects its stderr).
func tuiPID(b testing.TB, s *tmuxSession, exe string) int {
	b.Helper()
	out, err := s.tmux("display-message", "-p", "-t", "ui", "#{pane_pid}")
	if err != nil {
		b.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(out))
	for range 3 {
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); target == exe {
			return pid
		}
		children, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		f := strings.Fields(string(children))
		if len(f) == 0 {
			break
		}
		pid, _ = strconv.Atoi(f[0])
	}
	b.Fatalf("no berth process under the tmux pane")
	return 0
}

// cpuTicks is a process's user+system time in clock ticks.
func cpuTicks(pid int) uint64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return utime + stime
}

// berthTicks is the CPU time of every process running exe.
func berthTicks(exe string) uint64 {
	var total uint64
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); target == exe {
			total += cpuTicks(pid)
		}
	}
	return total
}

// rssKiB is a resident figure of /proc/PID/status (field "VmRSS:",
// "RssAnon:"), in KiB.
func rssKiB(pid int, field string) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
