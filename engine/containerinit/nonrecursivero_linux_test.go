package containerinit_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"berth/engine/containerinit"
)

// TestNonRecursiveReadonlyBind: "ro-nonrecursive" makes an rbind's top
// mount read-only and leaves a mount below it writable, where "ro" makes
// both read-only.
func TestNonRecursiveReadonlyBind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "tmpfs")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(sub, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", sub, err)
		}
	})
	script := `for d in /top /all; do
touch $d/x 2>/dev/null && echo $d rw || echo $d ro
touch $d/tmpfs/x 2>/dev/null && echo $d/tmpfs rw || echo $d/tmpfs ro
done`
	cfg := newConfig(t, "sh", "-c", script)
	cfg.Mounts = []containerinit.Mount{
		{Type: "bind", Source: dir, Target: "/top", Options: []string{"rbind", "ro-nonrecursive"}},
		{Type: "bind", Source: dir, Target: "/all", Options: []string{"rbind", "ro"}},
	}
	want := "/top ro\n/top/tmpfs rw\n/all ro\n/all/tmpfs ro\n"
	if got := output(t, cfg); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
