package main

// Devices (issue 9, point 1): a container may create device nodes but
// open only docker's standard ones, whether the node was made with mknod
// inside it or shipped in an image layer; --device, --device-cgroup-rule
// and --privileged open exactly what they name. Every attack runs in an
// ordinary `berth run busybox …` and only ever opens nodes for reading
// or opens them without writing: no test writes to a host device.

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/internal/testenv"
)

// tryOpen is a shell function for the container: `tryOpen NAME PATH [rw]`
// opens PATH for reading (or reading and writing, never writing a byte)
// and appends NAME-ok, NAME-eperm (EPERM: the device cgroup said no) or
// NAME-fail (another error) to $r.
const tryOpen = `
tryOpen() {
	if [ "$3" = rw ]; then
		out=$( (exec 3<>"$2") 2>&1 ) && { r="$r $1-ok"; return; }
	else
		out=$( (exec 3<"$2") 2>&1 ) && { r="$r $1-ok"; return; }
	fi
	case "$out" in
	*"not permitted"*) r="$r $1-eperm" ;;
	*) r="$r $1-fail($out)" ;;
	esac
}
r=""
`

// runProbe runs script (after tryOpen) in a new container made with
// flags and returns what it printed, trimmed.
func runProbe(t *testing.T, b *berthEnv, flags []string, script string) string {
	t.Helper()
	args := append([]string{"run", "--rm", "--network", "none"}, flags...)
	args = append(args, "busybox", "sh", "-c", tryOpen+script+"\necho $r")
	return strings.TrimSpace(b.must(args...))
}

func wantWords(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got  %s\n want %s", what, got, want)
	}
}

// TestAttackDevicesMknod: the first attack, a host block device
// made with mknod and read, and the character devices it opened
// read-write (kvm, fuse, tty1, loop-control), all as nodes of their own.
// mknod itself is allowed, as in docker; opening fails with EPERM.
func TestAttackDevicesMknod(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	got := runProbe(t, b, nil, `
mknod /tmp/blk b 7 0 && r="$r mknod-ok"
tryOpen blk /tmp/blk
if dd if=/tmp/blk of=/dev/null bs=512 count=1 2>/dev/null; then r="$r read-ok"; else r="$r read-denied"; fi
mknod /tmp/kvm c 10 232 && tryOpen kvm /tmp/kvm rw
mknod /tmp/fuse c 10 229 && tryOpen fuse /tmp/fuse rw
mknod /tmp/tty1 c 4 1 && tryOpen tty1 /tmp/tty1 rw
mknod /tmp/loopctl c 10 237 && tryOpen loopctl /tmp/loopctl rw && tryOpen loopctl-r /tmp/loopctl
mknod /tmp/mem c 1 1 && tryOpen mem /tmp/mem`)
	wantWords(t, "mknod'ed nodes", got,
		"mknod-ok blk-eperm read-denied kvm-eperm fuse-eperm tty1-eperm loopctl-eperm loopctl-r-eperm mem-eperm")
}

