package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"berth/compose"
	"berth/engine"
)

// composeContainer is a container of a compose project, as docker
// compose labels it, created at minute n before testNow.
func composeContainer(idc byte, project, service string, number int, created time.Duration, state engine.State) *engine.Container {
	name := project + "-" + service + "-" + string(rune('0'+number))
	return &engine.Container{
		ID: id(idc), Name: "/" + name, Path: "sh", Created: testNow.Add(-created),
		Config: engine.ContainerConfig{Image: "shop-" + service, Labels: map[string]string{
			compose.LabelProject: project, compose.LabelService: service, compose.LabelNumber: string(rune('0' + number)),
			compose.LabelWorkingDir: "/srv/" + project, compose.LabelConfigFiles: "/srv/" + project + "/compose.yaml",
		}},
		State: state,
	}
}

func up(d time.Duration) engine.State {
	return engine.State{Status: engine.StatusRunning, Pid: 100, StartedAt: testNow.Add(-d)}
}

func withHealth(s engine.State, status string) engine.State {
	s.Health = &engine.Health{Status: status}
	return s
}

func exited(code int) engine.State {
	return engine.State{Status: engine.StatusExited, ExitCode: code, StartedAt: testNow.Add(-time.Hour), FinishedAt: testNow.Add(-10 * time.Minute)}
}

// composeBackend is the demo's four containers beside a compose project
// "shop": a healthy web, an unhealthy db, three worker replicas (one
// failed), a migration that completed; and a second project "blog", all
// up.
func composeBackend() *fakeBackend {
	b := demoBackend()
	b.containers = append(b.containers,
		composeContainer('m', "shop", "migrate", 1, 10*time.Minute, exited(0)),
		composeContainer('n', "shop", "db", 1, 11*time.Minute, withHealth(up(9*time.Minute), engine.HealthUnhealthy)),
		composeContainer('o', "shop", "worker", 2, 7*time.Minute, up(7*time.Minute)),
		composeContainer('p', "shop", "worker", 1, 8*time.Minute, up(8*time.Minute)),
		composeContainer('q', "shop", "worker", 3, 6*time.Minute, exited(1)),
		composeContainer('r', "shop", "web", 1, 5*time.Minute, withHealth(up(5*time.Minute), engine.HealthHealthy)),
		composeContainer('s', "blog", "app", 1, 3*time.Minute, up(3*time.Minute)),
	)
	b.logs[id('r')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-3 * time.Second), Line: []byte("web listening on :80\n")},
		{Stream: "stdout", Time: testNow.Add(-time.Second), Line: []byte("GET / 200\n")},
	}
	b.logs[id('n')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-4 * time.Second), Line: []byte("db ready\n")},
		{Stream: "stderr", Time: testNow.Add(-2 * time.Second), Line: []byte("db: slow query\n")},
	}
	b.logs[id('o')] = []engine.LogEntry{
		{Stream: "stdout", Time: testNow.Add(-1500 * time.Millisecond), Line: []byte("worker 2 took a job\n")},
	}
	return b
}

// rowNames are the list's rows: a container's name (indented as drawn),
// a heading's "[title]".
func rowNames(m model) []string {
	var out []string
	for i, c := range m.containers.rows {
		if g := m.containers.groupAt(i); g != nil {
			out = append(out, treeIndent(m.containers.depthAt(i))+"["+g.title()+"]")
			continue
		}
		out = append(out, treeIndent(m.containers.depthAt(i))+c.DisplayName())
	}
	return out
}

func TestComposeProjectsAreGrouped(t *testing.T) {
	m := newTestModel(t, composeBackend())
	golden(t, "compose_containers", m)
	want := []string{
		"[blog]", " blog-app-1",
		"[shop]", " shop-db-1", " shop-migrate-1", " shop-web-1",
		" [shop worker]", "  shop-worker-1", "  shop-worker-2", "  shop-worker-3",
		"old_job", "sleepy", "ticker", "web",
	}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	s := screen(m)
	for _, line := range []string{"shop · 4 services", "4/6 running · 1 unhealthy · 1 exited · 1 completed", "blog · 1 service", "1/1 running", "worker ×3", "2/3 running · 1 exited", "11 containers (all)", "  db-1 ", "   worker-3 "} {
		if !strings.Contains(s, line) {
			t.Errorf("the screen lacks %q:\n%s", line, s)
		}
	}
	// Running only: the heading still counts every container.
	m = press(t, m, "v")
	if got := rowNames(m); slices.Contains(got, " shop-migrate-1") || !slices.Contains(got, "[shop]") {
		t.Errorf("running only: %q", got)
	}
	if !strings.Contains(screen(m), "4/6 running") {
		t.Error("running only, the heading counts only what it shows")
	}
}

