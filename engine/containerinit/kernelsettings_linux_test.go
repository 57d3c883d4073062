package containerinit_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/engine/containerinit"
	"berth/ptyexec/nsenter"
)

func TestKernelSettings(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; `+
		`cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_default_ttl; df -k /dev/shm | tail -1 | awk '{print $2}'; `+
		`grep ^Groups: /proc/self/status | cut -f2 | xargs`)
	cfg.User = "alice"
	cfg.GroupAdd = []string{"root", "7777"}
	cfg.Rlimits = []nsenter.Rlimit{{Resource: unix.RLIMIT_NOFILE, Soft: 321, Hard: 654}}
	adj := 17
	cfg.OOMScoreAdj = &adj
	cfg.Sysctls = map[string]string{"kernel.shmmni": "1234", "net.ipv4.ip_default_ttl": "42"}
	cfg.ShmSize = 8 << 20
	want := "321\n654\n17\n1234\n42\n8192\n0 29 50 1000 7777\n"
	if got := output(t, cfg); got != want {
		t.Errorf("container saw\n%s\nwant\n%s", got, want)
	}
	// The host's own values are untouched.
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_default_ttl"); err != nil || strings.TrimSpace(string(b)) == "42" {
		t.Errorf("host's ip_default_ttl = %q (%v), changed by the container", b, err)
	}
}

func TestKernelSettingsRefuseHostNetworkSysctl(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "true")
	cfg.Network = "host"
	cfg.Sysctls = map[string]string{"net.ipv4.ip_default_ttl": "42"}
	_, _, _, err := tryStart(t, cfg)
	var ee *containerinit.ExecError
	if !errors.As(err, &ee) || ee.Code != containerinit.ExitSetupFailed || !strings.Contains(ee.Msg, "not allowed in host network namespace") {
		t.Errorf("net sysctl with the host's network: %v; want exit 125 and a refusal", err)
	}
}

func TestReadFileInRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	host := filepath.Join(t.TempDir(), "secret")
	for _, err := range []error{
		os.MkdirAll(filepath.Join(root, "etc"), 0o755),
		os.WriteFile(host, []byte("host's"), 0o644),
		os.MkdirAll(filepath.Join(root, filepath.Dir(host)), 0o755),
		os.WriteFile(filepath.Join(root, host), []byte("root's"), 0o644),
		// Absolute and climbing symlinks resolve inside the root.
		os.Symlink(host, filepath.Join(root, "etc", "group")),
		os.Symlink("../../../../../../../.."+host, filepath.Join(root, "etc", "shadow")),
		unix.Mkfifo(filepath.Join(root, "etc", "passwd"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"/etc/group", "/etc/shadow"} {
		if got, err := containerinit.ReadFileInRoot(root, name); err != nil || string(got) != "root's" {
			t.Errorf("ReadFileInRoot(%s) = %q, %v; want the root's file", name, got, err)
		}
	}
	if _, err := containerinit.ReadFileInRoot(root, "/etc/passwd"); err == nil {
		t.Error("ReadFileInRoot of a FIFO succeeded, want a refusal (and no hang)")
	}
	if got, err := containerinit.ReadFileInRoot(root, "/etc/missing"); got != nil || err != nil {
		t.Errorf("ReadFileInRoot of a missing file = %q, %v; want nothing", got, err)
	}
}

// A hostile image's /etc/group that is a FIFO fails the start instead
// of hanging it.
func TestGroupFileFIFORefused(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "true")
	cfg.User = "alice"
	group := filepath.Join(cfg.RootMount.Source, "etc", "group")
	if err := os.Remove(group); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(group, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := tryStart(t, cfg)
	var ee *containerinit.ExecError
	if !errors.As(err, &ee) || ee.Code != containerinit.ExitSetupFailed || !strings.Contains(ee.Msg, "not a regular file") {
		t.Errorf("start with /etc/group a FIFO: %v; want exit 125 naming the file", err)
	}
}
