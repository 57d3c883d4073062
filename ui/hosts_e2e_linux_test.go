package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"berth/engine"
	"berth/host"
	"berth/internal/testenv"
)

// hostsTUIEnv names the file of hosts the test binary, re-run in tmux
// by TestEndToEndTwoHosts, shows in TestHostsTUIChild.
const hostsTUIEnv = "BERTH_UI_TEST_HOSTS"

// testHost is one machine of the child TUI: a data root of its own.
type testHost struct {
	Name, Root, RunRoot, Parent, Exe string
}

// sibling is a second machine beside b: another data root and run root
// on the same binary, configuration and cgroup parent, with busybox.
// Its containers go before b's cleanup takes the cgroup parent down.
func (b *berthBinary) sibling() *berthBinary {
	t := b.t
	t.Helper()
	s := &berthBinary{t: t, path: b.path, parent: b.parent,
		root: filepath.Join(testenv.DiskTempDir(t), "root"), runRoot: filepath.Join(t.TempDir(), "run")}
	s.args = []string{"--root", s.root, "--run-root", s.runRoot}
	for i, a := range b.args {
		if a == "--config" {
			s.args = append(s.args, a, b.args[i+1])
		}
	}
	t.Cleanup(func() {
		if ids := strings.Fields(s.must(nil, "ps", "-aq", "--no-trunc")); len(ids) > 0 {
			s.must(nil, append([]string{"rm", "-f"}, ids...)...)
		}
		s.must(nil, "network", "prune", "-f")
	})
	s.must(testenv.BusyboxTar(t), "import", "-", "busybox:latest")
	return s
}

func (b *berthBinary) testHost(name string) testHost {
	return testHost{Name: name, Root: b.root, RunRoot: b.runRoot, Parent: b.parent, Exe: b.path}
}

// startHostsTUI runs this test binary as the TUI over hosts in a 100x30
// tmux session of a private tmux server.
func startHostsTUI(t *testing.T, hosts ...testHost) *tmuxSession {
	t.Helper()
	data, err := json.Marshal(hosts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "hosts.json")
	if err := os.WriteFile(spec, data, 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: filepath.Join(dir, "tmux")}
	cmdline := fmt.Sprintf("env TERM=xterm-256color %s=%s %s -test.run '^TestHostsTUIChild$' 2>%s",
		hostsTUIEnv, spec, exe, filepath.Join(dir, "stderr"))
	if out, err := s.tmux("new-session", "-d", "-s", "ui", "-x", "100", "-y", "30", cmdline); err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { s.tmux("kill-server") })
	return s
}

// TestHostsTUIChild is the TUI of TestEndToEndTwoHosts: an EngineBackend
// on each data root it was given, as hosts of one program.
func TestHostsTUIChild(t *testing.T) {
	spec := os.Getenv(hostsTUIEnv)
	if spec == "" {
		t.Skip("the program TestEndToEndTwoHosts runs in tmux")
	}
	data, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []testHost
	if err := json.Unmarshal(data, &hosts); err != nil {
		t.Fatal(err)
	}
	var backends []HostBackend
	for _, h := range hosts {
		e, err := engine.New(engine.Options{Root: h.Root, RunRoot: h.RunRoot, CgroupRoot: "/sys/fs/cgroup",
			CgroupParent: h.Parent, Exe: h.Exe})
		if err != nil {
			t.Fatal(err)
		}
		backends = append(backends, HostBackend{Name: h.Name, Backend: NewEngineBackend(host.Local{Engine: e})})
	}
	if err := Run(t.Context(), backends, Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestEndToEndTwoHosts shows two machines (two data roots) in one
// program: the containers of both, then a logs screen and a shell pane
// on a container of the second.
func TestEndToEndTwoHosts(t *testing.T) {
	near := newBerthBinary(t)
	far := near.sibling()
	near.must(nil, "run", "-d", "--network", "none", "--name", "nearby", "busybox", "sh", "-c", "while :; do echo near-tick; sleep 0.3; done")
	far.must(nil, "run", "-d", "--network", "none", "--name", "remote", "busybox", "sh", "-c",
		`echo in-far-$((2*3)) >/marker; while :; do echo far-tick-$((1+1)); sleep 0.3; done`)
	s := startHostsTUI(t, near.testHost("local"), far.testHost("far"))

	// Both hosts' containers, each row with its host.
	s.waitText("HOST local (1/2)")
	s.waitFor("a container of each host", func(scr string) bool {
		return regexp.MustCompile(`local +nearby .* Up `).MatchString(scr) && regexp.MustCompile(`far +remote .* Up `).MatchString(scr)
	})

	// The logs of far's container, lines arriving.
	s.send("/")
	s.sendText("remote")
	s.send("Enter", "l")
	s.waitText("Logs: remote on far")
	s.waitText("far-tick-2")

	// A shell in a pane beside them, inside far's container.
	s.send("E")
	s.waitText("shell: remote on far")
	s.sendText("cat /marker")
	s.send("Enter")
	s.waitText("in-far-6")
	s.send("C-]", "X")
	s.waitFor("the pane closed", func(scr string) bool { return !strings.Contains(scr, "shell: remote on far") })

	// Its processes.
	s.send("Escape", "t")
	s.waitText("Top: remote on far")
	s.waitText("sh -c echo in-far")
	s.send("Escape", "q")
}
