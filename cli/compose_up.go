package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/pflag"

	"berth/compose"
	"berth/engine"
	"berth/host"
)

// exitComposeInterrupted is Docker Compose's exit code when Ctrl-C (or
// SIGTERM) ended it.
const exitComposeInterrupted = 130

// composePollInterval is how often attached up looks for the containers
// up started, to follow them.
const composePollInterval = 200 * time.Millisecond

// composeAttachFlags are `compose up`'s flags for attached mode: which
// services' lines it shows, how, and when it stops them all.
type composeAttachFlags struct {
	abortOnExit, abortOnFailure bool
	exitCodeFrom                string
	attach, noAttach            []string
	attachDependencies          bool
	noColor, noPrefix           bool
	timestamps                  bool
}

func (af *composeAttachFlags) register(flags *pflag.FlagSet) {
	flags.BoolVar(&af.abortOnExit, "abort-on-container-exit", false, "stops all containers if any container was stopped; incompatible with -d")
	flags.BoolVar(&af.abortOnFailure, "abort-on-container-failure", false, "stops all containers if any container exited with failure; incompatible with -d")
	flags.StringVar(&af.exitCodeFrom, "exit-code-from", "", "return the exit code of the selected service container; implies --abort-on-container-exit")
	flags.StringArrayVar(&af.attach, "attach", nil, "restrict attaching to the specified services; incompatible with --attach-dependencies")
	flags.StringArrayVar(&af.noAttach, "no-attach", nil, "do not attach (stream logs) to the specified services")
	flags.BoolVar(&af.attachDependencies, "attach-dependencies", false, "automatically attach to log output of dependent services")
	flags.BoolVar(&af.noColor, "no-color", false, "produce monochrome output")
	flags.BoolVar(&af.noPrefix, "no-log-prefix", false, "don't print prefix in logs")
	flags.BoolVar(&af.timestamps, "timestamps", false, "show timestamps")
}

// check refuses, as Docker Compose, attached-mode flags with -d or
// --wait and flags that contradict each other.
func (af *composeAttachFlags) check(detach, wait bool) error {
	if af.exitCodeFrom != "" && !af.abortOnFailure {
		af.abortOnExit = true
	}
	if af.abortOnExit && af.abortOnFailure {
		return errors.New("--abort-on-container-failure cannot be combined with --abort-on-container-exit")
	}
	if len(af.attach) > 0 && af.attachDependencies {
		return errors.New("cannot combine --attach and --attach-dependencies")
	}
	attaching := af.attachDependencies || af.abortOnExit || af.abortOnFailure || len(af.attach) > 0
	switch {
	case wait && attaching:
		return errors.New("--wait cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies")
	case detach && attaching:
		return errors.New("--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach or --attach-dependencies")
	}
	return nil
}

// attachTo are the services whose lines attached up shows: --attach's,
// else those up was given (with their dependencies under
// --attach-dependencies) or all, but those marked `attach: false`;
// never --no-attach's.
func (af *composeAttachFlags) attachTo(p *types.Project, services []string) ([]string, error) {
	var names []string
	if len(af.attach) > 0 {
		for _, s := range af.attach {
			if _, ok := p.Services[s]; !ok {
				return nil, fmt.Errorf("cannot attach to services not included in up: %s", s)
			}
		}
		names = af.attach
	} else {
		names = services
		if len(names) == 0 {
			names = p.ServiceNames()
		} else if af.attachDependencies {
			withDeps, err := p.WithSelectedServices(services)
			if err != nil {
				return nil, err
			}
			names = withDeps.ServiceNames()
		}
		names = attachedServices(p, names)
	}
	return slices.DeleteFunc(slices.Clone(names), func(s string) bool { return slices.Contains(af.noAttach, s) }), nil
}

