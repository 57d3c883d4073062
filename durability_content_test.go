package main

import (
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"berth/internal/testenv"
)

// The fault tests of issue 10, point 2: content is verified. Each test
// damages one blob or unpacked layer of a real berth on temporary roots, as
// a failing disk would (in place, not through a rename), then runs what a
// user would. A damaged config fails every use of its image; a damaged
// layer blob fails save and push, but not run, whose container is made of
// the layer unpacked (and verified) before: as docker, berth does not hash
// unpacked layers at run. system check finds both, --repair removes the
// damaged image, and a new check is clean.

// exitOf runs berth and returns its combined output and exit code.
func (b *berthEnv) exitOf(args ...string) (string, int) {
	b.t.Helper()
	out, errOut, err := b.try(args...)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out + errOut, ee.ExitCode()
	case err != nil:
		b.t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
	}
	return out + errOut, 0
}

// blobPath is where an image blob (hex digest) is stored.
func (b *berthEnv) blobPath(hex string) string {
	return filepath.Join(b.root(), "image", "blobs", "sha256", hex)
}

// localRegistry serves an in-process registry on 127.0.0.1 and returns
// its host:port.
func localRegistry(t *testing.T) string {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// wantFail runs berth with args and fails unless it exits with code and
// says want.
func (b *berthEnv) wantFail(t *testing.T, code int, want string, args ...string) {
	t.Helper()
	out, got := b.exitOf(args...)
	if got != code || !strings.Contains(out, want) {
		t.Errorf("berth %s: exit %d, %q; want exit %d saying %q", strings.Join(args, " "), got, out, code, want)
	}
}

// checkRepairs runs system check, wanting it to report want, then
// --repair, wanting repaired, then a clean check.
func (b *berthEnv) checkRepairs(t *testing.T, want, repaired string) {
	t.Helper()
	if out, code := b.exitOf("system", "check"); code != 1 || !strings.Contains(out, want) {
		t.Errorf("system check: exit %d, %q; want exit 1 reporting %q", code, out, want)
	}
	if out, code := b.exitOf("system", "check", "--repair"); code != 0 || !strings.Contains(out, repaired) {
		t.Errorf("system check --repair: exit %d, %q; want exit 0 and %q", code, out, repaired)
	}
	if out, code := b.exitOf("system", "check"); code != 0 || out != "" {
		t.Errorf("system check after repair: exit %d, %q; want it clean", code, out)
	}
}

// TestFaultConfigBlob flips one byte of an image's config blob: inspect,
// history, run, save and push all refuse the image naming the blob, other
// images work, and system check --repair removes it.
func TestFaultConfigBlob(t *testing.T) {
	b := newFaultEnv(t)
	host := localRegistry(t)
	id := b.importImage(t, "bad:1")
	testenv.FlipByte(t, b.blobPath(id), 10)

	msg := "image bad:1: blob sha256:" + id + " does not match its digest (content is damaged): run `berth system check --repair` or pull/load it again"
	b.wantFail(t, 1, msg, "inspect", "bad:1")
	b.wantFail(t, 1, msg, "history", "bad:1")
	b.wantFail(t, 125, msg, "run", "--rm", "--pull", "never", "--network", "none", "bad:1", "true")
	b.wantFail(t, 1, msg, "create", "--pull", "never", "bad:1", "true") // the daemon's error: docker create exits 1
	archive := filepath.Join(t.TempDir(), "bad.tar")
	b.wantFail(t, 1, msg, "save", "-o", archive, "bad:1")
	if _, err := os.Stat(archive); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed save left %s: %v", archive, err)
	}
	b.must("tag", "busybox", host+"/good:1")
	b.must("push", host+"/good:1")
	b.wantFail(t, 1, "blob sha256:"+id+" does not match its digest", "push", "bad:1", host+"/bad:1")
	if out := b.must("run", "--rm", "--pull", "never", "--network", "none", "busybox", "echo", "fine"); out != "fine\n" {
		t.Errorf("run of a good image beside the damaged one printed %q", out)
	}

	b.checkRepairs(t, "Damaged image "+id+": config", "Repaired damaged image "+id+": removed")
	b.wantFail(t, 1, "No such object: bad:1", "inspect", "bad:1")
	if _, err := os.Stat(b.blobPath(id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the damaged config blob is still stored after repair: %v", err)
	}
}

// TestFaultLayerBlob damages an image's own layer blob (a flipped byte, or
// cut in half): save and push to a registry on 127.0.0.1 fail naming the
// blob and leave no archive; run still works, from the layer unpacked
// before the damage, and fails (125) once it must unpack the blob; system
// check reports it and --repair removes the image.
func TestFaultLayerBlob(t *testing.T) {
	for _, how := range []string{"flip", "truncate"} {
		t.Run(how, func(t *testing.T) {
			b := newFaultEnv(t)
			host := localRegistry(t)
			id := b.importImage(t, "bad:1")
			layer := strings.TrimPrefix(strings.TrimSpace(b.must("inspect", "--format", "{{index .RootFS.Layers 0}}", "bad:1")), "sha256:")
			if how == "flip" {
				testenv.FlipByte(t, b.blobPath(layer), 600)
			} else {
				damage(t, b.blobPath(layer), "truncate")
			}

			msg := "image bad:1: blob sha256:" + layer + " does not match its digest (content is damaged)"
			archive := filepath.Join(t.TempDir(), "bad.tar")
			b.wantFail(t, 1, msg, "save", "-o", archive, "bad:1")
			if _, err := os.Stat(archive); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed save left %s: %v", archive, err)
			}
			b.must("tag", "bad:1", host+"/bad:1")
			b.wantFail(t, 1, "image "+host+"/bad:1: blob sha256:"+layer+" does not match its digest", "push", host+"/bad:1")
			if out := b.must("run", "--rm", "--pull", "never", "--network", "none", "bad:1", "cat", "/marker"); out != "bad:1" {
				t.Errorf("run of the image whose layer is unpacked printed %q", out)
			}
			// Unpacked no more (as after a change of storage driver): run
			// must unpack the blob, and refuses it.
			unpacked, err := filepath.Glob(filepath.Join(b.root(), "image", "layers", "*", "*", "diff", "marker"))
			if err != nil || len(unpacked) != 1 {
				t.Fatalf("the layer holding /marker: %v, %v", unpacked, err)
			}
			if err := os.RemoveAll(filepath.Dir(filepath.Dir(unpacked[0]))); err != nil {
				t.Fatal(err)
			}
			b.wantFail(t, 125, msg, "run", "--rm", "--pull", "never", "--network", "none", "bad:1", "true")
			if left, _ := filepath.Glob(filepath.Join(b.root(), "image", "tmp", "*")); len(left) != 0 {
				t.Errorf("a refused unpack left %v", left)
			}

			b.checkRepairs(t, "Damaged image "+id+": layer 0: blob sha256:"+layer+" does not match its digest",
				"Repaired damaged image "+id+": removed")
			if _, err := os.Stat(b.blobPath(layer)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged layer blob is still stored after repair: %v", err)
			}
			if out := b.must("run", "--rm", "--pull", "never", "--network", "none", "busybox", "echo", "fine"); out != "fine\n" {
				t.Errorf("run of busybox after the repair printed %q", out)
			}
		})
	}
}

