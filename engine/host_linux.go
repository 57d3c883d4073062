package engine

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// HostStats is one sample of the machine's CPU and memory, for the TUI's
// header. CPU counters are cumulative; HostCPUPercent compares two.
type HostStats struct {
	Time         time.Time
	CPUBusy      uint64 // clock ticks spent not idle, all CPUs
	CPUTotal     uint64 // all clock ticks, all CPUs
	NCPU         int
	MemTotal     uint64 // bytes
	MemAvailable uint64 // bytes
}

// HostStats reads /proc/stat and /proc/meminfo.
func (e *Engine) HostStats(ctx context.Context) (*HostStats, error) {
	hs := &HostStats{Time: time.Now(), NCPU: runtime.NumCPU()}
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	for i, f := range strings.Fields(line)[1:] {
		v, _ := strconv.ParseUint(f, 10, 64)
		hs.CPUTotal += v
		if i != 3 && i != 4 { // idle, iowait
			hs.CPUBusy += v
		}
	}
	mem, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(mem), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "MemTotal:":
			hs.MemTotal = kb << 10
		case "MemAvailable:":
			hs.MemAvailable = kb << 10
		}
	}
	return hs, nil
}

// HostCPUPercent is the machine's CPU use between two samples, where 100
// is every CPU busy.
func HostCPUPercent(prev, cur *HostStats) float64 {
	if cur.CPUTotal <= prev.CPUTotal || cur.CPUBusy < prev.CPUBusy {
		return 0
	}
	return float64(cur.CPUBusy-prev.CPUBusy) / float64(cur.CPUTotal-prev.CPUTotal) * 100
}

// DiskUsage is the space berth's data root takes on disk, in bytes:
// images, layers, containers' writable layers and logs. It walks the tree,
// so callers should not ask more than every few seconds.
func (e *Engine) DiskUsage(ctx context.Context) (int64, error) {
	var total int64
	seen := map[uint64]bool{}
	err := filepath.WalkDir(e.opts.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // vanished while walking
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			if st.Nlink > 1 {
				if seen[st.Ino] {
					return nil
				}
				seen[st.Ino] = true
			}
			total += st.Blocks * 512
		}
		return nil
	})
	return total, err
}