// composeUpAttached is `compose up` without -d: up as -d does while
// following the lines of the attached services' containers, prefixed,
// each from when up starts it, until every watched container has exited
// (exit 0), one has and --abort-on-... stops the rest (exit with its
// code, or --exit-code-from's), or Ctrl-C stops them all (exit 130; a
// second Ctrl-C kills them).
func (a *app) composeUpAttached(ctx context.Context, h host.Host, p *types.Project, o compose.UpOptions, af *composeAttachFlags) error {
	if af.exitCodeFrom != "" {
		if _, ok := p.Services[af.exitCodeFrom]; !ok {
			return composeError(fmt.Errorf("no such service: %s", af.exitCodeFrom))
		}
	}
	attach, err := af.attachTo(p, o.Services)
	if err != nil {
		return composeError(err)
	}
	// Docker Compose watches the services up was given, else the attached
	// ones (none: all).
	watched := attach
	if len(o.Services) > 0 {
		watched = o.Services
	} else if len(watched) == 0 {
		watched = p.ServiceNames()
	}
	upCtx, cancelUp := context.WithCancel(ctx)
	defer cancelUp()
	s := &upSession{a: a, h: h, project: p.Name, services: o.Services, timeout: o.Timeout, flags: af, cancelUp: cancelUp}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer func() {
		signal.Stop(signals)
		close(signals)
	}()
	go s.handleSignals(signals)

	if names := compose.ExpectedNames(p, attach, o.Scale); len(names) > 0 {
		fmt.Fprintf(a.stdout, "Attaching to %s\n", strings.Join(names, ", "))
	}
	pr := newComposeLogPrinter(a.stdout, a.stderr, compose.ExpectedNames(p, watched, o.Scale), a.composeColor(af.noColor), !af.noPrefix, af.timestamps)
	since := a.sys.now()
	f := compose.NewFollower(context.WithoutCancel(ctx), h, p.Name, compose.LogsOptions{Follow: true, Tail: -1, Since: since},
		func(l compose.LogLine) error {
			if !slices.Contains(attach, l.Service) {
				return nil
			}
			return pr.line(l)
		},
		func(e compose.Exit) error {
			if err := pr.exit(e); err != nil {
				return err
			}
			s.exited(e)
			return nil
		})
	f.FollowStarts(watched) // what starts later too: a service restarted meanwhile
	upErr := s.up(upCtx, p, o, func() error { return s.follow(ctx, f, watched, since) })
	if stopping := s.upDone(); upErr != nil && !stopping {
		f.Cancel()
		return errors.Join(composeError(upErr), f.Wait())
	}
	// What up left running that it did not start (unchanged), from now.
	if err := s.follow(ctx, f, watched, time.Time{}); err != nil {
		f.Cancel()
		return errors.Join(composeError(err), f.Wait())
	}
	return s.finish(f.Wait())
}

// upSession is the state attached up shares between following the
// logs, Ctrl-C and the stop it triggers.
type upSession struct {
	a        *app
	h        host.Host
	project  string
	services []string
	timeout  *time.Duration
	flags    *composeAttachFlags
	cancelUp context.CancelFunc

	mu          sync.Mutex
	upReturned  bool
	stopAsked   bool
	interrupted bool
	aborting    bool
	exitCode    int
	capturedOne bool
	stopStarted bool
	finished    bool
	stopping    sync.WaitGroup
	errs        []error
}

// handleSignals is Docker Compose's Ctrl-C: the first stops the
// project gracefully, the second kills its containers.
func (s *upSession) handleSignals(signals <-chan os.Signal) {
	for range signals {
		s.mu.Lock()
		first := !s.interrupted
		s.interrupted = true
		s.mu.Unlock()
		if first {
			fmt.Fprintln(s.a.stderr, "Gracefully stopping... (press Ctrl+C again to force)")
			s.requestStop()
			continue
		}
		s.killProject()
		return
	}
}

