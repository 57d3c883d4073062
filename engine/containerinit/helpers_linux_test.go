package containerinit_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"berth/engine/containerinit"
)

// busyboxCopy is a copy of /bin/busybox made before any test forks, which
// every test rootfs hard-links: an executable written while another
// goroutine forks can stay open in that child, and exec'ing it then fails
// with "text file busy".
var busyboxCopy string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "containerinit-busybox")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if bin, err := os.ReadFile("/bin/busybox"); err == nil {
		busyboxCopy = filepath.Join(dir, "busybox")
		if err := os.WriteFile(busyboxCopy, bin, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// requireRoot skips a test that needs root, except under CI=true where a
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

const (
	testPasswd = `root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
`
	testGroup = `root:x:0:
tty:x:5:
wheel:x:10:root
audio:x:29:alice,bob
staff:x:50:alice
alice:x:1000:
nogroup:x:65534:
`
)

// busyboxRootfs builds a minimal rootfs from the host's static busybox.
func busyboxRootfs(t testing.TB) string {
	t.Helper()
	if busyboxCopy == "" {
		t.Fatal("busybox-static is needed at /bin/busybox")
	}
	root := filepath.Join(t.TempDir(), "busybox")
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(busyboxCopy, filepath.Join(root, "bin/busybox")); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command("/bin/busybox", "--list-full").Output()
	if err != nil {
		t.Fatalf("busybox --list-full: %v", err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "bin/busybox" {
			continue
		}
		p := filepath.Join(root, applet)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/bin/busybox", p); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "etc/passwd"), testPasswd, 0o644)
	writeFile(t, filepath.Join(root, "etc/group"), testGroup, 0o644)
	for _, d := range []string{"root", "home/alice", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	return root
}

func writeFile(t testing.TB, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// newConfig returns a container on a fresh busybox rootfs, bind-mounted
// onto an empty Rootfs, with docker's defaults.
func newConfig(t testing.TB, args ...string) *containerinit.Config {
	t.Helper()
	requireRoot(t)
	lower := busyboxRootfs(t)
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	return &containerinit.Config{
		Rootfs:        rootfs,
		RootMount:     containerinit.Mount{Type: "bind", Source: lower, Options: []string{"rbind"}},
		Hostname:      "box",
		Args:          args,
		Capabilities:  containerinit.DefaultCapabilities(),
		MaskedPaths:   containerinit.DefaultMaskedPaths(),
		ReadonlyPaths: containerinit.DefaultReadonlyPaths(),
		Network:       "none",
	}
}

// result is what a container left behind.
type result struct {
	stdout, stderr string
	code           int
	signal         syscall.Signal
}

// runContainer starts cfg with pipes for stdout and stderr, and waits.
func runContainer(t *testing.T, cfg *containerinit.Config) result {
	t.Helper()
	p, outR, errR := startContainer(t, cfg)
	var stdout, stderr bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(&stderr, errR)
		close(done)
	}()
	_, _ = io.Copy(&stdout, outR)
	<-done
	code, sig, err := p.Wait()
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return result{stdout.String(), stderr.String(), code, sig}
}

// startContainer starts cfg and returns the read ends of its stdout and
// stderr; the container is killed at cleanup if still running.
func startContainer(t *testing.T, cfg *containerinit.Config) (*containerinit.Process, *os.File, *os.File) {
	t.Helper()
	p, outR, errR, err := tryStart(t, cfg)
	if err != nil {
		t.Fatalf("start %v: %v", cfg.Args, err)
	}
	return p, outR, errR
}

func tryStart(t *testing.T, cfg *containerinit.Config) (*containerinit.Process, *os.File, *os.File, error) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outR.Close(); errR.Close() })
	p, err := containerinit.Start(cfg, containerinit.StartOptions{Stdout: outW, Stderr: errW})
	outW.Close()
	errW.Close()
	if err != nil {
		return nil, nil, nil, err
	}
	t.Cleanup(func() {
		// Already gone when the test waited for it.
		_ = p.Signal(syscall.SIGKILL)
	})
	return p, outR, errR, nil
}

// output runs cfg and returns its stdout, failing unless it exits 0.
func output(t *testing.T, cfg *containerinit.Config) string {
	t.Helper()
	r := runContainer(t, cfg)
	if r.code != 0 {
		t.Fatalf("%v exited %d (signal %d); stdout %q stderr %q", cfg.Args, r.code, r.signal, r.stdout, r.stderr)
	}
	return r.stdout
}

// statusField returns a field of /proc/self/status as the container saw it.
func statusField(t *testing.T, status, field string) string {
	t.Helper()
	for line := range strings.SplitSeq(status, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in status:\n%s", field, status)
	return ""
}
