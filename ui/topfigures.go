package ui

import "fmt"

// cpuText is the top header's CPU figure. percent is docker stats'
// (100 is one core busy); it reads in cores against the limit, with
// the share of the limit: "0.32 of 0.50 cores (65%)", and "0.32 cores
// (no limit)" without one.
func cpuText(percent, limit float64) string {
	used := percent / 100
	if limit <= 0 {
		return fmt.Sprintf("%.2f cores (no limit)", used)
	}
	return fmt.Sprintf("%.2f of %.2f cores (%.0f%%)", used, limit, used/limit*100)
}

// procsIO is the container's disk traffic, the sum of its processes'
// read_bytes and write_bytes rates (/proc/PID/io): unlike cgroup v1's
// blkio, which sees only the writes that bypass the page cache, it
// counts a buffered write when the page is dirtied.
func procsIO(rows []procRow) (read, write float64) {
	for _, r := range rows {
		read += r.read
		write += r.write
	}
	return read, write
}
