package main

// Attacks on berth cp: a container plants symlinks to host paths (and to
// its own /) and swaps a directory for one while copies run, in both
// directions, on a running and on a stopped container. Nothing may be
// read from or written to the host outside the container.

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/internal/attack"
)

const hostSecret = "HOST SECRET, never to be copied"

// cpSentinel makes a host directory holding a secret file; the attack
// worked if the secret leaves it or anything else appears in it.
func cpSentinel(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "sentinel")
	cpWriteFile(t, filepath.Join(dir, "secret"), hostSecret)
	return dir
}

func requireSentinelUntouched(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "secret" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the host directory %s now holds %q: a cp wrote outside the container", dir, names)
	}
	if got := cpReadFile(t, filepath.Join(dir, "secret")); got != hostSecret {
		t.Errorf("the host secret was overwritten: %q", got)
	}
}

// symlinkTar is a stream that climbs out with "..", then plants
// symlinks to dir and writes through them.
func symlinkTar(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "../../../../../../.." + dir + "/planted3", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		{Name: "hop", Typeflag: tar.TypeSymlink, Linkname: dir},
		{Name: "hop/planted", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../../../.." + dir},
		{Name: "up/planted2", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttackCpPlantedSymlinks: symlinks to the host's directory and to /
// planted in the container; copies through them in every form, on the
// running container and again once it stopped.
func TestAttackCpPlantedSymlinks(t *testing.T) {
	b := newBerthEnv(t)
	sentinel := cpSentinel(t)
	local := t.TempDir()
	cpWriteFile(t, filepath.Join(local, "payload"), "payload")
	b.must("run", "-d", "--pull", "never", "--name", "evil", "--network", "none", "busybox", "sh", "-c",
		"ln -s "+sentinel+" /abs && ln -s ../../../../../../.."+sentinel+" /rel && ln -s / /root-link && "+
			"mkdir -p /d && ln -s "+sentinel+"/secret /d/secret-link && exec sleep 600")
	if _, err := os.Stat(filepath.Join(sentinel, "secret")); err != nil {
		t.Fatal(err)
	}

	attackOnce := func(state string) {
		for _, link := range []string{"/abs", "/rel", "/root-link" + sentinel} {
			// Into the container, through the link as a directory and
			// as a parent.
			for _, dst := range []string{link, link + "/", link + "/new", link + "/."} {
				b.cpRun(nil, "cp", filepath.Join(local, "payload"), "evil:"+dst)
				b.cpRun(nil, "cp", local, "evil:"+dst)
			}
			b.cpRun(bytes.NewReader(symlinkTar(t, sentinel)), "cp", "-", "evil:"+link)
			// Out of the container: the secret through the link, as a
			// file, as a directory, as a stream, with -L.
			for _, src := range []string{link + "/secret", link, link + "/.", "/d/secret-link"} {
				for _, flags := range [][]string{nil, {"-L"}} {
					out, _, _ := b.cpRun(nil, append(append([]string{"cp"}, flags...), "evil:"+src, "-")...)
					if strings.Contains(out, hostSecret) {
						t.Errorf("%s: cp %v evil:%s - read the host's secret", state, flags, src)
					}
					dst := filepath.Join(t.TempDir(), "out")
					b.cpRun(nil, append(append([]string{"cp"}, flags...), "evil:"+src, dst)...)
					if grepTree(t, dst, hostSecret) {
						t.Errorf("%s: cp %v evil:%s %s copied the host's secret", state, flags, src, dst)
					}
				}
			}
		}
		b.cpRun(bytes.NewReader(symlinkTar(t, sentinel)), "cp", "-", "evil:/tmp")
		requireSentinelUntouched(t, sentinel)
	}
	attackOnce("running")
	b.must("stop", "-t", "0", "evil")
	attackOnce("stopped")
	// What the stream planted stayed in the container.
	if out, _, code := b.cpRun(nil, "cp", "evil:/tmp"+sentinel+"/planted3", "-"); code != 0 || out == "" {
		t.Errorf("the stream's ../ entry did not land inside the container (exit %d)", code)
	}
}

// grepTree reports whether any regular file under p holds s.
func grepTree(t *testing.T, p, s string) bool {
	t.Helper()
	found := false
	_ = filepath.Walk(p, func(q string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if b, err := os.ReadFile(q); err == nil && strings.Contains(string(b), s) {
				found = true
			}
		}
		return nil
	})
	return found
}

// TestAttackCpSwappedDirectory: the container swaps a directory for a
// symlink to the host's directory, as fast as it can, while copies go
// into it and out of it.
func TestAttackCpSwappedDirectory(t *testing.T) {
	b := newAttackEnv(t)
	sentinel := cpSentinel(t)
	local := t.TempDir()
	cpWriteFile(t, filepath.Join(local, "payload"), "payload")
	b.must("run", "-d", "--pull", "never", "--name", "swapper", "--network", "none", "busybox", "sh", "-c",
		"mkdir -p /race/sub && echo decoy > /race/sub/secret && exec "+attack.ProbePath+" swap-symlink /race/sub "+sentinel+" 600")
	const rounds = 60
	for i := range rounds {
		b.cpRun(nil, "cp", filepath.Join(local, "payload"), "swapper:/race/sub/")
		b.cpRun(nil, "cp", local+"/.", "swapper:/race/sub")
		b.cpRun(bytes.NewReader(symlinkTar(t, sentinel)), "cp", "-", "swapper:/race/sub")
		out, _, _ := b.cpRun(nil, "cp", "swapper:/race/sub/secret", "-")
		if strings.Contains(out, hostSecret) {
			t.Fatalf("round %d: cp read the host's secret through the swapped directory", i)
		}
		out, _, _ = b.cpRun(nil, "cp", "swapper:/race", "-")
		if strings.Contains(out, hostSecret) {
			t.Fatalf("round %d: cp of the tree read the host's secret", i)
		}
	}
	if state := b.inspect(".State.Status", "swapper"); state != "running" {
		logs, _ := b.cmd("logs", "swapper").CombinedOutput()
		t.Fatalf("the swapper stopped (%s) before the copies ended: %s", state, logs)
	}
	requireSentinelUntouched(t, sentinel)
}
