package main

// berth cp on real containers, running and stopped, in all four forms,
// with docker's path rules.

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// cpRun runs berth and returns stdout, stderr and the exit code.
func (b *berthEnv) cpRun(stdin io.Reader, args ...string) (string, string, int) {
	b.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := b.cmd(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	}
	b.t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

func cpWriteFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cpReadFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCpRunningAndStopped copies both ways into a running container, a
// created one and an exited one; what a stopped container received is
// there when it starts.
func TestCpRunningAndStopped(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	cpWriteFile(t, filepath.Join(dir, "hello.txt"), "hello\n")

	b.must("run", "-d", "--pull", "never", "--name", "up", "--network", "none", "busybox", "sleep", "600")
	b.must("create", "--pull", "never", "--name", "created", "--network", "none", "busybox", "cat", "/tmp/hello.txt")
	b.must("run", "--pull", "never", "--name", "exited", "--network", "none", "busybox", "sh", "-c", "echo made > /made")

	for _, c := range []string{"up", "created", "exited"} {
		b.must("cp", filepath.Join(dir, "hello.txt"), c+":/tmp/")
		out := filepath.Join(dir, "out-"+c)
		b.must("cp", c+":/tmp/hello.txt", out)
		if got := cpReadFile(t, out); got != "hello\n" {
			t.Errorf("%s: copied back %q, want %q", c, got, "hello\n")
		}
	}
	if got := b.must("exec", "up", "cat", "/tmp/hello.txt"); got != "hello\n" {
		t.Errorf("running container sees %q", got)
	}
	if got := b.must("start", "-a", "created"); got != "hello\n" {
		t.Errorf("created container, started, prints %q", got)
	}
	b.must("cp", "exited:/made", filepath.Join(dir, "made"))
	if got := cpReadFile(t, filepath.Join(dir, "made")); got != "made\n" {
		t.Errorf("from an exited container: %q", got)
	}
}

// TestCpPathRules checks docker's rules for directories, "/.", a missing
// destination and the errors with their exit codes.
func TestCpPathRules(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	cpWriteFile(t, filepath.Join(dir, "src", "a"), "A")
	cpWriteFile(t, filepath.Join(dir, "src", "sub", "b"), "B")
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	b.must("exec", "c", "mkdir", "/exist")

	src := filepath.Join(dir, "src")
	b.must("cp", src, "c:/new")        // missing: becomes the directory
	b.must("cp", src, "c:/exist")      // existing: copied into it
	b.must("cp", src+"/.", "c:/exist") // "/.": its content
	got := b.must("exec", "c", "sh", "-c", "cd / && find new exist | sort")
	want := "exist\nexist/a\nexist/src\nexist/src/a\nexist/src/sub\nexist/src/sub/b\nexist/sub\nexist/sub/b\nnew\nnew/a\nnew/sub\nnew/sub/b\n"
	if got != want {
		t.Errorf("tree in the container:\n%s\nwant:\n%s", got, want)
	}

	// Out again: a directory to a missing local path, its content to an
	// existing one, a file into a directory.
	b.must("cp", "c:/new", filepath.Join(dir, "back"))
	if got := cpReadFile(t, filepath.Join(dir, "back", "sub", "b")); got != "B" {
		t.Errorf("back/sub/b = %q", got)
	}
	if err := os.Mkdir(filepath.Join(dir, "into"), 0o755); err != nil {
		t.Fatal(err)
	}
	b.must("cp", "c:/new/.", filepath.Join(dir, "into"))
	b.must("cp", "c:/new/a", filepath.Join(dir, "into"))
	if got := cpReadFile(t, filepath.Join(dir, "into", "sub", "b")); got != "B" {
		t.Errorf("into/sub/b = %q", got)
	}

	// The docker CLI words a missing source itself (the HEAD that finds
	// it missing has no body); berth's CLI says dockerd's message.
	missing := "Could not find the file /nope in container c"
	if b.api != nil {
		missing = "No such container:path: c:/nope"
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"cp", "c:/nope", dir}, missing},
		{[]string{"cp", "c:/new", filepath.Join(dir, "into", "a")}, "cannot copy directory"},
		{[]string{"cp", "c:/new/a", filepath.Join(dir, "missing") + "/"}, "no such directory"},
		{[]string{"cp", filepath.Join(dir, "nope"), "c:/tmp"}, "no such file or directory"},
		{[]string{"cp", dir, dir}, "must specify at least one container source"},
		{[]string{"cp", "c:/a", "c:/b"}, "copying between containers is not supported"},
		{[]string{"cp", "nosuch:/a", dir}, "No such container"},
	} {
		_, stderr, code := b.cpRun(nil, tc.args...)
		if code != 1 || !strings.Contains(strings.ToLower(stderr), strings.ToLower(tc.msg)) {
			t.Errorf("berth %s: exit %d, %q; want exit 1 and %q", strings.Join(tc.args, " "), code, stderr, tc.msg)
		}
	}
}

