// Package cli is berth's docker-style command line: `berth run`, `ps`,
// `logs`, `images`… with docker's flags, output formats and exit codes. It
// parses and formats; containers are the engine's job and images the image
// store's, both called through their Go API.
//
// Start with Main (below): it builds the cobra command tree, resolves the
// settings (package config) and maps errors to exit codes (errors.go).
// With no command and a terminal, Main opens the full-screen program
// (package ui) on the same engine.
//
// run.go turns `run`/`create` flags into engine.CreateOptions with the
// parsers of parsers.go and ports.go, each a pure function with table
// tests. Every other file is one family of commands: lifecycle.go (start,
// stop, kill, rm…), exec.go, ps.go, logs.go, inspect.go, top.go, stats.go,
// images.go (images, import, tag, rmi), history.go, saveload.go,
// registry.go (pull, push, login), build.go, prune.go, df.go, system.go
// (info, version) and groups.go (`berth container …`, `image …`,
// `system …`). format.go holds docker's --format templates, tables and
// human units; progress.go prints pull and push progress.
//
// Tests drive Main's command tree against in-memory fakes of the engine
// and the image store (fake_test.go, golden files in testdata/), and, as
// root, against the real engine (realcontainers_test.go).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"berth/api"
	"berth/config"
	"berth/host"
	"berth/images"
)

// Main runs one berth command line (args without the program name) and
// returns the process exit code: 0, the container's code for run/start -a,
// 125 for berth's own errors (as docker run), 1 for other failures.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(args, newApp(stdin, stdout, stderr, hostSystem()))
}

// system is what the CLI takes from the host: identity, environment,
// clock, and how it opens the engine. Tests replace it.
type system struct {
	geteuid    func() int
	getenv     func(string) string
	lookupEnv  func(string) (string, bool)
	now        func() time.Time
	isTerminal func(any) bool
	// open opens the engine and its image store.
	open func(*config.Config) (host.Containers, host.Images, error)
	// tui runs the full-screen program on hosts.
	tui func(context.Context, *config.Config, []tuiHost) error
	// login checks a registry login (images.Login).
	login func(ctx context.Context, registry, username, password string, opts images.RegistryOptions) error
	// readPassword prompts for a password on a terminal without echo.
	readPassword func(terminal io.Reader, w io.Writer, label string) (string, error)
	// statsInterval is the time between two samples of `berth stats`.
	statsInterval time.Duration
	// dial reaches another machine (-H, BERTH_HOST, a context).
	dial func(api.Endpoint) (host.Host, error)
}

func hostSystem() system {
	return system{
		geteuid:       os.Geteuid,
		getenv:        os.Getenv,
		lookupEnv:     os.LookupEnv,
		now:           time.Now,
		isTerminal:    isTerminal,
		open:          openBackends,
		tui:           runTUI,
		login:         images.Login,
		readPassword:  readPassword,
		statsInterval: time.Second,
		dial:          dialRemote,
	}
}

// openBackends opens this machine: its engine and, through it, the image
// store it runs containers from.
func openBackends(c *config.Config) (host.Containers, host.Images, error) {
	l, err := host.Open(c, func(msg string) { fmt.Fprintln(os.Stderr, "WARNING:", msg) })
	if err != nil {
		return nil, nil, err
	}
	return l, l.Images(), nil
}

// keysFile is the TUI's key bindings file: $BERTH_KEYS, else
// keys.json in the user's configuration directory when it exists, as
// lazydocker and k9s keep theirs; "" means the defaults.
func keysFile(getenv func(string) string) string {
	if f := getenv("BERTH_KEYS"); f != "" {
		return f
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home := getenv("HOME"); home != "" {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir == "" {
		return ""
	}
	f := filepath.Join(dir, "berth", "keys.json")
	if _, err := os.Stat(f); err != nil {
		return ""
	}
	return f
}

// app is one invocation of the CLI: streams, global flags, the resolved
// settings, and the engine, opened on first use so that a command that fails
// its own checks touches nothing on disk.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	sys            system

	overrides config.Overrides
	logLevel  string
	log       *slog.Logger
	cfg       *config.Config
	eng       host.Containers
	imgs      host.Images
	// host and contextName are the global --host (-H) and --context;
	// remote is the machine they, BERTH_HOST or a context chose, nil for
	// this one (hostselect.go).
	host        string
	contextName string
	remote      *api.Endpoint
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, sys system) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, sys: sys}
}

// engine opens the engine once.
func (a *app) engine() (host.Containers, error) {
	if err := a.openOnce(); err != nil {
		return nil, err
	}
	return a.eng, nil
}

// images opens the image store (with the engine) once.
func (a *app) images() (host.Images, error) {
	if err := a.openOnce(); err != nil {
		return nil, err
	}
	return a.imgs, nil
}

func (a *app) openOnce() error {
	if a.eng != nil {
		return nil
	}
	if a.remote != nil {
		h, err := a.sys.dial(*a.remote)
		if err != nil {
			return err
		}
		a.eng, a.imgs = h, h.Images()
		return nil
	}
	eng, imgs, err := a.sys.open(a.cfg)
	if err != nil {
		return fmt.Errorf("open berth's stores at %s: %w", a.cfg.DataRoot, err)
	}
	a.eng, a.imgs = eng, imgs
	return nil
}

// run executes args and prints the error, if any, as docker does.
func run(args []string, a *app) int {
	args = hoistComposeFlags(hoistHostFlag(args))
	name := commandName(args)
	if opensTUI(args) && a.sys.isTerminal(a.stdin) && a.sys.isTerminal(a.stdout) {
		name = tuiName
	}
	root := a.rootCommand(name)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.Execute()
	if err != nil && !isStatus(err) && strings.HasPrefix(err.Error(), "unknown command") {
		err = usageError("berth", err)
	}
	if msg := errorMessage(err); msg != "" {
		fmt.Fprint(a.stderr, msg)
	}
	return exitCode(err)
}

