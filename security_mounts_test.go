package main

// Attacks on mount setup: a mount target resolved by path and then used by
// path, mount destinations inside /proc, mount targets that are symlinks
// out of the image, and a /dev/null that is not the null device.

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"berth/internal/attack"

	"golang.org/x/sys/unix"
)

// TestAttackMountRace: container A swaps a directory of a volume it shares
// with B for a symlink to a host directory, as fast as it can, while B
// starts again and again with a bind or a tmpfs below that directory. A runtime that resolves the target and then mounts
// (or creates directories) by path follows the link onto the host.
func TestAttackMountRace(t *testing.T) {
	b := newAttackEnv(t)
	dir := t.TempDir()
	shared, sentinel, src := filepath.Join(dir, "shared"), filepath.Join(dir, "sentinel"), filepath.Join(dir, "src")
	for _, d := range []string{filepath.Join(shared, "sub"), sentinel, src} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const attackSeconds = 90
	b.must("run", "-d", "--name", "swapper", "--network", "none", "-v", shared+":/shared",
		"busybox", attack.ProbePath, "swap-symlink", "/shared/sub", sentinel, "600")

	var starts, failed atomic.Int64
	var escaped atomic.Bool
	deadline := time.Now().Add(attackSeconds * time.Second)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for time.Now().Before(deadline) && starts.Load() < 300 && !escaped.Load() {
				// A bind and a tmpfs below the swapped directory, in turn.
				below := [][]string{{"-v", src + ":/vol/sub/x"}, {"--tmpfs", "/vol/sub/t"}}[starts.Add(1)%2]
				args := append(append([]string{"run", "--rm", "--network", "none", "-v", shared + ":/vol"}, below...), "busybox", "true")
				out, err := b.cmd(args...).CombinedOutput()
				if err != nil {
					failed.Add(1)
					t.Logf("start failed (no escape): %v: %s", err, bytes.TrimSpace(out))
				}
				if entries, _ := os.ReadDir(sentinel); len(entries) > 0 {
					escaped.Store(true)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d starts against the swapper, %d failed", starts.Load(), failed.Load())
	if state := b.inspect(".State.Status", "swapper"); state != "running" {
		logs, _ := b.cmd("logs", "swapper").CombinedOutput()
		t.Fatalf("the swapper stopped (%s) before the starts ended: %s", state, logs)
	}
	if entries, _ := os.ReadDir(sentinel); len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a container start created %q in the host directory %s: the mount target followed the swapped symlink", names, sentinel)
	}
	requireNoHostMounts(t, dir)
}

// requireNoHostMounts fails when the host's mount table has a mount at or
// below dir.
func requireNoHostMounts(t *testing.T, dir string) {
	t.Helper()
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			t.Errorf("a mount leaked into the host: %s", line)
		}
	}
}

