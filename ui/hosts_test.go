package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine"
)

// farBackend is a second machine: db, a web of its own that has the ID
// of the first machine's web (the same data root reached twice looks
// so), busybox with the same ID as on the first and postgres.
func farBackend() *fakeBackend {
	db := &engine.Container{
		ID: id('e'), Name: "/db", Path: "postgres",
		Config: engine.ContainerConfig{Image: "postgres:16"},
		State:  engine.State{Status: engine.StatusRunning, Pid: 5000, StartedAt: testNow.Add(-3 * time.Hour)},
	}
	web := &engine.Container{
		ID: id('a'), Name: "/web", Path: "httpd",
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State: engine.State{Status: engine.StatusExited, StartedAt: testNow.Add(-time.Hour),
			FinishedAt: testNow.Add(-10 * time.Minute)},
	}
	return &fakeBackend{
		host: Host{Time: testNow, CPUBusy: 500, CPUTotal: 10000,
			MemUsed: 1 << 30, MemTotal: 4 << 30, DiskUsed: 900_000_000, Images: 2},
		containers: []*engine.Container{db, web},
		stats: map[string]*engine.Stats{
			db.ID: {ID: db.ID, Time: testNow, CPUUsage: time.Second, MemoryUsage: 64 << 20, MemoryLimit: 4 << 30, PidsCurrent: 6},
		},
		procs: map[string][]engine.Process{
			db.ID: {{HostPID: 5000, PID: 1, User: "postgres", State: "S", CPUTime: time.Second,
				StartTime: testNow.Add(-3 * time.Hour), RSS: 30 << 20, Command: "postgres -D /data"}},
		},
		logs: map[string][]engine.LogEntry{
			db.ID: {{Stream: "stdout", Time: testNow.Add(-time.Minute), Line: []byte("ready to accept connections\n")}},
		},
		images: []Image{
			{ID: "sha256:" + id('1'), Repository: "busybox", Tag: "latest", Created: testNow.Add(-72 * time.Hour), Size: 4_260_000, Containers: 1},
			{ID: "sha256:" + id('4'), Repository: "postgres", Tag: "16", Created: testNow.Add(-48 * time.Hour), Size: 150_000_000, Containers: 1},
		},
		layers: map[string][]Layer{
			"sha256:" + id('1'): {{ID: "sha256:" + id('7'), Created: testNow.Add(-72 * time.Hour), CreatedBy: "far's own layer", Size: 4_260_000}},
		},
		events: map[string][]Event{
			db.ID: {{Time: testNow.Add(-3 * time.Hour), Action: "start"}},
		},
		terminal: newFakeTerminal(),
	}
}

// downBackend is a host that does not answer: its lists fail with err,
// or, with err nil, block until the test ends.
type downBackend struct {
	*fakeBackend
	err   error
	block chan struct{}
}

func newDownBackend(t *testing.T, err error) *downBackend {
	d := &downBackend{fakeBackend: &fakeBackend{}, err: err, block: make(chan struct{})}
	t.Cleanup(func() { close(d.block) })
	return d
}

func (d *downBackend) wait(ctx context.Context) error {
	if d.err != nil {
		return d.err
	}
	select {
	case <-d.block:
	case <-ctx.Done():
	}
	return errors.New("gave up")
}

func (d *downBackend) Host(ctx context.Context) (Host, error) { return Host{}, d.wait(ctx) }
func (d *downBackend) List(ctx context.Context, _ engine.ListOptions) ([]*engine.Container, error) {
	return nil, d.wait(ctx)
}
func (d *downBackend) Images(ctx context.Context) ([]Image, error) { return nil, d.wait(ctx) }

