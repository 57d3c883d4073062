package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkWatch100Containers is the cost of watching: berth's TUI on
// the containers screen over 100 running containers for 10 seconds, in a
// 100x30 tmux pane. It reports the CPU of the TUI and of every berth
// process (the TUI and the 100 shims) as % of one core, the TUI's RSS,
// and the bytes per second it writes to the terminal.
func BenchmarkWatch100Containers(b *testing.B) {
	bin := newBerthBinary(b)
	for i := range 100 {
		bin.must(nil, "run", "-d", "--name", fmt.Sprintf("idle%03d", i), "busybox", "sleep", "100000")
	}
	s := bin.startTUI()
	s.waitFor("the list", func(scr string) bool { return strings.Contains(scr, "CONTAINERS 100/100") })
	tui := tuiPID(b, s, bin.path)
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
		b.ReportMetric(float64(tui1-tui0)/hz/window.Seconds()*100, "tui-cpu-%")
		b.ReportMetric(float64(all1-all0)/hz/window.Seconds()*100, "berth-cpu-%")
		b.ReportMetric(float64(rssKiB(tui))/1024, "tui-rss-MiB")
		b.ReportMetric(float64(fi.Size())/window.Seconds(), "term-B/s")
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

func rssKiB(pid int) int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
