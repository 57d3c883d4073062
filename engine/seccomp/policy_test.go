package seccomp

import (
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultCaps is Docker's default capability set.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
	"CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP",
}

// allowed reports whether pol has an unconditional allow rule for name.
func allowed(pol *specs.LinuxSeccomp, name string) bool {
	for _, r := range pol.Syscalls {
		if r.Action == specs.ActAllow && len(r.Args) == 0 && slices.Contains(r.Names, name) {
			return true
		}
	}
	return false
}

// rulesFor returns pol's rules that name name.
func rulesFor(pol *specs.LinuxSeccomp, name string) []specs.LinuxSyscall {
	var out []specs.LinuxSyscall
	for _, r := range pol.Syscalls {
		if slices.Contains(r.Names, name) {
			out = append(out, r)
		}
	}
	return out
}

func TestResolveDefaultProfile(t *testing.T) {
	withAdmin := append(slices.Clone(defaultCaps), "CAP_SYS_ADMIN")
	tests := []struct {
		name        string
		host        Host
		allow, deny []string // unconditionally allowed, or not
		arches      []specs.Arch
	}{
		{
			name:   "default capabilities on amd64, kernel 6.18",
			host:   Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 18}, Capabilities: defaultCaps},
			allow:  []string{"read", "execve", "ptrace", "setresuid", "capset", "prctl", "chroot"},
			deny:   []string{"keyctl", "add_key", "request_key", "io_uring_setup", "unshare", "mount", "bpf", "perf_event_open", "kexec_load", "open_by_handle_at", "init_module", "setns", "clone"},
			arches: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		},
		{
			name:  "ptrace needs kernel 4.8",
			host:  Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 4, Major: 4}, Capabilities: defaultCaps},
			allow: []string{"read"},
			deny:  []string{"ptrace", "process_vm_readv"},
		},
		{
			name:  "CAP_SYS_ADMIN brings mount, unshare and plain clone",
			host:  Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: withAdmin},
			allow: []string{"mount", "unshare", "setns", "clone", "clone3"},
		},
		{
			name:  "without CAP_SYS_CHROOT no chroot",
			host:  Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: []string{"CAP_CHOWN"}},
			allow: []string{"read"},
			deny:  []string{"chroot"},
		},
		{
			name:   "arm64 gets its own architecture list",
			host:   Host{Arch: "arm64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: defaultCaps},
			allow:  []string{"read"},
			arches: []specs.Arch{specs.ArchAARCH64, specs.ArchARM},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, err := Resolve(Default(), tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if pol.DefaultAction != specs.ActErrno || pol.DefaultErrnoRet == nil || *pol.DefaultErrnoRet != 1 {
				t.Errorf("default action = %s %v, want SCMP_ACT_ERRNO EPERM", pol.DefaultAction, pol.DefaultErrnoRet)
			}
			for _, name := range tt.allow {
				if !allowed(pol, name) {
					t.Errorf("%s is not allowed", name)
				}
			}
			for _, name := range tt.deny {
				if allowed(pol, name) {
					t.Errorf("%s is allowed", name)
				}
			}
			if tt.arches != nil && !slices.Equal(pol.Architectures, tt.arches) {
				t.Errorf("architectures = %v, want %v", pol.Architectures, tt.arches)
			}
		})
	}
}

