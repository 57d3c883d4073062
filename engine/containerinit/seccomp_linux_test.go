package containerinit_test

import (
	"strings"
	"testing"

	"berth/engine/containerinit"
	"berth/engine/seccomp"
)

// noMkdir compiles a profile that allows everything but mkdir.
func noMkdir(t *testing.T) []byte {
	t.Helper()
	p, err := seccomp.Parse([]byte(`{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	host, err := seccomp.HostOf(containerinit.DefaultCapabilities())
	if err != nil {
		t.Fatal(err)
	}
	pol, err := seccomp.Resolve(p, host)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := seccomp.Compile(pol)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// The filter is in force in the command whichever order init installs
// it in: before the capabilities are dropped (without no_new_privs, the
// only order the kernel allows) or last (with it), and for a non-root user.
func TestSeccompFilter(t *testing.T) {
	t.Parallel()
	prog := noMkdir(t)
	for _, tt := range []struct {
		name string
		nnp  bool
		user string
	}{
		{name: "root"},
		{name: "no-new-privileges", nnp: true},
		{name: "non-root user", user: "nobody"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := newConfig(t, "sh", "-c", "grep ^Seccomp: /proc/self/status; mkdir /tmp/x && echo made")
			cfg.Capabilities = containerinit.DefaultCapabilities()
			cfg.NoNewPrivileges = tt.nnp
			cfg.User = tt.user
			cfg.Seccomp = prog
			r := runContainer(t, cfg)
			if got := strings.Join(strings.Fields(r.stdout), " "); got != "Seccomp: 2" || !strings.Contains(r.stderr, "Operation not permitted") {
				t.Errorf("stdout %q stderr %q; want Seccomp: 2 and mkdir refused", r.stdout, r.stderr)
			}
		})
	}
}
