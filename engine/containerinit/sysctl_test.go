package containerinit

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckSysctl(t *testing.T) {
	own := SysctlNamespaces{OwnNetwork: true, OwnIPC: true}
	hostNet := SysctlNamespaces{OwnIPC: true}
	sharedIPC := SysctlNamespaces{OwnNetwork: true}
	for _, tt := range []struct {
		kv   string
		own  SysctlNamespaces
		want string // "" when allowed
	}{
		{"kernel.shmmax=1", own, ""},
		{"kernel.sem=250 32000 32 128", own, ""},
		{"kernel.shm_rmid_forced=1", hostNet, ""},
		{"fs.mqueue.msg_max=20", hostNet, ""},
		{"kernel.shmmax=1", sharedIPC, `sysctl "kernel.shmmax" not allowed: the container shares its IPC namespace`},
		{"fs.mqueue.msg_max=20", sharedIPC, "shares its IPC namespace"},
		{"net.ipv4.ip_forward=1", sharedIPC, ""},
		{"net.ipv4.ip_forward=1", own, ""},
		{"net.ipv4.ip_forward=1", hostNet, `sysctl "net.ipv4.ip_forward" not allowed in host network namespace`},
		{"kernel.hostname=x", own, "sysctl 'kernel.hostname=x' is not allowed"},
		{"vm.swappiness=1", own, "sysctl 'vm.swappiness=1' is not allowed"},
		{"kernel.shmmax", own, "sysctl 'kernel.shmmax' is not allowed"},
		{"=1", own, "sysctl '=1' is not allowed"},
		{"net..ipv4=1", own, "sysctl 'net..ipv4=1' is not allowed"},
		{"net.ipv4/../../kernel/core_pattern=x", own, "is not allowed"},
		{"fs.mqueue./../x=1", own, "is not allowed"},
	} {
		err := CheckSysctl(tt.kv, tt.own)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckSysctl(%q, %+v) = %v, want allowed", tt.kv, tt.own, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckSysctl(%q, %+v) = %v, want %q", tt.kv, tt.own, err, tt.want)
		}
	}
	if got := sysctlPath("net.ipv4.ip_forward"); got != "/proc/sys/net/ipv4/ip_forward" {
		t.Errorf("sysctlPath = %q", got)
	}
}

func TestAdditionalGroups(t *testing.T) {
	const group = "root:x:0:\nwheel:x:10:root\nstaff:x:50:alice\n"
	for _, tt := range []struct {
		add  []string
		want []int
		err  error
	}{
		{nil, nil, nil},
		{[]string{"staff"}, []int{50}, nil},
		{[]string{"1234", "wheel", "10", "staff"}, []int{1234, 10, 50}, nil},
		{[]string{"50"}, []int{50}, nil},
		{[]string{"nosuch"}, nil, ErrUnknownGroup},
	} {
		got, err := AdditionalGroups(tt.add, strings.NewReader(group))
		if !errors.Is(err, tt.err) || !slices.Equal(got, tt.want) {
			t.Errorf("AdditionalGroups(%v) = %v, %v; want %v, %v", tt.add, got, err, tt.want, tt.err)
		}
	}
}

func TestSupplementaryGroups(t *testing.T) {
	for _, tt := range []struct {
		u     User
		extra []int
		want  []int
	}{
		{User{GID: 0}, nil, []int{0}},
		{User{GID: 0, Groups: []int{10}}, nil, []int{0, 10}},
		{User{GID: 1000, Groups: []int{29, 1000}}, []int{50, 29}, []int{1000, 29, 50}},
	} {
		if got := tt.u.SupplementaryGroups(tt.extra); !slices.Equal(got, tt.want) {
			t.Errorf("%+v.SupplementaryGroups(%v) = %v, want %v", tt.u, tt.extra, got, tt.want)
		}
	}
}
