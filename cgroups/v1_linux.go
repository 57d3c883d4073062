package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// v1 keeps one directory per controller hierarchy:
// <mount root>/<controller>/<parent>/<name>.
type v1 struct {
	root  string            // mount root
	rel   string            // group path below each hierarchy
	dirs  map[string]string // available controller → the group's directory in it
	order []string          // available controllers in v1Controllers order

	freezeTimeout, removeTimeout time.Duration

	stats struct {
		cpuUsage, memUsage, memStat, oomControl statFile
		pidsCurrent, pidsMax                    statFile
		blkio                                   [2]statFile // throttle counters, else CFQ/BFQ-era ones
	}
}

func newV1(root, rel string) *v1 {
	m := &v1{root: root, rel: rel, dirs: map[string]string{},
		freezeTimeout: freezeTimeout, removeTimeout: removeTimeout}
	for _, c := range v1Controllers() {
		if exists(filepath.Join(root, c, "cgroup.procs")) {
			m.dirs[c] = filepath.Join(root, c, rel)
			m.order = append(m.order, c)
		}
	}
	if d := m.dirs["cpuacct"]; d != "" {
		m.stats.cpuUsage = newStatFile(d, "cpuacct.usage")
	}
	if d := m.dirs["memory"]; d != "" {
		m.stats.memUsage = newStatFile(d, "memory.usage_in_bytes")
		m.stats.memStat = newStatFile(d, "memory.stat")
		m.stats.oomControl = newStatFile(d, "memory.oom_control")
	}
	if d := m.dirs["pids"]; d != "" {
		m.stats.pidsCurrent = newStatFile(d, "pids.current")
		m.stats.pidsMax = newStatFile(d, "pids.max")
	}
	if d := m.dirs["blkio"]; d != "" {
		m.stats.blkio[0] = newStatFile(d, "blkio.throttle.io_service_bytes_recursive")
		m.stats.blkio[1] = newStatFile(d, "blkio.io_service_bytes_recursive")
	}
	return m
}

func (m *v1) Path() string { return m.rel }

// procsDir is the directory whose cgroup.procs is the group's membership:
// the freezer's, as Kill relies on it, else the first hierarchy's.
func (m *v1) procsDir() string {
	if d := m.dirs["freezer"]; d != "" {
		return d
	}
	if len(m.order) > 0 {
		return m.dirs[m.order[0]]
	}
	return ""
}

func (m *v1) Create(r Resources) (err error) {
	if err := r.validate(); err != nil {
		return err
	}
	var created []string
	defer func() {
		if err != nil {
			removeDirs(created)
		}
	}()
	for _, c := range m.order {
		hierarchy := filepath.Join(m.root, c)
		dirs, err := mkdirAll(hierarchy, m.dirs[c])
		created = append(created, dirs...)
		if err != nil {
			return err
		}
		if c == "cpuset" {
			if err := fillCpusets(hierarchy, filepath.Dir(m.dirs[c])); err != nil {
				return err
			}
		}
	}
	// Accounting first: its "no limit" rules must not replace the
	// throttles r asks for.
	if d := m.dirs["blkio"]; d != "" {
		enableBlkioAccounting(d)
	}
	return m.set(r)
}

// procPartitions lists the host's block devices; the kernel's interface,
// not a configurable root.
const procPartitions = "/proc/partitions"

// enableBlkioAccounting makes the kernel count the group's block I/O.
// Since Linux 6.x sets up throttling lazily, v1 counts I/O bytes only on
// disks where a throttle rule was configured at least once (v2's io.stat
// always counts). A rule of 0, meaning "no limit", switches the counting
// on for the whole disk without limiting anything. It is best effort:
// partitions refuse rules (their disk is in the list too), and stats
// merely stay 0 where this fails.
func enableBlkioAccounting(dir string) {
	b, err := os.ReadFile(procPartitions)
	if err != nil {
		return
	}
	for _, dev := range parsePartitions(b) {
		_ = writeFile(dir, "blkio.throttle.read_bps_device", dev+" 0")
	}
}

// fillCpusets gives every group from below the hierarchy root down to dir
// its parent's CPUs and memory nodes where they are empty: v1 refuses
// processes in a cpuset group without them.
func fillCpusets(hierarchy, dir string) error {
	rel, err := filepath.Rel(hierarchy, dir)
	if err != nil || rel == "." {
		return err
	}
	parent, cur := hierarchy, hierarchy
	for part := range strings.SplitSeq(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
			v, err := readString(cur, file)
			if err != nil {
				return fmt.Errorf("read cpuset of %s: %w", cur, err)
			}
			if v != "" {
				continue
			}
			if v, err = readString(parent, file); err != nil {
				return fmt.Errorf("read cpuset of %s: %w", parent, err)
			}
			if err := writeFile(cur, file, v); err != nil {
				return err
			}
		}
		parent = cur
	}
	return nil
}

func (m *v1) Update(r Resources) error {
	if err := r.validate(); err != nil {
		return err
	}
	if d := m.procsDir(); d == "" || !exists(d) {
		return fmt.Errorf("update cgroup %s: %w", m.rel, ErrNotExist)
	}
	return m.set(r)
}