// newHostsModel is newTestModel over several hosts, once the first has
// listed its containers.
func newHostsModel(t *testing.T, hosts ...HostBackend) model {
	t.Helper()
	m, err := newModel(t.Context(), hosts, Options{Now: func() time.Time { return testNow }, Interval: time.Hour, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	return await(t, m, "the first list", func(m model) bool { return m.containers.loaded && m.hostLoaded })
}

// nearBackend is the demo machine with no port published: how PORTS
// reads is the one-host golden files' business, not these.
func nearBackend() *fakeBackend {
	b := demoBackend()
	for _, c := range b.containers {
		c.HostConfig.PortBindings, c.Config.ExposedPorts, c.NetworkSettings = nil, nil, nil
	}
	return b
}

// twoHosts is local (the demo machine) and far.
func twoHosts(t *testing.T) (model, *fakeBackend, *fakeBackend) {
	local, far := nearBackend(), farBackend()
	m := newHostsModel(t, HostBackend{Name: "local", Backend: local}, HostBackend{Name: "far", Backend: far})
	return await(t, m, "both hosts", func(m model) bool { return len(m.containers.rows) == 6 }), local, far
}

// rowOf moves the cursor to the row of name on host and returns the model.
func rowOf(t *testing.T, m model, name, host string) model {
	t.Helper()
	for i, c := range m.containers.rows {
		if c.DisplayName() == name && m.sh.on(m.containers.hostOf[c]).hostName == host {
			m.containers.nav.Cursor = i
			return m
		}
	}
	t.Fatalf("no row %s on %s:\n%s", name, host, screen(m))
	return m
}

func TestHostsMergedWithHostColumn(t *testing.T) {
	m, _, _ := twoHosts(t)
	golden(t, "hosts_containers", m)
	out := screen(m)
	for _, want := range []string{"HOST local (1/2)", "HOST ", "CONTAINERS 3/4"} {
		if !strings.Contains(out, want) {
			t.Errorf("the list lacks %q:\n%s", want, out)
		}
	}
	// The two webs share an ID but are two rows, with their own state.
	webs := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " web ") {
			webs++
		}
	}
	if webs != 2 {
		t.Errorf("%d rows of web, want one per host:\n%s", webs, out)
	}
	// The filter matches the host's name.
	m = press(t, m, "/")
	m = typeText(t, m, "on far")
	if names := namesOf(m.containers.rows, nil); names != "db, web" {
		t.Errorf("filter on far: %s", names)
	}
	m = press(t, m, "esc", "esc", "tab")
	m = await(t, m, "both hosts' images", func(m model) bool { return len(m.images.rows) == 5 })
	golden(t, "hosts_images", m)
}

func TestHostsOneHostShowsNoHost(t *testing.T) {
	m := newTestModel(t, demoBackend())
	if out := screen(m); strings.Contains(out, "HOST") {
		t.Errorf("one host shows a HOST:\n%s", out)
	}
	m = press(t, m, "?")
	if strings.Contains(screen(m), "current host") {
		t.Error("help names the host key with one host")
	}
	m = press(t, m, "esc", "H")
	if m.dialog != nil {
		t.Error("H opened the host menu with one host")
	}
}

