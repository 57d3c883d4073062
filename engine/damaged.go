package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/internal/lazyregexp"
)

// A container whose record cannot be read (truncated by a crash of the
// disk, garbled, unreadable) is dead: List and Inspect show it with status
// "dead" and the reason in State.Error, every other container works as
// before, and Remove takes it apart from what does not need the record:
//
//   - its shim, found in /proc by the files it holds open in the
//     container's directory;
//   - its cgroup, <parent>/<id>: the engine's cgroup parent, the parent the
//     damaged record still names, and any parent of a process whose cgroup
//     is named by the ID;
//   - its writable layer, network endpoints and name reservation, all
//     found by the ID.

// deadRecord stands in for the record of container id that cannot be read.
func (e *Engine) deadRecord(id string, cause error) *record {
	dir := e.store.dir(id)
	c := &record{Container: Container{
		ID:             id,
		State:          State{Status: StatusDead, Error: cause.Error()},
		ResolvConfPath: filepath.Join(dir, "resolv.conf"),
		HostnamePath:   filepath.Join(dir, "hostname"),
		HostsPath:      filepath.Join(dir, "hosts"),
		LogPath:        filepath.Join(dir, id+"-json.log"),
		Driver:         e.images.Driver(),
		Platform:       "linux",
		Config:         ContainerConfig{Labels: map[string]string{}},
		HostConfig:     HostConfig{CgroupParent: e.opts.CgroupParent},
	}}
	if fi, err := os.Stat(dir); err == nil {
		c.Created = fi.ModTime().UTC()
	}
	if name := e.store.nameOf(id); name != "" {
		c.Name = "/" + name
	}
	if img, err := e.images.RootfsImage(id); err == nil {
		c.Image = "sha256:" + img
	}
	return c
}

// loadOrDead loads a record, or stands in a dead one when it is damaged.
func (e *Engine) loadOrDead(id string, load func(string) (*record, error)) (*record, error) {
	c, err := load(id)
	if errors.Is(err, ErrDamaged) {
		return e.deadRecord(id, err), nil
	}
	return c, err
}

// removeDamaged removes a container whose record cannot be read. Without
// force it refuses while anything of it still runs, as Remove refuses a
// running container.
func (e *Engine) removeDamaged(ctx context.Context, id string, force bool) error {
	// A monitor lets go of the container under its lock: it is waited
	// for without the lock, and the removal tried again.
	for range 2 {
		told, err := e.removeDamagedLocked(ctx, id, force)
		if err != nil || len(told) == 0 {
			return err
		}
		for _, p := range told {
			if _, err := e.tellMonitor(ctx, p.pid, "wait", id); err != nil {
				return fmt.Errorf("remove %s: wait for its shim %d: %w", id, p.pid, err)
			}
		}
	}
	return fmt.Errorf("remove %s: its shim does not let go of it", id)
}

// removeDamagedLocked is removeDamaged under the container's lock; told
// are the monitors told of the stop, which must let go of the container
// before it is removed.
func (e *Engine) removeDamagedLocked(ctx context.Context, id string, force bool) (told []process, err error) {
	unlock, err := e.store.lock(id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := e.store.load(id)
	if err == nil {
		return nil, fmt.Errorf("remove %s: its record became readable again, retry", c.DisplayName())
	}
	if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotFound) { // a directory without a record is damaged too
		return nil, err
	}
	c = e.deadRecord(id, err)
	left := e.findLeftovers(id)
	if left.running() && !force {
		return nil, fmt.Errorf("cannot remove container %s: its record cannot be read and processes still run in it: force remove to kill them: %w",
			c.ShortID(), ErrRunning)
	}
	// The shim first, so that it restarts nothing; then what runs in the
	// cgroups (Destroy kills it, a frozen group too). A monitor watches
	// other containers too: it is told of the stop, and waited for once
	// the container's processes are gone; one without a socket watches
	// this one alone, and is killed.
	for _, p := range left.shims {
		if processStartTime(p.pid) != p.start {
			continue
		}
		if ok, err := e.tellMonitor(ctx, p.pid, "stop", id); err != nil {
			return nil, fmt.Errorf("remove %s: tell its shim %d: %w", c.ShortID(), p.pid, err)
		} else if ok {
			told = append(told, p)
			continue
		}
		if err := unix.Kill(p.pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			return nil, fmt.Errorf("remove %s: kill its shim %d: %w", c.ShortID(), p.pid, err)
		}
		if err := waitProcessExit(ctx, p.pid, p.start); err != nil {
			return nil, fmt.Errorf("remove %s: wait for its shim %d: %w", c.ShortID(), p.pid, err)
		}
	}
	for _, cg := range left.cgroups {
		if err := cg.Destroy(); err != nil {
			return nil, fmt.Errorf("remove %s: %w", c.ShortID(), err)
		}
	}
	if len(told) > 0 {
		return told, nil
	}
	return nil, e.destroy(c)
}

