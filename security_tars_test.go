package main

// Hostile tarballs against `berth import` and `berth load` through the
// real CLI: each archive tries to write, link, delete or read outside the
// data root, and must be refused (exit 1, as docker's import and load
// errors are) or contained, with nothing outside the data root changed and
// no temporary files left behind.

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// hostileEntry is one entry of an attack archive.
type hostileEntry struct {
	name, body, link string
	typ              byte
	major, minor     int64
}

func hostileTar(t *testing.T, entries ...hostileEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Devmajor: e.major, Devminor: e.minor, Format: tar.FormatGNU}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("write %s: %v", e.name, err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sentinel is a directory beside the data root holding one file that no
// archive may change, delete, link to or add to.
type sentinel struct{ dir, victim string }

const victimBody = "host data\n"

func newSentinel(t *testing.T, dataRoot string) sentinel {
	s := sentinel{dir: filepath.Join(filepath.Dir(dataRoot), "sentinel")}
	s.victim = filepath.Join(s.dir, "victim")
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.victim, []byte(victimBody), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s sentinel) check(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatalf("sentinel directory: %v", err)
	}
	if len(entries) != 1 || entries[0].Name() != "victim" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the archive wrote outside the data root: %s holds %v", s.dir, names)
	}
	fi, err := os.Lstat(s.victim)
	if err != nil {
		t.Fatalf("the archive removed %s: %v", s.victim, err)
	}
	data, _ := os.ReadFile(s.victim)
	st := fi.Sys().(*syscall.Stat_t)
	if string(data) != victimBody || !fi.Mode().IsRegular() || st.Nlink != 1 {
		t.Errorf("the archive changed %s: %q, mode %v, %d links", s.victim, data, fi.Mode(), st.Nlink)
	}
}