// TestCpTarStreams: `cp c:SRC -` writes a tar, `cp - c:DEST` extracts one.
func TestCpTarStreams(t *testing.T) {
	b := newBerthEnv(t)
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	b.must("exec", "c", "sh", "-c", "mkdir -p /d/e && echo x > /d/e/f && ln -s e/f /d/link")

	out, stderr, code := b.cpRun(nil, "cp", "c:/d", "-")
	if code != 0 {
		t.Fatalf("cp c:/d -: exit %d: %s", code, stderr)
	}
	var names []string
	tr := tar.NewReader(strings.NewReader(out))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.Name == "d/link" && (hdr.Typeflag != tar.TypeSymlink || hdr.Linkname != "e/f") {
			t.Errorf("d/link: type %c -> %q, want a symlink to e/f", hdr.Typeflag, hdr.Linkname)
		}
	}
	if want := []string{"d/", "d/e/", "d/e/f", "d/link"}; !slices.Equal(names, want) {
		t.Errorf("entries %q, want %q", names, want)
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "in/", Typeflag: tar.TypeDir, Mode: 0o755, Uid: 1234, Gid: 99},
		{Name: "in/g", Typeflag: tar.TypeReg, Mode: 0o640, Size: 2, Uid: 1234, Gid: 99},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("g\n"))
		}
	}
	tw.Close()
	if _, stderr, code := b.cpRun(&buf, "cp", "-", "c:/tmp"); code != 0 {
		t.Fatalf("cp - c:/tmp: exit %d: %s", code, stderr)
	}
	if got := b.must("exec", "c", "stat", "-c", "%u:%g %a %n", "/tmp/in/g"); got != "1234:99 640 /tmp/in/g\n" {
		t.Errorf("extracted: %q", got)
	}
	// A stream needs a directory to land in.
	if _, stderr, code := b.cpRun(strings.NewReader(""), "cp", "-", "c:/d/e/f"); code != 1 || !strings.Contains(stderr, "must be a directory") {
		t.Errorf("cp - c:/d/e/f: exit %d, %q", code, stderr)
	}

	// -L follows a symlink named as the source.
	dir := t.TempDir()
	b.must("cp", "-L", "c:/d/link", filepath.Join(dir, "followed"))
	if got := cpReadFile(t, filepath.Join(dir, "followed")); got != "x\n" {
		t.Errorf("-L copied %q", got)
	}
	b.must("cp", "c:/d/link", filepath.Join(dir, "kept"))
	if target, err := os.Readlink(filepath.Join(dir, "kept")); err != nil || target != "e/f" {
		t.Errorf("without -L: readlink = %q, %v; want the symlink e/f", target, err)
	}
}

// TestCpArchiveOwnership: without -a what goes in belongs to root and
// what comes out to the caller; with -a the source's IDs are kept.
func TestCpArchiveOwnership(t *testing.T) {
	b := newBerthEnv(t)
	dir := t.TempDir()
	f := filepath.Join(dir, "owned")
	cpWriteFile(t, f, "o")
	if err := os.Chown(f, 4321, 77); err != nil {
		t.Fatal(err)
	}
	b.must("run", "-d", "--pull", "never", "--name", "c", "--network", "none", "busybox", "sleep", "600")
	b.must("cp", f, "c:/plain")
	b.must("cp", "-a", f, "c:/archived")
	if got := b.must("exec", "c", "stat", "-c", "%u:%g", "/plain", "/archived"); got != "0:0\n4321:77\n" {
		t.Errorf("in the container: %q, want 0:0 then 4321:77", got)
	}
	b.must("cp", "c:/archived", filepath.Join(dir, "out-plain"))
	b.must("cp", "-a", "c:/archived", filepath.Join(dir, "out-archived"))
	for name, want := range map[string][2]uint32{"out-plain": {0, 0}, "out-archived": {4321, 77}} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != want[0] || st.Gid != want[1] {
			t.Errorf("%s: %d:%d, want %d:%d", name, st.Uid, st.Gid, want[0], want[1])
		}
	}
}
