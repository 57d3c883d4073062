package ui

import (
	"fmt"
	"os/exec"
	"syscall"
)

// WithCLI says how berth's own CLI reaches this backend's host: the
// binary and the global flags that name the host (--root and
// --run-root for this machine, --host for another). Actions still
// running when the program quits are handed to it (Handover); without
// it the quit asks before abandoning them.
func WithCLI(exe string, global []string) EngineOption {
	return func(b *EngineBackend) { b.cli = append([]string{exe}, global...) }
}

// Handover starts berth's CLI with args in a session of its own
// (setsid: the terminal closing does not hang it up), its streams on
// /dev/null, and does not wait for it: it outlives the program.
func (b *EngineBackend) Handover(args []string) error {
	if len(b.cli) == 0 {
		return ErrNoHandover
	}
	argv := append(append([]string(nil), b.cli...), args...)
	cmd := &exec.Cmd{Path: b.cli[0], Args: argv, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %v: %w", argv, err)
	}
	// Nobody waits for it: the program is quitting, and init reaps it.
	return cmd.Process.Release()
}
