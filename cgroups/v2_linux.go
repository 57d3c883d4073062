package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// v2Controllers are enabled for the group in each parent's
// cgroup.subtree_control, where the parent has them.
func v2Controllers() [5]string {
	return [...]string{"cpu", "memory", "pids", "io", "cpuset"}
}

// v2 keeps the group in one directory: <mount root>/<parent>/<name>.
type v2 struct {
	root string // mount root
	rel  string // group path below it
	dir  string // root/rel

	freezeTimeout, removeTimeout time.Duration

	stats struct {
		cpuStat, memCurrent, memStat, memMax, memEvents statFile
		pidsCurrent, pidsMax, ioStat                    statFile
	}
}

func newV2(root, rel string) *v2 {
	dir := filepath.Join(root, rel)
	m := &v2{root: root, rel: rel, dir: dir,
		freezeTimeout: freezeTimeout, removeTimeout: removeTimeout}
	m.stats.cpuStat = newStatFile(dir, "cpu.stat")
	m.stats.memCurrent = newStatFile(dir, "memory.current")
	m.stats.memStat = newStatFile(dir, "memory.stat")
	m.stats.memMax = newStatFile(dir, "memory.max")
	m.stats.memEvents = newStatFile(dir, "memory.events")
	m.stats.pidsCurrent = newStatFile(dir, "pids.current")
	m.stats.pidsMax = newStatFile(dir, "pids.max")
	m.stats.ioStat = newStatFile(dir, "io.stat")
	return m
}

func (m *v2) Path() string { return m.rel }

func (m *v2) Create(r Resources) (err error) {
	if err := r.validate(); err != nil {
		return err
	}
	var created []string
	defer func() {
		if err != nil {
			removeDirs(created)
		}
	}()
	// Each level from the mount root down to the parent hands the
	// controllers on to the level below; processes live only in the leaf.
	cur := m.root
	for part := range strings.SplitSeq(m.rel, "/") {
		if err := enableControllers(cur); err != nil {
			return err
		}
		dirs, err := mkdirAll(cur, filepath.Join(cur, part))
		created = append(created, dirs...)
		if err != nil {
			return err
		}
		cur = filepath.Join(cur, part)
	}
	return m.set(r)
}

