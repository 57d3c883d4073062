package main

// berth cp on a stopped container reaches its volumes and bind mounts,
// as docker's does, and no symlink planted in them leads out.

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCpStoppedVolumes copies into a created container's named volume
// (another container mounting it sees the file), out of its bind mount
// (the host directory's file), and through a symlink to / planted in the
// volume, which resolves inside the volume for reads and writes alike.
func TestCpStoppedVolumes(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	host := filepath.Join(dir, "host")
	cpWriteFile(t, filepath.Join(host, "y"), "from the host\n")
	cpWriteFile(t, filepath.Join(dir, "x"), "into the volume\n")
	secret := filepath.Join(dir, "secret")
	cpWriteFile(t, secret, "outside\n")

	ro := filepath.Join(dir, "ro")
	cpWriteFile(t, filepath.Join(ro, "keep"), "kept\n")
	bound := filepath.Join(dir, "bound.conf")
	cpWriteFile(t, bound, "a bound file\n")

	b.must("create", "--pull", "never", "--name", "c", "--network", "none",
		"-v", "cpvol:/data", "-v", host+":/bind", "-v", ro+":/ro:ro", "-v", bound+":/etc/bound.conf",
		"busybox", "true")

	b.must("cp", filepath.Join(dir, "x"), "c:/data/x")
	if got := b.must("run", "--rm", "--pull", "never", "--network", "none", "-v", "cpvol:/data", "busybox", "cat", "/data/x"); got != "into the volume\n" {
		t.Errorf("another container sees /data/x as %q", got)
	}

	out, stderr, code := b.cpRun(nil, "cp", "c:/bind/y", "-")
	if code != 0 {
		t.Fatalf("cp c:/bind/y -: exit %d: %s", code, stderr)
	}
	if name, content := cpVolUntarOne(t, out); name != "y" || content != "from the host\n" {
		t.Errorf("cp c:/bind/y - gave %q: %q", name, content)
	}
	b.must("cp", "c:/bind/y", filepath.Join(dir, "y-out"))
	if got := cpReadFile(t, filepath.Join(dir, "y-out")); got != "from the host\n" {
		t.Errorf("cp c:/bind/y to a file gave %q", got)
	}
	b.must("cp", "c:/bind", filepath.Join(dir, "bind-out"))
	if got := cpReadFile(t, filepath.Join(dir, "bind-out", "y")); got != "from the host\n" {
		t.Errorf("cp c:/bind (the whole mount) gave y as %q", got)
	}

	if _, stderr, code := b.cpRun(nil, "cp", filepath.Join(dir, "x"), "c:/ro/"); code == 0 || !strings.Contains(stderr, "read-only") {
		t.Errorf("cp into a read-only bind: exit %d: %s", code, stderr)
	}
	if _, err := os.Lstat(filepath.Join(ro, "x")); err == nil {
		t.Errorf("cp wrote into the read-only bind's source")
	}
	out, stderr, code = b.cpRun(nil, "cp", "c:/etc/bound.conf", "-")
	if code != 0 {
		t.Fatalf("cp c:/etc/bound.conf -: exit %d: %s", code, stderr)
	}
	if name, content := cpVolUntarOne(t, out); name != "bound.conf" || content != "a bound file\n" {
		t.Errorf("cp of a bound file gave %q: %q", name, content)
	}

	// A symlink to / planted in the volume by a container.
	b.must("run", "--rm", "--pull", "never", "--network", "none", "-v", "cpvol:/data", "busybox", "ln", "-s", "/", "/data/esc")
	if out, _, code := b.cpRun(nil, "cp", "c:/data/esc"+secret, "-"); code == 0 || strings.Contains(out, "outside") {
		t.Errorf("cp through the planted symlink read the host file (exit %d)", code)
	}
	name := "berth-cpvol-escape-" + filepath.Base(dir)
	cpWriteFile(t, filepath.Join(dir, name), "escaped?\n")
	b.cpRun(nil, "cp", filepath.Join(dir, name), "c:/data/esc/")
	b.cpRun(nil, "cp", filepath.Join(dir, name), "c:/data/esc/tmp/")
	for _, p := range []string{"/" + name, "/tmp/" + name} {
		if _, err := os.Lstat(p); err == nil {
			_ = os.Remove(p)
			t.Errorf("cp through the planted symlink wrote %s on the host", p)
		}
	}
	if got := b.must("run", "--rm", "--pull", "never", "--network", "none", "-v", "cpvol:/data", "busybox", "cat", "/data/"+name); got != "escaped?\n" {
		t.Errorf("the copy through the symlink should land in the volume's root, got %q", got)
	}

	// The whole root, out: the mounts below it are in the copy, the
	// planted symlink as a symlink.
	rootOut := filepath.Join(dir, "root-out")
	b.must("cp", "c:/", rootOut)
	for p, want := range map[string]string{"data/x": "into the volume\n", "bind/y": "from the host\n", "etc/bound.conf": "a bound file\n", "ro/keep": "kept\n"} {
		if got, err := os.ReadFile(filepath.Join(rootOut, p)); err != nil || string(got) != want {
			t.Errorf("cp c:/ gave %s as %q (%v), want %q", p, got, err, want)
		}
	}
	if target, err := os.Readlink(filepath.Join(rootOut, "data", "esc")); err != nil || target != "/" {
		t.Errorf("cp c:/ gave data/esc as %q (%v), want the symlink to /", target, err)
	}
}

// cpVolUntarOne is the name and content of the one entry of the tar
// stream s.
func cpVolUntarOne(t *testing.T, s string) (string, string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader([]byte(s)))
	h, err := tr.Next()
	if err != nil {
		t.Fatalf("read tar: %v", err)
	}
	b, err := io.ReadAll(tr)
	if err != nil {
		t.Fatalf("read tar entry %s: %v", h.Name, err)
	}
	return h.Name, string(b)
}
