package main

// A container's init layer as docker's: its files in cp and export, none
// of them in diff or commit.

import (
	"archive/tar"
	"io"
	"strings"
	"testing"
	"time"
)

// tarEntries reads a tar stream into its headers by name and bodies.
func tarEntries(t *testing.T, stream string) (map[string]*tar.Header, map[string]string) {
	t.Helper()
	hdrs, bodies := map[string]*tar.Header{}, map[string]string{}
	tr := tar.NewReader(strings.NewReader(stream))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return hdrs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		hdrs[hdr.Name], bodies[hdr.Name] = hdr, string(body)
	}
}

// TestInitLayerFiles: a created container's export and cp show docker's
// init entries (/.dockerenv, the mount points, /etc/mtab), with no entry
// for the root itself; a running one's export shows the same (not what
// is mounted on them) while cp shows the files berth binds; diff and
// commit count none of them.
func TestInitLayerFiles(t *testing.T) {
	b := newBerthEnv(t)
	b.must("create", "--pull", "never", "--name", "c", "--network", "none", "busybox", "true")
	b.must("run", "-d", "--pull", "never", "--name", "r", "--network", "none", "busybox", "sleep", "600")
	waitFor(t, "r running", 30*time.Second, func() bool { return strings.TrimSpace(b.must("inspect", "-f", "{{.State.Running}}", "r")) == "true" })
	for _, name := range []string{"c", "r"} {
		hdrs, bodies := tarEntries(t, b.must("export", name))
		for _, e := range []struct {
			name string
			typ  byte
		}{
			{".dockerenv", tar.TypeReg}, {"dev/", tar.TypeDir}, {"dev/console", tar.TypeReg},
			{"dev/pts/", tar.TypeDir}, {"dev/shm/", tar.TypeDir}, {"etc/hostname", tar.TypeReg},
			{"etc/hosts", tar.TypeReg}, {"etc/resolv.conf", tar.TypeReg}, {"etc/mtab", tar.TypeSymlink},
			{"proc/", tar.TypeDir}, {"sys/", tar.TypeDir},
		} {
			h, ok := hdrs[e.name]
			switch {
			case !ok:
				t.Errorf("export %s: no %s", name, e.name)
			case h.Typeflag != e.typ:
				t.Errorf("export %s: %s is of type %c, want %c", name, e.name, h.Typeflag, e.typ)
			case e.typ == tar.TypeReg && bodies[e.name] != "":
				t.Errorf("export %s: %s holds %q, want it empty as in the init layer", name, e.name, bodies[e.name])
			}
		}
		if h := hdrs["etc/mtab"]; h != nil && h.Linkname != "/proc/mounts" {
			t.Errorf("export %s: etc/mtab -> %q", name, h.Linkname)
		}
		for _, n := range []string{"./", ".", "/", "dev/null", "proc/1/"} {
			if _, ok := hdrs[n]; ok {
				t.Errorf("export %s holds %s", name, n)
			}
		}
	}
	hdrs, _ := tarEntries(t, b.must("cp", "c:/etc", "-"))
	for _, n := range []string{"etc/hostname", "etc/hosts", "etc/mtab", "etc/resolv.conf"} {
		if _, ok := hdrs[n]; !ok {
			t.Errorf("cp c:/etc -: no %s", n)
		}
	}
	_, bodies := tarEntries(t, b.must("cp", "r:/etc/hosts", "-"))
	if !strings.Contains(bodies["hosts"], "localhost") {
		t.Errorf("cp r:/etc/hosts - of a running container: %q, want the file berth binds there", bodies["hosts"])
	}
	b.must("exec", "r", "test", "-f", "/.dockerenv")
	for _, name := range []string{"c", "r"} {
		if got := b.must("diff", name); got != "" {
			t.Errorf("diff %s: %q, want nothing", name, got)
		}
	}
	b.must("commit", "r", "fromr")
	if got := b.must("run", "--rm", "--pull", "never", "--network", "none", "fromr", "cat", "/etc/hosts"); !strings.Contains(got, "localhost") {
		t.Errorf("a container of a committed image: /etc/hosts %q", got)
	}
	b.must("create", "--pull", "never", "--name", "fc", "--network", "none", "fromr", "true")
	if got := b.must("diff", "fc"); got != "" {
		t.Errorf("diff of a container of a committed image: %q", got)
	}
	_, bodies = tarEntries(t, b.must("cp", "fc:/etc/hosts", "-"))
	if bodies["hosts"] != "" {
		t.Errorf("the committed image's layer holds /etc/hosts: %q", bodies["hosts"])
	}
}