// enableControllers turns on in dir's cgroup.subtree_control those of
// v2Controllers that dir has and that are not on yet.
func enableControllers(dir string) error {
	have, err := readString(dir, "cgroup.controllers")
	if err != nil {
		return fmt.Errorf("read controllers of %s: %w", dir, err)
	}
	on, err := readString(dir, "cgroup.subtree_control")
	if err != nil {
		return fmt.Errorf("read controllers of %s: %w", dir, err)
	}
	haveList, onList := strings.Fields(have), strings.Fields(on)
	var add []string
	for _, c := range v2Controllers() {
		if slices.Contains(haveList, c) && !slices.Contains(onList, c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if writeFile(dir, "cgroup.subtree_control", strings.Join(add, " ")) != nil {
		// One at a time, keeping what works: a controller the parent
		// cannot hand on (e.g. a parent with processes of its own refuses
		// domain controllers) only matters for a limit that needs it, and
		// that limit then fails naming the setting and the controller.
		for _, c := range add {
			_ = writeFile(dir, "cgroup.subtree_control", c)
		}
	}
	return nil
}

func (m *v2) Update(r Resources) error {
	if err := r.validate(); err != nil {
		return err
	}
	if !exists(m.dir) {
		return fmt.Errorf("update cgroup %s: %w", m.rel, ErrNotExist)
	}
	return m.set(r)
}

// set reads what the plan needs from the group and applies it.
func (m *v2) set(r Resources) error {
	have, err := readString(m.dir, "cgroup.controllers")
	if err != nil {
		return fmt.Errorf("read controllers of %s: %w", m.dir, err)
	}
	controllers := strings.Fields(have)
	h := hostLimits{memswLimit: -1, swapAccounting: exists(filepath.Join(m.dir, "memory.swap.max")),
		blkioWeightFile: v2IOWeightFile(m.dir)}
	if slices.Contains(controllers, "cpuset") {
		parent := filepath.Dir(m.dir)
		// Best effort: the root cgroup has no cpuset.cpus.effective on old
		// kernels, and then the kernel alone judges the sets.
		h.cpus, _ = readString(parent, "cpuset.cpus.effective")
		h.mems, _ = readString(parent, "cpuset.mems.effective")
	}
	ws, err := planV2(r, h)
	if err != nil {
		return err
	}
	err = apply(ws, func(ctrl string) string {
		if slices.Contains(controllers, ctrl) {
			return m.dir
		}
		return ""
	})
	if err != nil {
		return err
	}
	return setDeviceProgram(m.dir, r.Devices)
}

func (m *v2) Add(pid int) error {
	if err := addProc(m.dir, pid); err != nil {
		return fmt.Errorf("add process %d to cgroup %s: %w", pid, m.rel, err)
	}
	return nil
}

func (m *v2) TaskFiles() []string { return nil }

func (m *v2) Procs() ([]int, error) {
	pids, err := readProcs(m.dir)
	if isGone(err) {
		return nil, fmt.Errorf("list processes of cgroup %s: %w", m.rel, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("list processes of cgroup %s: %w", m.rel, err)
	}
	return pids, nil
}

func (m *v2) Stats() (Stats, error) {
	r := newStatReader()
	defer r.release()
	var s Stats
	if b := r.read(m.stats.cpuStat); b != nil {
		usec, _ := keyedValue(b, "usage_usec")
		s.CPUUsage = usec * 1000
	}
	var usage uint64
	if b := r.read(m.stats.memCurrent); b != nil {
		usage, _ = parseUint(b)
	}
	if b := r.read(m.stats.memStat); b != nil {
		inactive, _ := keyedValue(b, "inactive_file")
		s.MemoryUsage, s.MemoryCurrent = workingSet(usage, inactive), usage
		s.MemoryRSS, _ = keyedValue(b, "anon")
		s.PageFaults, _ = keyedValue(b, "pgfault")
		s.MajorPageFaults, _ = keyedValue(b, "pgmajfault")
	}
	if b := r.read(m.stats.memMax); b != nil {
		s.MemoryLimit = parseLimit(b)
	}
	if b := r.read(m.stats.memEvents); b != nil {
		s.OOMKills, _ = keyedValue(b, "oom_kill")
	}
	if b := r.read(m.stats.pidsCurrent); b != nil {
		s.PidsCurrent, _ = parseUint(b)
	}
	if b := r.read(m.stats.pidsMax); b != nil {
		s.PidsLimit = parseLimit(b)
	}
	if b := r.read(m.stats.ioStat); b != nil {
		s.BlkioRead, s.BlkioWrite = parseIOStatV2(b)
	}
	if r.err != nil {
		return Stats{}, fmt.Errorf("stats of cgroup %s: %w", m.rel, r.err)
	}
	if !r.found {
		return Stats{}, fmt.Errorf("stats of cgroup %s: %w", m.rel, ErrNotExist)
	}
	return s, nil
}

func (m *v2) Freeze() error {
	if err := writeFile(m.dir, "cgroup.freeze", "1"); err != nil {
		return fmt.Errorf("freeze cgroup %s: %w", m.rel, err)
	}
	frozen, err := pollUntil(m.freezeTimeout, func() (bool, error) {
		events, err := readString(m.dir, "cgroup.events")
		v, _ := keyedValue([]byte(events), "frozen")
		return v == 1, err
	})
	if err == nil && !frozen {
		err = ErrFreezeTimeout
	}
	if err != nil {
		_ = writeFile(m.dir, "cgroup.freeze", "0")
		return fmt.Errorf("freeze cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v2) Thaw() error {
	if err := writeFile(m.dir, "cgroup.freeze", "0"); err != nil {
		return fmt.Errorf("thaw cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v2) Paused() (bool, error) {
	state, err := readString(m.dir, "cgroup.freeze")
	if isGone(err) && !exists(m.dir) {
		return false, fmt.Errorf("read freezer state of cgroup %s: %w", m.rel, ErrNotExist)
	}
	if isGone(err) {
		return false, nil // kernel before 5.2: no freezer
	}
	if err != nil {
		return false, fmt.Errorf("read freezer state of cgroup %s: %w", m.rel, err)
	}
	return state == "1", nil
}

func (m *v2) Kill(sig unix.Signal) error {
	if sig == unix.SIGKILL && exists(filepath.Join(m.dir, "cgroup.kill")) {
		// The kernel kills the whole subtree, forks in flight included,
		// frozen or not; a paused group is thawed, as after signalFrozen.
		if err := writeFile(m.dir, "cgroup.kill", "1"); err != nil {
			return fmt.Errorf("kill cgroup %s: %w", m.rel, err)
		}
		if err := writeFile(m.dir, "cgroup.freeze", "0"); err != nil && !isGone(err) {
			return fmt.Errorf("kill cgroup %s: %w", m.rel, err)
		}
		return nil
	}
	canFreeze := exists(filepath.Join(m.dir, "cgroup.freeze"))
	if err := signalFrozen(m, canFreeze, sig); err != nil {
		return fmt.Errorf("kill cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v2) Destroy() error {
	var errs []error
	pids, err := m.Procs()
	switch {
	case errors.Is(err, ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(pids) > 0:
		// Removal is tried even if the kill failed, as on v1.
		if err := m.Kill(unix.SIGKILL); err != nil && !errors.Is(err, ErrNotExist) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, removeGroup(m.dir, m.removeTimeout))
	return errors.Join(errs...)
}
