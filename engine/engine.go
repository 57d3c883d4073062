// Package engine runs containers: it creates them in a store of files,
// starts each under its own shim process, and stops, kills, pauses, removes,
// lists, inspects, logs, tops and stats them. The CLI and the TUI both call
// this package; neither talks to the kernel directly.
//
// Start with engine.go (Options, New), then api.go (the option and result
// types of every call) and container.go (the Container record, shaped like
// docker inspect).
package engine

import (
	"context"
	"errors"
	"time"
)

// Options configures an Engine. Every directory is passed in; only main
// knows the defaults (/var/lib/berth, /run/berth, /sys/fs/cgroup).
type Options struct {
	Root          string            // data root: containers/, image/, events
	RunRoot       string            // sockets and other runtime files
	CgroupRoot    string            // cgroupfs mount point
	CgroupParent  string            // parent group of every container's cgroup, "berth" if empty
	LogOpts       map[string]string // default json-file options (max-size, max-file)
	StorageDriver string            // "", "overlay2" or "vfs"
	// Exe is the binary re-executed as shim and container init;
	// "/proc/self/exe" if empty.
	Exe string
}

// Engine is the container runtime. It is safe for concurrent use, and
// several Engines (in several processes) may share one data root.
type Engine struct {
	opts Options
}

// ErrNotImplemented is returned by calls whose implementation has not landed.
var ErrNotImplemented = errors.New("not implemented")

// New opens the engine's stores under opts.Root and opts.RunRoot.
func New(opts Options) (*Engine, error) { return &Engine{opts: opts}, nil }

func (e *Engine) Create(ctx context.Context, opts CreateOptions) (*Container, error) {
	return nil, ErrNotImplemented
}
func (e *Engine) Start(ctx context.Context, ref string) error { return ErrNotImplemented }
func (e *Engine) Run(ctx context.Context, ref string, opts AttachOptions) (RunResult, error) {
	return RunResult{}, ErrNotImplemented
}
func (e *Engine) Attach(ctx context.Context, ref string, opts AttachOptions) (RunResult, error) {
	return RunResult{}, ErrNotImplemented
}
func (e *Engine) Stop(ctx context.Context, ref string, opts StopOptions) error {
	return ErrNotImplemented
}
func (e *Engine) Restart(ctx context.Context, ref string, opts StopOptions) error {
	return ErrNotImplemented
}
func (e *Engine) Kill(ctx context.Context, ref string, signal string) error {
	return ErrNotImplemented
}
func (e *Engine) Pause(ctx context.Context, ref string) error   { return ErrNotImplemented }
func (e *Engine) Unpause(ctx context.Context, ref string) error { return ErrNotImplemented }
func (e *Engine) Remove(ctx context.Context, ref string, opts RemoveOptions) error {
	return ErrNotImplemented
}
func (e *Engine) Rename(ctx context.Context, ref, newName string) error { return ErrNotImplemented }
func (e *Engine) Wait(ctx context.Context, ref string) (WaitResult, error) {
	return WaitResult{}, ErrNotImplemented
}
func (e *Engine) List(ctx context.Context, opts ListOptions) ([]*Container, error) {
	return nil, ErrNotImplemented
}
func (e *Engine) Inspect(ctx context.Context, ref string) (*Container, error) {
	return nil, ErrNotImplemented
}
func (e *Engine) Logs(ctx context.Context, ref string, opts LogsOptions, fn func(LogEntry) error) error {
	return ErrNotImplemented
}
func (e *Engine) Top(ctx context.Context, ref string) ([]Process, error) {
	return nil, ErrNotImplemented
}
func (e *Engine) Stats(ctx context.Context, ref string) (*Stats, error) {
	return nil, ErrNotImplemented
}
func (e *Engine) Info(ctx context.Context) (*Info, error) { return nil, ErrNotImplemented }

// CPUPercent is the CPU use between two samples of one container, where 100
// is one core fully busy.
func CPUPercent(prev, cur *Stats) float64 {
	dt := cur.Time.Sub(prev.Time)
	if dt <= 0 || cur.CPUUsage < prev.CPUUsage {
		return 0
	}
	return float64(cur.CPUUsage-prev.CPUUsage) / float64(dt) * 100
}

var _ = time.Second