func TestHostsActionsGoToTheRowsHost(t *testing.T) {
	m, local, far := twoHosts(t)
	m = rowOf(t, m, "web", "far")
	m = press(t, m, "s", "R")
	m = typeText(t, m, "2")
	m = press(t, m, "enter")
	if !strings.Contains(screen(m), "renamed web on far to web2") {
		t.Errorf("the status line does not name the host:\n%s", screen(m))
	}
	m = rowOf(t, m, "db", "far")
	m = press(t, m, "p", "e")
	m = rowOf(t, m, "ticker", "local")
	m = press(t, m, "r")
	// Marks across hosts: each stop goes to its own host, and marking
	// far's web leaves local's web (same ID) unmarked.
	m = rowOf(t, m, "web", "far")
	m = press(t, m, "space")
	m = rowOf(t, m, "web", "local")
	if m.containers.marks[m.containers.keyOf(m.containers.selected())] {
		t.Error("marking far's web marked local's")
	}
	m = press(t, m, "space", "x", "y")
	if !strings.Contains(screen(m), "stopped: web on local, web on far") {
		t.Errorf("the status line does not name the hosts:\n%s", screen(m))
	}
	wantFar := []string{"start " + id('a'), "rename " + id('a') + " web2", "pause " + id('e'), "handoff " + id('e') + " shell", "stop " + id('a')}
	wantLocal := []string{"stop " + id('b'), "start " + id('b'), "stop " + id('a')} // restart: a stop, then a start
	if got := far.callLog(); strings.Join(got, "|") != strings.Join(wantFar, "|") {
		t.Errorf("far's calls\n got %q\nwant %q", got, wantFar)
	}
	if got := local.callLog(); strings.Join(got, "|") != strings.Join(wantLocal, "|") {
		t.Errorf("local's calls\n got %q\nwant %q", got, wantLocal)
	}
	// Images: the row's host removes it and shows its layers.
	m = press(t, m, "tab")
	m = await(t, m, "both hosts' images", func(m model) bool { return len(m.images.rows) == 5 })
	for i, im := range m.images.rows {
		if im.Repository == "busybox" && im.host == 1 {
			m.images.nav.Cursor = i
		}
	}
	m = press(t, m, "j", "k") // moves away and back: loads the layers
	if !strings.Contains(screen(m), "far's own layer") {
		t.Errorf("the layers are not far's:\n%s", screen(m))
	}
	m = press(t, m, "d", "j", "enter") // in use: force is the menu's second choice
	if got := far.callLog(); got[len(got)-1] != "rmi busybox:latest force=true" {
		t.Errorf("far's last call %q", got[len(got)-1])
	}
	if got := local.callLog(); len(got) != len(wantLocal) {
		t.Errorf("local removed an image of far: %q", got)
	}
}

func TestHostsScreensOnTheSecondHost(t *testing.T) {
	m, local, far := twoHosts(t)
	m = rowOf(t, m, "db", "far")
	m = press(t, m, "l")
	m = settleLate(t, m)
	if out := screen(m); !strings.Contains(out, "Logs: db on far") || !strings.Contains(out, "ready to accept connections") {
		t.Errorf("logs of far's db:\n%s", out)
	}
	m = press(t, m, "E")
	m = await(t, m, "the pane", panes(1))
	golden(t, "hosts_logs_pane", m)
	if !strings.Contains(screen(m), "shell: db on far") {
		t.Errorf("pane title:\n%s", screen(m))
	}
	m = press(t, m, "ctrl+]", "esc")
	m = rowOf(t, m, "db", "far")
	m = press(t, m, "t")
	m = settleLate(t, m)
	if out := screen(m); !strings.Contains(out, "Top: db on far") || !strings.Contains(out, "postgres") {
		t.Errorf("top of far's db:\n%s", out)
	}
	m = press(t, m, "esc", "A")
	m = await(t, m, "the attach pane", panes(2))
	m = press(t, m, "ctrl+]", "esc", "i")
	m = settleLate(t, m)
	if out := screen(m); !strings.Contains(out, "Inspect: db on far") || !strings.Contains(out, "postgres") {
		t.Errorf("inspect of far's db:\n%s", out)
	}
	m = press(t, m, "esc", "h")
	if !strings.Contains(screen(m), "Timeline: db on far") {
		t.Errorf("timeline of far's db:\n%s", screen(m))
	}
	cols, rows := m.terms.openSize(100, m.bodyHeight())
	want := []string{"terminal " + id('e') + " shell " + dims(cols, rows), "terminal " + id('e') + " attach " + dims(cols, rows)}
	if got := far.callLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("far's calls\n got %q\nwant %q", got, want)
	}
	if got := local.callLog(); len(got) != 0 {
		t.Errorf("local got calls: %q", got)
	}
}

func dims(cols, rows int) string { return fmt.Sprintf("%dx%d", cols, rows) }

