package cgroups

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The tests in this file run the managers against a fake cgroupfs in a
// temporary directory: the group's directories exist beforehand with
// the files the kernel would have made, and the tests read back what the
// manager wrote.

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot maps every file below root to its contents.
func snapshot(t testing.TB, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path] = readFile(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// fakeV1 makes a v1 cgroupfs with the group berth/c1 in every hierarchy.
// swap tells whether the kernel accounts swap.
func fakeV1(t testing.TB, swap bool) string {
	root := t.TempDir()
	for _, c := range v1Controllers() {
		writeFiles(t, filepath.Join(root, c), map[string]string{"cgroup.procs": ""})
		writeFiles(t, filepath.Join(root, c, "berth"), map[string]string{"cgroup.procs": ""})
	}
	writeFiles(t, filepath.Join(root, "cpuset"), map[string]string{"cpuset.cpus": "0-3\n", "cpuset.mems": "0\n"})
	writeFiles(t, filepath.Join(root, "cpuset", "berth"), map[string]string{"cpuset.cpus": "\n", "cpuset.mems": "\n"})
	group := map[string]map[string]string{
		"cpu":     {"cpu.cfs_period_us": "100000\n", "cpu.cfs_quota_us": "-1\n", "cpu.shares": "1024\n"},
		"cpuacct": {"cpuacct.usage": "0\n"},
		"cpuset":  {"cpuset.cpus": "\n", "cpuset.mems": "\n"},
		"memory":  {"memory.limit_in_bytes": "9223372036854771712\n", "memory.usage_in_bytes": "0\n"},
		"pids":    {"pids.max": "max\n", "pids.current": "0\n"},
		"blkio":   {"blkio.throttle.io_service_bytes_recursive": "Total 0\n"},
		"freezer": {"freezer.state": "THAWED\n"},
	}
	if swap {
		group["memory"]["memory.memsw.limit_in_bytes"] = "9223372036854771712\n"
	}
	for c, files := range group {
		files["cgroup.procs"] = ""
		writeFiles(t, filepath.Join(root, c, "berth", "c1"), files)
	}
	return root
}

// fakeV2 makes a v2 cgroupfs with the group berth/c1, whose parents offer
// the given controllers.
func fakeV2(t testing.TB, controllers string) string {
	root := t.TempDir()
	for _, dir := range []string{root, filepath.Join(root, "berth")} {
		writeFiles(t, dir, map[string]string{
			"cgroup.controllers": controllers + "\n", "cgroup.subtree_control": "\n", "cgroup.procs": "",
			"cpuset.cpus.effective": "0-3\n", "cpuset.mems.effective": "0\n",
		})
	}
	files := map[string]string{
		"cgroup.controllers": controllers + "\n", "cgroup.procs": "", "cgroup.freeze": "0\n",
		"cgroup.events": "populated 0\nfrozen 0\n", "cgroup.kill": "", "cpu.stat": "usage_usec 0\n",
	}
	for _, c := range strings.Fields(controllers) {
		switch c {
		case "memory":
			files["memory.max"] = "max\n"
			files["memory.swap.max"] = "max\n"
		case "cpu":
			files["cpu.max"] = "max 100000\n"
			files["cpu.weight"] = "100\n"
		case "cpuset":
			files["cpuset.cpus"] = "\n"
			files["cpuset.mems"] = "\n"
		case "pids":
			files["pids.max"] = "max\n"
		}
	}
	writeFiles(t, filepath.Join(root, "berth", "c1"), files)
	return root
}

func TestDetect(t *testing.T) {
	v1root, v2root, empty := fakeV1(t, true), fakeV2(t, "memory"), t.TempDir()
	for _, tt := range []struct {
		root string
		want Version
	}{{v1root, V1}, {v2root, V2}} {
		if got, err := Detect(tt.root); got != tt.want || err != nil {
			t.Errorf("Detect = %v, %v; want %v", got, err, tt.want)
		}
	}
	if _, err := Detect(empty); !errors.Is(err, ErrNoCgroupFS) {
		t.Errorf("Detect(empty dir) = %v, want ErrNoCgroupFS", err)
	}
}

func TestV1CreateWritesLimits(t *testing.T) {
	tests := []struct {
		name string
		swap bool
		r    Resources
		want map[string]string // "<controller>/<file>" → value
	}{
		{"no limits", true, Resources{}, map[string]string{
			"memory/memory.limit_in_bytes": "-1", "memory/memory.memsw.limit_in_bytes": "-1",
			"cpu/cpu.cfs_period_us": "100000", "cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.shares": "1024",
			"cpuset/cpuset.cpus": "0-3", "cpuset/cpuset.mems": "0", "pids/pids.max": "max",
		}},
		{"every limit", true, Resources{Memory: 128 << 20, MemorySwap: 256 << 20, CPUQuota: 50000,
			CPUPeriod: 200000, CPUShares: 100, CpusetCpus: "1-2", CpusetMems: "0", PidsLimit: 64}, map[string]string{
			"memory/memory.limit_in_bytes": "134217728", "memory/memory.memsw.limit_in_bytes": "268435456",
			"cpu/cpu.cfs_period_us": "200000", "cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.shares": "100",
			"cpuset/cpuset.cpus": "1-2", "cpuset/cpuset.mems": "0", "pids/pids.max": "64",
		}},
		{"memory without swap accounting", false, Resources{Memory: 128 << 20, MemorySwap: -1}, map[string]string{
			"memory/memory.limit_in_bytes": "134217728",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeV1(t, tt.swap)
			m, err := New(root, "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Create(tt.r); err != nil {
				t.Fatal(err)
			}
			for file, want := range tt.want {
				c, name := filepath.Split(file)
				if got := readFile(t, filepath.Join(root, c, "berth", "c1", name)); got != want {
					t.Errorf("%s = %q, want %q", file, got, want)
				}
			}
			if got := readFile(t, filepath.Join(root, "cpuset", "berth", "cpuset.cpus")); got != "0-3" {
				t.Errorf("parent's cpuset.cpus = %q, want it copied from the root", got)
			}
			if m.Path() != "berth/c1" {
				t.Errorf("Path = %q", m.Path())
			}
		})
	}
}

func TestCreateRefusalChangesNothing(t *testing.T) {
	tests := []struct {
		name    string
		root    func(t testing.TB) string
		r       Resources
		setting string
		err     error
	}{
		{"v1 memory too small", func(t testing.TB) string { return fakeV1(t, true) }, Resources{Memory: 1}, "memory", ErrInvalidValue},
		{"v1 swap without accounting", func(t testing.TB) string { return fakeV1(t, false) },
			Resources{Memory: 64 << 20, MemorySwap: 128 << 20}, "memory-swap", ErrNoSwapAccounting},
		{"v1 CPUs the parent lacks", func(t testing.TB) string { return fakeV1(t, true) }, Resources{CpusetCpus: "4"}, "cpuset-cpus", ErrInvalidValue},
		{"v2 bad period", func(t testing.TB) string { return fakeV2(t, "cpu memory") }, Resources{CPUPeriod: 1}, "cpu-period", ErrInvalidValue},
		{"v2 CPUs the parent lacks", func(t testing.TB) string { return fakeV2(t, "cpuset") }, Resources{CpusetCpus: "0-8"}, "cpuset-cpus", ErrInvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tt.root(t)
			before := snapshot(t, root)
			m, err := New(root, "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			err = m.Create(tt.r)
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != tt.setting || !errors.Is(err, tt.err) {
				t.Fatalf("Create = %v, want a SettingError for %s wrapping %v", err, tt.setting, tt.err)
			}
			// Parents may be prepared (v1 cpusets filled, v2 controllers
			// enabled, as runc leaves them too); the group stays untouched.
			after := snapshot(t, root)
			for path, content := range before {
				if after[path] != content && strings.Contains(path, "/c1/") {
					t.Errorf("%s changed from %q to %q", path, content, after[path])
				}
			}
		})
	}
}

func TestV2CreateEnablesControllersAndWritesLimits(t *testing.T) {
	tests := []struct {
		name        string
		controllers string
		r           Resources
		subtree     string
		want        map[string]string
	}{
		{"every controller", "cpuset cpu io memory hugetlb pids rdma misc",
			Resources{Memory: 128 << 20, MemorySwap: 192 << 20, CPUQuota: 150000, CPUShares: 2048,
				CpusetCpus: "0", CpusetMems: "0", PidsLimit: 32},
			"+cpu +memory +pids +io +cpuset", map[string]string{
				"memory.max": "134217728", "memory.swap.max": "67108864", "cpu.max": "150000 100000",
				"cpu.weight": "174", "cpuset.cpus": "0", "cpuset.mems": "0", "pids.max": "32",
			}},
		{"no limits", "cpu memory pids", Resources{}, "+cpu +memory +pids", map[string]string{
			"memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000", "cpu.weight": "100", "pids.max": "max",
		}},
		{"only hugetlb, as a hybrid host's unified tree", "hugetlb", Resources{}, "\n", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fakeV2(t, tt.controllers)
			m, err := New(root, "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Create(tt.r); err != nil {
				t.Fatal(err)
			}
			for _, dir := range []string{root, filepath.Join(root, "berth")} {
				if got := readFile(t, filepath.Join(dir, "cgroup.subtree_control")); got != tt.subtree {
					t.Errorf("%s/cgroup.subtree_control = %q, want %q", dir, got, tt.subtree)
				}
			}
			for file, want := range tt.want {
				if got := readFile(t, filepath.Join(root, "berth", "c1", file)); got != want {
					t.Errorf("%s = %q, want %q", file, got, want)
				}
			}
		})
	}
}

