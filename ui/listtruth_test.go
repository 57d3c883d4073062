package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/engine"
)

// busyBackend is demoBackend with the containers a week of use brings:
// a crash-looper, one restarting, one the kernel killed for memory, an
// unhealthy one, one that finished well.
func busyBackend() *fakeBackend {
	b := demoBackend()
	crash := &engine.Container{
		ID: id('e'), Name: "/crasher", Path: "sh", Args: []string{"-c", "exit 1"}, RestartCount: 5,
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State:  engine.State{Status: engine.StatusRunning, Pid: 4400, StartedAt: testNow.Add(-time.Second)},
	}
	looping := &engine.Container{
		ID: id('f'), Name: "/looper", Path: "sh", Args: []string{"-c", "exit 1"}, RestartCount: 3,
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State: engine.State{Status: engine.StatusRestarting, ExitCode: 1, StartedAt: testNow.Add(-5 * time.Second),
			FinishedAt: testNow.Add(-3 * time.Second)},
	}
	hog := &engine.Container{
		ID: id('g'), Name: "/memhog", Path: "sh",
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State: engine.State{Status: engine.StatusExited, OOMKilled: true, ExitCode: 137, StartedAt: testNow.Add(-time.Hour),
			FinishedAt: testNow.Add(-3 * time.Minute)},
	}
	sick := &engine.Container{
		ID: id('h'), Name: "/sickly", Path: "httpd",
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State: engine.State{Status: engine.StatusRunning, Pid: 4500, StartedAt: testNow.Add(-10 * time.Minute),
			Health: &engine.Health{Status: engine.HealthUnhealthy, FailingStreak: 3}},
	}
	done := &engine.Container{
		ID: id('i'), Name: "/done_job", Path: "true",
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State:  engine.State{Status: engine.StatusExited, StartedAt: testNow.Add(-time.Hour), FinishedAt: testNow.Add(-time.Hour)},
	}
	b.containers = append(b.containers, crash, looping, hog, sick, done)
	b.stats[crash.ID] = &engine.Stats{ID: crash.ID, Time: testNow, MemoryUsage: 1 << 20, MemoryLimit: 2 << 30, PidsCurrent: 1}
	b.stats[sick.ID] = &engine.Stats{ID: sick.ID, Time: testNow, MemoryUsage: 3 << 20, MemoryLimit: 2 << 30, PidsCurrent: 1}
	return b
}

// sizedModel is newTestModel at w x h after a second of traffic.
func sizedModel(t *testing.T, b *fakeBackend, w, h int) model {
	t.Helper()
	m := newTestModel(t, b)
	m = step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	advance(b, 250*time.Millisecond)
	b.mu.Lock()
	b.stats[id('a')].NetRx += 1500
	b.stats[id('a')].NetTx += 250
	b.mu.Unlock()
	return step(t, m, tickMsg{})
}

// goldenSized is golden at another size than 100x30.
func goldenSized(t *testing.T, name string, m model, w, h int) {
	t.Helper()
	got := screen(m)
	lines := strings.Split(got, "\n")
	if len(lines) != h {
		t.Errorf("%s: view has %d lines, want %d", name, len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			t.Errorf("%s: line %d is %d wide, want %d: %q", name, i, lw, w, l)
		}
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s: view differs from %s (go test ./ui -run %s -update rewrites it)\n--- got\n%s\n--- want\n%s", name, path, t.Name(), got, want)
	}
}