func TestHostsUnreachableHostDoesNotBlock(t *testing.T) {
	local := nearBackend()
	hung := newDownBackend(t, nil)
	refused := newDownBackend(t, errors.New("dial ssh: connection refused"))
	m := newHostsModel(t, HostBackend{Name: "local", Backend: local},
		HostBackend{Name: "hung", Backend: hung}, HostBackend{Name: "refused", Backend: refused})
	m = await(t, m, "local's rows and refused's failure", func(m model) bool {
		return len(m.containers.rows) == 4 && m.containers.hostRows.answered[2]
	})
	golden(t, "hosts_unreachable", m)
	out := screen(m)
	for _, want := range []string{"… hung: waiting for its list of containers", "✗ refused: list of containers: dial ssh: connection refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
	// A new container on local shows on the next refresh, hung or not.
	local.mu.Lock()
	local.containers = append(local.containers, &engine.Container{ID: id('f'), Name: "/fresh",
		Config: engine.ContainerConfig{Image: "busybox:latest"}, State: engine.State{Status: engine.StatusCreated}})
	local.mu.Unlock()
	m = step(t, m, refreshMsg{})
	if len(m.containers.rows) != 5 {
		t.Errorf("refresh with a hung host: rows %s", namesOf(m.containers.rows, nil))
	}
	// The images screen alike; actions on local still work.
	m = press(t, m, "tab")
	m = await(t, m, "local's images", func(m model) bool { return len(m.images.rows) == 3 })
	if !strings.Contains(screen(m), "… hung: waiting for its list of images") {
		t.Errorf("images screen:\n%s", screen(m))
	}
	m = press(t, m, "tab", "tab") // by way of the events
	m = rowOf(t, m, "fresh", "local")
	m = press(t, m, "s")
	if got := local.callLog(); len(got) != 1 || got[0] != "start "+id('f') {
		t.Errorf("local's calls %q", got)
	}
}

func TestHostsCurrentHostPick(t *testing.T) {
	m, local, far := twoHosts(t)
	m = press(t, m, "?")
	if !strings.Contains(screen(m), "H           current host") {
		t.Errorf("help lacks the host key:\n%s", screen(m))
	}
	m = press(t, m, "esc", "H")
	if m.dialog == nil || !strings.Contains(screen(m), "Current host") {
		t.Fatalf("H opened no menu:\n%s", screen(m))
	}
	m = press(t, m, "j", "enter")
	m = await(t, m, "far's header", func(m model) bool { return m.hostLoaded })
	if out := screen(m); !strings.Contains(out, "HOST far (2/2)") || !strings.Contains(out, "CONTAINERS 1/2") {
		t.Errorf("header after picking far:\n%s", out)
	}
	// New things go to far: a run from the containers screen, a pull.
	m = press(t, m, "n")
	if !strings.Contains(screen(m), "Run on far") {
		t.Errorf("run form:\n%s", screen(m))
	}
	m = typeText(t, m, "busybox")
	m = press(t, m, "tab")
	m = typeText(t, m, "fresh")
	m = press(t, m, "enter", "tab", "p")
	if !strings.Contains(screen(m), "Pull an image on far") {
		t.Errorf("pull prompt:\n%s", screen(m))
	}
	m = typeText(t, m, "nginx:1")
	m = press(t, m, "enter")
	m = settleLate(t, m)
	m = press(t, m, "B")
	if !strings.Contains(screen(m), "Build on far") {
		t.Errorf("build form:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	// Running from an image goes to the image's host: local's alpine.
	for i, im := range m.images.rows {
		if im.Repository == "alpine" {
			m.images.nav.Cursor = i
		}
	}
	m = press(t, m, "n")
	if !strings.Contains(screen(m), "Run on local") {
		t.Errorf("run form from local's image:\n%s", screen(m))
	}
	m = press(t, m, "enter")
	if got := far.callLog(); len(got) != 2 || !strings.HasPrefix(got[0], "run fresh busybox []") || got[1] != "pull nginx:1" {
		t.Errorf("far's calls %q, want a run of fresh and a pull of nginx:1", got)
	}
	if got := local.callLog(); len(got) != 1 || !strings.HasPrefix(got[0], "run  alpine:3") {
		t.Errorf("local's calls %q", got)
	}
}

// countingBackend counts the list calls made of a backend.
type countingBackend struct {
	Backend
	lists, images, hosts atomic.Int32
}

func (c *countingBackend) List(ctx context.Context, o engine.ListOptions) ([]*engine.Container, error) {
	c.lists.Add(1)
	return c.Backend.List(ctx, o)
}

func (c *countingBackend) Images(ctx context.Context) ([]Image, error) {
	c.images.Add(1)
	return c.Backend.Images(ctx)
}

func (c *countingBackend) Host(ctx context.Context) (Host, error) {
	c.hosts.Add(1)
	return c.Backend.Host(ctx)
}

func TestHostsOneListPerHostPerRefresh(t *testing.T) {
	local, far := &countingBackend{Backend: demoBackend()}, &countingBackend{Backend: farBackend()}
	m := newHostsModel(t, HostBackend{Name: "local", Backend: local}, HostBackend{Name: "far", Backend: far})
	m = await(t, m, "both hosts", func(m model) bool { return len(m.containers.rows) == 6 })
	for _, c := range []*countingBackend{local, far} {
		c.lists.Store(0)
		c.images.Store(0)
		c.hosts.Store(0)
	}
	m = step(t, m, tickMsg{})
	if local.lists.Load() != 1 || far.lists.Load() != 1 {
		t.Errorf("a refresh listed local %d times, far %d times", local.lists.Load(), far.lists.Load())
	}
	// The header samples the current host only.
	if local.hosts.Load() != 1 || far.hosts.Load() != 0 {
		t.Errorf("a refresh sampled local %d times, far %d times", local.hosts.Load(), far.hosts.Load())
	}
	m = press(t, m, "tab")
	m = step(t, m, tickMsg{})
	if local.images.Load() != 2 || far.images.Load() != 2 {
		t.Errorf("opening images and a refresh listed local's %d times, far's %d times", local.images.Load(), far.images.Load())
	}
}

func TestHostsHungHostIsNotAskedAgain(t *testing.T) {
	hung := &countingBackend{Backend: newDownBackend(t, nil)}
	local := demoBackend()
	m, err := newModel(t.Context(), []HostBackend{{Name: "hung", Backend: hung}, {Name: "local", Backend: local}},
		Options{Now: func() time.Time { return testNow }, Interval: time.Hour, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	m = await(t, m, "local's rows", func(m model) bool { return len(m.containers.rows) == 4 })
	for range 3 {
		m = step(t, m, tickMsg{})
	}
	if n := hung.lists.Load(); n != 1 {
		t.Errorf("the hung host was listed %d times", n)
	}
	if n := hung.hosts.Load(); n > 2 {
		t.Errorf("the hung current host was sampled %d times", n)
	}
	if !strings.Contains(screen(m), "loading…") {
		t.Errorf("the header of a host that never answered:\n%s", screen(m))
	}
}

func TestHostsScreensFitTheWindow(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {80, 24}, {160, 50}} {
		for _, keys := range [][]string{nil, {"tab"}, {"?"}, {"H"}, {"G", "E"}, {"tab", "B"}} {
			far := farBackend()
			m := newHostsModel(t, HostBackend{Name: "local", Backend: demoBackend()}, HostBackend{Name: "far", Backend: far},
				HostBackend{Name: "refused-with-a-long-name", Backend: newDownBackend(t, errors.New("connection refused"))})
			m = step(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m = press(t, m, keys...)
			lines := strings.Split(screen(m), "\n")
			if len(lines) != size[1] {
				t.Errorf("%q at %dx%d: %d lines", keys, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Errorf("%q at %dx%d: line %d is %d wide: %q", keys, size[0], size[1], i, w, l)
					break
				}
			}
			m.terms.closeAll()
		}
	}
}

func TestHostsImagesNoteKeepsTheLayersPane(t *testing.T) {
	m := newHostsModel(t, HostBackend{Name: "local", Backend: demoBackend()},
		HostBackend{Name: "refused", Backend: newDownBackend(t, errors.New("connection refused"))})
	m = press(t, m, "tab")
	m = await(t, m, "local's images", func(m model) bool { return len(m.images.rows) == 3 })
	golden(t, "hosts_images_note", m)
}