func TestLimitWithoutItsControllerIsAnError(t *testing.T) {
	tests := []struct {
		name    string
		root    func(t testing.TB) string
		r       Resources
		setting string
	}{
		{"v2 memory", func(t testing.TB) string { return fakeV2(t, "hugetlb") }, Resources{Memory: 64 << 20}, "memory"},
		{"v2 pids", func(t testing.TB) string { return fakeV2(t, "memory") }, Resources{PidsLimit: 5}, "pids-limit"},
		{"v1 pids not mounted", func(t testing.TB) string {
			root := fakeV1(t, true)
			if err := os.Remove(filepath.Join(root, "pids", "cgroup.procs")); err != nil {
				t.Fatal(err)
			}
			return root
		}, Resources{PidsLimit: 5}, "pids-limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.root(t), "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			err = m.Create(tt.r)
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != tt.setting || !errors.Is(err, ErrNoController) {
				t.Fatalf("Create = %v, want a SettingError for %s wrapping ErrNoController", err, tt.setting)
			}
		})
	}
}

func TestUpdateReplacesLimits(t *testing.T) {
	root := fakeV1(t, true)
	m, err := New(root, "berth", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Create(Resources{Memory: 64 << 20, PidsLimit: 10}); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(Resources{CPUShares: 512}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"memory/memory.limit_in_bytes": "-1", "pids/pids.max": "max", "cpu/cpu.shares": "512",
	} {
		c, name := filepath.Split(file)
		if got := readFile(t, filepath.Join(root, c, "berth", "c1", name)); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}

	gone, err := New(root, "berth", "nosuch")
	if err != nil {
		t.Fatal(err)
	}
	if err := gone.Update(Resources{}); !errors.Is(err, ErrNotExist) {
		t.Errorf("Update of a missing group = %v, want ErrNotExist", err)
	}
}

func copyFixtures(t testing.TB, version, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", version))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		files[e.Name()] = string(fixture(t, version, e.Name()))
	}
	writeFiles(t, dir, files)
}

