//go:build !linux

package containerinit

import (
	"fmt"
	"os"
	"syscall"
)

// Main reports that containers need Linux and exits with 125.
func Main() {
	fmt.Fprintln(os.Stderr, ErrUnsupported)
	os.Exit(ExitSetupFailed)
}

// Process is a started container; there are none off Linux.
type Process struct {
	Pid int
}

// Start fails: containers need Linux.
func Start(cfg *Config, opts StartOptions) (*Process, error) {
	return nil, ErrUnsupported
}

// Wait fails: containers need Linux.
func (p *Process) Wait() (exitCode int, signal syscall.Signal, err error) {
	return 0, 0, ErrUnsupported
}

// Signal fails: containers need Linux.
func (p *Process) Signal(sig syscall.Signal) error {
	return ErrUnsupported
}
