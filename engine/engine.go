// Package engine runs containers: it creates them in a store of files,
// starts each under a shim (its watch, in a monitor process shared by a
// group of containers), and stops, kills, pauses, removes,
// lists, inspects, logs, tops and stats them. The CLI and the TUI both call
// this package; neither talks to the kernel directly.
//
// Start with engine.go (Options, New), then api.go (the option and result
// types of every call), container.go (the Container record, shaped like
// docker inspect) and state.go (a container's state: one Status value and
// the table of its transitions, the only place a Status changes; docker's
// Running, Paused, Restarting and Dead are derived from it). The process
// model:
//
//   - create.go writes the record (store.go) and asks the image store for
//     the container's root filesystem, described as a mount.
//   - start.go launches the shim (shim.go) in a monitor (monitor.go): the
//     same binary re-executed and detached, watching up to 64 containers,
//     each in goroutines of its own; a start joins a monitor that has
//     room, or starts one. The shim creates the cgroup, starts the container's init
//     (package containerinit) in new namespaces, holds its stdio or PTY,
//     writes the log (package jsonlog), serves attach on a unix socket
//     (package ptyexec), records the exit and applies the restart policy.
//     It also runs the container's healthcheck (health.go has docker's
//     rules, healthprobe.go the probing).
//   - lifecycle.go stops, kills, pauses, removes and waits; nothing there
//     needs the shim alive: a shim that died is noticed (its monitor's pid
//   - start time + boot ID, and the container's run directory, which
//     the shim removes when it lets go) and its container is marked exited (reconcile), then
//     restarted if its policy says so by whoever noticed (revive.go). Wait
//     returns once the shim has finished with the container, so a Remove
//     after it never finds it running. restart.go holds the restart rules
//     (docker's), boot.go `berth system boot`, which applies them after a
//     reboot.
//   - list.go lists; a brief list of every container (what ps, the
//     Docker API's list and the TUI ask for) reads a snapshot of the
//     last one and the events since (listsnapshot.go), so every change
//     to what it shows is saved before an event naming the container is
//     appended (listpatch.go has the rules; eventhold.go holds network
//     events until the record is saved).
//   - damaged.go: a record that cannot be read (decodeRecord in record.go
//     says which) makes its container dead, never breaks the others; it
//     is removed from what its ID alone finds: shim, cgroup, layer, name,
//     network endpoints. check.go is `system check`: it scans the
//     containers, names, endpoints and the image store for damage and
//     removes what is damaged.
//   - nspaths.go and crilog.go are for the pods of `berth cri` (package
//     cri): a container joins namespaces pinned as files
//     (HostConfig.NamespacePaths), and its shim also writes kubelet's CRI
//     log format (HostConfig.CRILogPath).
//   - mounts.go resolves -v, --mount, --volumes-from and the anonymous
//     volumes of an image's VOLUME at create, into the record's mounts;
//     volume.go is `berth volume` over the volume store (package
//     volumes), refusing to remove a volume a container uses.
//
// A full disk never takes control away (space.go): stop, kill and rm
// signal first and save the record after, through a reserve of space kept
// in the data root; the shim learns of a stop through its monitor's
// socket, without the disk, and records it with the exit. Create refuses when the data root is
// nearly full, and a container's log stops writing there (and counts what
// it drops) rather than fill it.
package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"berth/cgroups"
	"berth/engine/events"
	"berth/engine/network"
	"berth/engine/volumes"
	"berth/images"
	"berth/internal/diskspace"
	"berth/ptyexec/nsenter"
)

// Options configures an Engine. Every directory is passed in; only main
// knows the defaults (/var/lib/berth, /run/berth, /sys/fs/cgroup).
type Options struct {
	Root         string // data root: containers/, image/, events/
	RunRoot      string // sockets and other runtime files
	CgroupRoot   string // cgroupfs mount point
	CgroupParent string // parent group of every container's cgroup; "berth" if empty
	// LogOpts are the default json-file options (max-size, max-file) a
	// container's --log-opt overrides key by key; empty never rotates
	// (config supplies docker's "local" defaults, 20m × 5).
	LogOpts       map[string]string
	StorageDriver string // "" (detect), "overlay2" or "vfs"
	ConfigFile    string // shown by Info only
	// Network configures the bridge networks; Dir defaults to
	// <Root>/network and Root to Root. See network.Options.
	Network network.Options
	// DefaultNetwork is the network of a container that names none:
	// "bridge" if empty, as docker's default.
	DefaultNetwork string
	// Init runs berth's tiny init in containers whose HostConfig.Init is
	// nil (docker's daemon "init"), decided at each start.
	Init bool
	// MonitorGroup is how many containers one monitor watches at most
	// (monitor.go); 0 is monitorCapacity, 1 a monitor per container.
	MonitorGroup int
	// Exe is the binary re-executed as shim and container init;
	// "/proc/self/exe" if empty.
	Exe string
	// Warn receives what the stores repaired on their own (see
	// images.Options.Warn) and what failed where no error can be
	// returned; nil discards it. A shim's goes to its log.
	Warn func(msg string) `json:"-"`
	// NoListSnapshot has every list read every record, as before the
	// list snapshot (listsnapshot.go): what tests compare its lists
	// against.
	NoListSnapshot bool
}

