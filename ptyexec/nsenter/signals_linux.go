package nsenter

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigaction is the kernel's struct sigaction on the architectures Go
// supports for Linux (handler, flags, restorer, mask).
type sigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const sigIgn = 1 // SIG_IGN; SIG_DFL is 0

// ResetIgnoredSignals gives every signal that this process inherited as
// ignored its default action back. Ignored signals survive exec, and
// whatever started berth (a shell's background job, a CI runner, a
// terminal multiplexer) may have ignored some: the container's command
// must start as docker's do, with none ignored. Handled signals need
// nothing: exec resets them. Both the container's init and exec'd
// processes call it right before exec.
func ResetIgnoredSignals() {
	for sig := 1; sig <= 64; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var old sigaction
		if _, _, errno := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0,
			uintptr(unsafe.Pointer(&old)), 8, 0, 0); errno != 0 || old.handler != sigIgn {
			continue
		}
		dfl := sigaction{}
		// Resetting a valid signal to its default cannot fail once reading it worked.
		_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	}
}