func TestComposeFold(t *testing.T) {
	m := newTestModel(t, composeBackend())
	m = press(t, m, "j", "j", "z") // fold shop
	if got := rowNames(m); !slices.Equal(got[:3], []string{"[blog]", " blog-app-1", "[shop]"}) || got[3] != "old_job" {
		t.Fatalf("shop folded: %q", got)
	}
	if g := m.containers.selectedGroup(); g == nil || g.project != "shop" {
		t.Fatal("the cursor left the folded heading")
	}
	if !strings.Contains(screen(m), "▸ shop") {
		t.Error("a folded heading is not marked ▸")
	}
	m = press(t, m, "enter")                      // enter unfolds a heading
	m = press(t, m, "j", "j", "j", "j", "j", "j") // shop-worker-2
	if c := m.containers.selected(); c == nil || c.DisplayName() != "shop-worker-2" {
		t.Fatalf("cursor on %v", rowNames(m)[m.containers.nav.Cursor])
	}
	m = press(t, m, "z") // on a container: folds its heading, the service
	if got := rowNames(m); slices.Contains(got, "  shop-worker-1") || m.containers.selectedGroup().title() != "shop worker" {
		t.Errorf("z on a replica: %q, cursor %d", got, m.containers.nav.Cursor)
	}
	// Refreshes keep the fold.
	m = step(t, m, refreshMsg{})
	if slices.Contains(rowNames(m), "  shop-worker-1") {
		t.Error("a refresh unfolded the service")
	}
}

func TestComposeProjectActions(t *testing.T) {
	b := composeBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j") // shop
	m = press(t, m, "r")
	m = press(t, m, "x")
	if !strings.Contains(screen(m), "Stop project shop?") {
		t.Fatalf("no confirmation of the stop:\n%s", screen(m))
	}
	m = press(t, m, "y")
	m = press(t, m, "s")
	// Restart: every container, oldest first; stop: the running ones,
	// newest first; start: the stopped ones, oldest first.
	want := []string{
		"restart " + id('n'), "restart " + id('m'), "restart " + id('p'), "restart " + id('o'), "restart " + id('q'), "restart " + id('r'),
		"stop " + id('r'), "stop " + id('o'), "stop " + id('p'), "stop " + id('n'),
		"start " + id('m'), "start " + id('q'),
	}
	if got := b.callLog(); !slices.Equal(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(screen(m), "started project shop") {
		t.Errorf("status line:\n%s", screen(m))
	}
	// On the service's heading, the service alone.
	b.calls = nil
	m = press(t, m, "j", "j", "j", "j", "r")
	if got := b.callLog(); !slices.Equal(got, []string{"restart " + id('p'), "restart " + id('o'), "restart " + id('q')}) {
		t.Errorf("restart of the worker service: %q", got)
	}
}

func TestComposeUpAndDown(t *testing.T) {
	b := composeBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "U")
	if s := screen(m); !strings.Contains(s, "project shop is up") {
		t.Errorf("status after up:\n%s", s)
	}
	m = press(t, m, "D")
	golden(t, "compose_down_confirm", m)
	m = press(t, m, "y")
	want := []string{"compose up shop from /srv/shop/compose.yaml", "compose down shop"}
	if got := b.callLog(); !slices.Equal(got, want) {
		t.Errorf("calls\n got %q\nwant %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "project shop is down") {
		t.Errorf("status after down:\n%s", s)
	}
	// Progress reaches the status line while it runs.
	next, _ := m.Update(composeProgressMsg{line: " Container shop-web-1  Started"})
	if s := screen(next.(model)); !strings.Contains(s, " Container shop-web-1  Started") {
		t.Errorf("progress line not shown:\n%s", s)
	}
	// On a container, up and down do nothing.
	b.calls = nil
	m = press(t, m, "j", "U", "D")
	if got := b.callLog(); len(got) != 0 || m.dialog != nil {
		t.Errorf("up/down on a container: %q", got)
	}
}

func TestComposeProjectActionStopsAtTheFirstFailure(t *testing.T) {
	b := composeBackend()
	b.fail = engine.ErrNotImplemented
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "r")
	if got := b.callLog(); len(got) != 1 {
		t.Errorf("went on after a failure: %q", got)
	}
	if !strings.Contains(screen(m), "✗ restart project shop: shop-db-1: not implemented") {
		t.Errorf("status line:\n%s", screen(m))
	}
}

