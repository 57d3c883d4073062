package nsenter

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SetRlimits sets each limit on the calling process, before it execs the
// container's command (the container's init and exec'd processes both
// call it while they still hold CAP_SYS_RESOURCE, which raising a hard
// limit needs). It goes through the syscall package, so that Go's exec
// does not put back the RLIMIT_NOFILE it found at start.
func SetRlimits(limits []Rlimit) error {
	for _, l := range limits {
		if err := unix.Setrlimit(l.Resource, &unix.Rlimit{Cur: l.Soft, Max: l.Hard}); err != nil {
			return fmt.Errorf("set rlimit %d to %d:%d: %w", l.Resource, l.Soft, l.Hard, err)
		}
	}
	return nil
}