// treeOf lists what is under dir, for "nothing changed" checks; the store's
// lock file is created on first use and is not content.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.Name() != "lock" {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tmpEntries lists what is left in the data root's temporary directories
// (the image store's tmp/ and any other of the root's own).
func tmpEntries(t *testing.T, dataRoot string) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(dataRoot, "*", "tmp"))
	dirs = append(dirs, filepath.Join(dataRoot, "tmp"))
	var left []string
	for _, dir := range dirs {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			left = append(left, filepath.Join(dir, e.Name()))
		}
	}
	return left
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// TestAttackHostileTars imports and loads each hostile archive.
func TestAttackHostileTars(t *testing.T) {
	b := newBerthEnv(t)
	dataRoot := envValue(b.env, "BERTH_ROOT")
	s := newSentinel(t, dataRoot)
	up := strings.Repeat("../", 12) + strings.TrimPrefix(s.dir, "/")
	config := `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:` + strings.Repeat("a", 64) + `"]}}`
	withManifest := func(layer string) []hostileEntry {
		return []hostileEntry{
			{name: "c.json", body: config},
			{name: "manifest.json", body: `[{"Config":"c.json","RepoTags":["evil:1"],"Layers":["` + layer + `"]}]`},
		}
	}

	tests := []struct {
		name    string
		entries []hostileEntry
		// refused is the error each verb must give; "" means the archive
		// may be taken, contained inside the store.
		importErr, loadErr string
	}{
		{name: "dot-dot path", entries: []hostileEntry{{name: up + "/evil", body: "x"}}, loadErr: "not a docker archive"},
		{name: "absolute path", entries: []hostileEntry{{name: s.dir + "/evil", body: "x"}}, loadErr: "not a docker archive"},
		{name: "symlink then a file through it", entries: []hostileEntry{
			{name: "l", typ: tar.TypeSymlink, link: s.dir}, {name: "l/evil", body: "x"}}, loadErr: "not a docker archive"},
		{name: "relative symlink then a file through it", entries: []hostileEntry{
			{name: "a/l", typ: tar.TypeSymlink, link: up}, {name: "a/l/evil", body: "x"}}, loadErr: "not a docker archive"},
		{name: "symlink then a file over it", entries: []hostileEntry{
			{name: "f", typ: tar.TypeSymlink, link: s.victim}, {name: "f", body: "overwritten"}}, loadErr: "not a docker archive"},
		{name: "hard link to a file outside", entries: []hostileEntry{
			{name: "h", typ: tar.TypeLink, link: s.victim}}, importErr: "hard link target", loadErr: "hard link target"},
		{name: "hard link through a symlink", entries: []hostileEntry{
			{name: "l", typ: tar.TypeSymlink, link: s.dir}, {name: "h", typ: tar.TypeLink, link: "l/victim"}},
			importErr: "hard link target", loadErr: "hard link target"},
		{name: "whiteout through a symlink", entries: []hostileEntry{
			{name: "l", typ: tar.TypeSymlink, link: s.dir}, {name: "l/.wh.victim", body: ""}}, loadErr: "not a docker archive"},
		{name: "opaque whiteout through a symlink", entries: []hostileEntry{
			{name: "l", typ: tar.TypeSymlink, link: s.dir}, {name: "l/.wh..wh..opq", body: ""}}, loadErr: "not a docker archive"},
		{name: "whiteout climbing out", entries: []hostileEntry{{name: up + "/.wh.victim", body: ""}}, loadErr: "not a docker archive"},
		{name: "block device beyond 12 bits", entries: []hostileEntry{{name: "dev/loop", typ: tar.TypeBlock, major: 1<<12 + 7}},
			importErr: "device number 4103:0 is out of range", loadErr: "device number 4103:0 is out of range"},
		{name: "char device beyond 32 bits", entries: []hostileEntry{{name: "dev/x", typ: tar.TypeChar, major: 1 << 32, minor: 1<<32 + 3}},
			importErr: "device number 4294967296:4294967299 is out of range", loadErr: "is out of range"},
		{name: "huge manifest", entries: []hostileEntry{{name: "manifest.json", body: "[" + strings.Repeat(" ", 5<<20) + "]"}},
			loadErr: "read manifest.json from the archive: file too large"},
		{name: "manifest naming a layer outside the archive", entries: withManifest(up + "/victim"), loadErr: "is missing from the archive"},
		{name: "manifest naming an absolute layer", entries: withManifest(s.victim), loadErr: "is missing from the archive"},
		{name: "manifest that is a device", entries: []hostileEntry{{name: "manifest.json", typ: tar.TypeChar, major: 1, minor: 5}},
			loadErr: "manifest.json in the archive is not a regular file"},
		{name: "layer that is a FIFO", entries: append(withManifest("l.tar"), hostileEntry{name: "l.tar", typ: tar.TypeFifo}),
			loadErr: "l.tar in the archive is not a regular file"},
	}
	archives := t.TempDir()
	for i, tt := range tests {
		file := filepath.Join(archives, fmt.Sprintf("attack-%d.tar", i))
		if err := os.WriteFile(file, hostileTar(t, tt.entries...), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, verb := range []struct {
			args    []string
			wantErr string
		}{
			{[]string{"import", file, fmt.Sprintf("evil:%d", i)}, tt.importErr},
			{[]string{"load", "-i", file}, tt.loadErr},
		} {
			t.Run(tt.name+"/"+verb.args[0], func(t *testing.T) {
				before := treeOf(t, dataRoot)
				var stderr bytes.Buffer
				cmd := b.cmd(verb.args...)
				cmd.Stderr = &stderr
				err := cmd.Run()
				code := 0
				var exitErr *exec.ExitError
				if errors.As(err, &exitErr) {
					code = exitErr.ExitCode()
				} else if err != nil {
					t.Fatalf("berth %s: %v", verb.args[0], err)
				}
				switch {
				case verb.wantErr != "":
					if code != 1 || !strings.Contains(stderr.String(), verb.wantErr) {
						t.Errorf("berth %s: exit %d, %q; want exit 1 and %q", verb.args[0], code, stderr.String(), verb.wantErr)
					}
					if after := treeOf(t, dataRoot); !slices.Equal(after, before) {
						t.Errorf("a refused archive changed the data root: %v", after)
					}
				case code != 0:
					t.Errorf("berth %s: exit %d, %s; want the archive taken and contained", verb.args[0], code, stderr.String())
				}
				s.check(t)
				if left := tmpEntries(t, dataRoot); len(left) > 0 {
					t.Errorf("temporary files left: %v", left)
				}
			})
		}
	}
}