func TestComposeProjectLogs(t *testing.T) {
	b := composeBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "l")
	m = await(t, m, "the project's log", func(m model) bool { return len(m.logs.lines) == 5 && m.logs.ended })
	golden(t, "compose_logs", m)
	var got []string
	for _, l := range m.logs.lines {
		got = append(got, l.from.prefix+" "+l.text)
	}
	want := []string{"db-1 db ready", "web-1 web listening on :80", "db-1 db: slow query", "worker-2 worker 2 took a job", "web-1 GET / 200"}
	if !slices.Equal(got, want) {
		t.Errorf("lines\n got %q\nwant %q", got, want)
	}
	if s := screen(m); !strings.Contains(s, "Logs: shop") || !strings.Contains(s, "worker-2  | worker 2 took a job") {
		t.Errorf("screen:\n%s", s)
	}
}

func TestComposeProjectLogsFollowWhatStarts(t *testing.T) {
	b := composeBackend()
	m := newTestModel(t, b)
	m = press(t, m, "j", "j", "l")
	m = await(t, m, "the project's log", func(m model) bool { return len(m.logs.lines) == 5 && m.logs.ended })
	// The fake's logs end at once: every follower has ended. The failed
	// worker is started and logs: the next refresh follows it.
	b.mu.Lock()
	b.find(id('q')).State = up(0)
	b.logs[id('q')] = []engine.LogEntry{{Stream: "stdout", Time: testNow, Line: []byte("worker 3 back\n")}}
	b.mu.Unlock()
	m = step(t, m, refreshMsg{})
	m = await(t, m, "the started worker's line", func(m model) bool { return len(m.logs.lines) == 6 })
	if l := m.logs.lines[5]; l.from.prefix != "worker-3" || l.text != "worker 3 back" {
		t.Errorf("last line %s %q", l.from.prefix, l.text)
	}
	// Another refresh repeats nothing.
	m = step(t, m, refreshMsg{})
	m = settleLate(t, m)
	if n := len(m.logs.lines); n != 6 {
		t.Errorf("%d lines after a second refresh", n)
	}
}

func TestProjectHealth(t *testing.T) {
	st := newStyles(true, true)
	for _, tc := range []struct {
		name   string
		states []engine.State
		want   string
		level  healthLevel
	}{
		{"all up", []engine.State{up(time.Minute), withHealth(up(time.Minute), engine.HealthHealthy)}, "2/2 running", healthGood},
		{"one-shot done", []engine.State{up(time.Minute), exited(0)}, "1/2 running · 1 completed", healthGood},
		{"unhealthy", []engine.State{withHealth(up(time.Minute), engine.HealthUnhealthy)}, "1/1 running · 1 unhealthy", healthBad},
		{"starting", []engine.State{withHealth(up(time.Minute), engine.HealthStarting)}, "1/1 running · 1 starting", healthWarning},
		{"failed", []engine.State{up(time.Minute), exited(2)}, "1/2 running · 1 exited", healthBad},
		{"restarting", []engine.State{{Status: engine.StatusRestarting}}, "0/1 running · 1 restarting", healthBad},
		{"paused", []engine.State{{Status: engine.StatusPaused}}, "0/1 running · 1 paused", healthWarning},
		{"never started", []engine.State{{Status: engine.StatusCreated}}, "0/1 running · 1 created", healthWarning},
		{"dead", []engine.State{{Status: engine.StatusDead}}, "0/1 running · 1 exited", healthBad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cs []*engine.Container
			for _, s := range tc.states {
				cs = append(cs, &engine.Container{State: s})
			}
			h := healthOf(cs)
			if got := joinCells(h.segments(&st), " · ", nil); got != tc.want || h.level() != tc.level {
				t.Errorf("health %q level %d, want %q level %d", got, h.level(), tc.want, tc.level)
			}
		})
	}
}

