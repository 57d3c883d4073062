package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// podmanFixedPaths are what a root podman 4 makes at fixed paths whatever
// its roots: its network backends' run directory and locks (made even
// with --network none), the image copy's blob cache and the short-name
// aliases' lock. The benchmark removes those it made.
var podmanFixedPaths = []string{"/run/containers", "/var/lib/containers", "/etc/containers/networks",
	"/etc/cni/net.d/cni.lock", "/var/cache/containers"}

// runtimeRoots are the OCI runtimes' default state directories: podman 4
// passes its --runtime-flag root to crun or runc but not to the `delete`
// of a container that ended, which makes the default one. The benchmark
// removes those it made when they are empty (another runtime's user may
// have come along meanwhile).
var runtimeRoots = []string{"/run/crun", "/run/runc"}

// usePodman puts p's podman on storage, run, temporary and OCI runtime
// state directories of the benchmark's own, its containers' cgroups
// under parent (cgroupfs, no systemd), with the benchmark's own limits of
// open files and processes, and, as podman runs crun when it has it,
// moves the controllers off cgroup2 on a hybrid host for the benchmark's
// time.
func (p *peer) usePodman(parent string) error {
	b := p.b
	for _, path := range podmanFixedPaths {
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			b.Cleanup(func() {
				if err := os.RemoveAll(path); err != nil {
					b.Errorf("cleanup: %v", err)
				}
			})
		}
	}
	for _, root := range runtimeRoots {
		if _, err := os.Lstat(root); errors.Is(err, os.ErrNotExist) {
			b.Cleanup(func() { os.Remove(root) })
		}
	}
	dir := varTmpDir(b)
	p.global = []string{"--root", filepath.Join(dir, "storage"), "--runroot", filepath.Join(dir, "run"),
		"--tmpdir", filepath.Join(dir, "tmp"), "--runtime-flag", "root=" + filepath.Join(dir, "runtime"),
		"--cgroup-manager", "cgroupfs", "--events-backend", "none"}
	p.parent = "/" + parent + "/podman"
	limits, err := ownUlimits()
	if err != nil {
		return err
	}
	p.flags = limits
	if err := freeUnifiedControllers(b); err != nil {
		return err
	}
	b.Cleanup(func() { unmountUnder(b, dir) })
	return nil
}

// podmanNproc is the limit of processes a root podman 4 sets itself to
// when it starts, and so its OCI runtime's.
const podmanNproc = 32768

// ownUlimits are podmanUlimits of the benchmark's own limits.
func ownUlimits() ([]string, error) {
	var nofile, nproc unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile); err != nil {
		return nil, fmt.Errorf("getrlimit nofile: %w", err)
	}
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &nproc); err != nil {
		return nil, fmt.Errorf("getrlimit nproc: %w", err)
	}
	return podmanUlimits(nofile, nproc), nil
}

// podmanUlimits are --ulimit flags giving a container the limit of open
// files nofile, which berth's and docker's containers inherit, and of
// processes nproc, at most podman's own. A root podman otherwise asks for
// 1048576 of each, and crun cannot raise a hard limit above its own
// without CAP_SYS_RESOURCE, which a machine's sandbox may withhold
// ("setrlimit `RLIMIT_NOFILE`: Operation not permitted").
func podmanUlimits(nofile, nproc unix.Rlimit) []string {
	return []string{
		"--ulimit", fmt.Sprintf("nofile=%s:%s", ulimitValue(nofile.Cur), ulimitValue(nofile.Max)),
		"--ulimit", fmt.Sprintf("nproc=%d:%d", min(nproc.Cur, podmanNproc), min(nproc.Max, podmanNproc)),
	}
}

// ulimitValue is v as --ulimit writes it: -1 for unlimited.
func ulimitValue(v uint64) string {
	if v == unix.RLIM_INFINITY {
		return "-1"
	}
	return fmt.Sprint(v)
}

func TestPodmanUlimits(t *testing.T) {
	inf := uint64(unix.RLIM_INFINITY)
	tests := []struct {
		nofile, nproc unix.Rlimit
		want          string
	}{
		{unix.Rlimit{Cur: 20000, Max: 20000}, unix.Rlimit{Cur: 96367, Max: 96367}, "--ulimit nofile=20000:20000 --ulimit nproc=32768:32768"},
		{unix.Rlimit{Cur: 1024, Max: 524288}, unix.Rlimit{Cur: 4096, Max: inf}, "--ulimit nofile=1024:524288 --ulimit nproc=4096:32768"},
		{unix.Rlimit{Cur: inf, Max: inf}, unix.Rlimit{Cur: 100, Max: 200}, "--ulimit nofile=-1:-1 --ulimit nproc=100:200"},
	}
	for _, tt := range tests {
		if got := strings.Join(podmanUlimits(tt.nofile, tt.nproc), " "); got != tt.want {
			t.Errorf("podmanUlimits(%+v, %+v) = %q; want %q", tt.nofile, tt.nproc, got, tt.want)
		}
	}
}