func TestStatsFromFixtures(t *testing.T) {
	v1root := fakeV1(t, true)
	for _, c := range []string{"cpuacct", "memory", "pids", "blkio"} {
		copyFixtures(t, "v1", filepath.Join(v1root, c, "berth", "c1"))
	}
	v2root := fakeV2(t, "cpu memory pids io")
	copyFixtures(t, "v2", filepath.Join(v2root, "berth", "c1"))

	tests := []struct {
		name string
		root string
		want Stats
	}{
		{"v1", v1root, Stats{
			CPUUsage:    146918903,
			MemoryUsage: 31375360 - 30007296, MemoryCurrent: 31375360,
			MemoryRSS: 1339392, PageFaults: 914, MajorPageFaults: 1,
			MemoryLimit: 536870912,
			PidsCurrent: 7, PidsLimit: 100,
			BlkioRead: 4096 + 1000, BlkioWrite: 20971520 + 24,
			OOMKills: 2,
		}},
		{"v2", v2root, Stats{
			CPUUsage:    123456000,
			MemoryUsage: 52428800 - 31457280, MemoryCurrent: 52428800,
			MemoryRSS: 10485760, PageFaults: 9000, MajorPageFaults: 3,
			MemoryLimit: 0,
			PidsCurrent: 3, PidsLimit: 0,
			BlkioRead: 1048576 + 4096, BlkioWrite: 2097152,
			OOMKills: 1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.root, "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Stats =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestMissingGroup(t *testing.T) {
	for name, root := range map[string]string{"v1": fakeV1(t, true), "v2": fakeV2(t, "memory")} {
		t.Run(name, func(t *testing.T) {
			m, err := New(root, "berth", "nosuch")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Stats(); !errors.Is(err, ErrNotExist) {
				t.Errorf("Stats = %v, want ErrNotExist", err)
			}
			if _, err := m.Procs(); !errors.Is(err, ErrNotExist) {
				t.Errorf("Procs = %v, want ErrNotExist", err)
			}
			if _, err := m.Paused(); !errors.Is(err, ErrNotExist) {
				t.Errorf("Paused = %v, want ErrNotExist", err)
			}
			for range 2 {
				if err := m.Destroy(); err != nil {
					t.Errorf("Destroy = %v, want nil", err)
				}
			}
		})
	}
}

func TestFreezeAndThaw(t *testing.T) {
	v2root := fakeV2(t, "memory")
	// A fake cannot freeze by itself: report frozen already.
	writeFiles(t, filepath.Join(v2root, "berth", "c1"), map[string]string{"cgroup.events": "populated 1\nfrozen 1\n"})
	tests := []struct {
		name, root, stateFile, frozen, thawed string
	}{
		{"v1", fakeV1(t, true), "freezer/berth/c1/freezer.state", "FROZEN", "THAWED"},
		{"v2", v2root, "berth/c1/cgroup.freeze", "1", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.root, "berth", "c1")
			if err != nil {
				t.Fatal(err)
			}
			state := filepath.Join(tt.root, tt.stateFile)
			if err := m.Freeze(); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, state); got != tt.frozen {
				t.Errorf("after Freeze state = %q, want %q", got, tt.frozen)
			}
			if paused, err := m.Paused(); !paused || err != nil {
				t.Errorf("Paused = %v, %v after Freeze", paused, err)
			}
			if err := m.Thaw(); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, state); got != tt.thawed {
				t.Errorf("after Thaw state = %q, want %q", got, tt.thawed)
			}
			if paused, err := m.Paused(); paused || err != nil {
				t.Errorf("Paused = %v, %v after Thaw", paused, err)
			}
		})
	}
}

