package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"berth/api"
	"berth/config"
	"berth/engine"
	"berth/engine/events"
	"berth/host"
	"berth/host/runopts"
	"berth/images"
	"berth/ui"
)

// The hosts the full-screen program opens with. A host named for this
// invocation (-H, BERTH_HOST, --context, BERTH_CONTEXT) is the only one
// it shows. Otherwise it shows every host the user has: this machine
// ("local", when berth can open it: as root) and every context of
// `berth context ls`, in their order; the current context (`berth
// context use`) is one of them, not the only one. A context that
// cannot be reached does not stop the program: its rows are the error.

// tuiHostsChoice marks the root command: it picks its hosts itself (a
// user who is not root may still watch the hosts of their contexts).
const tuiHostsChoice = "berth/tui-hosts"

// localHostName is this machine in the host column.
const localHostName = "local"

// tuiHost is one host the program shows; Remote nil is this machine.
type tuiHost struct {
	Name   string
	Remote *api.Endpoint
}

// tuiHostsInput is what decides the hosts: the host and context named
// for this invocation (flag first, then environment), the stored
// contexts, and whether this machine can be opened.
type tuiHostsInput struct {
	host, hostSource string
	context          string
	contexts         contextFile
	root             bool
	// certPath is the TLS files of a -H tcp:// host.
	certPath api.TLSFiles
}

// chooseTUIHosts is the hosts the program opens with.
func chooseTUIHosts(in tuiHostsInput) ([]tuiHost, error) {
	local := tuiHost{Name: localHostName}
	switch {
	case in.host != "":
		u, err := api.ParseEndpoint(in.host)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.hostSource, err)
		}
		name := u.Host
		if name == "" {
			name = u.Path
		}
		return []tuiHost{{Name: name, Remote: &api.Endpoint{Host: in.host, TLS: in.certPath}}}, nil
	case in.context == defaultContext:
		if !in.root {
			return nil, errNeedsRoot
		}
		return []tuiHost{local}, nil
	case in.context != "":
		hc, err := in.contexts.lookup(in.context)
		if err != nil {
			return nil, err
		}
		return []tuiHost{contextHost(in.context, hc)}, nil
	}
	var hosts []tuiHost
	if in.root {
		hosts = append(hosts, local)
	}
	for _, name := range in.contexts.names() {
		hosts = append(hosts, contextHost(name, in.contexts.Contexts[name]))
	}
	if len(hosts) == 0 {
		return nil, errNeedsRoot
	}
	return hosts, nil
}

// contextHost is the stored context name as a host of the program.
func contextHost(name string, hc hostContext) tuiHost {
	return tuiHost{Name: name, Remote: &api.Endpoint{Host: hc.Host, TLS: api.TLSFiles{CA: hc.CA, Cert: hc.Cert, Key: hc.Key}}}
}

// tuiHosts reads the choice's inputs from the flags, the environment
// and the context store.
func (a *app) tuiHosts() ([]tuiHost, error) {
	in := tuiHostsInput{host: a.host, hostSource: "-H", context: a.contextName, root: a.sys.geteuid() == 0}
	if in.host == "" {
		in.host, in.hostSource = a.sys.getenv("BERTH_HOST"), "BERTH_HOST"
	}
	if in.host != "" {
		in.certPath = a.certPath()
	}
	if in.context == "" {
		in.context = a.sys.getenv("BERTH_CONTEXT")
	}
	in.contexts = contextFile{Contexts: map[string]hostContext{}}
	if store, err := openContextStore(a.sys.getenv); err == nil { // no configuration directory: no contexts
		f, err := store.load()
		if err != nil {
			return nil, err
		}
		in.contexts = f
	}
	return chooseTUIHosts(in)
}