// TestAttackProcMounts: docker refuses mounts onto /proc (a bind over
// /proc/sys/kernel/core_pattern, a tmpfs over /proc/sys that hides the
// read-only one) and onto /. berth refuses them before creating anything.
func TestAttackProcMounts(t *testing.T) {
	b := newAttackEnv(t)
	file := filepath.Join(t.TempDir(), "core_pattern")
	if err := os.WriteFile(file, []byte("|/tmp/evil\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-v", file + ":/proc/sys/kernel/core_pattern"}, `"/proc/sys/kernel/core_pattern" cannot be mounted because it is inside /proc`},
		{[]string{"-v", file + ":/proc/sys/kernel/core_pattern:ro"}, `"/proc/sys/kernel/core_pattern" cannot be mounted because it is inside /proc`},
		{[]string{"-v", filepath.Dir(file) + ":/proc/../proc/sys"}, `"/proc/sys" cannot be mounted because it is inside /proc`},
		{[]string{"-v", filepath.Dir(file) + ":/proc"}, `"/proc" cannot be mounted because it is not of type proc`},
		{[]string{"--tmpfs", "/proc/sys"}, `"/proc/sys" cannot be mounted because it is inside /proc`},
		{[]string{"--tmpfs", "/proc/sysrq-trigger:size=1k"}, `"/proc/sysrq-trigger" cannot be mounted because it is inside /proc`},
		{[]string{"--tmpfs", "/proc"}, `"/proc" cannot be mounted because it is not of type proc`},
		{[]string{"-v", filepath.Dir(file) + ":/"}, `destination can't be '/'`},
		{[]string{"-v", filepath.Dir(file) + ":/.."}, `destination can't be '/'`},
		{[]string{"--tmpfs", "/"}, `destination can't be '/'`},
	}
	for _, tt := range tests {
		for _, verb := range []string{"run", "create"} {
			args := append(append([]string{verb, "--network", "none"}, tt.args...), "busybox", "cat", "/proc/sys/kernel/core_pattern")
			var stderr bytes.Buffer
			cmd := b.cmd(args...)
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			// docker's daemon refuses these mounts: create exits 1 for a
			// daemon's error.
			want := 125
			if verb == "create" {
				want = 1
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != want {
				t.Errorf("berth %s: %v, output %q; want exit %d", strings.Join(args, " "), err, out, want)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("berth %s: stderr %q, want it to say %q", strings.Join(args, " "), stderr.String(), tt.want)
			}
			if ids := strings.Fields(b.must("ps", "-aq")); len(ids) > 0 {
				t.Errorf("berth %s left containers %q", strings.Join(args, " "), ids)
				b.must(append([]string{"rm", "-f"}, ids...)...)
			}
		}
	}
	// The lxcfs files docker allows stay allowed.
	if out := b.must("run", "--rm", "--network", "none", "-v", file+":/proc/uptime:ro", "busybox", "cat", "/proc/uptime"); out != "|/tmp/evil\n" {
		t.Errorf("bind over /proc/uptime: read %q", out)
	}
}

