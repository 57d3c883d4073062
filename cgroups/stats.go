package cgroups

import "bytes"

// Stats is one reading of a group's counters. Every field is 0 when the
// kernel does not provide it (a controller not mounted or not enabled).
type Stats struct {
	CPUUsage uint64 // total CPU time used, in ns
	// MemoryUsage is the memory in use in bytes as docker stats shows it:
	// usage minus the inactive file cache, which the kernel can drop.
	MemoryUsage uint64
	// MemoryCurrent is all the memory charged to the group, page cache
	// included (memory.usage_in_bytes on v1, memory.current on v2).
	MemoryCurrent uint64
	// MemoryRSS is the group's anonymous memory: total_rss on v1, anon
	// on v2.
	MemoryRSS uint64
	// PageFaults and MajorPageFaults count the faults of the group's
	// processes (pgfault and pgmajfault of memory.stat).
	PageFaults, MajorPageFaults uint64
	// MemoryLimit is the memory limit in bytes, 0 when unlimited (callers
	// show the host's memory instead). On v1 it is the effective limit,
	// which a lower limit on a parent group reduces.
	MemoryLimit uint64
	PidsCurrent uint64
	PidsLimit   uint64 // 0 when unlimited
	BlkioRead   uint64 // bytes read from block devices
	BlkioWrite  uint64 // bytes written to block devices
	OOMKills    uint64 // processes the OOM killer killed in this group
}

// unlimitedV1 is the threshold above which a v1 limit means "none": the
// kernel reports no limit as LONG_MAX rounded down to its page size.
const unlimitedV1 = 1 << 62

// The parsers below work on the bytes read from a stat file and never
// allocate: they run for every container once a second.

// parseUint reads the decimal number at the start of b, after spaces.
func parseUint(b []byte) (uint64, bool) {
	b = bytes.TrimLeft(b, " \t")
	var v uint64
	n := 0
	for ; n < len(b) && b[n] >= '0' && b[n] <= '9'; n++ {
		v = v*10 + uint64(b[n]-'0')
	}
	return v, n > 0
}

// parseLimit reads a single-value limit file: a number, "max" (v2) or a
// v1 number at or above unlimitedV1, both of which mean no limit (0).
func parseLimit(b []byte) uint64 {
	v, ok := parseUint(b)
	if !ok {
		return 0
	}
	return limitValue(v)
}

// limitValue maps v1's "no limit" figure to 0.
func limitValue(v uint64) uint64 {
	if v >= unlimitedV1 {
		return 0
	}
	return v
}

// keyedValue finds the line "key value" in a flat keyed file such as
// memory.stat, cpu.stat or memory.events and returns the value.
func keyedValue(b []byte, key string) (uint64, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > len(key) && line[len(key)] == ' ' && string(line[:len(key)]) == key {
			return parseUint(line[len(key)+1:])
		}
	}
	return 0, false
}

// parseBlkioV1 sums the Read and Write bytes over all devices of a v1
// blkio.*io_service_bytes* file ("8:0 Read 4096" lines, then "Total n").
func parseBlkioV1(b []byte) (read, write uint64) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		_, rest, ok := bytes.Cut(line, []byte{' '})
		if !ok {
			continue
		}
		op, num, ok := bytes.Cut(rest, []byte{' '})
		if !ok {
			continue
		}
		v, _ := parseUint(num)
		switch string(op) {
		case "Read":
			read += v
		case "Write":
			write += v
		}
	}
	return read, write
}

// parseIOStatV2 sums rbytes and wbytes over all devices of a v2 io.stat
// file ("8:0 rbytes=1 wbytes=2 rios=3 …" lines).
func parseIOStatV2(b []byte) (read, write uint64) {
	for len(b) > 0 {
		field := b
		if i := bytes.IndexAny(b, " \n"); i >= 0 {
			field, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		key, num, ok := bytes.Cut(field, []byte{'='})
		if !ok {
			continue
		}
		v, _ := parseUint(num)
		switch string(key) {
		case "rbytes":
			read += v
		case "wbytes":
			write += v
		}
	}
	return read, write
}

// workingSet is docker stats' memory usage: usage minus inactive file
// cache, or usage itself when the cache figure is not below it.
func workingSet(usage, inactiveFile uint64) uint64 {
	if inactiveFile < usage {
		return usage - inactiveFile
	}
	return usage
}

// parsePartitions returns the "major:minor" of every block device listed
// in /proc/partitions (a header line, a blank line, then
// "major minor #blocks name" lines).
func parsePartitions(b []byte) []string {
	var devs []string
	for line := range bytes.Lines(b) {
		f := bytes.Fields(line)
		if len(f) != 4 {
			continue
		}
		if _, ok := parseUint(f[0]); !ok {
			continue
		}
		devs = append(devs, string(f[0])+":"+string(f[1]))
	}
	return devs
}
