package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// procEntry is what findLeftovers needs of one host process.
type procEntry struct {
	pid    int
	argv0  string
	cgroup []byte // /proc/<pid>/cgroup
}

// listProcs reads every process's argv[0] and cgroups from /proc. A
// process that exits meanwhile is left out.
func listProcs() []procEntry {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := make([]procEntry, 0, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		cmdline, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			continue
		}
		cg, err := os.ReadFile(filepath.Join(dir, "cgroup"))
		if err != nil {
			continue
		}
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		out = append(out, procEntry{pid: pid, argv0: string(argv0), cgroup: cg})
	}
	return out
}

// isShimOf reports whether p is a shim holding a file in the container
// directory dir (its log, at least, while it runs).
func isShimOf(p procEntry, dir string) bool {
	if p.argv0 != shimArg0 {
		return false
	}
	fdDir := filepath.Join("/proc", strconv.Itoa(p.pid), "fd")
	ents, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	targets := make([]string, 0, len(ents))
	for _, e := range ents {
		if t, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil {
			targets = append(targets, t)
		}
	}
	return holdsFileUnder(targets, dir)
}