func TestListStatusText(t *testing.T) {
	now := testNow
	for _, tc := range []struct {
		name string
		c    engine.Container
		want string
		tone statusTone
	}{
		{"up", engine.Container{State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-5 * time.Minute)}},
			"Up 5 minutes", toneGood},
		{"restarting says the exit code, not a count", engine.Container{RestartCount: 4, State: engine.State{Status: engine.StatusRestarting, ExitCode: 1, FinishedAt: now.Add(-3 * time.Second)}},
			"Restarting (exit 1) 3 seconds ago", toneWarn},
		{"restarting after an OOM kill", engine.Container{State: engine.State{Status: engine.StatusRestarting, OOMKilled: true, ExitCode: 137, FinishedAt: now.Add(-time.Second)}},
			"Restarting (OOM, exit 137) 1 second ago", toneWarn},
		{"a crash-looper is not healthy", engine.Container{RestartCount: 5, State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-time.Second)}},
			"Up 1 second (crash loop)", toneWarn},
		{"restarted long ago is up", engine.Container{RestartCount: 1, State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-2 * time.Hour)}},
			"Up 2 hours", toneGood},
		{"OOM kill", engine.Container{State: engine.State{Status: engine.StatusExited, OOMKilled: true, ExitCode: 137, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-2 * time.Minute)}},
			"OOM (exit 137) 2 minutes ago", toneBad},
		{"killed, not for memory", engine.Container{State: engine.State{Status: engine.StatusExited, ExitCode: 137, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-2 * time.Minute)}},
			"Exited (137) 2 minutes ago", toneBad},
		{"exit 0 is quiet", engine.Container{State: engine.State{Status: engine.StatusExited, StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-2 * time.Minute)}},
			"Exited (0) 2 minutes ago", toneQuiet},
		{"unhealthy is not green", engine.Container{State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-time.Hour), Health: &engine.Health{Status: engine.HealthUnhealthy}}},
			"Up About an hour (unhealthy)", toneBad},
		{"health starting", engine.Container{State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-5 * time.Second), Health: &engine.Health{Status: engine.HealthStarting}}},
			"Up 5 seconds (health: starting)", toneWarn},
		{"healthy", engine.Container{State: engine.State{Status: engine.StatusRunning, StartedAt: now.Add(-time.Hour), Health: &engine.Health{Status: engine.HealthHealthy}}},
			"Up About an hour (healthy)", toneGood},
		{"paused", engine.Container{State: engine.State{Status: engine.StatusPaused, StartedAt: now.Add(-time.Hour)}},
			"Up About an hour (Paused)", toneWarn},
		{"created", engine.Container{State: engine.State{Status: engine.StatusCreated}}, "Created", toneQuiet},
		{"dead", engine.Container{State: engine.State{Status: engine.StatusDead}}, "Dead", toneBad},
	} {
		if got := listStatusText(&tc.c, now); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if got := listStatusTone(&tc.c, now); got != tc.tone {
			t.Errorf("%s: tone %d, want %d", tc.name, got, tc.tone)
		}
	}
}

// listRowOf is the named container's row as drawn.
func listRowOf(t *testing.T, m model, name string) string {
	t.Helper()
	for _, l := range strings.Split(screen(m), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return l
		}
	}
	t.Fatalf("no row %s in\n%s", name, screen(m))
	return ""
}

func TestContainersListShowsRestartsAndOOM(t *testing.T) {
	m := sizedModel(t, busyBackend(), 160, 24)
	if !strings.Contains(screen(m), "RESTARTS") {
		t.Errorf("no RESTARTS column:\n%s", screen(m))
	}
	for name, want := range map[string][]string{
		"crasher": {"Up 1 second (crash loop)", " 5 "},
		"looper":  {"Restarting (exit 1) 3 seconds ago", " 3 "},
		"memhog":  {"OOM (exit 137) 3 minutes ago"},
		"sickly":  {"(unhealthy)"},
	} {
		row := listRowOf(t, m, name)
		for _, w := range want {
			if !strings.Contains(row, w) {
				t.Errorf("%s's row lacks %q: %q", name, w, row)
			}
		}
	}
}

