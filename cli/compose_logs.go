package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth/compose"
	"berth/engine"
	"berth/host"
)

func (a *app) composeLogsCommand(f *composeFlags) *cobra.Command {
	var follow, noColor, noPrefix, timestamps bool
	var index int
	var tail, since, until string
	cmd := newCommand("logs [OPTIONS] [SERVICE...]", "View output from containers", nil, nil)
	cmd.Long = "View the output of a project's containers, every line prefixed with its\n" +
		"container's name (\"web-1  | \") in a colour of its own, as Docker Compose\n" +
		"shows them. --since and --until take what `berth logs` takes."
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if index > 0 && len(args) != 1 {
			return &statusError{err: errors.New("--index requires one service to be selected"), code: exitFailure}
		}
		now := a.sys.now()
		o := compose.LogsOptions{Follow: follow}
		var err error
		if o.Tail, err = parseTail(tail); err != nil {
			return &statusError{err: err, code: exitFailure}
		}
		if o.Since, err = host.ParseTimestamp(since, now); err != nil {
			return &statusError{err: fmt.Errorf("invalid value for \"since\": %w", err), code: exitFailure}
		}
		if o.Until, err = host.ParseTimestamp(until, now); err != nil {
			return &statusError{err: fmt.Errorf("invalid value for \"until\": %w", err), code: exitFailure}
		}
		ctx := cmd.Context()
		name, p, err := a.composeName(ctx, f)
		if err != nil {
			return err
		}
		services, err := logServices(p, args)
		if err != nil {
			return composeError(err)
		}
		h, err := a.composeHost()
		if err != nil {
			return err
		}
		containers, err := logContainers(ctx, h, name, services, index)
		if err != nil {
			return composeError(err)
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		pr := newComposeLogPrinter(a.stdout, nil, containerNames(name, containers), a.composeColor(noColor), !noPrefix, timestamps)
		// As Docker Compose, -f reports the containers that stop while
		// followed, not the run that had ended already, and follows
		// those that start meanwhile (a service restarted, recreated).
		ended := map[string]time.Time{}
		for _, c := range containers {
			if !c.State.Running() {
				ended[c.ID] = c.State.StartedAt
			}
		}
		fl := compose.NewFollower(ctx, h, name, o, pr.line, func(e compose.Exit) error {
			if run, ok := ended[e.ID]; ok && run.Equal(e.StartedAt) {
				return nil
			}
			return pr.exit(e)
		})
		if follow && index == 0 && (services == nil || len(services) > 0) {
			fl.FollowStarts(services)
		}
		for _, c := range containers {
			fl.Add(c)
		}
		err = fl.Wait()
		if ctx.Err() != nil && cmd.Context().Err() == nil {
			return &statusError{code: exitComposeInterrupted} // Ctrl-C while following, as Docker Compose
		}
		return composeError(err)
	}
	flags := cmd.Flags()
	flags.BoolVarP(&follow, "follow", "f", false, "follow log output")
	flags.IntVar(&index, "index", 0, "index of the container if service has multiple replicas")
	flags.StringVar(&since, "since", "", "show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	flags.StringVar(&until, "until", "", "show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	flags.BoolVar(&noColor, "no-color", false, "produce monochrome output")
	flags.BoolVar(&noPrefix, "no-log-prefix", false, "don't print prefix in logs")
	flags.BoolVarP(&timestamps, "timestamps", "t", false, "show timestamps")
	flags.StringVarP(&tail, "tail", "n", "all", "number of lines to show from the end of the logs for each container")
	return cmd
}

// logServices are the services whose logs `compose logs` shows: those
// named, which must be the project's when there is a file; else, as
// Docker Compose, the file's services but those marked `attach: false`.
// With neither a file nor names, nil: every service of the project.
func logServices(p *types.Project, args []string) ([]string, error) {
	if p == nil {
		return args, nil
	}
	for _, s := range args {
		if _, ok := p.Services[s]; !ok {
			return nil, fmt.Errorf("no such service: %s", s)
		}
	}
	if len(args) > 0 {
		return args, nil
	}
	return attachedServices(p, p.ServiceNames()), nil
}

// attachedServices are those of names not marked `attach: false`.
func attachedServices(p *types.Project, names []string) []string {
	out := []string{}
	for _, name := range names {
		if s, ok := p.Services[name]; ok && (s.Attach == nil || *s.Attach) {
			out = append(out, name)
		}
	}
	return out
}

// logContainers are project's containers of services (nil: all; empty:
// none), or with index the one of that number of the only service.
func logContainers(ctx context.Context, h host.Host, project string, services []string, index int) ([]*engine.Container, error) {
	if services != nil && len(services) == 0 {
		return nil, nil
	}
	list, err := compose.Containers(ctx, h, project, services, true, false)
	if err != nil || index == 0 {
		return list, err
	}
	for _, c := range list {
		if c.Config.Labels[compose.LabelNumber] == strconv.Itoa(index) {
			return []*engine.Container{c}, nil
		}
	}
	return nil, fmt.Errorf("service %q is not running container #%d", services[0], index)
}

// composeColor is whether compose colours its log prefixes: on a
// terminal, without --no-color or NO_COLOR.
func (a *app) composeColor(noColor bool) bool {
	if v, ok := a.sys.lookupEnv("NO_COLOR"); ok && v != "" {
		return false
	}
	return !noColor && a.sys.isTerminal(a.stdout)
}

// composeLogPrinter writes a project's log lines as Docker Compose does:
// each after its container's name padded to the widest ("web-1  | "),
// the prefix in the container's colour.
type composeLogPrinter struct {
	stdout io.Writer
	// stderr, when not nil, takes the containers' stderr lines (attached
	// up); else they go to stdout with the rest (logs).
	stderr                    io.Writer
	color, prefix, timestamps bool
	width                     int
	prefixes                  map[string]string // by container name; "" without prefixes
	colors                    map[string]string // by container name; none without colour
}

// newComposeLogPrinter is a printer for the lines of the containers
// named (within their project), padded to the widest, their colours
// handed out in the order given; a name not given gets the next.
func newComposeLogPrinter(stdout, stderr io.Writer, names []string, color, prefix, timestamps bool) *composeLogPrinter {
	p := &composeLogPrinter{stdout: stdout, stderr: stderr, color: color, prefix: prefix, timestamps: timestamps,
		width: compose.PrefixWidth(names), prefixes: map[string]string{}, colors: map[string]string{}}
	for _, name := range names {
		p.register(name)
	}
	return p
}

// register gives name its colour and prefix, once.
func (p *composeLogPrinter) register(name string) {
	if _, ok := p.prefixes[name]; ok {
		return
	}
	if p.color {
		p.colors[name] = compose.LogColor(len(p.prefixes))
	}
	p.prefixes[name] = ""
	if p.prefix {
		p.prefixes[name] = p.paint(name, compose.LogPrefix(name, max(p.width, len(name)+1)))
	}
}

// containerNames are containers' names within project.
func containerNames(project string, containers []*engine.Container) []string {
	names := make([]string, len(containers))
	for i, c := range containers {
		names[i] = compose.NameInProject(project, c)
	}
	return names
}

// paint is s in name's colour, if it has one.
func (p *composeLogPrinter) paint(name, s string) string {
	if code, ok := p.colors[name]; ok {
		return compose.Colorize(code, s)
	}
	return s
}

// line writes one log line after its prefix (and timestamp).
func (p *composeLogPrinter) line(l compose.LogLine) error {
	w := p.stdout
	if p.stderr != nil && l.Entry.Stream == "stderr" {
		w = p.stderr
	}
	p.register(l.Name)
	buf := []byte(p.prefixes[l.Name])
	if p.timestamps {
		buf = append(l.Entry.Time.AppendFormat(buf, timestampFormat), ' ')
	}
	buf = append(buf, l.Entry.Line...)
	if len(l.Entry.Line) == 0 || l.Entry.Line[len(l.Entry.Line)-1] != '\n' {
		buf = append(buf, '\n')
	}
	_, err := w.Write(buf)
	return err
}

// exit writes Docker Compose's line for a container that stopped.
func (p *composeLogPrinter) exit(e compose.Exit) error {
	p.register(e.Name)
	msg := fmt.Sprintf("%s exited with code %d", e.Name, e.ExitCode)
	if e.Restarting {
		msg += " (restarting)"
	}
	_, err := fmt.Fprintln(p.stdout, p.paint(e.Name, msg))
	return err
}