// TestFaultHalfUnpackedLayer makes an unpacked layer look cut short by a
// crash: its marker gone and a file missing. system check reports it; a
// new container's run unpacks it again from its blob, whole; then the
// check is clean.
func TestFaultHalfUnpackedLayer(t *testing.T) {
	b := newFaultEnv(t)
	b.importImage(t, "app:1")
	dirs, err := filepath.Glob(filepath.Join(b.root(), "image", "layers", "*", "*", "diff", "marker"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("the layer holding /marker: %v, %v", dirs, err)
	}
	layerDir := filepath.Dir(filepath.Dir(dirs[0]))
	for _, p := range []string{filepath.Join(layerDir, "complete"), dirs[0]} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	id := filepath.Base(filepath.Dir(layerDir)) + "/" + filepath.Base(layerDir)
	if out, code := b.exitOf("system", "check"); code != 1 || !strings.Contains(out, "Damaged layer "+id+": not marked complete") {
		t.Errorf("system check: exit %d, %q; want the layer %s reported", code, out, id)
	}
	if out := b.must("run", "--rm", "--pull", "never", "--network", "none", "app:1", "cat", "/marker"); out != "app:1" {
		t.Errorf("run over the half-unpacked layer printed %q, want the file unpacked again", out)
	}
	if out, code := b.exitOf("system", "check"); code != 0 || out != "" {
		t.Errorf("system check after the layer was unpacked again: exit %d, %q; want it clean", code, out)
	}
}
