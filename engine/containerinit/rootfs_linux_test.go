package containerinit_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"

	"berth/engine/containerinit"
)

func TestOverlayRootMount(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `echo hi > /new; rm /bin/ls; awk '$5 == "/" { print $(NF-2) }' /proc/self/mountinfo`)
	lower := cfg.RootMount.Source
	upper, work := t.TempDir(), t.TempDir()
	cfg.RootMount = containerinit.Mount{Type: "overlay", Source: "overlay", Options: []string{
		"lowerdir=" + lower, "upperdir=" + upper, "workdir=" + work,
	}}
	if got := output(t, cfg); got != "overlay\n" {
		t.Errorf("root filesystem: got %q, want overlay", got)
	}
	if b, err := os.ReadFile(filepath.Join(upper, "new")); err != nil || string(b) != "hi\n" {
		t.Errorf("upper/new = %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(lower, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lower changed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(lower, "bin/ls")); err != nil {
		t.Errorf("lower lost bin/ls: %v", err)
	}
}

func TestRootMountDefaultBindsRootfsOntoItself(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", "echo $$")
	cfg.Rootfs, cfg.RootMount = cfg.RootMount.Source, containerinit.Mount{}
	if got := output(t, cfg); got != "1\n" {
		t.Errorf("got %q", got)
	}
}

func TestHostMountTableUntouched(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "true")
	prefix := filepath.Dir(cfg.Rootfs)
	before := mountsUnder(t, prefix)

	lower := cfg.RootMount.Source
	cfg.RootMount = containerinit.Mount{Type: "overlay", Source: "overlay", Options: []string{
		"lowerdir=" + lower, "upperdir=" + t.TempDir(), "workdir=" + t.TempDir(),
	}}
	cfg.Mounts = []containerinit.Mount{
		{Type: "bind", Source: t.TempDir(), Target: "/data", Options: []string{"rbind", "ro"}},
		{Type: "tmpfs", Source: "tmpfs", Target: "/run"},
	}
	output(t, cfg)

	failing := *cfg
	failing.Args = []string{"nope"}
	if _, _, _, err := tryStart(t, &failing); err == nil {
		t.Fatal("nope started")
	}
	if after := mountsUnder(t, prefix); len(after) != len(before) {
		t.Errorf("host mount table changed under %s:\nbefore %q\nafter  %q", prefix, before, after)
	}
}

// mountsUnder returns the host's mountinfo lines that mention dir.
func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.Contains(line, dir) {
			out = append(out, line)
		}
	}
	return out
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `[ -t 0 ] && echo isatty; echo "TERM=$TERM"; stat -c %F /dev/console; echo ctty > /dev/tty; stty size; exit 7`)
	cfg.Terminal = true
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close() })
	if err := pty.Setsize(master, &pty.Winsize{Rows: 40, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	p, err := containerinit.Start(cfg, containerinit.StartOptions{Stdin: slave, Stdout: slave, Stderr: slave})
	slave.Close()
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan string)
	go func() {
		// The master reads EIO once the last slave fd is closed.
		b, _ := io.ReadAll(master)
		read <- string(b)
	}()
	code, _, err := p.Wait()
	if err != nil || code != 7 {
		t.Errorf("exit %d %v, want 7", code, err)
	}
	out := strings.ReplaceAll(<-read, "\r\n", "\n")
	want := "isatty\nTERM=xterm\ncharacter special file\nctty\n40 100\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
