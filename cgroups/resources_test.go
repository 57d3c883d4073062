package cgroups

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateRejectsWhatDockerRejects(t *testing.T) {
	tests := []struct {
		name    string
		r       Resources
		setting string
	}{
		{"negative memory", Resources{Memory: -1}, "memory"},
		{"memory below 6 MiB", Resources{Memory: 4 << 20}, "memory"},
		{"swap below -1", Resources{Memory: 64 << 20, MemorySwap: -2}, "memory-swap"},
		{"swap without memory", Resources{MemorySwap: 64 << 20}, "memory-swap"},
		{"swap below memory", Resources{Memory: 64 << 20, MemorySwap: 32 << 20}, "memory-swap"},
		{"quota below -1", Resources{CPUQuota: -2}, "cpu-quota"},
		{"quota below 1 ms", Resources{CPUQuota: 999}, "cpu-quota"},
		{"period below 1 ms", Resources{CPUPeriod: 999}, "cpu-period"},
		{"period above 1 s", Resources{CPUPeriod: 1000001}, "cpu-period"},
		{"cpus not a list", Resources{CpusetCpus: "zero"}, "cpuset-cpus"},
		{"cpus backwards", Resources{CpusetCpus: "3-1"}, "cpuset-cpus"},
		{"mems trailing comma", Resources{CpusetMems: "0,"}, "cpuset-mems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.validate()
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != tt.setting || !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("validate(%+v) = %v, want a SettingError for %s wrapping ErrInvalidValue", tt.r, err, tt.setting)
			}
			if !strings.Contains(err.Error(), tt.setting) {
				t.Errorf("error %q does not name %s", err, tt.setting)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for _, r := range []Resources{
		{},
		{Memory: 6 << 20},
		{Memory: 64 << 20, MemorySwap: -1},
		{Memory: 64 << 20, MemorySwap: 64 << 20},
		{CPUQuota: -1, CPUPeriod: 1000000},
		{CPUQuota: 1000, CPUPeriod: 1000},
		{CPUShares: 1},
		{CpusetCpus: "0-1,3", CpusetMems: "0"},
		{PidsLimit: -1},
	} {
		if err := r.validate(); err != nil {
			t.Errorf("validate(%+v) = %v", r, err)
		}
	}
}

// fileValues renders a plan as "file=value" lines in write order.
func fileValues(ws []write) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.file + "=" + w.value)
		if w.reset {
			b.WriteString(" (reset)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestPlanV1(t *testing.T) {
	host := hostLimits{swapAccounting: true, memswLimit: -1, cpus: "0-3", mems: "0"}
	tests := []struct {
		name string
		r    Resources
		h    hostLimits
		want string
	}{
		{"defaults", Resources{}, host, `
memory.limit_in_bytes=-1 (reset)
memory.memsw.limit_in_bytes=-1 (reset)
cpu.cfs_period_us=100000 (reset)
cpu.cfs_quota_us=-1 (reset)
cpu.shares=1024 (reset)
cpuset.cpus=0-3 (reset)
cpuset.mems=0 (reset)
pids.max=max (reset)
`},
		{"docker run -m 64m --cpus 1.5 --cpu-shares 512 --cpuset-cpus 1 --pids-limit 50",
			Resources{Memory: 64 << 20, CPUQuota: 150000, CPUShares: 512, CpusetCpus: "1", PidsLimit: 50}, host, `
memory.limit_in_bytes=67108864
memory.memsw.limit_in_bytes=134217728 (reset)
cpu.cfs_period_us=100000
cpu.cfs_quota_us=150000
cpu.shares=512
cpuset.cpus=1
cpuset.mems=0 (reset)
pids.max=50
`},
		{"lowering memory below the current memsw writes memory first",
			Resources{Memory: 64 << 20, MemorySwap: 96 << 20, CPUPeriod: 50000},
			hostLimits{swapAccounting: true, memswLimit: 512 << 20, cpus: "0-3", mems: "0"}, `
memory.limit_in_bytes=67108864
memory.memsw.limit_in_bytes=100663296
cpu.cfs_period_us=50000
cpu.cfs_quota_us=-1 (reset)
cpu.shares=1024 (reset)
cpuset.cpus=0-3 (reset)
cpuset.mems=0 (reset)
pids.max=max (reset)
`},
		{"raising memory above the current memsw writes memsw first",
			Resources{Memory: 1 << 30, MemorySwap: 2 << 30},
			hostLimits{swapAccounting: true, memswLimit: 512 << 20, cpus: "0", mems: "0"}, `
memory.memsw.limit_in_bytes=2147483648
memory.limit_in_bytes=1073741824
cpu.cfs_period_us=100000 (reset)
cpu.cfs_quota_us=-1 (reset)
cpu.shares=1024 (reset)
cpuset.cpus=0 (reset)
cpuset.mems=0 (reset)
pids.max=max (reset)
`},
		{"removing limits raises memsw first",
			Resources{},
			hostLimits{swapAccounting: true, memswLimit: 512 << 20}, `
memory.memsw.limit_in_bytes=-1 (reset)
memory.limit_in_bytes=-1 (reset)
cpu.cfs_period_us=100000 (reset)
cpu.cfs_quota_us=-1 (reset)
cpu.shares=1024 (reset)
cpuset.cpus= (reset)
cpuset.mems= (reset)
pids.max=max (reset)
`},
		{"unlimited swap, shares clamped, no swap accounting",
			Resources{Memory: 64 << 20, MemorySwap: -1, CPUShares: 1 << 20},
			hostLimits{cpus: "0", mems: "0"}, `
memory.limit_in_bytes=67108864
cpu.cfs_period_us=100000 (reset)
cpu.cfs_quota_us=-1 (reset)
cpu.shares=262144
cpuset.cpus=0 (reset)
cpuset.mems=0 (reset)
pids.max=max (reset)
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := planV1(tt.r, tt.h)
			if err != nil {
				t.Fatal(err)
			}
			if got := fileValues(ws); got != tt.want[1:] {
				t.Errorf("planV1 =\n%s\nwant\n%s", got, tt.want[1:])
			}
		})
	}
}

func TestPlanV2(t *testing.T) {
	host := hostLimits{swapAccounting: true, cpus: "0-3", mems: "0"}
	tests := []struct {
		name string
		r    Resources
		h    hostLimits
		want string
	}{
		{"defaults", Resources{}, host, `
memory.max=max (reset)
memory.swap.max=max (reset)
cpu.max=max 100000 (reset)
cpu.weight=100 (reset)
cpuset.cpus=
 (reset)
cpuset.mems=
 (reset)
pids.max=max (reset)
`},
		{"docker run -m 64m --memory-swap 96m --cpus 0.5 --cpu-period 50000 --cpu-shares 1024 --cpuset-cpus 0-1 --cpuset-mems 0 --pids-limit 10",
			Resources{Memory: 64 << 20, MemorySwap: 96 << 20, CPUQuota: 25000, CPUPeriod: 50000,
				CPUShares: 1024, CpusetCpus: "0-1", CpusetMems: "0", PidsLimit: 10}, host, `
memory.max=67108864
memory.swap.max=33554432
cpu.max=25000 50000
cpu.weight=100
cpuset.cpus=0-1
cpuset.mems=0
pids.max=10
`},
		{"default swap is as much as memory",
			Resources{Memory: 64 << 20, CPUPeriod: 20000}, host, `
memory.max=67108864
memory.swap.max=67108864 (reset)
cpu.max=max 20000
cpu.weight=100 (reset)
cpuset.cpus=
 (reset)
cpuset.mems=
 (reset)
pids.max=max (reset)
`},
		{"no swap accounting skips default swap",
			Resources{Memory: 64 << 20, MemorySwap: -1, CPUShares: 2}, hostLimits{}, `
memory.max=67108864
cpu.max=max 100000 (reset)
cpu.weight=1
cpuset.cpus=
 (reset)
cpuset.mems=
 (reset)
pids.max=max (reset)
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := planV2(tt.r, tt.h)
			if err != nil {
				t.Fatal(err)
			}
			if got := fileValues(ws); got != tt.want[1:] {
				t.Errorf("planV2 =\n%s\nwant\n%s", got, tt.want[1:])
			}
		})
	}
}

func TestPlanRefusesWhatTheHostCannotDo(t *testing.T) {
	tests := []struct {
		name    string
		r       Resources
		h       hostLimits
		setting string
		err     error
	}{
		{"swap limit without swap accounting", Resources{Memory: 64 << 20, MemorySwap: 128 << 20}, hostLimits{}, "memory-swap", ErrNoSwapAccounting},
		{"no swap without swap accounting", Resources{Memory: 64 << 20, MemorySwap: 64 << 20}, hostLimits{}, "memory-swap", ErrNoSwapAccounting},
		{"CPU the parent lacks", Resources{CpusetCpus: "0-7"}, hostLimits{cpus: "0-1"}, "cpuset-cpus", ErrInvalidValue},
		{"node the parent lacks", Resources{CpusetMems: "1"}, hostLimits{mems: "0"}, "cpuset-mems", ErrInvalidValue},
	}
	for _, tt := range tests {
		for version, plan := range map[string]func(Resources, hostLimits) ([]write, error){"v1": planV1, "v2": planV2} {
			t.Run(version+" "+tt.name, func(t *testing.T) {
				_, err := plan(tt.r, tt.h)
				var se *SettingError
				if !errors.As(err, &se) || se.Setting != tt.setting || !errors.Is(err, tt.err) {
					t.Fatalf("plan = %v, want a SettingError for %s wrapping %v", err, tt.setting, tt.err)
				}
			})
		}
	}
}

func TestSharesToWeight(t *testing.T) {
	tests := []struct{ shares, weight uint64 }{
		{1, 1}, {2, 1}, {3, 2}, {10, 4}, {100, 17}, {512, 59},
		{1024, 100}, {2048, 174}, {4096, 303}, {262143, 10000}, {262144, 10000}, {1 << 20, 10000},
	}
	for _, tt := range tests {
		if got := sharesToWeight(tt.shares); got != tt.weight {
			t.Errorf("sharesToWeight(%d) = %d, want %d", tt.shares, got, tt.weight)
		}
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in      string
		want    []uint64 // the CPUs in the set
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "0", want: []uint64{0}},
		{in: "0-3", want: []uint64{0, 1, 2, 3}},
		{in: "1,3,5-6\n", want: []uint64{1, 3, 5, 6}},
		{in: "64,127", want: []uint64{64, 127}},
		{in: "a", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "1-", wantErr: true},
		{in: "2-1", wantErr: true},
		{in: "1,,2", wantErr: true},
		{in: "99999999", wantErr: true},
	}
	for _, tt := range tests {
		set, err := parseCPUList(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseCPUList(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		var got []uint64
		for i, word := range set {
			for bit := range uint64(64) {
				if word&(1<<bit) != 0 {
					got = append(got, uint64(i)*64+bit)
				}
			}
		}
		if !equalIDs(got, tt.want) {
			t.Errorf("parseCPUList(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCPUSetSubset(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true}, {"0", "0-1", true}, {"0-1", "0-1", true},
		{"2", "0-1", false}, {"64", "0-63", false}, {"0", "64", false}, {"1,65", "0-127", true},
	}
	for _, tt := range tests {
		a, _ := parseCPUList(tt.a)
		b, _ := parseCPUList(tt.b)
		if got := a.subsetOf(b); got != tt.want {
			t.Errorf("%q subsetOf %q = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestGroupPath(t *testing.T) {
	tests := []struct {
		parent, name, want string
		wantErr            bool
	}{
		{"berth", "abc", "berth/abc", false},
		{"/berth/", "abc", "berth/abc", false},
		{"a/b", "abc", "a/b/abc", false},
		{"", "abc", "abc", false},
		{"berth", "", "", true},
		{"berth", "a/b", "", true},
		{"berth", "..", "", true},
		{"../x", "abc", "", true},
		{"a//b", "abc", "", true},
	}
	for _, tt := range tests {
		got, err := groupPath(tt.parent, tt.name)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("groupPath(%q, %q) = %q, %v; want %q, error %v", tt.parent, tt.name, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, ErrInvalidPath) {
			t.Errorf("groupPath(%q, %q) error %v is not ErrInvalidPath", tt.parent, tt.name, err)
		}
	}
}

func TestVersionString(t *testing.T) {
	if V1.String() != "v1" || V2.String() != "v2" || Version(0).String() != "Version(0)" {
		t.Errorf("String: %s %s %s", V1, V2, Version(0))
	}
}
