package containerinit

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// procMountsAllowed are the files inside /proc a mount may cover: the ones
// lxcfs emulates, which docker (runc) allows too.
var procMountsAllowed = []string{
	"/proc/cpuinfo",
	"/proc/diskstats",
	"/proc/meminfo",
	"/proc/stat",
	"/proc/swaps",
	"/proc/uptime",
	"/proc/loadavg",
	"/proc/slabinfo",
	"/proc/net/dev",
	"/proc/sys/kernel/ns_last_pid",
	"/proc/sys/crypto/fips_enabled",
}

// CheckMountTarget rejects a mount destination docker rejects: /, /proc
// itself and anything inside /proc but the files lxcfs emulates, which
// would hide or replace what the kernel shows there (a writable file over
// /proc/sys/kernel/core_pattern, a tmpfs over the read-only /proc/sys).
// dest is absolute; it is cleaned first. The init checks the target again
// once resolved, for a symlink into /proc.
func CheckMountTarget(dest string) error {
	clean := path.Clean(dest)
	switch {
	case clean == "/":
		return fmt.Errorf("invalid specification: destination can't be '/'")
	case clean == "/proc":
		return fmt.Errorf("%q cannot be mounted because it is not of type proc", clean)
	case strings.HasPrefix(clean, "/proc/") && !procMountAllowed(clean):
		return errInsideProc(clean)
	}
	return nil
}

func procMountAllowed(clean string) bool {
	return slices.Contains(procMountsAllowed, clean)
}

func errInsideProc(dest string) error {
	return fmt.Errorf("%q cannot be mounted because it is inside /proc", dest)
}