func TestContainersExitCodesAndHealthColoured(t *testing.T) {
	st := newStyles(true, false)
	now := testNow
	b := busyBackend()
	byName := map[string]*engine.Container{}
	for _, c := range b.containers {
		byName[c.DisplayName()] = c
	}
	for name, want := range map[string]*lipgloss.Style{
		"done_job": &st.Faint, "old_job": &st.Exited, "memhog": &st.Exited,
		"sickly": &st.Exited, "crasher": &st.Paused, "web": &st.Running,
	} {
		if got := listStatusTone(byName[name], now).style(&st); got.Render("x") != want.Render("x") {
			t.Errorf("%s drawn as %q, want %q", name, got.Render("x"), want.Render("x"))
		}
	}
}

// TestContainersColumnsFitTheirContent draws the busy list at 80 and 160
// columns: at 160 every column is whole and NAME is as wide as the
// longest name; at 80 the least useful columns go first.
func TestContainersColumnsFitTheirContent(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 24}} {
		w, h := size[0], size[1]
		m := sizedModel(t, busyBackend(), w, h)
		name := "containers_busy_" + map[int]string{80: "80", 160: "160"}[w]
		goldenSized(t, name, m, w, h)
		s := screen(m)
		l := m.containers.refit().fit
		if nameW := l.widths[l.at(1)]; nameW > len("done_job")+1 {
			t.Errorf("at %d NAME is %d wide for 8-character names", w, nameW)
		}
		switch w {
		case 160:
			for _, want := range []string{"OOM (exit 137) 3 minutes ago", "0.0.0.0:8080->80/tcp", "MEM / LIMIT", "PIDS", "NET RX/TX", "1.5k/s 250B/s", "RESTARTS", "NAME↑"} {
				if !strings.Contains(s, want) {
					t.Errorf("at 160 the list lacks %q:\n%s", want, s)
				}
			}
			if table := strings.Join(strings.Split(s, "\n")[3:13], "\n"); strings.Contains(table, "…") {
				t.Errorf("at 160 something is cut:\n%s", table)
			}
		case 80:
			for _, want := range []string{"NAME↑", "STATUS", "CPU %", "MEM / LIMIT", "RESTARTS", "Restarting (exit 1) 3 seconds ago"} {
				if !strings.Contains(s, want) {
					t.Errorf("at 80 the list lacks %q:\n%s", want, s)
				}
			}
		}
	}
}

// TestFitColumnsDropsByPriority: the column with the highest Drop gives
// way first (a Flex one cut to its Min, then dropped), and what is left
// fills the width.
func TestFitColumnsDropsByPriority(t *testing.T) {
	cols := []column{
		{Title: "A"}, {Title: "B", Flex: true, Min: 4, Drop: 1}, {Title: "C", Drop: 3}, {Title: "D", Drop: 2},
	}
	rows := [][]cell{{plain("aaaa"), plain("bbbbbbbb"), plain("cccc"), plain("dddd")}}
	own := []int{0, 1, 2, 3}
	for _, tc := range []struct {
		total int
		own   []int
		width []int
	}{
		{30, []int{0, 1, 2, 3}, []int{4, 8, 4, 11}}, // all whole, the spare to the last
		{23, []int{0, 1, 2, 3}, []int{4, 8, 4, 4}},  // exactly
		{19, []int{0, 1, 3}, []int{4, 8, 5}},        // C goes before B is cut
		{18, []int{0, 1, 3}, []int{4, 8, 4}},
		{10, []int{0, 1}, []int{4, 5}}, // then D; then B is cut
		{6, []int{0}, []int{6}},        // B cut to its Min is still too wide: it goes
	} {
		l := fitWidths(cols, own, widenTo(titleWidths(cols, -1), rows), tc.total)
		if !slices.Equal(l.own, tc.own) || !slices.Equal(l.widths, tc.width) {
			t.Errorf("at %d: columns %v widths %v, want %v %v", tc.total, l.own, l.widths, tc.own, tc.width)
		}
	}
}

