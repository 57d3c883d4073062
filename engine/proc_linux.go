package engine

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStat is the part of /proc/<pid>/stat the engine reads.
type procStat struct {
	State     string
	PPID      int
	TTY       int
	UTime     uint64 // clock ticks
	STime     uint64
	StartTime uint64 // clock ticks since boot
	RSSPages  uint64
}

// clockTicks is USER_HZ, fixed at 100 on every Linux architecture Go runs on.
const clockTicks = 100

func readProcStat(procRoot string, pid int) (procStat, error) {
	b, err := os.ReadFile(procRoot + "/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(b)
}

// parseProcStat parses /proc/<pid>/stat. The command name may hold spaces
// and parentheses, so fields are counted from the last ')'.
func parseProcStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return procStat{}, fmt.Errorf("parse stat: malformed %q", b)
	}
	f := strings.Fields(string(b[i+2:]))
	// f[0] is field 3 (state); field N is f[N-3].
	if len(f) < 22 {
		return procStat{}, fmt.Errorf("parse stat: %d fields", len(f)+2)
	}
	num := func(n int) uint64 { v, _ := strconv.ParseUint(f[n-3], 10, 64); return v }
	return procStat{
		State:     f[0],
		PPID:      int(num(4)),
		TTY:       int(num(7)),
		UTime:     num(14),
		STime:     num(15),
		StartTime: num(22),
		RSSPages:  num(24),
	}, nil
}

// processStartTime identifies a process across PID reuse; 0 when the
// process does not exist.
func processStartTime(pid int) uint64 {
	if pid <= 0 {
		return 0
	}
	st, err := readProcStat("/proc", pid)
	if err != nil || st.State == "Z" {
		return 0
	}
	return st.StartTime
}

// ProcessStartTime is processStartTime for berth cri, which tells the
// processes holding its pods' PID namespaces from a reused PID.
func ProcessStartTime(pid int) uint64 { return processStartTime(pid) }

// bootID is the kernel's random ID of this boot ("" if unreadable).
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

// bootTime is when the machine booted, from /proc/stat's btime.
func bootTime() (time.Time, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("parse btime: %w", err)
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, fmt.Errorf("no btime in /proc/stat")
}

// readProcess gathers one process's row for top from /proc.
func readProcess(pid int, boot time.Time, users map[int]string) (Process, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	st, err := readProcStat("/proc", pid)
	if err != nil {
		return Process{}, err
	}
	p := Process{
		HostPID:   pid,
		PID:       pid,
		PPID:      st.PPID,
		State:     st.State,
		CPUTime:   time.Duration(st.UTime+st.STime) * time.Second / clockTicks,
		StartTime: boot.Add(time.Duration(st.StartTime) * time.Second / clockTicks),
		RSS:       st.RSSPages * uint64(os.Getpagesize()),
		TTY:       ttyName(st.TTY),
	}
	if status, err := os.ReadFile(dir + "/status"); err == nil {
		uid, nspid := parseStatus(status)
		if nspid > 0 {
			p.PID = nspid
		}
		if name, ok := users[uid]; ok {
			p.User = name
		} else {
			p.User = strconv.Itoa(uid)
		}
	}
	if io, err := os.ReadFile(dir + "/io"); err == nil {
		p.ReadBytes, p.WriteBytes = parseIO(io)
	}
	if cmd, err := os.ReadFile(dir + "/cmdline"); err == nil && len(cmd) > 0 {
		p.Command = strings.TrimRight(strings.ReplaceAll(string(cmd), "\x00", " "), " ")
	} else if comm, err := os.ReadFile(dir + "/comm"); err == nil {
		p.Command = "[" + strings.TrimSpace(string(comm)) + "]"
	}
	return p, nil
}

// parseStatus returns the real UID and the innermost namespace PID from
// /proc/<pid>/status.
func parseStatus(b []byte) (uid, nspid int) {
	uid = -1
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "Uid:"):
			if f := strings.Fields(line); len(f) > 1 {
				uid, _ = strconv.Atoi(f[1])
			}
		case strings.HasPrefix(line, "NSpid:"):
			if f := strings.Fields(line); len(f) > 1 {
				nspid, _ = strconv.Atoi(f[len(f)-1])
			}
		}
	}
	return uid, nspid
}

// parseIO returns read_bytes and write_bytes from /proc/<pid>/io: bytes the
// process caused to be read from or sent to storage, as iotop shows.
func parseIO(b []byte) (read, write uint64) {
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "read_bytes: "); ok {
			read, _ = strconv.ParseUint(v, 10, 64)
		} else if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			write, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return read, write
}

// ttyName turns a stat tty_nr into ps's name: pts/N for Unix98 ptys.
func ttyName(nr int) string {
	major, minor := (nr>>8)&0xfff, (nr&0xff)|((nr>>12)&0xfff00)
	switch {
	case nr == 0:
		return "?"
	case major >= 136 && major <= 143:
		return "pts/" + strconv.Itoa((major-136)*256+minor)
	case major == 4 && minor < 64:
		return "tty" + strconv.Itoa(minor)
	case major == 5 && minor == 1:
		return "console"
	}
	return "?"
}
