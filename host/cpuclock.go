package host

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// CPUClock is the machine's own CPU time, against which a container's CPU
// use becomes a share of the machine, as `docker stats` computes it.
type CPUClock interface {
	// SystemCPUUsage is the time all CPUs spent so far, busy or idle,
	// in nanoseconds, and the number of CPUs online.
	SystemCPUUsage(ctx context.Context) (usage uint64, cpus int, err error)
}

// userHZ is the unit of /proc/stat's counters: USER_HZ, 100 on every
// architecture Linux runs containers on.
const userHZ = 100

// SystemCPUUsage reads the first line of /proc/stat, as dockerd does.
func (l Local) SystemCPUUsage(ctx context.Context) (uint64, int, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("read system CPU usage: %w", err)
	}
	usage, err := parseProcStatCPU(b)
	if err != nil {
		return 0, 0, err
	}
	return usage, runtime.NumCPU(), nil
}

// parseProcStatCPU sums the "cpu" line of /proc/stat (user, nice, system,
// idle, iowait, irq, softirq, steal) into nanoseconds.
func parseProcStatCPU(b []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[0] != "cpu" {
			continue
		}
		var ticks uint64
		for _, f := range fields[1:min(len(fields), 9)] {
			n, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read system CPU usage: /proc/stat field %q: %w", f, err)
			}
			ticks += n
		}
		return ticks * (1e9 / userHZ), nil
	}
	return 0, fmt.Errorf("read system CPU usage: no cpu line in /proc/stat")
}