// TestContainersDirectSortKeys: a key per column, as k9s's; the figures
// (CPU, memory, restarts) start with the largest, again reverses.
func TestContainersDirectSortKeys(t *testing.T) {
	m := sizedModel(t, busyBackend(), 160, 24)
	first := func(m model) string { return m.containers.rows[0].DisplayName() }
	for _, tc := range []struct {
		key   string
		col   int
		desc  bool
		first string
	}{
		{"C", 5, true, "web"}, // every running one used 25%: by name, reversed
		{"C", 5, false, "done_job"},
		{"M", 7, true, "web"},
		{"T", 4, true, "crasher"},
		{"N", 1, false, "crasher"},
		{"N", 1, true, "web"},
		{"S", 3, false, "crasher"},
		{"P", 8, true, "web"},
		{"W", 9, true, "web"},
		{"O", 10, false, "crasher"},
		{"I", 2, false, "sleepy"},
	} {
		m = press(t, m, tc.key)
		if m.containers.sortBy != tc.col || m.containers.desc != tc.desc || first(m) != tc.first {
			t.Errorf("after %s: sorted by %d desc %v, %s first; want %d %v %s", tc.key, m.containers.sortBy, m.containers.desc, first(m), tc.col, tc.desc, tc.first)
		}
	}
	// Cycling onto a figure starts descending too.
	m = press(t, m, "N", ">", ">", ">", ">")
	if m.containers.sortBy != 5 || !m.containers.desc {
		t.Errorf("> to CPU: sorted by %d desc %v", m.containers.sortBy, m.containers.desc)
	}
}

func TestContainersSortKeysRemap(t *testing.T) {
	km := defaultKeys()
	if err := km.apply([]byte(`{"containers.sortcpu": "%", "containers.sortmem": "ctrl+m"}`)); err != nil {
		t.Fatal(err)
	}
	if !matches(keyMsg("%"), km.Containers.SortCPU) || matches(keyMsg("C"), km.Containers.SortCPU) {
		t.Errorf("containers.sortcpu not remapped: %v", km.Containers.SortCPU.Keys())
	}
}

// TestContainersClickSortsFiguresDescending: a click on MEM's title
// sorts by memory, the largest first.
func TestContainersClickSortsFiguresDescending(t *testing.T) {
	m := sizedModel(t, busyBackend(), 160, 24)
	l := m.containers.refit().fit
	x := 0
	for shown := 0; shown < l.at(7); shown++ {
		x += l.widths[shown] + 1
	}
	c, _ := m.containers.click(x+1, 1)
	if c.sortBy != 7 || !c.desc || c.rows[0].DisplayName() != "web" {
		t.Errorf("click at %d: sorted by %d desc %v, %s first", x+1, c.sortBy, c.desc, c.rows[0].DisplayName())
	}
}

func TestTopFigures(t *testing.T) {
	for _, tc := range []struct {
		percent, cores float64
		want           string
	}{
		{32.3, 0.5, "32.3% (65% of 0.50 cores)"},
		{150, 2, "150.0% (75% of 2.00 cores)"},
		{32.3, 0, "32.3% of a core (no limit)"},
	} {
		if got := cpuText(tc.percent, tc.cores); got != tc.want {
			t.Errorf("cpuText(%v, %v) = %q, want %q", tc.percent, tc.cores, got, tc.want)
		}
	}
}

// TestTopIOCountsBufferedWrites: a process that writes 210 MB/s through
// the page cache shows in the I/O line though blkio saw nothing.
func TestTopIOCountsBufferedWrites(t *testing.T) {
	b := demoBackend()
	now := testNow
	m := clockModel(t, b, &now)
	m = press(t, m, "G", "t")
	now = now.Add(time.Second)
	b.mu.Lock()
	b.procs[id('a')][1].WriteBytes += 210_000_000
	s := b.stats[id('a')]
	s.Time = s.Time.Add(time.Second)
	b.mu.Unlock()
	m = step(t, m, refreshMsg{})
	if out := screen(m); !strings.Contains(out, "I/O  disk r 0B/s w 210MB/s") {
		t.Errorf("top's I/O line:\n%s", out)
	}
}
