package main

// fds lists the descriptors the probe was started with: anything beyond
// stdin, stdout and stderr came from whoever started it (berth, or berth's
// caller through berth) and is a way out of the container (CVE-2024-21626:
// fchdir or openat through a host directory's descriptor).

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func init() { register("fds", listFds) }

// listFds [OUT] prints "fds: 0 1 2" (the descriptors inherited), then
// one "N -> target" line per descriptor, to OUT or stdout.
func listFds(args []string) error {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return err
	}
	names, err := dir.Readdirnames(-1)
	own := int(dir.Fd())
	if err != nil {
		_ = dir.Close()
		return err
	}
	var fds []int
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd == own {
			continue
		}
		// Close-on-exec descriptors are the probe's own (the Go runtime's):
		// whatever crossed the exec that started it has the flag clear.
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			fds = append(fds, fd)
		}
	}
	sort.Ints(fds)
	var b strings.Builder
	fmt.Fprintf(&b, "fds:")
	for _, fd := range fds {
		fmt.Fprintf(&b, " %d", fd)
	}
	b.WriteString("\n")
	for _, fd := range fds {
		target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		fmt.Fprintf(&b, "%d -> %s\n", fd, target)
	}
	_ = dir.Close()
	if len(args) == 0 {
		_, err = os.Stdout.WriteString(b.String())
		return err
	}
	return os.WriteFile(args[0], []byte(b.String()), 0o644)
}
