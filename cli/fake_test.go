package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"berth/config"
	"berth/engine"
	"berth/engine/events"
	"berth/engine/network"
	"berth/engine/volumes"
	"berth/host"
	"berth/images"
)

// testNow is the clock of every CLI test.
var testNow = time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)

// fakeEngine is an in-memory host.Containers that records calls.
type fakeEngine struct {
	containers []*engine.Container
	created    []engine.CreateOptions
	calls      []string
	attach     engine.AttachOptions
	runResult  engine.RunResult
	runErr     error
	logs       []engine.LogEntry
	logsOpts   engine.LogsOptions
	listOpts   engine.ListOptions         // the last List call's
	listed     []engine.ListOptions       // every List call's
	stats      map[string][]*engine.Stats // successive samples per ID
	procs      []engine.Process
	top        engine.TopResult // what TopPS reports
	psArgs     []string         // the last TopPS call's
	info       engine.Info
	execOpts   engine.ExecOptions
	execErr    error
	execStdin  io.Reader
	// missingImage makes the next Create of that image fail as unknown.
	missingImage string
	events       fakeEvents
	networks     fakeNetworks
	// damage is what Check finds; a repair removes all but what
	// keepDamage names.
	damage     []engine.Damage
	keepDamage string
	// boot is what Boot reports.
	boot []engine.BootResult
}

var errNoSuchContainer = engine.ErrNotFound

