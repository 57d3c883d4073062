package ui

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"berth/compose"
	"berth/engine"
	"berth/engine/events"
	"berth/engine/network"
	"berth/images"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testNow is the fixed clock of every test.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// fakeBackend is an in-memory runtime: containers, stats, processes,
// logs, images and events, plus a record of the changes asked of it.
type fakeBackend struct {
	mu         sync.Mutex
	host       Host
	containers []*engine.Container
	stats      map[string]*engine.Stats
	procs      map[string][]engine.Process
	logs       map[string][]engine.LogEntry
	follow     chan engine.LogEntry // extra entries for a following reader
	images     []Image
	layers     map[string][]Layer
	files      map[string]*images.LayerAnalysis // LayerFiles by image ID
	events     map[string][]Event
	hostEvents []events.Event    // the host's event log, for FollowEvents
	eventFeed  chan events.Event // events a follower gets after the log
	calls      []string
	fail       error
	terminal   *fakeTerminal
	statsCalls int
	listCalls  int
	wholeLists int                    // List calls that did not ask for brief records
	allLists   int                    // List calls of every container
	idLists    [][]string             // the IDs of each List call of given IDs
	changeFeed chan events.Event      // when set, what FollowNewEvents sends; nil: it fails
	listFail   error                  // when set, List fails with it
	pullGate   chan struct{}          // when set, Pull waits for it after its progress
	buildGate  chan struct{}          // when set, Build waits for it after its RUN step
	buildFail  error                  // when set, Build fails with it after its RUN step
	buildSays  []string               // more lines the RUN step of Build prints
	ran        []engine.CreateOptions // what Run was asked to create
}

func (f *fakeBackend) record(format string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	return f.fail
}

func (f *fakeBackend) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeBackend) Host(context.Context) (Host, error) { return f.host, nil }

func (f *fakeBackend) List(_ context.Context, opts engine.ListOptions) ([]*engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls++
	if f.listFail != nil {
		return nil, f.listFail
	}
	if !opts.Brief {
		f.wholeLists++
	}
	if opts.IDs != nil {
		f.idLists = append(f.idLists, slices.Clone(opts.IDs))
	} else {
		f.allLists++
	}
	var out []*engine.Container
	for _, c := range f.containers {
		if opts.IDs != nil && !slices.Contains(opts.IDs, c.ID) {
			continue
		}
		if opts.All || opts.IDs != nil || c.State.Running() {
			cc := *c
			out = append(out, &cc)
		}
	}
	return out, nil
}

func (f *fakeBackend) find(ref string) *engine.Container {
	for _, c := range f.containers {
		if c.ID == ref || c.DisplayName() == ref {
			return c
		}
	}
	return nil
}

func (f *fakeBackend) Inspect(_ context.Context, ref string) (*engine.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.find(ref); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("no such container: %s", ref)
}

func (f *fakeBackend) Stats(_ context.Context, ref string) (*engine.Stats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statsCalls++
	if s, ok := f.stats[ref]; ok {
		cp := *s
		return &cp, nil
	}
	return nil, fmt.Errorf("no stats for %s", ref)
}

func (f *fakeBackend) Top(_ context.Context, ref string) ([]engine.Process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.Process(nil), f.procs[ref]...), nil
}