// runTUI opens the full-screen program on the terminal, showing hosts.
func runTUI(ctx context.Context, c *config.Config, hosts []tuiHost) error {
	detachKeys, err := runopts.DetachKeys("", c)
	if err != nil {
		return err
	}
	backends := make([]ui.HostBackend, 0, len(hosts))
	exe, exeErr := os.Executable() // without it, quitting with actions running asks first
	cliOf := func(h tuiHost) ui.EngineOption {
		if exeErr != nil {
			return func(*ui.EngineBackend) {}
		}
		return ui.WithCLI(exe, tuiCLIFlags(c, h))
	}
	for _, h := range hosts {
		if h.Remote == nil {
			l, err := host.Open(c, nil) // the full-screen program owns the terminal
			if err != nil {
				return fmt.Errorf("open berth's stores at %s: %w", c.DataRoot, err)
			}
			backend := ui.NewEngineBackend(l, ui.WithRegistry(registryOptions(c, c.MaxConcurrentDownloads)), cliOf(h), ui.WithDetachKeys(detachKeys))
			backends = append(backends, ui.HostBackend{Name: h.Name, Backend: backend})
			continue
		}
		// Dial sends nothing: a host that does not answer shows its
		// error in its rows, when the program first asks it.
		rc, err := api.Dial(*h.Remote)
		if err != nil {
			backends = append(backends, ui.HostBackend{Name: h.Name, Backend: failedBackend{fmt.Errorf("host %s: %w", h.Name, err)}})
			continue
		}
		defer func() { _ = rc.Close() }() // ends its ssh processes; nothing is left to lose
		backends = append(backends, ui.HostBackend{Name: h.Name, Backend: ui.NewEngineBackend(rc, cliOf(h), ui.WithDetachKeys(detachKeys))})
	}
	return ui.Run(ctx, backends, ui.Options{KeysFile: keysFile(os.Getenv), RunSettings: c, DetachKeys: detachKeys})
}

// failedBackend is a host whose address could not be used: every call
// is that error.
type failedBackend struct{ err error }

var _ ui.Backend = failedBackend{}

func (f failedBackend) Host(context.Context) (ui.Host, error) { return ui.Host{}, f.err }
func (f failedBackend) List(context.Context, engine.ListOptions) ([]*engine.Container, error) {
	return nil, f.err
}
func (f failedBackend) Inspect(context.Context, string) (*engine.Container, error) { return nil, f.err }
func (f failedBackend) Stats(context.Context, string) (*engine.Stats, error)       { return nil, f.err }
func (f failedBackend) Top(context.Context, string) ([]engine.Process, error)      { return nil, f.err }
func (f failedBackend) Logs(context.Context, string, engine.LogsOptions, func(engine.LogEntry) error) error {
	return f.err
}
func (f failedBackend) Events(context.Context, string) ([]ui.Event, error) { return nil, f.err }
func (f failedBackend) FollowEvents(context.Context, time.Time) (<-chan events.Event, error) {
	return nil, f.err
}
func (f failedBackend) FollowNewEvents(context.Context) (<-chan events.Event, error) {
	return nil, f.err
}
func (f failedBackend) Run(context.Context, engine.CreateOptions, string) (*engine.Container, error) {
	return nil, f.err
}
func (f failedBackend) Start(context.Context, string) error                       { return f.err }
func (f failedBackend) Stop(context.Context, string, engine.StopOptions) error    { return f.err }
func (f failedBackend) Restart(context.Context, string, engine.StopOptions) error { return f.err }
func (f failedBackend) Kill(context.Context, string, string) error                { return f.err }
func (f failedBackend) Pause(context.Context, string) error                       { return f.err }
func (f failedBackend) Unpause(context.Context, string) error                     { return f.err }
func (f failedBackend) Remove(context.Context, string, engine.RemoveOptions) error {
	return f.err
}
func (f failedBackend) Rename(context.Context, string, string) error            { return f.err }
func (f failedBackend) Signal(context.Context, string, int, string) error       { return f.err }
func (f failedBackend) Images(context.Context) ([]ui.Image, error)              { return nil, f.err }
func (f failedBackend) ImageLayers(context.Context, string) ([]ui.Layer, error) { return nil, f.err }
func (f failedBackend) RemoveImage(context.Context, string, bool) error         { return f.err }
func (f failedBackend) LayerFiles(context.Context, string) (*images.LayerAnalysis, error) {
	return nil, f.err
}
func (f failedBackend) Pull(context.Context, string, func(ui.PullProgress)) error {
	return f.err
}
func (f failedBackend) Build(context.Context, ui.BuildRequest, func(string), func(ui.BuildStep)) (string, error) {
	return "", f.err
}
func (f failedBackend) PruneImages(context.Context) (int, uint64, error) { return 0, 0, f.err }
func (f failedBackend) Handoff(context.Context, string, ui.SessionKind) (ui.Handoff, error) {
	return nil, f.err
}
func (f failedBackend) OpenTerminal(context.Context, string, ui.SessionKind, int, int) (ui.Terminal, error) {
	return nil, f.err
}
func (f failedBackend) ComposeUp(context.Context, map[string]string, func(string)) error {
	return f.err
}
func (f failedBackend) ComposeDown(context.Context, string, func(string)) error { return f.err }
