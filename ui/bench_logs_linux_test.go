package ui

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkFollowLog45LinesPerSecond is the cost of following a steady
// log: berth's TUI in a 100x30 tmux pane beside a container that prints
// about 45 lines a second, 10 seconds on the containers screen, then 10
// seconds on that container's logs screen, following, while `berth
// logs -f` follows the same log to a file. It reports, as % of one core,
// the TUI on each screen (the difference is what following costs) and
// `berth logs -f`, and the lines per second the logger wrote.
func BenchmarkFollowLog45LinesPerSecond(b *testing.B) {
	bin := newBerthBinary(b)
	// usleep 17000: about 45 lines a second with the loop's own cost
	// (the benchmark reports the rate it measured).
	bin.must(nil, "run", "-d", "--name", "logger", "busybox", "sh", "-c",
		`i=0; while :; do i=$((i+1)); echo "request $i GET /index.html 200 0.3ms"; usleep 17000; done`)
	s := bin.startTUI()
	s.waitFor("the list", func(scr string) bool { return strings.Contains(scr, "logger") })
	tui := tuiPID(b, s, bin.path)

	out := filepath.Join(b.TempDir(), "logs.out")
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	cli := exec.Command(bin.path, append(append([]string{}, bin.args...), "logs", "-f", "--tail", "0", "logger")...)
	cli.Stdout = f
	if err := cli.Start(); err != nil {
		b.Fatalf("berth logs -f: %v", err)
	}
	defer func() {
		_ = cli.Process.Kill()
		_ = cli.Wait()
	}()
	const window = 10 * time.Second
	const hz = 100 // USER_HZ
	percent := func(ticks uint64) float64 { return float64(ticks) / hz / window.Seconds() * 100 }
	b.ResetTimer()
	for b.Loop() {
		s.send("Escape")
		s.waitFor("the containers screen", func(scr string) bool { return !strings.Contains(scr, "Logs: logger") })
		list0 := cpuTicks(tui)
		time.Sleep(window)
		list1 := cpuTicks(tui)

		s.send("l")
		s.waitFor("the logs screen", func(scr string) bool {
			return strings.Contains(scr, "Logs: logger") && strings.Contains(scr, "following")
		})
		lines0 := countLines(b, out)
		tui0, cli0 := cpuTicks(tui), cpuTicks(cli.Process.Pid)
		time.Sleep(window)
		tui1, cli1 := cpuTicks(tui), cpuTicks(cli.Process.Pid)
		lines1 := countLines(b, out)
		b.ReportMetric(percent(list1-list0), "tui-list-cpu-%")
		b.ReportMetric(percent(tui1-tui0), "tui-logs-cpu-%")
		b.ReportMetric(percent(cli1-cli0), "logs-f-cpu-%")
		b.ReportMetric(float64(lines1-lines0)/window.Seconds(), "lines/s")
	}
}

// countLines is the number of lines in the file at path.
func countLines(b *testing.B, path string) int {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}