func (f *fakeBackend) Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error {
	f.mu.Lock()
	entries := append([]engine.LogEntry(nil), f.logs[ref]...)
	follow := f.follow
	f.mu.Unlock()
	if !opts.Since.IsZero() {
		var kept []engine.LogEntry
		for _, e := range entries {
			if !e.Time.Before(opts.Since) {
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	if !opts.Until.IsZero() {
		var kept []engine.LogEntry
		for _, e := range entries {
			if e.Time.Before(opts.Until) {
				kept = append(kept, e)
			}
		}
		entries = kept
	}
	if opts.Tail >= 0 && len(entries) > opts.Tail {
		entries = entries[len(entries)-opts.Tail:]
	}
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	if !opts.Follow || follow == nil {
		return nil
	}
	for {
		select {
		case e, ok := <-follow:
			if !ok {
				return nil
			}
			if err := fn(e); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (f *fakeBackend) Events(_ context.Context, ref string) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events[ref], nil
}

// FollowEvents sends the log's events from since on, then what
// eventFeed gets, until ctx ends.
func (f *fakeBackend) FollowEvents(ctx context.Context, since time.Time) (<-chan events.Event, error) {
	f.mu.Lock()
	backlog := slices.Clone(f.hostEvents)
	feed := f.eventFeed
	f.mu.Unlock()
	ch := make(chan events.Event)
	go func() {
		defer close(ch)
		send := func(e events.Event) bool {
			select {
			case ch <- e:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, e := range backlog {
			if !e.Time.Before(since) && !send(e) {
				return
			}
		}
		for {
			select {
			case e, ok := <-feed:
				if !ok || !send(e) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// FollowNewEvents sends what changeFeed gets, until ctx ends; without a
// changeFeed it fails (and the containers list lists every container
// at each refresh, as with a host whose events cannot be followed).
func (f *fakeBackend) FollowNewEvents(ctx context.Context) (<-chan events.Event, error) {
	f.mu.Lock()
	feed := f.changeFeed
	f.mu.Unlock()
	if feed == nil {
		return nil, errors.New("no events here")
	}
	ch := make(chan events.Event)
	go func() {
		defer close(ch)
		for {
			select {
			case e, ok := <-feed:
				if !ok {
					return
				}
				select {
				case ch <- e:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

func (f *fakeBackend) Run(_ context.Context, opts engine.CreateOptions, pull string) (*engine.Container, error) {
	if err := f.record("run %s %s %q pull=%s", opts.Name, opts.Config.Image, opts.Config.Cmd, pull); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.ran = append(f.ran, opts)
	f.mu.Unlock()
	return &engine.Container{ID: strings.Repeat("f", 64), Name: "/" + opts.Name}, nil
}

func (f *fakeBackend) Start(_ context.Context, ref string) error { return f.record("start %s", ref) }
func (f *fakeBackend) Stop(_ context.Context, ref string, _ engine.StopOptions) error {
	return f.record("stop %s", ref)
}
func (f *fakeBackend) Restart(_ context.Context, ref string, _ engine.StopOptions) error {
	return f.record("restart %s", ref)
}
func (f *fakeBackend) Kill(_ context.Context, ref, sig string) error {
	return f.record("kill %s %s", ref, sig)
}
func (f *fakeBackend) Pause(_ context.Context, ref string) error { return f.record("pause %s", ref) }
func (f *fakeBackend) Unpause(_ context.Context, ref string) error {
	return f.record("unpause %s", ref)
}
func (f *fakeBackend) Remove(_ context.Context, ref string, o engine.RemoveOptions) error {
	return f.record("remove %s force=%v", ref, o.Force)
}
func (f *fakeBackend) Rename(_ context.Context, ref, to string) error {
	return f.record("rename %s %s", ref, to)
}
func (f *fakeBackend) Signal(_ context.Context, ref string, pid int, sig string) error {
	return f.record("signal %s %d %s", ref, pid, sig)
}
func (f *fakeBackend) Images(context.Context) ([]Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Image(nil), f.images...), nil
}
func (f *fakeBackend) ImageLayers(_ context.Context, id string) ([]Layer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.layers[id], nil
}
func (f *fakeBackend) LayerFiles(_ context.Context, id string) (*images.LayerAnalysis, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.files[id]; ok {
		return a, nil
	}
	return nil, images.ErrNotFound
}
func (f *fakeBackend) RemoveImage(_ context.Context, ref string, force bool) error {
	return f.record("rmi %s force=%v", ref, force)
}
func (f *fakeBackend) Pull(ctx context.Context, ref string, progress func(PullProgress)) error {
	if err := f.record("pull %s", ref); err != nil {
		return err
	}
	progress(PullProgress{ID: "sha256:" + id('7'), Action: "Pulling fs layer"})
	progress(PullProgress{ID: "sha256:" + id('6'), Action: "Already exists"})
	progress(PullProgress{ID: "sha256:" + id('7'), Action: "Downloading", Current: 1_500_000, Total: 3_000_000})
	if f.pullGate != nil {
		select {
		case <-f.pullGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	progress(PullProgress{ID: "sha256:" + id('7'), Action: "Pull complete"})
	return nil
}

// Build is a scripted three-step build: FROM, a RUN that prints (also
// buildSays), CMD; the image it makes joins the list. Steps are
// reported as the images package's builder does.
func (f *fakeBackend) Build(ctx context.Context, req BuildRequest, output func(string), step func(BuildStep)) (string, error) {
	if err := f.record("build %s %s %q", req.ContextDir, req.Dockerfile, req.Tags); err != nil {
		return "", err
	}
	steps := []string{"FROM busybox", "RUN echo hello from RUN", `CMD ["sh"]`}
	start := func(n int) {
		output(fmt.Sprintf("STEP %d/3: %s", n, steps[n-1]))
		step(BuildStep{Number: n, Count: 3, Instruction: steps[n-1]})
	}
	end := func(n int) { step(BuildStep{Number: n, Count: 3, Instruction: steps[n-1], Done: true}) }
	start(1)
	end(1)
	start(2)
	for _, l := range append(append([]string{"hello from RUN"}, f.buildSays...), "--> 1a2b3c4d5e6f") {
		output(l)
	}
	if f.buildGate != nil {
		select {
		case <-f.buildGate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if f.buildFail != nil {
		return "", f.buildFail
	}
	end(2)
	start(3)
	end(3)
	output("Successfully built " + id('5')[:12])
	f.mu.Lock()
	defer f.mu.Unlock()
	im := Image{ID: "sha256:" + id('5'), Repository: "<none>", Tag: "<none>", Created: testNow, Size: 4_300_000, Dangling: true}
	for _, t := range req.Tags {
		output("Successfully tagged " + t)
		im.Repository, im.Tag, _ = strings.Cut(t, ":")
		im.Dangling = false
	}
	f.images = append(f.images, im)
	return im.ID, nil
}

func (f *fakeBackend) PruneImages(context.Context) (int, uint64, error) {
	return 1, 5 << 20, f.record("prune")
}
func (f *fakeBackend) Handoff(_ context.Context, ref string, kind SessionKind) (Handoff, error) {
	return nil, f.record("handoff %s %s", ref, kind)
}
func (f *fakeBackend) ComposeUp(_ context.Context, labels map[string]string, progress func(string)) error {
	if err := f.record("compose up %s from %s", labels[compose.LabelProject], labels[compose.LabelConfigFiles]); err != nil {
		return err
	}
	progress(" Container " + labels[compose.LabelProject] + "-web-1  Started")
	return nil
}
func (f *fakeBackend) ComposeDown(_ context.Context, project string, progress func(string)) error {
	if err := f.record("compose down %s", project); err != nil {
		return err
	}
	progress(" Container " + project + "-web-1  Removed")
	return nil
}
func (f *fakeBackend) OpenTerminal(_ context.Context, ref string, kind SessionKind, cols, rows int) (Terminal, error) {
	if err := f.record("terminal %s %s %dx%d", ref, kind, cols, rows); err != nil {
		return nil, err
	}
	return f.terminal, nil
}

// fakeTerminal is a PTY whose child echoes what it is sent.
type fakeTerminal struct {
	out     chan []byte
	mu      sync.Mutex
	written bytes.Buffer
	closed  chan struct{}
	once    sync.Once
	resized []string
}

func newFakeTerminal() *fakeTerminal {
	return &fakeTerminal{out: make(chan []byte, 16), closed: make(chan struct{})}
}

func (t *fakeTerminal) Read(p []byte) (int, error) {
	select {
	case b := <-t.out:
		return copy(p, b), nil
	case <-t.closed:
		return 0, io.EOF
	}
}

func (t *fakeTerminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.written.Write(p)
	return len(p), nil
}

func (t *fakeTerminal) input() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.written.String()
}

func (t *fakeTerminal) Close() error { t.once.Do(func() { close(t.closed) }); return nil }
func (t *fakeTerminal) Wait() error  { <-t.closed; return nil }
func (t *fakeTerminal) Resize(cols, rows int) error {
	t.resized = append(t.resized, fmt.Sprintf("%dx%d", cols, rows))
	return nil
}

func id(c byte) string { return strings.Repeat(string(c), 64) }

func ptr[T any](v T) *T { return &v }

// demoBackend is three containers, two images and a little of everything.
func demoBackend() *fakeBackend {
	web := &engine.Container{
		ID: id('a'), Name: "/web", Path: "httpd", Args: []string{"-f", "-p", "80"},
		Config: engine.ContainerConfig{Image: "busybox:latest", ExposedPorts: map[string]struct{}{"80/tcp": {}}},
		HostConfig: engine.HostConfig{
			PortBindings: map[string][]engine.PortBinding{"80/tcp": {{HostPort: "8080"}}},
			Resources:    engine.Resources{NanoCPUs: 1e9, PidsLimit: ptr(int64(100))},
			NetworkMode:  "bridge",
		},
		State:           engine.State{Status: engine.StatusRunning, Pid: 4242, StartedAt: testNow.Add(-5 * time.Minute)},
		NetworkSettings: &network.Settings{Ports: map[string][]network.PortBinding{"80/tcp": {{HostPort: "8080"}}}},
	}
	ticker := &engine.Container{
		ID: id('b'), Name: "/ticker", Path: "sh", Args: []string{"-c", "while :; do echo tick; sleep 1; done"},
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State:  engine.State{Status: engine.StatusRunning, Pid: 4300, StartedAt: testNow.Add(-2 * time.Hour)},
	}
	old := &engine.Container{
		ID: id('c'), Name: "/old_job", Path: "false",
		Config: engine.ContainerConfig{Image: "busybox:latest"},
		State: engine.State{Status: engine.StatusExited, ExitCode: 137, StartedAt: testNow.Add(-time.Hour),
			FinishedAt: testNow.Add(-2 * time.Minute)},
	}
	paused := &engine.Container{
		ID: id('d'), Name: "/sleepy", Path: "sleep", Args: []string{"1000"},
		Config:     engine.ContainerConfig{Image: "alpine:3"},
		HostConfig: engine.HostConfig{NetworkMode: "host"},
		State:      engine.State{Status: engine.StatusPaused, StartedAt: testNow.Add(-30 * time.Minute)},
	}
	stats := func(cid string, usage time.Duration, mem uint64, pids uint64) *engine.Stats {
		return &engine.Stats{ID: cid, Time: testNow, CPUUsage: usage, MemoryUsage: mem, MemoryLimit: 2 << 30, PidsCurrent: pids, PidsLimit: 100}
	}
	b := &fakeBackend{
		host: Host{Time: testNow, CPUBusy: 1000, CPUTotal: 10000,
			MemUsed: 3 << 30, MemTotal: 8 << 30, DiskUsed: 1_500_000_000, Images: 2},
		containers: []*engine.Container{web, ticker, old, paused},
		stats: map[string]*engine.Stats{
			web.ID:    stats(web.ID, time.Second, 12<<20, 3),
			ticker.ID: stats(ticker.ID, 2*time.Second, 1<<20, 2),
			paused.ID: stats(paused.ID, 0, 512<<10, 1),
		},
		procs: map[string][]engine.Process{
			web.ID: {
				{HostPID: 4242, PID: 1, User: "root", State: "S", CPUTime: time.Second, StartTime: testNow.Add(-5 * time.Minute), RSS: 2 << 20, ReadBytes: 1000, WriteBytes: 0, Command: "httpd -f -p 80"},
				{HostPID: 4250, PID: 7, User: "nobody", State: "R", CPUTime: 3 * time.Second, StartTime: testNow.Add(-time.Minute), RSS: 5 << 20, ReadBytes: 0, WriteBytes: 4096, Command: "sh -c dd if=/dev/zero of=/tmp/x"},
			},
		},
		logs: map[string][]engine.LogEntry{
			web.ID: {
				{Stream: "stdout", Time: testNow.Add(-3 * time.Second), Line: []byte("listening on :80\n")},
				{Stream: "stderr", Time: testNow.Add(-2 * time.Second), Line: []byte("warning: no index.html\n")},
				{Stream: "stdout", Time: testNow.Add(-time.Second), Line: []byte("GET / 200\n")},
			},
		},
		images: []Image{
			{ID: "sha256:" + id('1'), Repository: "busybox", Tag: "latest", Created: testNow.Add(-72 * time.Hour), Size: 4_260_000, Containers: 3},
			{ID: "sha256:" + id('2'), Repository: "<none>", Tag: "<none>", Created: testNow.Add(-24 * time.Hour), Size: 5_100_000, Dangling: true},
			{ID: "sha256:" + id('3'), Repository: "alpine", Tag: "3", Created: testNow.Add(-10 * 24 * time.Hour), Size: 7_800_000, Containers: 1},
		},
		layers: map[string][]Layer{
			"sha256:" + id('1'): {
				{ID: "sha256:" + id('9'), Created: testNow.Add(-72 * time.Hour), CreatedBy: `CMD ["sh"]`, Size: 0},
				{ID: "sha256:" + id('8'), Created: testNow.Add(-72 * time.Hour), CreatedBy: "import rootfs.tar", Size: 4_260_000},
			},
		},
		events: map[string][]Event{
			web.ID: {
				{Time: testNow.Add(-time.Hour), Action: "create"},
				{Time: testNow.Add(-time.Hour), Action: "start"},
				{Time: testNow.Add(-30 * time.Minute), Action: "oom"},
				{Time: testNow.Add(-30 * time.Minute), Action: "die", ExitCode: 137},
				{Time: testNow.Add(-29 * time.Minute), Action: "restart", Restarts: 1},
				{Time: testNow.Add(-10 * time.Minute), Action: "pause"},
				{Time: testNow.Add(-9 * time.Minute), Action: "unpause"},
				{Time: testNow.Add(-8 * time.Minute), Action: "exec_start"},
				{Time: testNow.Add(-7 * time.Minute), Action: "exec_die", ExitCode: 130},
				{Time: testNow.Add(-6 * time.Minute), Action: "kill", Signal: "SIGHUP"},
			},
		},
	}
	return b
}

// newTestModel is the root model at 100x30 over b, with a fixed clock
// and no ticking.
func newTestModel(t testing.TB, b Backend) model {
	t.Helper()
	return newTestModelWith(t, b, Options{NoColor: true})
}

// newTestModelWith is newTestModel with opts, on the test's clock.
func newTestModelWith(t testing.TB, b Backend, opts Options) model {
	t.Helper()
	opts.Now, opts.Interval = func() time.Time { return testNow }, time.Hour
	m, err := newModel(context.Background(), oneHost(b), opts)
	if err != nil {
		t.Fatal(err)
	}
	m = step(t, m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = settle(t, m, m.Init())
	// On a loaded machine the first list can take longer than settle's
	// patience; every test starts from a listed screen.
	return await(t, m, "the first list", func(m model) bool { return m.containers.loaded && m.hostLoaded })
}

// await feeds the model late answers until ok holds: what a command
// answers after settle's patience (a pane opening on a loaded machine)
// arrives here instead of being lost to the next assertion.
func await(t testing.TB, m model, what string, ok func(model) bool) model {
	t.Helper()
	// 30s: the real engine's tests (adapter_linux_test.go) stop and
	// remove containers on a machine that may be busy.
	for deadline := time.Now().Add(30 * time.Second); !ok(m); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30s for %s", what)
		}
		m = deliverArrived(t, m)
		time.Sleep(time.Millisecond)
	}
	return m
}

// deliverArrived feeds the model the late answers that have arrived by
// now, without waiting for the others.
func deliverArrived(t testing.TB, m model) model {
	t.Helper()
	lateMu.Lock()
	chans := late[t]
	delete(late, t)
	lateMu.Unlock()
	var cmds []tea.Cmd
	var still []chan tea.Msg
	for _, ch := range chans {
		select {
		case msg := <-ch:
			cmds = append(cmds, func() tea.Msg { return msg })
		default:
			still = append(still, ch)
		}
	}
	lateMu.Lock()
	late[t] = append(late[t], still...)
	lateMu.Unlock()
	if len(cmds) == 0 {
		return m
	}
	return settle(t, m, tea.Batch(cmds...))
}

// step sends msg and runs every command it leads to.
func step(t testing.TB, m model, msg tea.Msg) model {
	t.Helper()
	m = deliverArrived(t, m)
	next, cmd := m.Update(msg)
	return settle(t, next.(model), cmd)
}

// late holds, per test, the answers of commands that blocked past
// settle's patience (a stream waiting for its next line); settleLate
// delivers those that have arrived since.
var (
	lateMu sync.Mutex
	late   = map[testing.TB][]chan tea.Msg{}
)

func settleLate(t testing.TB, m model) model {
	t.Helper()
	deadline := time.Now().Add(200 * time.Millisecond)
	for !time.Now().After(deadline) {
		m = deliverArrived(t, m)
		time.Sleep(5 * time.Millisecond)
	}
	return deliverArrived(t, m)
}

// settle runs cmd and feeds its messages back, until nothing is left;
// a command that blocks (a tick, a stream with nothing to say) for
// longer than a moment is dropped.
func settle(t testing.TB, m model, cmd tea.Cmd) model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			t.Fatal("commands never settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := runCmd(t, c)
		if !ok || msg == nil {
			continue
		}
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
			for i := 0; i < v.Len(); i++ {
				queue = append(queue, v.Index(i).Interface().(tea.Cmd))
			}
			continue
		}
		switch msg.(type) {
		case tea.QuitMsg:
			continue
		}
		next, c2 := m.Update(msg)
		m = next.(model)
		queue = append(queue, c2)
	}
	return m
}

func runCmd(t testing.TB, c tea.Cmd) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg := <-ch:
		return msg, true
	case <-time.After(50 * time.Millisecond):
		lateMu.Lock()
		late[t] = append(late[t], ch)
		lateMu.Unlock()
		return nil, false
	}
}

func press(t testing.TB, m model, keys ...string) model {
	t.Helper()
	for _, k := range keys {
		m = step(t, m, keyMsg(k))
	}
	return m
}

// keyMsg is the key press Bubble Tea would deliver for a key name.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "ctrl+]":
		return tea.KeyPressMsg{Code: ']', Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) == 1 {
		code := r[0]
		if code >= 'A' && code <= 'Z' {
			return tea.KeyPressMsg{Code: code + 'a' - 'A', ShiftedCode: code, Text: k, Mod: tea.ModShift}
		}
		return tea.KeyPressMsg{Code: code, Text: k}
	}
	panic("unknown key " + k)
}

func typeText(t testing.TB, m model, s string) model {
	t.Helper()
	for _, r := range s {
		m = step(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// screen is the view as plain text.
func screen(m model) string { return ansi.Strip(m.View().Content) }

// golden compares the view with testdata/<name>.golden.
func golden(t *testing.T, name string, m model) {
	t.Helper()
	got := screen(m)
	lines := strings.Split(got, "\n")
	if len(lines) != 30 {
		t.Errorf("%s: view has %d lines, want 30", name, len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 100 {
			t.Errorf("%s: line %d is %d wide, want 100: %q", name, i, w, l)
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
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: view differs from %s (go test ./ui -run %s -update rewrites it)\n--- got\n%s\n--- want\n%s", name, path, t.Name(), got, want)
	}
}

// oneHost is b as the only host, as the program runs on one machine.
func oneHost(b Backend) []HostBackend { return []HostBackend{{Name: "local", Backend: b}} }
