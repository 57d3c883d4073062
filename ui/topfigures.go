package ui

import "fmt"

// cpuText is the top header's CPU figure. percent is docker stats'
// (100 is one core busy), the figure the containers list, `berth stats`,
// ctop and lazydocker show, so it comes first; the share of the limit
// follows when there is one: "32.3% (65% of 0.50 cores)", and "32.3%
// of a core (no limit)" without one.
func cpuText(percent, limit float64) string {
	if limit <= 0 {
		return fmt.Sprintf("%.1f%% of a core (no limit)", percent)
	}
	return fmt.Sprintf("%.1f%% (%.0f%% of %.2f cores)", percent, percent/100/limit*100, limit)
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
