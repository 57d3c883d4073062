package images

import (
	"archive/tar"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	digest "github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// requireRoot skips a test that needs root, except under CI=true, where a
// missing privilege is a failure.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test needs root, and CI=true forbids skipping it")
	}
	t.Skip("needs root")
}

// tarEntry is one entry of a test tarball.
type tarEntry struct {
	name     string
	typ      byte
	mode     int64
	body     string
	link     string
	uid, gid int
	xattrs   map[string]string
	major    int64
	minor    int64
}

var testMtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func makeTar(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{
			Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link,
			Uid: e.uid, Gid: e.gid, ModTime: testMtime, Devmajor: e.major, Devminor: e.minor,
			Format: tar.FormatPAX,
		}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if e.major > 0o7777777 || e.minor > 0o7777777 {
			hdr.Format = tar.FormatGNU // base-256 numbers: PAX has no record for device numbers
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
			if hdr.Typeflag == tar.TypeDir {
				hdr.Mode = 0o755
			}
		}
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(e.body))
		}
		if len(e.xattrs) > 0 {
			hdr.PAXRecords = map[string]string{}
			for k, v := range e.xattrs {
				hdr.PAXRecords[paxXattrPrefix+k] = v
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("write tar header %s: %v", e.name, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// busyboxTar is a root filesystem tarball made from the host's static
// /bin/busybox: the binary, a symlink per applet, /etc/passwd and /etc/group.
func busyboxTar(t testing.TB) []byte {
	t.Helper()
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatalf("busybox-static is needed for this test: %v", err)
	}
	out, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	entries := []tarEntry{
		{name: "./", typ: tar.TypeDir},
		{name: "bin/", typ: tar.TypeDir},
		{name: "bin/busybox", mode: 0o755, body: string(bin)},
		{name: "etc/", typ: tar.TypeDir},
		{name: "etc/passwd", body: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
		{name: "etc/group", body: "root:x:0:\nnogroup:x:65534:\n"},
		{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		{name: "root/", typ: tar.TypeDir, mode: 0o700},
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		entries = append(entries, tarEntry{name: "bin/" + applet, typ: tar.TypeSymlink, link: "busybox"})
	}
	return makeTar(t, entries...)
}

func openStore(t testing.TB, driver string) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "image"), Options{Driver: driver})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// entriesUnder lists what is inside dir, relative, for "nothing left"
// checks. The overlay2 links directory itself does not count: the links
// in it do.
func entriesUnder(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && p != dir {
			rel, _ := filepath.Rel(dir, p)
			if rel == linksDir && fi.IsDir() {
				return nil
			}
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func parseDockerfileForTest(line string) (*parser.Node, error) {
	res, err := parser.Parse(strings.NewReader(line))
	if err != nil {
		return nil, err
	}
	return res.AST.Children[0], nil
}

func digestOf(t testing.TB, s string) digest.Digest {
	t.Helper()
	d, err := digest.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sparseTar is a PAX GNU sparse 1.0 file of 512 bytes in the archive that
// declares a terabyte of holes. archive/tar's Writer cannot write one, so
// the blocks are made by hand.
func sparseTar() []byte {
	record := func(k, v string) string {
		n := len(k) + len(v) + 3
		l := n + len(strconv.Itoa(n))
		if len(strconv.Itoa(l)) != len(strconv.Itoa(n)) {
			l++
		}
		return fmt.Sprintf("%d %s=%s\n", l, k, v)
	}
	header := func(name string, typ byte, size int) []byte {
		b := make([]byte, 512)
		copy(b[0:], name)
		copy(b[100:], "0000644\x00")
		copy(b[108:], "0000000\x00")
		copy(b[116:], "0000000\x00")
		copy(b[124:], fmt.Sprintf("%011o\x00", size))
		copy(b[136:], "00000000000\x00")
		b[156] = typ
		copy(b[257:], "ustar\x0000")
		copy(b[148:], "        ")
		sum := 0
		for _, c := range b {
			sum += int(c)
		}
		copy(b[148:], fmt.Sprintf("%06o\x00 ", sum))
		return b
	}
	pad := func(b []byte) []byte { return append(b, make([]byte, (512-len(b)%512)%512)...) }
	pax := record("GNU.sparse.major", "1") + record("GNU.sparse.minor", "0") +
		record("GNU.sparse.name", "big") + record("GNU.sparse.realsize", "1000000000000")
	var out []byte
	out = append(out, header("PaxHeaders/f", tar.TypeXHeader, len(pax))...)
	out = append(out, pad([]byte(pax))...)
	out = append(out, header("f", tar.TypeReg, 512)...)
	out = append(out, pad([]byte("1\n999999999999\n1\n"))...)
	return append(out, make([]byte, 1024)...)
}

// mountDescribed performs a described mount on target as the container
// init does: binds recursive, overlay options as data, in m.Dir when set.
func mountDescribed(m Mount, target string) error {
	var flags uintptr
	data := strings.Join(m.Options, ",")
	if m.Type == "bind" {
		flags, data = unix.MS_BIND|unix.MS_REC, ""
	}
	if m.Dir != "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		if err := os.Chdir(m.Dir); err != nil {
			return err
		}
		defer os.Chdir(wd)
	}
	return unix.Mount(m.Source, target, m.Type, flags, data)
}

// withInit is entries (a container's files as entriesUnder lists them)
// with its init layer's added, joined as the tests compare them.
func withInit(entries ...string) string {
	all := map[string]bool{}
	for _, e := range entries {
		all[e] = true
	}
	for _, e := range initEntries {
		for p := e.Path; p != "."; p = path.Dir(p) {
			all[p] = true
		}
	}
	out := slices.Collect(maps.Keys(all))
	slices.SortFunc(out, func(a, b string) int { return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/")) })
	return strings.Join(out, ",")
}
