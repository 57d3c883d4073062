package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageMount mounts the busybox image's files read-only into a
// container, with either storage driver, and a sub-path of it (resolved
// inside the image: "../etc" is its /etc), and checks that removing the
// containers drops the image mounts' layer records.
func TestImageMount(t *testing.T) {
	t.Parallel()
	for _, driver := range []string{"overlay2", "vfs"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := newTestEngineDriver(t, driver)
			ctx := context.Background()
			c := create(t, e, CreateOptions{
				Config: ContainerConfig{Cmd: []string{"sh", "-c",
					"test -x /mnt/img/bin/sh && /mnt/img/bin/ls /mnt/img >/dev/null && ! touch /mnt/img/x 2>/dev/null && echo ok"}},
				HostConfig: HostConfig{Mounts: []Mount{{Type: "image", Source: "busybox", Target: "/mnt/img"}}},
			})
			if len(c.Mounts) != 1 || c.Mounts[0].Type != "image" || c.Mounts[0].RW || c.Mounts[0].Name != "busybox" ||
				c.Mounts[0].Source != c.Image {
				t.Fatalf("mounts = %+v, want busybox's image (%s) read-only", c.Mounts, c.Image)
			}
			var out, errOut bytes.Buffer
			res, err := e.Run(ctx, c.ID, AttachOptions{Stdout: &out, Stderr: &errOut})
			if err != nil || res.ExitCode != 0 || out.String() != "ok\n" {
				t.Fatalf("run: %v, exit %d, stdout %q, stderr %q", err, res.ExitCode, out.String(), errOut.String())
			}
			sub := create(t, e, CreateOptions{
				Config: ContainerConfig{Cmd: []string{"sh", "-c", "test -f /mnt/etc/passwd && test ! -e /mnt/etc/etc && echo ok"}},
				HostConfig: HostConfig{Mounts: []Mount{{Type: "image", Source: "busybox", Target: "/mnt/etc",
					ImageOptions: &ImageOptions{Subpath: "../etc"}}}},
			})
			out.Reset()
			res, err = e.Run(ctx, sub.ID, AttachOptions{Stdout: &out, Stderr: &errOut})
			if err != nil || res.ExitCode != 0 || out.String() != "ok\n" {
				t.Fatalf("run with a sub-path: %v, exit %d, stdout %q, stderr %q", err, res.ExitCode, out.String(), errOut.String())
			}
			for _, id := range []string{c.ID, sub.ID} {
				if err := e.Remove(ctx, id, RemoveOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			assertNoRootfs(t, e)
		})
	}
}

// TestImageMountErrors: an image mount of a missing image names it, and
// a create that fails after its image mount was made (a later mount on
// its path, a sub-path the image lacks) leaves no layer record behind.
func TestImageMountErrors(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	_, err := e.Create(ctx, CreateOptions{Config: ContainerConfig{Image: "busybox", Cmd: []string{"true"}},
		HostConfig: HostConfig{Mounts: []Mount{{Type: "image", Source: "nosuchimage:1", Target: "/mnt/img"}}}})
	if err == nil || !strings.Contains(err.Error(), "nosuchimage:1") {
		t.Errorf("create with a missing image: %v, want an error naming it", err)
	}
	_, err = e.Create(ctx, CreateOptions{Config: ContainerConfig{Image: "busybox", Cmd: []string{"true"}},
		HostConfig: HostConfig{Mounts: []Mount{{Type: "image", Source: "busybox", Target: "/mnt/img"},
			{Type: "tmpfs", Target: "/mnt/img"}}}})
	if err == nil || !strings.Contains(err.Error(), "duplicate mount point") {
		t.Errorf("create with a duplicate mount point: %v", err)
	}
	_, err = e.Create(ctx, CreateOptions{Config: ContainerConfig{Image: "busybox", Cmd: []string{"true"}},
		HostConfig: HostConfig{Mounts: []Mount{{Type: "image", Source: "busybox", Target: "/mnt/img",
			ImageOptions: &ImageOptions{Subpath: "not-existing"}}}}})
	if err == nil || !strings.Contains(err.Error(), "sub-path not-existing") {
		t.Errorf("create with a missing sub-path: %v", err)
	}
	assertNoRootfs(t, e)
}

// assertNoRootfs fails t when the image store still has a container's
// rootfs.
func assertNoRootfs(t *testing.T, e *Engine) {
	t.Helper()
	left, err := os.ReadDir(filepath.Join(e.opts.Root, "image", "containers"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, d := range left {
		t.Errorf("left behind: rootfs %s", d.Name())
	}
}

// A create that died after it made an image mount, before its record was
// written, leaves the mount's rootfs holding the image's layers: what
// discards the abandoned create removes it too.
func TestDiscardAbandonedRemovesImageMounts(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	img, err := e.images.Lookup("busybox")
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("ab", 32)
	for n := range 2 {
		if _, err := e.images.CreateImageMount(imageMountID(id, n), img.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.discardAbandoned(id); err != nil {
		t.Fatal(err)
	}
	if left, err := e.images.RootfsIDs(id); err != nil || len(left) != 0 {
		t.Errorf("rootfs records left after the abandoned create was discarded: %v, %v", left, err)
	}
}
