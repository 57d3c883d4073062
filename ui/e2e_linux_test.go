package ui

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"berth/internal/testenv"
)

// The end-to-end test drives the real program in tmux: berth built from
// this checkout, its containers real ones, capture-pane the oracle.

// tmuxSession is a private tmux server (its socket in a temporary
// directory) running one session.
type tmuxSession struct {
	t      testing.TB
	socket string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (s *tmuxSession) capture() string {
	out, _ := s.tmux("capture-pane", "-p", "-t", "ui")
	return out
}

// send types keys (tmux key names); an Escape is followed by a pause so
// the program does not read it as alt plus the next key.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		if _, err := s.tmux("send-keys", "-t", "ui", k); err != nil {
			s.t.Fatalf("send-keys %q: %v", k, err)
		}
		pause := 150 * time.Millisecond
		if k == "Escape" {
			pause = 400 * time.Millisecond
		}
		time.Sleep(pause)
	}
}

// sendText types text literally.
func (s *tmuxSession) sendText(text string) {
	s.t.Helper()
	if _, err := s.tmux("send-keys", "-t", "ui", "-l", text); err != nil {
		s.t.Fatalf("send-keys %q: %v", text, err)
	}
	time.Sleep(150 * time.Millisecond)
}

// waitFor polls the screen until ok holds, failing with the screen.
func (s *tmuxSession) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := s.capture()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the screen is:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), func(scr string) bool { return strings.Contains(scr, text) })
}

func requireTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("tmux missing (apt-get install tmux), and CI=true forbids skipping")
	}
	t.Skip("tmux missing")
}

// berthBinary is the real program: main.go built from this checkout, on
// temporary roots and a cgroup parent of the test's own, with busybox
// imported; every container is removed at the end. Its default bridge,
// subnet and nftables table are the data root's own (network.RootNames
// and the subnet it picks), never berth0's.
type berthBinary struct {
	t                     testing.TB
	path                  string
	root, runRoot, parent string
	args                  []string // --root, --run-root, --config
}

