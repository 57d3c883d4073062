package network

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Counters are a container's network traffic since its namespace was
// made, summed over its interfaces except lo, as docker stats' NET I/O.
type Counters struct {
	RxBytes, RxPackets, RxErrors, RxDropped uint64
	TxBytes, TxPackets, TxErrors, TxDropped uint64
}

// parseNetDev sums /proc/<pid>/net/dev (two header lines, then
// "iface: 8 receive fields 8 transmit fields"), skipping lo.
func parseNetDev(r io.Reader) (Counters, error) {
	var c Counters
	sc := bufio.NewScanner(r)
	for line := 0; sc.Scan(); line++ {
		if line < 2 {
			continue
		}
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			return Counters{}, fmt.Errorf("parse net/dev line %d: no interface name", line+1)
		}
		if strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 16 {
			return Counters{}, fmt.Errorf("parse net/dev line %d: %d fields, want 16", line+1, len(f))
		}
		var v [16]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return Counters{}, fmt.Errorf("parse net/dev line %d: %w", line+1, err)
			}
			v[i] = n
		}
		c.RxBytes += v[0]
		c.RxPackets += v[1]
		c.RxErrors += v[2]
		c.RxDropped += v[3]
		c.TxBytes += v[8]
		c.TxPackets += v[9]
		c.TxErrors += v[10]
		c.TxDropped += v[11]
	}
	if err := sc.Err(); err != nil {
		return Counters{}, fmt.Errorf("read net/dev: %w", err)
	}
	return c, nil
}