// set reads what the plan needs from the host and applies it.
func (m *v1) set(r Resources) error {
	h := hostLimits{memswLimit: -1}
	if d := m.dirs["memory"]; d != "" {
		if v, err := readString(d, "memory.memsw.limit_in_bytes"); err == nil {
			h.swapAccounting = true
			if limit := parseLimit([]byte(v)); limit != 0 {
				h.memswLimit = int64(limit)
			}
		}
	}
	if d := m.dirs["blkio"]; d != "" {
		h.blkioWeightFile = v1BlkioWeightFile(d)
	}
	if d := m.dirs["cpuset"]; d != "" {
		var err error
		parent := filepath.Dir(d)
		if h.cpus, err = readString(parent, "cpuset.cpus"); err != nil {
			return fmt.Errorf("read cpuset of %s: %w", parent, err)
		}
		if h.mems, err = readString(parent, "cpuset.mems"); err != nil {
			return fmt.Errorf("read cpuset of %s: %w", parent, err)
		}
	}
	ws, err := planV1(r, h)
	if err != nil {
		return err
	}
	ws = append(ws, deviceWrites(r.Devices)...)
	return apply(ws, func(ctrl string) string { return m.dirs[ctrl] })
}

func (m *v1) Add(pid int) error {
	for _, c := range m.order {
		if err := addProc(m.dirs[c], pid); err != nil {
			return fmt.Errorf("add process %d to cgroup %s: %w", pid, m.rel, err)
		}
	}
	return nil
}

func (m *v1) TaskFiles() []string {
	files := make([]string, len(m.order))
	for i, c := range m.order {
		files[i] = filepath.Join(m.dirs[c], "tasks")
	}
	return files
}

func (m *v1) Procs() ([]int, error) {
	d := m.procsDir()
	if d == "" {
		return nil, fmt.Errorf("list processes of cgroup %s: %w", m.rel, ErrNoController)
	}
	pids, err := readProcs(d)
	if isGone(err) {
		return nil, fmt.Errorf("list processes of cgroup %s: %w", m.rel, ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("list processes of cgroup %s: %w", m.rel, err)
	}
	return pids, nil
}

func (m *v1) Stats() (Stats, error) {
	r := newStatReader()
	defer r.release()
	var s Stats
	if b := r.read(m.stats.cpuUsage); b != nil {
		s.CPUUsage, _ = parseUint(b)
	}
	var usage uint64
	if b := r.read(m.stats.memUsage); b != nil {
		usage, _ = parseUint(b)
	}
	if b := r.read(m.stats.memStat); b != nil {
		inactive, _ := keyedValue(b, "total_inactive_file")
		s.MemoryUsage, s.MemoryCurrent = workingSet(usage, inactive), usage
		s.MemoryRSS, _ = keyedValue(b, "total_rss")
		s.PageFaults, _ = keyedValue(b, "total_pgfault")
		s.MajorPageFaults, _ = keyedValue(b, "total_pgmajfault")
		// The effective limit, which a smaller limit on a parent lowers.
		limit, _ := keyedValue(b, "hierarchical_memory_limit")
		s.MemoryLimit = limitValue(limit)
	}
	if b := r.read(m.stats.oomControl); b != nil {
		s.OOMKills, _ = keyedValue(b, "oom_kill")
	}
	if b := r.read(m.stats.pidsCurrent); b != nil {
		s.PidsCurrent, _ = parseUint(b)
	}
	if b := r.read(m.stats.pidsMax); b != nil {
		s.PidsLimit = parseLimit(b)
	}
	for _, f := range m.stats.blkio {
		if b := r.read(f); b != nil {
			s.BlkioRead, s.BlkioWrite = parseBlkioV1(b)
			break
		}
	}
	if r.err != nil {
		return Stats{}, fmt.Errorf("stats of cgroup %s: %w", m.rel, r.err)
	}
	if !r.found {
		return Stats{}, fmt.Errorf("stats of cgroup %s: %w", m.rel, ErrNotExist)
	}
	return s, nil
}

func (m *v1) Freeze() error {
	d := m.dirs["freezer"]
	if d == "" {
		return fmt.Errorf("freeze cgroup %s: %w: freezer", m.rel, ErrNoController)
	}
	if err := writeFile(d, "freezer.state", "FROZEN"); err != nil {
		return fmt.Errorf("freeze cgroup %s: %w", m.rel, err)
	}
	frozen, err := pollUntil(m.freezeTimeout, func() (bool, error) {
		state, err := readString(d, "freezer.state")
		return state == "FROZEN", err
	})
	if err == nil && !frozen {
		err = ErrFreezeTimeout
	}
	if err != nil {
		_ = writeFile(d, "freezer.state", "THAWED")
		return fmt.Errorf("freeze cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v1) Thaw() error {
	d := m.dirs["freezer"]
	if d == "" {
		return fmt.Errorf("thaw cgroup %s: %w: freezer", m.rel, ErrNoController)
	}
	if err := writeFile(d, "freezer.state", "THAWED"); err != nil {
		return fmt.Errorf("thaw cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v1) Paused() (bool, error) {
	d := m.dirs["freezer"]
	if d == "" {
		return false, nil
	}
	state, err := readString(d, "freezer.state")
	if isGone(err) {
		return false, fmt.Errorf("read freezer state of cgroup %s: %w", m.rel, ErrNotExist)
	}
	if err != nil {
		return false, fmt.Errorf("read freezer state of cgroup %s: %w", m.rel, err)
	}
	return state != "THAWED", nil
}

func (m *v1) Kill(sig unix.Signal) error {
	if err := signalFrozen(m, m.dirs["freezer"] != "", sig); err != nil {
		return fmt.Errorf("kill cgroup %s: %w", m.rel, err)
	}
	return nil
}

func (m *v1) Destroy() error {
	var errs []error
	pids, err := m.Procs()
	switch {
	case errors.Is(err, ErrNotExist), errors.Is(err, ErrNoController):
	case err != nil:
		return err
	case len(pids) > 0:
		// Removal is tried even if the kill failed: it fails in turn if
		// anything is left, and a group already empty goes away.
		if err := m.Kill(unix.SIGKILL); err != nil && !errors.Is(err, ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, c := range m.order {
		errs = append(errs, removeGroup(m.dirs[c], m.removeTimeout))
	}
	return errors.Join(errs...)
}
