// Package testenv holds what berth's real-kernel tests share: the rule
// that root-only tests skip on a laptop but fail under CI, an offline
// busybox root filesystem built from Debian's busybox-static, and a
// private dockerd (PrivateDocker) for the figures and behaviour berth is
// compared with.
package testenv

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// BusyboxPath is where Debian's busybox-static installs the binary.
const BusyboxPath = "/bin/busybox"

// RequireRoot skips t when not running as root, unless CI=true, where a
// missing capability is a failure: CI must prove the real thing.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("test needs root, and CI=true forbids skipping")
	}
	t.Skip("test needs root")
}

// RequireBusybox skips (or under CI fails) when busybox-static is missing.
func RequireBusybox(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(BusyboxPath); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing (apt-get install busybox-static), and CI=true forbids skipping", BusyboxPath)
	}
	t.Skipf("%s missing", BusyboxPath)
}

// Passwd and Group are the busybox image's account files.
const (
	Passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	Group  = "root:x:0:\nnogroup:x:65534:\n"
)

// BusyboxTar returns a rootfs tarball: /bin/busybox, a symlink per applet
// in /bin, /etc/passwd, /etc/group, and the usual empty directories.
func BusyboxTar(t testing.TB) []byte {
	t.Helper()
	return BusyboxTarWith(t, nil)
}

// BusyboxTarWith is BusyboxTar with more executable files, by path
// relative to /.
func BusyboxTarWith(t testing.TB, extra map[string][]byte) []byte {
	t.Helper()
	RequireBusybox(t)
	b, err := busyboxTar(extra)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func busyboxTar(extra map[string][]byte) ([]byte, error) {
	bin, err := os.ReadFile(BusyboxPath)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(BusyboxPath, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("busybox --list: %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	var werr error // the first write that failed
	keep := func(err error) {
		if werr == nil && err != nil {
			werr = err
		}
	}
	dir := func(name string, mode int64) {
		keep(tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode}))
	}
	file := func(name string, mode int64, data []byte) {
		keep(tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data))}))
		_, err := tw.Write(data)
		keep(err)
	}
	for _, d := range []string{"bin", "etc", "root", "tmp", "var", "usr", "usr/bin", "proc", "sys", "dev"} {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		dir(d, mode)
	}
	file("bin/busybox", 0o755, bin)
	for _, applet := range strings.Fields(string(out)) {
		if applet == "busybox" {
			continue
		}
		keep(tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + applet, Linkname: "busybox", Mode: 0o777}))
	}
	for name, data := range extra {
		file(name, 0o755, data)
	}
	file("etc/passwd", 0o644, []byte(Passwd))
	file("etc/group", 0o644, []byte(Group))
	keep(tw.Close())
	if werr != nil {
		return nil, fmt.Errorf("write the busybox image tar: %w", werr)
	}
	return buf.Bytes(), nil
}