func isStatus(err error) bool {
	var s *statusError
	return errors.As(err, &s)
}

// needsNothing marks commands that work without root or settings.
const needsNothing = "berth/needs-nothing"

// rootCommand is the command tree: with name, a command builders know,
// the root and that command only; with tuiName, the root alone.
func (a *app) rootCommand(name string) *cobra.Command {
	root := &cobra.Command{
		Use:   "berth [OPTIONS] COMMAND",
		Short: "A terminal container manager with its own runtime",
		Long: "berth runs containers with its own runtime, no daemon needed: running\n" +
			"containers are watched by small monitor processes, one for up to 64 of them.\n" +
			"With no command it opens the full-screen manager; with a command it behaves\n" +
			"like the docker CLI.",
		Version:           host.Version,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		Annotations:       map[string]string{tuiHostsChoice: "true"},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.prepare(cmd)
		},
		// No command: the full-screen program, when there is a terminal
		// to draw on; the help otherwise.
		RunE: func(cmd *cobra.Command, args []string) error {
			if !a.sys.isTerminal(a.stdin) || !a.sys.isTerminal(a.stdout) {
				return cmd.Help()
			}
			hosts, err := a.tuiHosts()
			if err != nil {
				return &statusError{err: err, code: exitBerth}
			}
			return a.sys.tui(cmd.Context(), a.cfg, hosts)
		},
	}
	root.SetVersionTemplate("berth version {{.Version}}\n")
	flags := root.PersistentFlags()
	flags.StringVar(&a.overrides.DataRoot, "root", "", "root directory of persistent berth state (env "+config.EnvRoot+"; default "+config.DefaultDataRoot+")")
	flags.StringVar(&a.overrides.RunRoot, "run-root", "", "directory of runtime state: sockets, pids (env "+config.EnvRunRoot+"; default "+config.DefaultRunRoot+")")
	flags.StringVar(&a.overrides.ConfigFile, "config", "", "settings file (env "+config.EnvConfig+"; default "+config.DefaultFile+")")
	flags.StringVar(&a.host, "host", "", "the machine to manage, ssh://[USER@]HOST[:PORT], unix:///PATH or tcp://ADDR:PORT; -H before the command (env BERTH_HOST)")
	flags.StringVar(&a.contextName, "context", "", `name of the context to use (env BERTH_CONTEXT; see "berth context use")`)
	// Long-only: -l is --label on run and create, and cobra shares one
	// short-flag namespace between a command and the global flags.
	flags.StringVar(&a.logLevel, "log-level", "info", `set the logging level ("debug"|"info"|"warn"|"error"|"fatal")`)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd.CommandPath(), err)
	})

	builders := a.commandBuilders()
	switch build, ok := builders[name]; {
	case ok:
		root.AddCommand(build())
	case name == tuiName: // the full-screen program needs no subcommand
	default:
		for _, build := range builders {
			root.AddCommand(build())
		}
	}
	// cobra's help command needs neither root nor settings.
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Annotations = map[string]string{needsNothing: "true"}
		}
	}
	return root
}

// prepare runs before every command: it checks the global flags, that the
// user is root, and resolves the settings. Nothing on disk is touched.
func (a *app) prepare(cmd *cobra.Command) error {
	level, err := parseLogLevel(a.logLevel)
	if err != nil {
		return usageError(cmd.CommandPath(), err)
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if cmd.Annotations[needsNothing] != "" {
		return nil
	}
	if cmd.Annotations[localOnly] == "" && cmd.Annotations[tuiHostsChoice] == "" {
		ep, remote, err := a.remoteEndpoint()
		if err != nil {
			return &statusError{err: err, code: exitBerth}
		}
		if remote {
			a.remote = &ep
		}
	}
	if a.remote == nil && a.sys.geteuid() != 0 && cmd.Annotations[tuiHostsChoice] == "" {
		return &statusError{err: errNeedsRoot, code: exitBerth}
	}
	cfg, err := config.Resolve(a.overrides, a.sys.getenv)
	if err != nil {
		return &statusError{err: err, code: exitBerth}
	}
	a.cfg = cfg
	a.log.Debug("settings", "data-root", cfg.DataRoot, "run-root", cfg.RunRoot, "file", cfg.File)
	return nil
}

func parseLogLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error", "fatal":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("invalid --log-level %q: use debug, info, warn, error or fatal", s)
}

// newCommand builds a subcommand with berth's conventions: flag errors and
// wrong argument counts are usage errors (exit 125).
func newCommand(use, short string, args cobra.PositionalArgs, runE func(cmd *cobra.Command, args []string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:                   use,
		Short:                 short,
		DisableFlagsInUseLine: true,
		RunE:                  runE,
	}
	if args != nil {
		cmd.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return usageError(cmd.CommandPath(), err)
			}
			return nil
		}
	}
	return cmd
}

// exactArgs, minArgs and noArgs phrase argument errors as docker does.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%q requires exactly %d %s", cmd.CommandPath(), n, plural(n, "argument"))
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return fmt.Errorf("%q requires at least %d %s", cmd.CommandPath(), n, plural(n, "argument"))
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return fmt.Errorf("%q requires at most %d %s", cmd.CommandPath(), n, plural(n, "argument"))
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%q accepts no arguments", cmd.CommandPath())
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// changed reports whether a flag was given on the command line.
func changed(flags *pflag.FlagSet, name string) bool {
	f := flags.Lookup(name)
	return f != nil && f.Changed
}