func newBerthBinary(t testing.TB) *berthBinary {
	t.Helper()
	testenv.RequireRoot(t)
	requireTmux(t)
	tarball := testenv.BusyboxTar(t)
	dir := t.TempDir()
	path, err := testenv.BuildBerth("..", dir)
	if err != nil {
		t.Fatal(err)
	}
	b := &berthBinary{t: t, path: path}
	parent := fmt.Sprintf("berth-test-ui-%s-%d", regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "-"), os.Getpid())
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{"cgroup-parent": %q}`, parent)), 0o644); err != nil {
		t.Fatal(err)
	}
	// The data root is on a disk: top's I/O figures count block I/O only.
	// The run root is not below the binary's directory: berth seals
	// itself through an overlay of that directory, with a scratch
	// directory in the run root, which the kernel refuses inside it (then
	// berth copies itself, 44 MB, at each start).
	b.root, b.runRoot, b.parent = filepath.Join(testenv.DiskTempDir(t), "root"), filepath.Join(t.TempDir(), "run"), parent
	b.args = []string{"--root", b.root, "--run-root", b.runRoot, "--config", cfg}
	t.Cleanup(func() {
		if ids := strings.Fields(b.must(nil, "ps", "-aq", "--no-trunc")); len(ids) > 0 {
			b.must(nil, append([]string{"rm", "-f"}, ids...)...)
		}
		b.must(nil, "network", "prune", "-f") // takes the root's bridge and table down
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", parent))
		for _, d := range dirs {
			if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	b.must(tarball, "import", "-", "busybox:latest")
	return b
}

// must runs one command line of the binary and returns its stdout.
func (b *berthBinary) must(stdin []byte, args ...string) string {
	b.t.Helper()
	cmd := exec.Command(b.path, append(append([]string{}, b.args...), args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.t.Errorf("berth %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// startTUI opens `berth` with no arguments in a 100x30 tmux session of a
// private tmux server.
func (b *berthBinary) startTUI() *tmuxSession {
	b.t.Helper()
	return b.startTUIWith(nil, "")
}

// startTUIWith is startTUI with env added to the program's environment
// and tmux's settings read from the file conf ("" for none).
func (b *berthBinary) startTUIWith(env []string, conf string) *tmuxSession {
	t := b.t
	t.Helper()
	s := &tmuxSession{t: t, socket: filepath.Join(t.TempDir(), "tmux")}
	argv := append(append([]string{"env", "TERM=xterm-256color"}, env...), b.path)
	cmdline := strings.Join(append(argv, b.args...), " ") + " 2>" + filepath.Join(t.TempDir(), "stderr")
	var tmuxArgs []string
	if conf != "" {
		tmuxArgs = []string{"-f", conf}
	}
	if out, err := s.tmux(append(tmuxArgs, "new-session", "-d", "-s", "ui", "-x", "100", "-y", "30", cmdline)...); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { s.tmux("kill-server") })
	return s
}

var linesRE = regexp.MustCompile(`· (\d+) lines`)

func TestEndToEnd(t *testing.T) {
	b := newBerthBinary(t)
	b.must(nil, "run", "-d", "--name", "logger", "busybox", "sh", "-c", "while :; do echo tick; echo tock >&2; sleep 0.2; done")
	b.must(nil, "run", "-d", "--name", "disk", "busybox", "sh", "-c", "while :; do dd if=/dev/zero of=/tmp/f bs=64k count=16 conv=fsync 2>/dev/null; sleep 0.5; done")
	s := b.startTUI()

	// The list, with the header's counts.
	s.waitText("CONTAINERS 2/2")
	s.waitFor("both containers up", func(scr string) bool {
		return regexp.MustCompile(`disk .* Up `).MatchString(scr) && regexp.MustCompile(`logger .* Up `).MatchString(scr)
	})

	// Images, with the containers made from busybox.
	s.send("Tab")
	s.waitFor("the busybox image", func(scr string) bool {
		return regexp.MustCompile(`busybox +latest +[0-9a-f]{12} .* 2\n`).MatchString(scr)
	})
	s.waitText("Layers of busybox:latest")
	// The host's events, disk's start among them; on to the containers.
	s.send("Tab")
	s.waitFor("disk's start among the events", func(scr string) bool {
		return regexp.MustCompile(`container +start +disk`).MatchString(scr)
	})
	s.send("Tab")
	s.waitText("sorted by NAME")

	// The timeline and inspect of disk.
	s.send("h")
	s.waitText("Timeline: disk")
	s.waitText("started")
	s.send("Escape", "i")
	s.waitText(`"Args": [`)
	s.waitText("2>/dev/null")
	s.send("Escape")

	// Logs of logger: lines arrive while we watch.
	s.send("j", "l")
	scr := s.waitText("Logs: logger")
	s.waitText("tick")
	count := func(scr string) int {
		m := linesRE.FindStringSubmatch(scr)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	first := count(scr)
	s.waitFor("more log lines", func(scr string) bool { return count(scr) > first+3 })
	s.waitText("▌tock")

	// Top of disk: its processes, with I/O figures moving.
	s.send("Escape", "k", "t")
	s.waitText("Top: disk")
	s.waitText("WRITE/s")
	s.waitFor("a process writing", func(scr string) bool {
		return regexp.MustCompile(`\d+(\.\d+)?[kM]B/s +sh -c while`).MatchString(scr)
	})

	// A shell in a pane beside the processes.
	s.send("E")
	s.waitText("shell: disk")
	s.sendText("echo pane-$((6*7))")
	s.send("Enter")
	s.waitText("pane-42")
	s.send("C-]", "X")
	s.waitFor("the pane closed", func(scr string) bool { return !strings.Contains(scr, "shell: disk") })

	// A full-screen shell, and back.
	s.send("Escape", "e")
	s.waitFor("the full-screen shell", func(scr string) bool { return !strings.Contains(scr, "CONTAINERS") && strings.Contains(scr, "#") })
	s.sendText("echo full-$((5*5))")
	s.send("Enter")
	s.waitText("full-25")
	s.sendText("exit")
	s.send("Enter")
	s.waitText("back from the shell of disk")
	s.waitText("CONTAINERS 2/2")

	// Kill disk with the signal menu, then start it again.
	s.send("K", "j", "Enter")
	s.waitFor("disk killed", func(scr string) bool { return regexp.MustCompile(`disk .* Exited \(137\)`).MatchString(scr) })
	s.send("s")
	s.waitFor("disk up again", func(scr string) bool { return regexp.MustCompile(`disk .* Up `).MatchString(scr) })

	// q quits and the terminal is given back.
	s.send("q")
	s.waitQuit()
}

// TestEndToEndBuild builds an image from the images screen of the real
// binary: the form, the log streaming, the new image in the list.
func TestEndToEndBuild(t *testing.T) {
	b := newBerthBinary(t)
	dir := t.TempDir()
	dockerfile := "FROM busybox:latest\nRUN for i in 1 2 3; do echo e2e-line-$i; done\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	s := b.startTUI()
	s.waitText("CONTAINERS 0/0")
	s.send("Tab")
	s.waitText("Layers of busybox:latest")
	s.send("B")
	s.waitText("Build an image from a Dockerfile")
	s.sendText("e2e:1")
	s.send("Up", "Up", "BSpace")
	s.sendText(dir)
	s.send("Enter")
	s.waitText("e2e-line-3")
	s.waitText("✓ Built e2e:1")
	s.waitFor("the new image in the list", func(scr string) bool {
		return regexp.MustCompile(`e2e +1 +[0-9a-f]{12} `).MatchString(scr)
	})
	s.send("Escape")
	s.waitText("Layers of")
}
