package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/jsonlog"
	"berth/internal/testenv"
)

// BenchmarkPump is a monitor's logging on its own, in CPU time, which a
// busy machine disturbs less than wall time: a producer process (yes |
// head, as BenchmarkLogs runs in a container) writes 80-byte lines into
// a pipe as a container's stdout, and readPipe reads it into a json log
// on disk (json) or, as the anchor, copies it as it is into a file on
// the same disk (raw). It reports the reading side's CPU seconds and
// context switches per 500 MiB of output.
func BenchmarkPump(b *testing.B) {
	testenv.RequireBusybox(b)
	const mib = 200
	dir, err := os.MkdirTemp("/var/tmp", "berth-pump-") // a disk; /tmp may not be
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	script := "yes 'a log line of a plausible length, about eighty bytes, like most log lines are' | head -c " + strconv.Itoa(mib<<20)
	for _, sink := range []string{"json", "raw"} {
		b.Run(sink, func(b *testing.B) {
			var cpu, wall time.Duration
			var switches int64
			for b.Loop() {
				c, s, w := pumpOnce(b, filepath.Join(dir, sink), script, sink == "raw")
				cpu, switches, wall = cpu+c, switches+s, wall+w
			}
			per500 := func(x float64) float64 { return x / float64(b.N) * 500 / mib }
			b.ReportMetric(per500(cpu.Seconds()), "cpu-s/500MiB")
			b.ReportMetric(per500(float64(switches)), "csw/500MiB")
			b.ReportMetric(per500(wall.Seconds()), "wall-s/500MiB")
		})
	}
}

// pumpOnce runs script with its stdout into a pipe read by readPipe into
// a log at path (a plain file when raw), and returns this process's CPU
// time and context switches meanwhile, and the wall time.
func pumpOnce(b *testing.B, path, script string, raw bool) (cpu time.Duration, switches int64, wall time.Duration) {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	growOutputPipe(w)
	defer os.Remove(path)
	var sink func([]byte)
	if raw {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sink = func(p []byte) { _, _ = f.Write(p) }
	} else {
		l, err := jsonlog.New(path, jsonlog.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		s := l.Stream("stdout")
		sink = func(p []byte) { _, _ = s.Write(p) }
	}
	cmd := exec.Command(testenv.BusyboxPath, "sh", "-c", script)
	cmd.Stdout = w
	cpu0, switches0 := selfUsage(b)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w.Close()
	_ = readPipe(r, sink)
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	wall = time.Since(start)
	cpu1, switches1 := selfUsage(b)
	return cpu1 - cpu0, switches1 - switches0, wall
}

// selfUsage is the CPU time and context switches of this process so far,
// its children not counted.
func selfUsage(b *testing.B) (time.Duration, int64) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Nvcsw + ru.Nivcsw
}
