package containerinit_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"berth/engine/containerinit"
)

// TestSharedBindPropagatesToHost: what the container mounts under an
// rshared bind of a shared host mount (kubelet's Bidirectional) appears
// on the host, as what the host mounts there appears in the container.
func TestSharedBindPropagatesToHost(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "src")
	inner := filepath.Join(src, "inner")
	if err := os.MkdirAll(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(src, src, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Unmount(inner, syscall.MNT_DETACH) // the container's mount, when it reached the host
		if err := syscall.Unmount(src, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", src, err)
		}
	})
	if err := syscall.Mount("", src, "", syscall.MS_SHARED|syscall.MS_REC, ""); err != nil {
		t.Fatal(err)
	}
	cfg := newConfig(t, "sh", "-c", "mount --bind /etc /src/inner && echo mounted")
	cfg.Capabilities = append(cfg.Capabilities, "CAP_SYS_ADMIN")
	cfg.Mounts = []containerinit.Mount{{Type: "bind", Source: src, Target: "/src", Options: []string{"rbind", "rshared"}}}
	if got := output(t, cfg); got != "mounted\n" {
		t.Fatalf("container: %q", got)
	}
	if _, err := os.Stat(filepath.Join(inner, "passwd")); err != nil {
		t.Errorf("the container's mount did not reach the host: %v", err)
	}
}