func TestComposeReplicasInNumberOrder(t *testing.T) {
	// Replica 10 after replica 9: the number, not the name, orders them.
	nine := composeContainer('a', "p", "w", 9, time.Minute, up(time.Minute))
	ten := composeContainer('b', "p", "w", 1, 2*time.Minute, up(time.Minute))
	ten.Config.Labels[compose.LabelNumber] = "10"
	rows, tree := composeTree([]*engine.Container{ten, nine}, []*engine.Container{ten, nine}, nil, map[string]bool{})
	if len(rows) != 4 || tree[1].group == nil || rows[2] != nine || rows[3] != ten {
		t.Errorf("rows %v tree %v", rows, tree)
	}
	// Without a project, nothing changes.
	plain := &engine.Container{ID: "x"}
	if rows, tree := composeTree([]*engine.Container{plain}, nil, nil, nil); len(rows) != 1 || tree != nil {
		t.Errorf("a container of no project: %v %v", rows, tree)
	}
}

func TestContainersScreenKeysDoNotClash(t *testing.T) {
	k := defaultKeys()
	seen := map[string]string{}
	all := k.bindings()
	for name, b := range all {
		if !strings.HasPrefix(name, "containers.") && !strings.HasPrefix(name, "global.") {
			continue
		}
		for _, key := range b.Keys() {
			if other, ok := seen[key]; ok {
				t.Errorf("%s is bound to both %s and %s", key, other, name)
			}
			seen[key] = name
		}
	}
}

func TestComposeProjectsOnTwoHosts(t *testing.T) {
	local, far := composeBackend(), composeBackend()
	far.containers = far.containers[4:] // the project alone
	m := newHostsModel(t, HostBackend{Name: "local", Backend: local}, HostBackend{Name: "far", Backend: far})
	m = await(t, m, "both hosts", func(m model) bool { return m.containers.containerRows() == 18 })
	golden(t, "compose_hosts", m)
	// The same project on two hosts is two projects, each its host's.
	var shops []int
	for i := range m.containers.rows {
		if g := m.containers.groupAt(i); g != nil && g.title() == "shop" {
			shops = append(shops, i)
		}
	}
	if len(shops) != 2 {
		t.Fatalf("shop headings at %v:\n%s", shops, screen(m))
	}
	m.containers.nav.Cursor = shops[1]
	if g := m.containers.selectedGroup(); m.sh.on(g.host).hostName != "far" {
		t.Fatalf("the second shop is on %s", m.sh.on(g.host).hostName)
	}
	m = press(t, m, "r")
	if len(local.callLog()) != 0 || len(far.callLog()) != 6 {
		t.Errorf("restart of far's shop: local %q, far %q", local.callLog(), far.callLog())
	}
	if !strings.Contains(screen(m), "restarted project shop on far") {
		t.Errorf("status:\n%s", screen(m))
	}
}

func TestShortName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"shop-web-1", "web-1"},        // Docker Compose v2, berth compose
		{"shop_web_1", "web-1"},        // docker-compose 1.29
		{"my-own-name", "my-own-name"}, // container_name: shown whole
	} {
		c := composeContainer('a', "shop", "web", 1, 0, up(0))
		c.Name = "/" + tc.name
		if got := shortName(c); got != tc.want {
			t.Errorf("shortName(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestComposeFilterAndCopy(t *testing.T) {
	m := newTestModel(t, composeBackend())
	m = press(t, m, "/")
	m = typeText(t, m, "worker")
	m = press(t, m, "enter")
	want := []string{"[shop]", " [shop worker]", "  shop-worker-1", "  shop-worker-2", "  shop-worker-3"}
	if got := rowNames(m); !slices.Equal(got, want) {
		t.Errorf("filtered by service: %q", got)
	}
	m = press(t, m, "esc", "g", "j", "j")
	if text, what := m.containers.copyText(); text != "shop" || what != "the name of project shop" {
		t.Errorf("copy on a heading: %q, %q", text, what)
	}
}
