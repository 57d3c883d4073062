package engine

import (
	"fmt"

	"golang.org/x/sys/unix"

	"berth/engine/containerinit"
	"berth/ptyexec/nsenter"
)

// openNamespacePaths opens, for one start, the namespace files of
// hc.NamespacePaths as joins: setns takes a namespace file's descriptor
// as it takes a pidfd, and the flag makes it refuse a file of another
// kind. On error nothing is left open.
func openNamespacePaths(hc HostConfig) ([]containerinit.Join, error) {
	var joins []containerinit.Join
	for _, kind := range pathKinds(hc) {
		p := hc.NamespacePaths[kind]
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			for _, j := range joins {
				_ = unix.Close(j.Pidfd) // opened read-only; nothing to flush
			}
			return nil, fmt.Errorf("join the %s namespace at %s: %w", kind, p, err)
		}
		joins = append(joins, containerinit.Join{Pidfd: fd, Flags: uintptr(nsenter.Namespace(kind).CloneFlag())})
	}
	return joins, nil
}