func (f *fakeEngine) find(ref string) (*engine.Container, error) {
	for _, c := range f.containers {
		if c.ID == ref || c.DisplayName() == ref || (len(ref) >= 3 && strings.HasPrefix(c.ID, ref)) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", errNoSuchContainer, ref)
}

func (f *fakeEngine) call(name, ref string, extra ...string) error {
	f.calls = append(f.calls, strings.Join(append([]string{name, ref}, extra...), " "))
	_, err := f.find(ref)
	return err
}

func (f *fakeEngine) Create(ctx context.Context, opts engine.CreateOptions) (*engine.Container, error) {
	if f.missingImage != "" && opts.Config.Image == f.missingImage {
		f.missingImage = ""
		return nil, fmt.Errorf("create container: unable to find image '%s' locally: %w", opts.Config.Image, images.ErrNotFound)
	}
	f.created = append(f.created, opts)
	c := &engine.Container{ID: strings.Repeat(fmt.Sprint(len(f.containers)+1), 64), Name: "/" + opts.Name, Config: opts.Config, HostConfig: opts.HostConfig}
	f.containers = append(f.containers, c)
	return c, nil
}
func (f *fakeEngine) Start(ctx context.Context, ref string) error { return f.call("start", ref) }
func (f *fakeEngine) Run(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error) {
	f.attach = opts
	if err := f.call("run", ref); err != nil {
		return engine.RunResult{}, err
	}
	return f.runResult, f.runErr
}
func (f *fakeEngine) Attach(ctx context.Context, ref string, opts engine.AttachOptions) (engine.RunResult, error) {
	f.attach = opts
	if err := f.call("attach", ref); err != nil {
		return engine.RunResult{}, err
	}
	return f.runResult, f.runErr
}
func (f *fakeEngine) Stop(ctx context.Context, ref string, opts engine.StopOptions) error {
	if opts.Timeout != nil {
		ref += fmt.Sprintf(" timeout=%s", *opts.Timeout)
	}
	f.calls = append(f.calls, "stop "+ref)
	_, err := f.find(strings.Fields(ref)[0])
	return err
}
func (f *fakeEngine) Restart(ctx context.Context, ref string, opts engine.StopOptions) error {
	return f.call("restart", ref)
}
func (f *fakeEngine) Kill(ctx context.Context, ref string, signal string) error {
	return f.call("kill", ref, signal)
}
func (f *fakeEngine) Pause(ctx context.Context, ref string) error   { return f.call("pause", ref) }
func (f *fakeEngine) Unpause(ctx context.Context, ref string) error { return f.call("unpause", ref) }
func (f *fakeEngine) Remove(ctx context.Context, ref string, opts engine.RemoveOptions) error {
	return f.call(fmt.Sprintf("rm force=%v", opts.Force), ref)
}
func (f *fakeEngine) Rename(ctx context.Context, ref, newName string) error {
	return f.call("rename", ref, newName)
}
func (f *fakeEngine) Wait(ctx context.Context, ref string) (engine.WaitResult, error) {
	c, err := f.find(ref)
	if err != nil {
		return engine.WaitResult{}, err
	}
	return engine.WaitResult{ExitCode: c.State.ExitCode}, nil
}
func (f *fakeEngine) List(ctx context.Context, opts engine.ListOptions) ([]*engine.Container, error) {
	f.listOpts = opts
	f.listed = append(f.listed, opts)
	var out []*engine.Container
	for _, c := range f.containers {
		if statuses := opts.Filters["status"]; len(statuses) > 0 {
			if slices.Contains(statuses, string(c.State.Status)) {
				out = append(out, c)
			}
		} else if opts.All || c.State.Running() {
			out = append(out, c)
		}
	}
	return out, nil
}
func (f *fakeEngine) Inspect(ctx context.Context, ref string) (*engine.Container, error) {
	return f.find(ref)
}
func (f *fakeEngine) Logs(ctx context.Context, ref string, opts engine.LogsOptions, fn func(engine.LogEntry) error) error {
	f.logsOpts = opts
	if _, err := f.find(ref); err != nil {
		return err
	}
	for _, e := range f.logs {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
func (f *fakeEngine) Top(ctx context.Context, ref string) ([]engine.Process, error) {
	if _, err := f.find(ref); err != nil {
		return nil, err
	}
	return f.procs, nil
}
func (f *fakeEngine) Stats(ctx context.Context, ref string) (*engine.Stats, error) {
	samples := f.stats[ref]
	if len(samples) == 0 {
		return nil, errors.New("not running")
	}
	s := samples[0]
	if len(samples) > 1 {
		f.stats[ref] = samples[1:]
	}
	return s, nil
}
func (f *fakeEngine) TopPS(ctx context.Context, ref string, psArgs []string) (*engine.TopResult, error) {
	if _, err := f.find(ref); err != nil {
		return nil, err
	}
	f.psArgs = psArgs
	return &f.top, nil
}
func (f *fakeEngine) Info(ctx context.Context) (*engine.Info, error) { return &f.info, nil }
func (f *fakeEngine) Boot(ctx context.Context) ([]engine.BootResult, error) {
	f.calls = append(f.calls, "boot")
	return f.boot, nil
}
func (f *fakeEngine) Check(ctx context.Context, opts engine.CheckOptions) ([]engine.Damage, error) {
	found := append([]engine.Damage(nil), f.damage...)
	if !opts.Repair {
		return found, nil
	}
	f.damage = nil
	for i := range found {
		if found[i].ID == f.keepDamage {
			found[i].Left = "kept by the test"
			f.damage = append(f.damage, found[i])
			continue
		}
		found[i].Repaired = "removed"
	}
	return found, nil
}
func (f *fakeEngine) Exec(ctx context.Context, ref string, opts engine.ExecOptions) (host.ExecSession, error) {
	f.execOpts = opts
	if err := f.call("exec", ref, opts.Cmd...); err != nil {
		return nil, err
	}
	if f.execErr != nil {
		return nil, f.execErr
	}
	return &fakeExec{f: f}, nil
}

func (f *fakeEngine) Events() host.Events { return &f.events }

func (f *fakeEngine) Networks() host.Networks { return &f.networks }

// Volumes: the fake has none; volume commands are tested for real
// (volumes_test.go at the root).
func (f *fakeEngine) Volumes() host.Volumes { return noVolumes{} }

// noVolumes is a host.Volumes without volumes.
type noVolumes struct{}

func (noVolumes) Create(context.Context, volumes.CreateOptions) (*engine.Volume, error) {
	return nil, engine.ErrNotImplemented
}
func (noVolumes) Inspect(_ context.Context, name string) (*engine.Volume, error) {
	return nil, fmt.Errorf("get %s: %w", name, engine.ErrVolumeNotFound)
}
func (noVolumes) List(context.Context) ([]*engine.Volume, error)     { return nil, nil }
func (noVolumes) Users(context.Context) (map[string][]string, error) { return nil, nil }
func (noVolumes) Remove(context.Context, string, bool) error         { return engine.ErrVolumeNotFound }
func (noVolumes) Prune(context.Context, engine.PruneOptions) ([]string, int64, error) {
	return nil, 0, nil
}

// BuildRunner of the fake runs nothing: CLI tests of build use no RUN.
func (f *fakeEngine) BuildRunner() images.Runner { return nil }

// fakeNetworks is an in-memory host.Networks.
type fakeNetworks struct {
	list    []*network.Network
	created []network.CreateOptions
}

func (n *fakeNetworks) List() ([]*network.Network, error) { return n.list, nil }

func (n *fakeNetworks) Inspect(ref string) (*network.Network, error) {
	for _, x := range n.list {
		if x.Name == ref || strings.HasPrefix(x.ID, ref) {
			return x, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", network.ErrNotFound, ref)
}

func (n *fakeNetworks) Create(opts network.CreateOptions) (*network.Network, error) {
	n.created = append(n.created, opts)
	x := &network.Network{Name: opts.Name, ID: strings.Repeat("e", 64), Driver: "bridge", Scope: "local"}
	n.list = append(n.list, x)
	return x, nil
}

func (n *fakeNetworks) Remove(ref string) error {
	x, err := n.Inspect(ref)
	if err != nil {
		return err
	}
	n.list = slices.DeleteFunc(n.list, func(y *network.Network) bool { return y == x })
	return nil
}

func (n *fakeNetworks) Prune() ([]string, error) { return []string{"old"}, nil }

// fakeEvents is an in-memory event log; Follow sends what matches and
// closes, as a log whose --until passed.
type fakeEvents struct {
	list     []events.Event
	filters  []events.Filter
	followed bool
}

func (l *fakeEvents) Query(f events.Filter) ([]events.Event, error) {
	l.filters = append(l.filters, f)
	var out []events.Event
	for _, e := range l.list {
		if f.Match(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *fakeEvents) Follow(ctx context.Context, f events.Filter) (<-chan events.Event, error) {
	l.followed = true
	list, _ := l.Query(f)
	ch := make(chan events.Event, len(list))
	for _, e := range list {
		ch <- e
	}
	close(ch)
	return ch, nil
}

// fakeExec is an exec session that prints its command and exits with the
// fake engine's run result.
type fakeExec struct{ f *fakeEngine }

func (s *fakeExec) Run(stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	s.f.execStdin = stdin
	fmt.Fprintln(stdout, strings.Join(s.f.execOpts.Cmd, " "))
	return s.f.runResult.ExitCode, nil
}

func (s *fakeExec) Detach() error {
	s.f.calls = append(s.f.calls, "detach")
	return nil
}

// testSystem is a root user with an empty environment, the fixed clock and
// the fake engine.
func testSystem(eng host.Containers) system {
	return system{
		geteuid:    func() int { return 0 },
		getenv:     func(string) string { return "" },
		lookupEnv:  func(string) (string, bool) { return "", false },
		now:        func() time.Time { return testNow },
		isTerminal: func(any) bool { return false },
		tui: func(context.Context, *config.Config, []tuiHost) error {
			return errors.New("no terminal ui in this test")
		},
		open: func(*config.Config) (host.Containers, host.Images, error) {
			if eng == nil {
				return nil, nil, errors.New("no engine in this test")
			}
			return eng, &fakeImages{}, nil
		},
	}
}

// withImages makes sys open store as its image store.
func withImages(sys system, store host.Images) system {
	open := sys.open
	sys.open = func(c *config.Config) (host.Containers, host.Images, error) {
		eng, _, err := open(c)
		return eng, store, err
	}
	return sys
}

type result struct {
	stdout, stderr string
	code           int
}

// runCLI runs one command line against sys with roots in a temp dir.
func runCLI(t *testing.T, sys system, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	tmp := t.TempDir()
	writeTestFile(t, tmp+"/config.json", "{}")
	full := append([]string{"--root", tmp + "/root", "--run-root", tmp + "/run", "--config", tmp + "/config.json"}, args...)
	code := run(full, newApp(strings.NewReader(""), &stdout, &stderr, sys))
	return result{stdout.String(), stderr.String(), code}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lookupIn is an environment lookup over env.
func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}
