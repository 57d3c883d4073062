package containerinit

import "testing"

func TestCheckMountTarget(t *testing.T) {
	tests := []struct {
		dest string
		want string // "" when allowed
	}{
		{"/data", ""},
		{"/etc/hosts", ""},
		{"/sys/fs/cgroup", ""},
		{"/procfs", ""},
		{"/proc/cpuinfo", ""},
		{"/proc/sys/kernel/ns_last_pid", ""},
		{"/proc/uptime/", ""},
		{"/", "invalid specification: destination can't be '/'"},
		{"/..", "invalid specification: destination can't be '/'"},
		{"/proc", `"/proc" cannot be mounted because it is not of type proc`},
		{"/proc/", `"/proc" cannot be mounted because it is not of type proc`},
		{"/proc/sys/kernel/core_pattern", `"/proc/sys/kernel/core_pattern" cannot be mounted because it is inside /proc`},
		{"/proc/sys", `"/proc/sys" cannot be mounted because it is inside /proc`},
		{"/tmp/../proc/sysrq-trigger", `"/proc/sysrq-trigger" cannot be mounted because it is inside /proc`},
		{"/proc/cpuinfo/x", `"/proc/cpuinfo/x" cannot be mounted because it is inside /proc`},
		{"/proc/1/root", `"/proc/1/root" cannot be mounted because it is inside /proc`},
	}
	for _, tt := range tests {
		err := CheckMountTarget(tt.dest)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckMountTarget(%q) = %q, want %q", tt.dest, got, tt.want)
		}
	}
}