// leftovers is what of a damaged container may still exist on the host.
type leftovers struct {
	shims   []process
	cgroups []cgroups.Manager
	procs   int // processes in those cgroups
}

func (l *leftovers) running() bool { return len(l.shims) > 0 || l.procs > 0 }

// process is a PID with its start time, which tells it from a later
// process that got the same PID.
type process struct {
	pid   int
	start uint64
}

// findLeftovers looks for the shim and the cgroups of container id.
func (e *Engine) findLeftovers(id string) *leftovers {
	l := &leftovers{}
	procs := listProcs()
	for _, p := range procs {
		if isShimOf(p, e.store.dir(id)) {
			l.shims = append(l.shims, process{pid: p.pid, start: processStartTime(p.pid)})
		}
	}
	parents := []string{e.opts.CgroupParent}
	if raw, err := os.ReadFile(e.store.recordPath(id)); err == nil {
		if p, ok := salvageCgroupParent(raw); ok {
			parents = append(parents, p)
		}
	}
	for _, p := range procs {
		parents = append(parents, cgroupParents(p.cgroup, id)...)
	}
	slices.Sort(parents)
	for _, parent := range slices.Compact(parents) {
		cg, err := cgroups.New(e.opts.CgroupRoot, parent, id)
		if err != nil {
			continue
		}
		if pids, err := cg.Procs(); err == nil {
			l.procs += len(pids)
		}
		l.cgroups = append(l.cgroups, cg) // Destroy of a group that is not there is no error
	}
	return l
}

// cgroupParentField finds "CgroupParent":"…" in a record's raw bytes.
var cgroupParentField = lazyregexp.New(`"CgroupParent":"([A-Za-z0-9_./:@-]*)"`)

// salvageCgroupParent reads the cgroup parent from what is left of a
// damaged record, when that part of it survived.
func salvageCgroupParent(raw []byte) (string, bool) {
	m := cgroupParentField().FindSubmatch(raw)
	if m == nil || len(m[1]) == 0 {
		return "", false
	}
	return string(m[1]), true
}

// cgroupParents reads /proc/<pid>/cgroup (v1: one "hierarchy:controllers:
// path" line per hierarchy; v2: "0::path") and returns the parent of each
// path whose last element is id: where the container's cgroup is, even
// under a --cgroup-parent that only its lost record knew.
func cgroupParents(procCgroup []byte, id string) []string {
	var parents []string
	for line := range strings.SplitSeq(string(procCgroup), "\n") {
		_, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		_, p, ok := strings.Cut(rest, ":")
		if !ok || path.Base(p) != id {
			continue
		}
		parent := strings.Trim(path.Dir(p), "/")
		if !slices.Contains(parents, parent) {
			parents = append(parents, parent)
		}
	}
	return parents
}

// holdsFileUnder reports whether any of a process's open files (the
// targets of its /proc/<pid>/fd links) lies under dir.
func holdsFileUnder(fdTargets []string, dir string) bool {
	prefix := filepath.Clean(dir) + "/"
	for _, t := range fdTargets {
		if strings.HasPrefix(t, prefix) {
			return true
		}
	}
	return false
}