// up runs compose.Up, calling poll every composePollInterval meanwhile (to
// follow the containers it starts), and once after.
func (s *upSession) up(ctx context.Context, p *types.Project, o compose.UpOptions, poll func() error) error {
	done := make(chan error, 1)
	go func() { done <- compose.Up(ctx, s.h, p, o) }()
	tick := time.NewTicker(composePollInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return errors.Join(err, poll())
		case <-tick.C:
			if err := poll(); err != nil {
				s.cancelUp()
				return errors.Join(err, <-done)
			}
		}
	}
}

// follow adds to f the containers of services started since then (zero:
// all), so that a container up replaces is not followed to its end.
func (s *upSession) follow(ctx context.Context, f *compose.Follower, services []string, since time.Time) error {
	containers, err := compose.Containers(ctx, s.h, s.project, services, true, false)
	if err != nil {
		return err
	}
	for _, c := range containers {
		if !c.State.StartedAt.Before(since) {
			f.Add(c)
		}
	}
	return nil
}

// upDone marks compose.Up returned and, when a stop was asked meanwhile
// (Ctrl-C, an abort, which cut Up short), stops what it started: the
// stop waits for Up so that it misses no container. It reports whether
// a stop was asked.
func (s *upSession) upDone() bool {
	s.mu.Lock()
	s.upReturned = true
	stop := s.stopAsked
	s.mu.Unlock()
	if stop {
		s.stopProject()
	}
	return stop
}

// requestStop cancels up and stops the project, once up returned.
func (s *upSession) requestStop() {
	s.cancelUp()
	s.mu.Lock()
	s.stopAsked = true
	returned := s.upReturned
	s.mu.Unlock()
	if returned {
		s.stopProject()
	}
}

// exited is one watched container having stopped: with
// --abort-on-container-exit (or -failure and a code not 0) the first
// stops the rest, and its code, or --exit-code-from's service's, is
// attached up's.
func (s *upSession) exited(e compose.Exit) {
	s.mu.Lock()
	abort := !s.aborting && !s.interrupted && (s.flags.abortOnExit || s.flags.abortOnFailure && e.ExitCode != 0)
	if abort {
		s.aborting = true
		s.exitCode = e.ExitCode
	}
	if s.flags.exitCodeFrom != "" && e.Service == s.flags.exitCodeFrom && !s.capturedOne {
		s.capturedOne = true
		s.exitCode = e.ExitCode
	}
	s.mu.Unlock()
	if abort {
		fmt.Fprintln(s.a.stderr, "Aborting on container exit...")
		s.requestStop()
	}
}

// stopProject stops the services up was given (or all), once, in the
// background: the logs followed meanwhile show them stop. Once attached
// up finishes it does nothing.
func (s *upSession) stopProject() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopStarted || s.finished {
		return
	}
	s.stopStarted = true
	s.stopping.Go(func() {
		s.addErr(compose.Stop(context.Background(), s.h, s.project, s.services, s.timeout, s.a.stderr))
	})
}

// killProject is the second Ctrl-C: SIGKILL to every container still
// running.
func (s *upSession) killProject() {
	containers, err := compose.Containers(context.Background(), s.h, s.project, s.services, false, false)
	if err != nil {
		s.addErr(err)
		return
	}
	for _, c := range containers {
		if err := s.h.Kill(context.Background(), c.ID, "KILL"); err != nil && !errors.Is(err, engine.ErrNotRunning) && !errors.Is(err, engine.ErrNotFound) {
			s.addErr(fmt.Errorf("kill %s: %w", strings.TrimPrefix(c.Name, "/"), err))
		}
	}
}

func (s *upSession) addErr(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

// finish waits for a stop under way and is attached up's end: 130 after
// Ctrl-C, the code an abort took, else 0, with what failed meanwhile.
func (s *upSession) finish(logsErr error) error {
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
	s.stopping.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := errors.Join(append([]error{logsErr}, s.errs...)...)
	code := s.exitCode
	if s.interrupted {
		code = exitComposeInterrupted
	}
	switch {
	case code != 0:
		return &statusError{err: err, code: code}
	case err != nil:
		return composeError(err)
	}
	return nil
}