// Engine is the container runtime. It is safe for concurrent use, and
// several Engines (in several processes) may share one data root.
type Engine struct {
	opts     Options
	reserve  *diskspace.Reserve // <Root>/reserve; see space.go
	networks *network.Manager
	store    *store
	images   *images.Store
	events   *events.Log
	volumes  *volumes.Store

	// cgroups caches a Manager per container: a TUI asks for the stats
	// of every container on screen each second, and making a Manager
	// probes the cgroup mounts.
	cgMu    sync.Mutex
	cgroups map[string]cgroups.Manager

	// records caches decoded container records for List, keyed by
	// container ID and checked against the file's identity: every write
	// renames a new file into place, so an unchanged inode, size and
	// mtime is an unchanged record.
	recMu   sync.Mutex
	records map[string]cachedRecord

	// shims keeps a pidfd on each shim seen running (shimwatch_linux.go).
	shims shimWatch

	// snap is the last brief list of every container, kept for the next
	// while the snapshot file is still the one snapFile names (the one
	// this Engine read or wrote) (listsnapshot.go); nil: read the file.
	snapMu   sync.Mutex
	snap     *listSnapshot
	snapFile fileIdentity

	// netHold holds a container's network events until its record is
	// saved (eventhold.go).
	netHold *eventHold
}

// New opens the engine's stores under opts.Root and opts.RunRoot.
func New(opts Options) (*Engine, error) {
	if opts.Root == "" || opts.RunRoot == "" || opts.CgroupRoot == "" {
		return nil, fmt.Errorf("open engine: root, run root and cgroup root are required")
	}
	if opts.CgroupParent == "" {
		opts.CgroupParent = "berth"
	}
	if opts.Exe == "" {
		opts.Exe = "/proc/self/exe"
	}
	if opts.MonitorGroup <= 0 {
		opts.MonitorGroup = monitorCapacity
	}
	if opts.DefaultNetwork == "" {
		opts.DefaultNetwork = "bridge"
	}
	for _, d := range []string{opts.Root, opts.RunRoot} {
		if err := os.MkdirAll(d, 0o711); err != nil {
			return nil, fmt.Errorf("open engine: %w", err)
		}
	}
	if opts.Network.Dir == "" {
		opts.Network.Dir = filepath.Join(opts.Root, "network")
	}
	if opts.Network.Root == "" {
		opts.Network.Root = opts.Root
	}
	reserve := diskspace.NewReserve(filepath.Join(opts.Root, "reserve"), recordReserve)
	// A data root too full for the reserve still opens: the reserve is
	// made up by the next Ensure, and record writes go without it.
	_ = reserve.Ensure()
	opts.Network.Reserve = reserve
	st, err := openStore(opts.Root, reserve)
	if err != nil {
		return nil, err
	}
	ev, err := events.Open(filepath.Join(opts.Root, "events"))
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	imgs, err := images.Open(filepath.Join(opts.Root, "image"), images.Options{Driver: opts.StorageDriver, Warn: opts.Warn,
		ReleaseStep: func(id string) error { return releaseBuildStep(opts, id) },
		Event: func(action, id string, attrs map[string]string) {
			emit(ev, opts.Warn, events.TypeImage, action, id, attrs)
		}})
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	netHold := new(eventHold)
	opts.Network.Event = func(action, id string, attrs map[string]string) {
		netHold.emit(attrs[events.AttrContainer], func() {
			if !emit(ev, opts.Warn, events.TypeNetwork, action, id, attrs) && attrs[events.AttrContainer] != "" {
				dropListSnapshot(opts.Root)
			}
		})
	}
	nets, err := network.Open(opts.Network)
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	vols, err := volumes.Open(filepath.Join(opts.Root, "volumes"))
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	return &Engine{opts: opts, reserve: reserve, store: st, images: imgs, events: ev, networks: nets, volumes: vols, netHold: netHold}, nil
}

// Images is the image store the engine runs containers from.
func (e *Engine) Images() *images.Store { return e.images }

// Events is the engine's durable event timeline.
func (e *Engine) Events() *events.Log { return e.events }

// runDir holds a container's socket while its shim runs.
func (e *Engine) runDir(id string) string { return filepath.Join(e.opts.RunRoot, "containers", id) }

func (e *Engine) attachSocket(id string) string { return filepath.Join(e.runDir(id), "attach.sock") }

// shimLogPath is the shim's own log (see package shimlog), beside the
// container's record so that it outlives the run directory and a reboot.
func (e *Engine) shimLogPath(id string) string { return filepath.Join(e.store.dir(id), "shim.log") }

// sealScratch is the empty directory nsenter.SealedCopy uses to seal
// berth without copying it.
func (e *Engine) sealScratch() string { return filepath.Join(e.opts.RunRoot, "seal") }

// sealedSelf is the running berth as a container's init must run it: a
// read-only copy no process can write through (nsenter.SealedCopy).
func (e *Engine) sealedSelf() (*os.File, error) {
	f, err := nsenter.SealedCopy("/proc/self/exe", e.sealScratch())
	if err != nil {
		return nil, fmt.Errorf("seal berth's binary: %w", err)
	}
	return f, nil
}

// CPUPercent is the CPU use between two samples of one container, where 100
// is one core fully busy.
func CPUPercent(prev, cur *Stats) float64 {
	dt := cur.Time.Sub(prev.Time)
	if dt <= 0 || cur.CPUUsage < prev.CPUUsage {
		return 0
	}
	return float64(cur.CPUUsage-prev.CPUUsage) / float64(dt) * 100
}