// Without CAP_SYS_ADMIN, clone is allowed only without namespace flags
// (masked equality), clone3 fails with ENOSYS so that libc falls back to
// clone, and personality takes only the listed values.
func TestResolveDefaultArgumentRules(t *testing.T) {
	pol, err := Resolve(Default(), Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}, Capabilities: defaultCaps})
	if err != nil {
		t.Fatal(err)
	}
	clone := rulesFor(pol, "clone")
	if len(clone) != 1 || len(clone[0].Args) != 1 || clone[0].Args[0].Op != specs.OpMaskedEqual ||
		clone[0].Args[0].Index != 0 || clone[0].Args[0].Value&0x10000000 == 0 || clone[0].Args[0].ValueTwo != 0 {
		t.Errorf("clone rules = %+v, want one masked equality on argument 0 covering CLONE_NEWUSER", clone)
	}
	clone3 := rulesFor(pol, "clone3")
	if len(clone3) != 1 || clone3[0].Action != specs.ActErrno || clone3[0].ErrnoRet == nil || *clone3[0].ErrnoRet != 38 {
		t.Errorf("clone3 rules = %+v, want SCMP_ACT_ERRNO ENOSYS", clone3)
	}
	var personalities []uint64
	for _, r := range rulesFor(pol, "personality") {
		personalities = append(personalities, r.Args[0].Value)
	}
	if !slices.Contains(personalities, 0) || slices.Contains(personalities, 0x0400000) {
		t.Errorf("personality values = %#x, want 0 and not READ_IMPLIES_EXEC", personalities)
	}
}

func TestResolveCustom(t *testing.T) {
	profile := `{
		"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [
			{"name": "mkdir", "action": "SCMP_ACT_ERRNO"},
			{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
			{"names": ["reboot"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": ["s390x"]}},
			{"names": ["swapon"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
			{"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "5.0"}}
		]
	}`
	p, err := Parse([]byte(profile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		host Host
		want []string // the names of the rules in force, in order
	}{
		{"new kernel, no caps", Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 6, Major: 1}}, []string{"mkdir", "mkdirat", "swapon"}},
		{"old kernel, admin", Host{Arch: "amd64", Kernel: KernelVersion{Kernel: 4, Major: 19}, Capabilities: []string{"CAP_SYS_ADMIN"}}, []string{"mkdir", "mkdirat", "ptrace"}},
		{"s390x", Host{Arch: "s390x", Kernel: KernelVersion{Kernel: 5, Major: 0}}, []string{"mkdir", "mkdirat", "reboot", "swapon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol, err := Resolve(p, tt.host)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range pol.Syscalls {
				got = append(got, r.Names...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rules = %v, want %v", got, tt.want)
			}
			if pol.Architectures != nil {
				t.Errorf("architectures = %v, want none (the native one)", pol.Architectures)
			}
		})
	}
	if p.Syscalls[0].Name != "mkdir" || p.Syscalls[0].Names != nil {
		t.Errorf("Resolve changed the profile: %+v", p.Syscalls[0])
	}
}

func TestResolveNothingIsUnconfined(t *testing.T) {
	pol, err := Resolve(&Profile{}, Host{Arch: "amd64"})
	if pol != nil || err != nil {
		t.Errorf("Resolve(empty profile) = %v, %v; want nil, nil", pol, err)
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name, profile, wantErr string
	}{
		{"not JSON", `{"defaultAction": `, "decode seccomp profile"},
		{"unknown default action", `{"defaultAction": "SCMP_ACT_MAYBE"}`, `unknown defaultAction "SCMP_ACT_MAYBE"`},
		{"no default action", `{"syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`, "defaultAction is missing"},
		{"unknown action", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}`, `syscalls[0]: unknown action "SCMP_ACT_NOPE"`},
		{"no name", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO"}]}`, "names no system call"},
		{"name and names", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ERRNO"}]}`, "both name and names"},
		{"bad operator", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ABOUT"}]}]}`, `unknown operator "SCMP_CMP_ABOUT"`},
		{"argument 6", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "argument index 6 is past 5"},
		{"bad architecture", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}`, `unknown architecture "SCMP_ARCH_Z80"`},
		{"both arch lists", `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]}`, "both architectures and archMap"},
		{"bad kernel version", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "five"}}]}`, "invalid kernel version"},
		{"notify", `{"defaultAction": "SCMP_ACT_NOTIFY"}`, `unknown defaultAction "SCMP_ACT_NOTIFY"`},
		{"listener", `{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}`, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.profile))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestArchOf(t *testing.T) {
	for goarch, want := range map[string]string{"amd64": "amd64", "arm64": "arm64", "386": "x86", "wasm": ""} {
		if got := ArchOf(goarch); got != want {
			t.Errorf("ArchOf(%q) = %q, want %q", goarch, got, want)
		}
	}
}
