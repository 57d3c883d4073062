package images

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// currentTmpOwner identifies this process for the tmp/ entries it makes.
func currentTmpOwner() (tmpOwner, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil {
		return tmpOwner{}, fmt.Errorf("stat /proc/self/ns/pid: %w", err)
	}
	pid := os.Getpid()
	start, err := processStart(pid)
	if err != nil {
		return tmpOwner{}, err
	}
	return tmpOwner{pidNS: st.Ino, pid: pid, start: start}, nil
}

// processAlive reports whether o's process still runs: same PID, same
// start time.
func processAlive(o tmpOwner) bool {
	start, err := processStart(o.pid)
	return err == nil && start == o.start
}

// processStart is a process's start time (field 22 of /proc/<pid>/stat).
func processStart(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStartTime(b)
}

// parseStartTime reads field 22 of /proc/<pid>/stat; the command name may
// hold spaces and parentheses, so fields are counted from the last ')'.
func parseStartTime(stat []byte) (uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return 0, fmt.Errorf("parse process stat %q: malformed", stat)
	}
	f := strings.Fields(string(stat[i+2:]))
	if len(f) < 20 {
		return 0, fmt.Errorf("parse process stat: %d fields", len(f)+2)
	}
	v, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse process start time: %w", err)
	}
	return v, nil
}