func TestFreezeTimeoutThawsAgain(t *testing.T) {
	root := fakeV2(t, "memory") // cgroup.events keeps saying "frozen 0"
	m, err := New(root, "berth", "c1")
	if err != nil {
		t.Fatal(err)
	}
	m.(*v2).freezeTimeout = 20 * time.Millisecond
	if err := m.Freeze(); !errors.Is(err, ErrFreezeTimeout) {
		t.Fatalf("Freeze = %v, want ErrFreezeTimeout", err)
	}
	if got := readFile(t, filepath.Join(root, "berth", "c1", "cgroup.freeze")); got != "0" {
		t.Errorf("cgroup.freeze = %q after a timed out freeze, want 0", got)
	}
}

func TestParsePids(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{"1\n", []int{1}, false},
		{"12\n345\n6\n", []int{12, 345, 6}, false},
		{"12\nx\n", []int{12}, true},
	}
	for _, tt := range tests {
		got, err := parsePids([]byte(tt.in))
		if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
			t.Errorf("parsePids(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parsePids(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}

// BenchmarkStats reads the stats of a group on the fake cgroupfs, file
// contents from testdata: the cost of the parsing and the file reads.
func BenchmarkStats(b *testing.B) {
	v1root := fakeV1(b, true)
	for _, c := range []string{"cpuacct", "memory", "pids", "blkio"} {
		copyFixtures(b, "v1", filepath.Join(v1root, c, "berth", "c1"))
	}
	v2root := fakeV2(b, "cpu memory pids io")
	copyFixtures(b, "v2", filepath.Join(v2root, "berth", "c1"))
	for _, root := range []struct{ name, dir string }{{"v1", v1root}, {"v2", v2root}} {
		b.Run(root.name, func(b *testing.B) {
			m, err := New(root.dir, "berth", "c1")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Stats(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestProcsIncludesGroupsBelow(t *testing.T) {
	v1root, v2root := fakeV1(t, true), fakeV2(t, "memory")
	for name, dir := range map[string]string{
		"v1": filepath.Join(v1root, "freezer", "berth", "c1"),
		"v2": filepath.Join(v2root, "berth", "c1"),
	} {
		writeFiles(t, dir, map[string]string{"cgroup.procs": "10\n11\n"})
		writeFiles(t, filepath.Join(dir, "sub"), map[string]string{"cgroup.procs": "12\n"})
		root := map[string]string{"v1": v1root, "v2": v2root}[name]
		m, err := New(root, "berth", "c1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Procs()
		if err != nil || len(got) != 3 || got[0] != 10 || got[1] != 11 || got[2] != 12 {
			t.Errorf("%s: Procs = %v, %v; want [10 11 12]", name, got, err)
		}
	}
}

func TestTaskFiles(t *testing.T) {
	v1root, v2root := fakeV1(t, true), fakeV2(t, "memory")
	m, err := New(v1root, "berth", "c1")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range v1Controllers() {
		want = append(want, filepath.Join(v1root, c, "berth", "c1", "tasks"))
	}
	if got := m.TaskFiles(); !slices.Equal(got, want) {
		t.Errorf("v1: TaskFiles = %q, want %q", got, want)
	}
	if m, err = New(v2root, "berth", "c1"); err != nil {
		t.Fatal(err)
	}
	if got := m.TaskFiles(); got != nil {
		t.Errorf("v2: TaskFiles = %q, want none", got)
	}
}