// TestAttackDevicesInImage: device nodes shipped in an image layer (a
// /dev/mem-like 1:1 and loop-control 10:237 under /evil) are there in
// the container but cannot be opened.
func TestAttackDevicesInImage(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	image := withDeviceNodes(t, testenv.BusyboxTar(t), map[string][2]int64{
		"evil/mem": {1, 1}, "evil/loop-control": {10, 237}, "evil/tty1": {4, 1},
	})
	tarPath := filepath.Join(t.TempDir(), "evil.tar")
	if err := os.WriteFile(tarPath, image, 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("import", tarPath, "evil:latest")
	out := strings.TrimSpace(b.must("run", "--rm", "--network", "none", "evil", "sh", "-c",
		tryOpen+`
[ -c /evil/loop-control ] && r="$r shipped"
tryOpen mem /evil/mem
tryOpen loopctl /evil/loop-control rw
tryOpen tty1 /evil/tty1 rw
echo $r`))
	wantWords(t, "nodes from the image", out, "shipped mem-eperm loopctl-eperm tty1-eperm")
}

// withDeviceNodes appends character device nodes to a rootfs tarball.
func withDeviceNodes(t *testing.T, image []byte, nodes map[string][2]int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(image))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "evil/", Mode: 0o755})
	for name, n := range nodes {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeChar, Name: name, Mode: 0o666,
			Devmajor: n[0], Devminor: n[1]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttackDevicesStandardStillWork: the allowlist leaves what programs
// need: null, zero, full, random, urandom, and /dev/tty with -t.
func TestAttackDevicesStandardStillWork(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	got := runProbe(t, b, nil, `
for d in null zero full random urandom; do tryOpen $d /dev/$d rw; done
echo discarded > /dev/null && r="$r null-write"
[ "$(head -c 5 /dev/zero | wc -c)" = 5 ] && r="$r zero-read"
[ "$(head -c 16 /dev/urandom | wc -c)" = 16 ] && r="$r urandom-read"`)
	wantWords(t, "standard devices", got,
		"null-ok zero-ok full-ok random-ok urandom-ok null-write zero-read urandom-read")

	term := b.startTerminal(t, 24, 80, "run", "--rm", "-t", "--network", "none", "busybox", "sh", "-c",
		"echo via-tty > /dev/tty && echo tty-ok")
	term.Expect(`via-tty\r+\ntty-ok\r+\n`)
	if code := term.Wait(); code != 0 {
		t.Errorf("run -t: exit %d", code)
	}
}

// TestAttackDevicesExec: a process that berth exec starts lands in the
// container's device cgroup too.
func TestAttackDevicesExec(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	b.must("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")
	out := strings.TrimSpace(b.must("exec", "box", "sh", "-c", tryOpen+`
tryOpen null /dev/null rw
mknod /tmp/loopctl c 10 237 && tryOpen loopctl /tmp/loopctl
echo $r`))
	wantWords(t, "exec'd process", out, "null-ok loopctl-eperm")
}

// TestAttackDevicesBuild: a build's RUN step has docker's allowlist:
// /dev/null works, a mknod'ed loop-control does not open.
func TestAttackDevicesBuild(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	dir := t.TempDir()
	dockerfile := "FROM busybox\n" +
		"RUN echo quiet > /dev/null && head -c 4 /dev/urandom > /tmp/r && mknod /tmp/n c 10 237 && " +
		"(exec 3</tmp/n) 2>&1 | grep -q 'not permitted'\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("build", "-t", "built", dir)
}

// TestAttackDevicesFlags: --device, --device-cgroup-rule and
// --privileged open what they name, and only that.
func TestAttackDevicesFlags(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	got := runProbe(t, b, []string{"--device", "/dev/loop-control"}, `
tryOpen loopctl /dev/loop-control rw
mknod /tmp/fuse c 10 229 && tryOpen fuse /tmp/fuse`)
	wantWords(t, "--device /dev/loop-control", got, "loopctl-ok fuse-eperm")

	got = runProbe(t, b, []string{"--device", "/dev/loop-control:/dev/lc:r"}, `
[ -c /dev/lc ] && r="$r node"
tryOpen r /dev/lc
tryOpen rw /dev/lc rw`)
	wantWords(t, "--device /dev/loop-control:/dev/lc:r", got, "node r-ok rw-eperm")

	got = runProbe(t, b, []string{"--device-cgroup-rule", "c 10:237 r"}, `
mknod /tmp/lc c 10 237
tryOpen r /tmp/lc
tryOpen rw /tmp/lc rw
mknod /tmp/tty1 c 4 1 && tryOpen tty1 /tmp/tty1`)
	wantWords(t, "--device-cgroup-rule 'c 10:237 r'", got, "r-ok rw-eperm tty1-eperm")

	got = runProbe(t, b, []string{"--privileged"}, `
[ -c /dev/loop-control ] && [ -b /dev/loop0 ] && [ -c /dev/tty1 ] && r="$r host-nodes"
[ -e /dev/pts/ptmx ] && [ -L /dev/ptmx ] && r="$r own-devpts"
tryOpen loopctl /dev/loop-control
tryOpen loop0 /dev/loop0`)
	wantWords(t, "--privileged", got, "host-nodes own-devpts loopctl-ok loop0-ok")

	var inspect []struct {
		HostConfig struct {
			Devices []struct {
				PathOnHost, PathInContainer, CgroupPermissions string
			}
			DeviceCgroupRules []string
		}
	}
	b.must("create", "--name", "flags", "--device", "/dev/loop-control:/dev/lc:r",
		"--device-cgroup-rule", "c 1:3 mr", "busybox", "true")
	if err := json.Unmarshal([]byte(b.must("inspect", "flags")), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	hc := inspect[0].HostConfig
	if len(hc.Devices) != 1 || hc.Devices[0].PathOnHost != "/dev/loop-control" ||
		hc.Devices[0].PathInContainer != "/dev/lc" || hc.Devices[0].CgroupPermissions != "r" ||
		len(hc.DeviceCgroupRules) != 1 || hc.DeviceCgroupRules[0] != "c 1:3 mr" {
		t.Errorf("inspect shows %+v", hc)
	}
}

// TestAttackDevicesBadInput: a --device with no device behind it and a
// malformed --device-cgroup-rule fail as docker's do (exit 125, create's
// 1 for what docker's daemon refuses; its message) and leave no container and no cgroup behind.
func TestAttackDevicesBadInput(t *testing.T) {
	t.Parallel()
	b := newAttackEnv(t)
	for _, tt := range []struct {
		args   []string
		want   string
		daemon bool // docker's daemon refuses it: create exits 1, run 125
	}{
		{[]string{"--device", "/nonexistent"},
			`error gathering device information while adding custom device "/nonexistent": no such file or directory`, true},
		{[]string{"--device", "/etc/hostname"},
			`error gathering device information while adding custom device "/etc/hostname": not a device node`, true},
		{[]string{"--device", "/dev/null:/dev/n:rwx"}, `bad mode specified: rwx`, false},
		{[]string{"--device", "/dev/null:dev/n"}, `dev/n is not an absolute path`, false},
		{[]string{"--device-cgroup-rule", "c 1:3"}, `invalid device cgroup format 'c 1:3'`, false},
		{[]string{"--device-cgroup-rule", "c 1:3 rwx"}, `invalid device cgroup format 'c 1:3 rwx'`, false},
	} {
		for _, verb := range []string{"run", "create"} {
			args := append(append([]string{verb}, tt.args...), "busybox", "true")
			want := 125
			if verb == "create" && tt.daemon {
				want = 1
			}
			if verb == "run" && b.api != nil && strings.Contains(tt.want, "no such file or directory") {
				want = 127 // the docker CLI's run exits 127 for any error saying so
			}
			var stderr bytes.Buffer
			cmd := b.cmd(args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != want || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("berth %s: exit %d (%v), stderr %q; want %d and %q", strings.Join(args, " "), code, err, stderr.String(), want, tt.want)
			}
		}
	}
	if ids := strings.TrimSpace(b.must("ps", "-aq")); ids != "" {
		t.Errorf("bad input left containers: %s", ids)
	}
	if dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/*", b.parent, "*")); len(dirs) > 0 {
		var groups []string
		for _, d := range dirs {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				groups = append(groups, d)
			}
		}
		if len(groups) > 0 {
			t.Errorf("bad input left cgroups: %v", groups)
		}
	}
}