// TestAttackMountSymlinkTargets: an image whose mount targets are symlinks
// out of the rootfs (absolute, relative with "..", through /proc's magic
// links) gets its mounts and working directory inside its own root.
func TestAttackMountSymlinkTargets(t *testing.T) {
	b := newAttackEnv(t)
	dir := t.TempDir()
	sentinel := filepath.Join(dir, "host-sentinel")
	src := filepath.Join(dir, "src")
	for _, d := range []string{sentinel, src} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	up := strings.Repeat("../", 20)
	links := map[string]string{
		"etc/hosts":       "/../../../.." + sentinel + "/hosts",
		"etc/resolv.conf": up + sentinel[1:] + "/resolv.conf",
		"data":            "/proc/1/root" + sentinel + "/data",
		"self":            "/proc/self/root" + sentinel + "/self",
		"rel":             up + sentinel[1:],
		"wd":              "/proc/1/cwd" + sentinel + "/wd",
	}
	image := filepath.Join(dir, "hostile.tar")
	if err := os.WriteFile(image, imageWith(t, attack.ImageTar(t), links, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	b.must("import", image, "hostile:latest")
	if err := os.WriteFile(filepath.Join(src, "marker"), []byte("in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Targets through magic links are refused; the others land inside the
	// root, where the container sees them.
	runs := []struct {
		flags, cmd []string
		want       string // in the output, or "refused" for exit 125
	}{
		{nil, []string{"cat", "/etc/hosts"}, "127.0.0.1\tlocalhost"},
		{[]string{"-v", src + ":/data"}, []string{"true"}, "refused"},
		{[]string{"-v", src + ":/self"}, []string{"true"}, "refused"},
		{[]string{"-v", src + ":/data", "--read-only"}, []string{"true"}, "refused"},
		{[]string{"-w", "/wd"}, []string{"true"}, "refused"},
		{[]string{"-v", src + ":/rel/x"}, []string{"cat", sentinel + "/x/marker"}, "in"},
		{[]string{"--tmpfs", "/rel/tmp"}, []string{"grep", "-c", " " + sentinel + "/tmp ", "/proc/self/mountinfo"}, "1"},
		{[]string{"-w", "/rel/wd"}, []string{"pwd"}, sentinel + "/wd"},
	}
	for _, r := range runs {
		args := append(append(append([]string{"run", "--rm", "--network", "none"}, r.flags...), "hostile:latest"), r.cmd...)
		out, err := b.cmd(args...).CombinedOutput()
		got := strings.TrimSpace(string(out))
		var exit *exec.ExitError
		switch {
		case r.want == "refused":
			if !errors.As(err, &exit) || exit.ExitCode() != 125 {
				t.Errorf("berth %s: %v, %q; want exit 125", strings.Join(args, " "), err, got)
			}
		case err != nil || !strings.Contains(got, r.want):
			t.Errorf("berth %s: %v, %q; want %q", strings.Join(args, " "), err, got, r.want)
		}
		if entries, _ := os.ReadDir(sentinel); len(entries) > 0 {
			t.Fatalf("berth %s created %v in the host directory %s", strings.Join(args, " "), entries, sentinel)
		}
	}
	requireNoHostMounts(t, dir)
}

// imageWith is the rootfs tarball base with the given symlinks (name to
// target) and files (name to content), in place of whatever base has at
// those names.
func imageWith(t *testing.T, base []byte, links, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(base))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if _, ok := links[name]; ok {
			continue
		}
		if _, ok := files[name]; ok {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(content)), Mode: 0o666}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAttackMaskFakeDevNull: masking binds /dev/null over files such as
// /proc/kcore. A /dev/null that is not the null device (a regular file, the
// zero device, a symlink to a writable /proc file) must not be what masks
// them: berth checks it is char 1:3 and refuses to start otherwise.
func TestAttackMaskFakeDevNull(t *testing.T) {
	b := newAttackEnv(t)
	dir := t.TempDir()
	fake := filepath.Join(dir, "null")
	if err := os.WriteFile(fake, []byte("FAKE NULL\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	devs := map[string]func(p string) error{
		"regular": func(p string) error { return os.WriteFile(filepath.Join(p, "null"), []byte("FAKE NULL\n"), 0o666) },
		"zero":    func(p string) error { return mknodChar(filepath.Join(p, "null"), 1, 5) },
		"symlink": func(p string) error { return os.Symlink("/proc/sys/kernel/core_pattern", filepath.Join(p, "null")) },
	}
	runs := map[string][]string{"file": {"-v", fake + ":/dev/null"}}
	for name, mk := range devs {
		d := filepath.Join(dir, "dev-"+name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := mk(d); err != nil {
			t.Fatal(err)
		}
		runs["dev-"+name] = []string{"-v", d + ":/dev"}
	}
	for name, args := range runs {
		args = append(append([]string{"run", "--rm", "--network", "none"}, args...), "busybox", "head", "-c", "64", "/proc/timer_list")
		var stderr bytes.Buffer
		cmd := b.cmd(args...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if len(out) > 0 {
			t.Errorf("%s: the masked /proc/timer_list read %q through a fake /dev/null", name, out)
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 125 || !strings.Contains(stderr.String(), "/dev/null is not the null device") {
			t.Errorf("%s: %v, %q; want exit 125 saying /dev/null is not the null device", name, err, stderr.String())
		}
	}
	// An image's own /dev, even one that is a symlink, is covered by a
	// fresh tmpfs whose null is the real one.
	images := map[string]struct{ links, files map[string]string }{
		"image-null": {nil, map[string]string{"dev/null": "FAKE NULL\n"}},
		"image-dev":  {map[string]string{"dev": "/fakedev"}, map[string]string{"fakedev/null": "FAKE NULL\n"}},
	}
	for name, img := range images {
		tarball := filepath.Join(dir, name+".tar")
		if err := os.WriteFile(tarball, imageWith(t, attack.ImageTar(t), img.links, img.files), 0o644); err != nil {
			t.Fatal(err)
		}
		b.must("import", tarball, name+":latest")
		if out := b.must("run", "--rm", "--network", "none", name+":latest", "head", "-c", "64", "/proc/timer_list"); out != "" {
			t.Errorf("%s: the masked /proc/timer_list read %q", name, out)
		}
	}
	// The real null device (docker's -v /dev:/dev) still masks.
	if out := b.must("run", "--rm", "--network", "none", "-v", "/dev/null:/dev/null", "busybox", "head", "-c", "64", "/proc/timer_list"); out != "" {
		t.Errorf("with the host's /dev/null bound in, /proc/timer_list read %q", out)
	}
}

func mknodChar(p string, major, minor uint32) error {
	return unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(major, minor)))
}
