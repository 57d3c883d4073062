package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"berth/cgroups"
	"berth/engine/containerinit"
	"berth/engine/events"
	"berth/engine/jsonlog"
	"berth/engine/network"
	"berth/engine/shimlog"
	"berth/ptyexec"
)

// The shim is the berth binary re-executed with argv[0] = shimArg0, in a
// session of its own so that no terminal signal of its caller reaches it.
// It outlives its caller: when the CLI exits, the shim is reparented to
// init; a long-lived caller (the TUI) reaps it when it ends.
const shimArg0 = "berth-shim"

// IsShim reports whether this process was started as a container's shim;
// the package's initialisation then calls ShimMain (dispatch.go).
func IsShim() bool { return len(os.Args) > 0 && os.Args[0] == shimArg0 }

// ShimMain runs the shim. It never returns.
func ShimMain() { os.Exit(runShim()) }

// shimConfig is what the caller hands the shim on fd 3.
type shimConfig struct {
	Options    Options
	ID         string
	WaitAttach bool // wait for the first attach client before starting
	// Restart is set when the shim takes over the restart policy of a
	// shim that died (or of the machine that went down): the caller has
	// recorded this process as the container's shim, and the back-off
	// and restart count go on. Delay is the wait before the first start;
	// Reason, when set, is recorded with its "start" event.
	Restart bool
	Delay   time.Duration
	Reason  string
}

// shimReport is one message on the ready pipe (fd 4), JSON per line:
// "listening" (only with WaitAttach), then "started" or "failed".
type shimReport struct {
	State string `json:"state"`
	Pid   int    `json:"pid,omitempty"`
	Code  int    `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

// shim watches one container, in the goroutines of its monitor (see
// monitor.go).
type shim struct {
	e          *Engine
	m          *monitor
	id         string
	ready      io.WriteCloser // the caller's reports; nil once the first start has been reported
	waitAttach bool
	// wake gets a user's stop of the container (stop, kill, rm -f),
	// through the monitor's "stop". stopRequested latches it: the shim
	// knows without reading the record, which a full disk may have kept
	// from being saved.
	wake     chan struct{}
	userStop bool
	restart  bool   // shimConfig.Restart
	reason   string // shimConfig.Reason, until the first start records it
	// errLog keeps every error the shim could not hand to anyone.
	errLog *shimlog.Log
	done   chan struct{} // closed when the monitor is done with the container

	cg       cgroups.Manager
	devices  []containerinit.Device // made in the container's /dev at each start
	log      *jsonlog.Writer
	criLog   *criLog // HostConfig.CRILogPath's; nil without one
	listener net.Listener
	net      *network.Session  // attachments and published ports
	netState *network.Settings // of the current run, recorded at its start

	mu  sync.Mutex
	hub *ptyexec.Hub // of the current run; attach connections go to it
}

// runResult is how one run of the container's process ended.
type runResult struct {
	exitCode  int
	oomKilled bool
	ranFor    time.Duration
	startErr  error // the process never started
}

// logf writes an error the shim could not hand to anyone to its log.
// When even that fails there is no one left to tell.
func (s *shim) logf(format string, args ...any) {
	_ = s.errLog.Printf(format, args...)
}

// report tells the caller how the start went; false means no caller heard
// it (there was none: a restart; or it died), and the caller of report
// logs what it was told.
func (s *shim) report(r shimReport) bool {
	if s.ready == nil {
		return false
	}
	err := json.NewEncoder(s.ready).Encode(r)
	if r.State != "listening" {
		if cerr := s.ready.Close(); err == nil {
			err = cerr
		}
		s.ready = nil
	}
	if err != nil {
		s.logf("report %q to the caller: %v", r.State, err)
		return false
	}
	return true
}

// fail reports an error that ends the shim; when no caller hears it, it
// goes to the log.
func (s *shim) fail(err error) int {
	if !s.report(shimReport{State: "failed", Code: ExitCode(err), Error: err.Error()}) {
		s.logf("%v", err)
	}
	return 1
}

func (s *shim) run(delay time.Duration) int {
	c, err := s.claim()
	if err != nil {
		return s.fail(err)
	}
	if err := s.setup(c); err != nil {
		s.recordFailure(err)
		s.finish()
		return s.fail(err)
	}
	if delay > 0 && !s.sleepBeforeRestart(delay) {
		s.finish()
		return s.fail(fmt.Errorf("container %s was stopped before it restarted", c.DisplayName()))
	}
	first := true
	for {
		res := s.runOnce(c, first)
		if res.startErr != nil {
			s.recordFailure(res.startErr)
			s.finish()
			return s.fail(res.startErr)
		}
		first = false
		restart, backoff, err := s.recordExit(res)
		if err != nil {
			s.logf("record the exit (code %d): %v", res.exitCode, err)
		}
		if err != nil || !restart {
			s.finish()
			s.exitClients(res.exitCode)
			return 0
		}
		s.exitClients(res.exitCode)
		if !s.sleepBeforeRestart(backoff) {
			s.finish() // stopped during the back-off
			return 0
		}
		if c, err = s.e.store.load(s.id); err != nil {
			s.logf("restart: reload the container's record: %v", err)
			s.finish()
			return 1
		}
	}
}

// claim records this process as the container's shim, refusing if
// another live shim has it. A shim that takes over a restart (see
// shimConfig.Restart) was recorded by its caller; it gives up if the
// container was stopped meanwhile.
func (s *shim) claim() (*record, error) {
	unlock, err := s.e.store.lock(s.id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := s.e.store.load(s.id)
	if err != nil {
		return nil, err
	}
	// A restart is handed over (see revive) by recording this monitor
	// as the container's shim before the container's lock is released.
	mine := s.restart && s.m.ours(c)
	if active(c) && !s.e.shimDied(c) && !mine {
		return nil, fmt.Errorf("container %s is already running", c.DisplayName())
	}
	if s.restart && !mine {
		return nil, fmt.Errorf("container %s was not handed to this shim to restart", c.DisplayName())
	}
	if s.restart && c.ManuallyStopped {
		if mine {
			c.ShimPID, c.ShimStart, c.ShimBoot = 0, 0, ""
			if err := c.State.apply(evShimDone, time.Now().UTC()); err != nil {
				return nil, err
			}
			if err := s.e.store.save(c); err != nil {
				return nil, err
			}
		}
		return nil, fmt.Errorf("container %s was stopped before it restarted", c.DisplayName())
	}
	if err := s.e.makeRunDir(s.id); err != nil {
		return nil, err
	}
	c.ShimPID, c.ShimStart, c.ShimBoot = s.m.pid, s.m.start, bootID()
	c.ManuallyStopped = false
	if !s.restart {
		c.RestartDelay = 0 // a start by the user begins a new back-off, as docker's
	}
	c.State.Error = ""
	return c, s.e.store.save(c)
}

// setup makes what every run of the container shares: the attach socket,
// the log and the cgroup.
func (s *shim) setup(c *record) error {
	sock := s.e.attachSocket(s.id)
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale attach socket: %w", err)
	}
	l, err := listenUnix(sock)
	if err != nil {
		return fmt.Errorf("listen for attach: %w", err)
	}
	s.listener = l
	go s.serveAttach()

	logOpts, err := jsonlog.ParseOptions(c.LogOpts)
	if err != nil {
		return err
	}
	logOpts.MinFree = lowSpace
	if s.log, err = openLog(c, logOpts); err != nil {
		return err
	}
	if s.criLog, err = openCRILog(c.HostConfig.CRILogPath); err != nil {
		return err
	}
	if s.cg, err = s.e.cgroup(c); err != nil {
		return err
	}
	res := cgroupResources(c.HostConfig.Resources)
	if s.devices, res.Devices, err = containerDevices(c.HostConfig, hostDevices{}); err != nil {
		return err
	}
	if res.BlockIO, err = blockIO(c.HostConfig.Resources); err != nil {
		return err
	}
	if err := s.cg.Create(res); err != nil {
		return fmt.Errorf("create cgroup: %w", err)
	}
	// A group left frozen (its shim died while the container was paused,
	// or it was frozen by hand) would freeze the new init before it
	// reports, and start would hang: thaw it first.
	if frozen, err := s.cg.Paused(); err != nil {
		return fmt.Errorf("read cgroup freezer: %w", err)
	} else if frozen {
		if err := s.cg.Thaw(); err != nil {
			return fmt.Errorf("thaw cgroup left frozen: %w", err)
		}
	}
	spec, err := s.e.sessionSpec(c)
	if err != nil {
		return err
	}
	if s.net, err = s.e.networks.NewSession(spec); err != nil {
		return err
	}
	return nil
}

func (s *shim) serveAttach() {
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.logf("accept attach connection: %v", err)
			}
			return
		}
		s.mu.Lock()
		hub := s.hub
		s.mu.Unlock()
		if hub == nil {
			if err := conn.Close(); err != nil {
				s.logf("close attach connection before the start: %v", err)
			}
			continue
		}
		go hub.ServeConn(conn)
	}
}

// stdio is the container side and the shim side of one run's streams.
type stdio struct {
	child       [3]*os.File // given to the container, closed by the shim once it runs
	devpts      *os.File    // with Tty, the devpts instance of the PTY, the container's /dev/pts; closed with child
	pty         *os.File    // master, when Tty
	stdin       io.WriteCloser
	stdout      *os.File
	stderr      *os.File
	closeOnExit []io.Closer
}

func openStdio(c *record) (*stdio, error) {
	st := &stdio{}
	if c.Config.Tty {
		devpts, master, slave, err := ptyexec.OpenPTYInstance()
		if err != nil {
			return nil, err
		}
		st.devpts = devpts
		st.child = [3]*os.File{slave, slave, slave}
		st.pty, st.stdout = master, master
		if c.Config.OpenStdin {
			st.stdin = master
		}
		st.closeOnExit = []io.Closer{master}
		return st, nil
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = outR.Close()
		_ = outW.Close()
		return nil, err
	}
	growOutputPipe(outW)
	growOutputPipe(errW)
	st.child[1], st.child[2] = outW, errW
	st.stdout, st.stderr = outR, errR
	st.closeOnExit = []io.Closer{outR, errR}
	if c.Config.OpenStdin {
		inR, inW, err := os.Pipe()
		if err != nil {
			st.closeChild()
			st.closeShim()
			return nil, err
		}
		st.child[0], st.stdin = inR, inW
		st.closeOnExit = append(st.closeOnExit, inW)
	}
	return st, nil
}

func (st *stdio) closeChild() {
	if st.devpts != nil {
		_ = st.devpts.Close()
	}
	seen := map[*os.File]bool{}
	for _, f := range st.child {
		if f != nil && !seen[f] {
			seen[f] = true
			_ = f.Close()
		}
	}
}

func (st *stdio) closeShim() {
	for _, c := range st.closeOnExit {
		_ = c.Close()
	}
}

// runOnce starts the container's process and returns when it has exited
// and all its output is logged.
func (s *shim) runOnce(c *record, first bool) runResult {
	st, err := openStdio(c)
	if err != nil {
		return runResult{startErr: fmt.Errorf("open container stdio: %w", err)}
	}
	defer st.closeShim()
	hubCfg := ptyexec.HubConfig{Tty: c.Config.Tty, Stdin: st.stdin}
	if st.pty != nil {
		pty := st.pty
		hubCfg.Resize = func(sz ptyexec.Size) error { return ptyexec.SetSize(pty, sz) }
	}
	hub := ptyexec.NewHub(hubCfg)
	s.mu.Lock()
	s.hub = hub
	s.mu.Unlock()

	if first && s.waitAttach {
		s.report(shimReport{State: "listening"})
		select {
		case <-hub.FirstClient():
		case <-time.After(10 * time.Second):
		}
	}

	var oomBefore uint64
	if stats, err := s.cg.Stats(); err == nil {
		oomBefore = stats.OOMKills
	} else {
		s.logf("read OOM kills before the start: %v", err)
	}
	joins, closeJoins, err := s.e.namespaceJoins(c)
	if err != nil {
		s.closeHub(hub)
		return runResult{startErr: err}
	}
	cfg, err := s.e.initConfig(c, s.devices)
	if err != nil {
		closeJoins()
		s.closeHub(hub)
		return runResult{startErr: err}
	}
	// The sealed berth this start's init runs, sealed anew at each start
	// and closed once the init runs: kept for the container's life it
	// would hold a detached overlay mount, or where berth had to be
	// copied into a memfd (no overlay, no new mount API, a binary
	// replaced on disk) the binary's whole size in memory per container.
	exe, err := s.e.sealedSelf()
	if err != nil {
		closeJoins()
		s.closeHub(hub)
		return runResult{startErr: err}
	}
	// The init joins the cgroup itself where it can (cgroup v1), which
	// spares the start a move by PID (see StartOptions.CgroupTasks).
	tasks := s.cg.TaskFiles()
	proc, err := containerinit.Start(cfg, containerinit.StartOptions{
		Stdin: st.child[0], Stdout: st.child[1], Stderr: st.child[2], Devpts: st.devpts, Exe: exe, Join: joins,
		CgroupTasks: tasks,
		BeforeRun: func(pid int) error {
			if len(tasks) == 0 {
				if err := s.cg.Add(pid); err != nil {
					return err
				}
			}
			s.net.SetNetworks(joinedNetworks(c), c.Connected)
			settings, err := s.net.Connect(pid)
			if err != nil {
				return err
			}
			s.netState = settings
			return nil
		},
	})
	st.closeChild()
	closeJoins()
	if cerr := exe.Close(); cerr != nil { // read-only: nothing to flush
		s.logf("close the sealed berth: %v", cerr)
	}
	if err != nil {
		var ee *containerinit.ExecError
		if errors.As(err, &ee) {
			err = &ExitError{Code: ee.Code, Err: errors.New(ee.Msg)}
		}
		s.closeHub(hub)
		return runResult{startErr: err}
	}
	started := time.Now()
	stopped, err := s.recordStart(proc.Pid)
	if err != nil {
		if kerr := proc.Signal(unix.SIGKILL); kerr != nil {
			s.logf("kill the container whose start could not be recorded: %v", kerr)
		}
		if _, _, werr := proc.Wait(); werr != nil {
			s.logf("wait for the container whose start could not be recorded: %v", werr)
		}
		s.closeHub(hub)
		return runResult{startErr: err}
	}
	s.report(shimReport{State: "started", Pid: proc.Pid})
	if s.m != nil {
		s.m.trim.Soon()
	}
	health := s.startHealth(c)
	if stopped {
		if err := proc.Signal(unix.SIGKILL); err != nil {
			s.logf("kill the container stopped while it started: %v", err)
		}
	}

	var pumps sync.WaitGroup
	// A PTY's master also takes the attached clients' input and their
	// resizes: its pump only reads it (readEach). A pipe is the pump's
	// own (readPipe).
	read := readPipe
	if st.pty != nil {
		read = readEach
	}
	// A stream's first failure to log is logged (the log writer counts
	// what it drops after that); the hub never fails a write: it drops
	// what a slow client cannot take.
	pump := func(name string, r *os.File, log io.Writer, out io.Writer) {
		defer pumps.Done()
		logFailed := false
		err := read(r, func(b []byte) {
			if _, lerr := log.Write(b); lerr != nil && !logFailed {
				logFailed = true
				s.logf("log the container's %s: %v", name, lerr)
			}
			_, _ = out.Write(b) // the hub's writer never fails
		})
		if !errors.Is(err, io.EOF) && !errors.Is(err, unix.EIO) && !errors.Is(err, os.ErrClosed) {
			s.logf("read the container's %s: %v", name, err)
		}
	}
	outLog := s.log.Stream("stdout")
	pumps.Add(1)
	go pump("stdout", st.stdout, s.criLog.tee(outLog, "stdout"), hub.Stdout())
	var errLog *jsonlog.StreamWriter
	if st.stderr != nil {
		errLog = s.log.Stream("stderr")
		pumps.Add(1)
		go pump("stderr", st.stderr, s.criLog.tee(errLog, "stderr"), hub.Stderr())
	}
	// The exit is awaited in the runtime's poller, through a pidfd:
	// a wait blocked in the kernel would hold a thread (and its stacks,
	// some 50 KiB) per container of the monitor. Then Wait reaps.
	if err := waitProcessExit(context.Background(), proc.Pid, processStartTime(proc.Pid)); err != nil {
		s.logf("wait for the container's process %d to exit: %v", proc.Pid, err)
	}
	code, _, err := proc.Wait()
	if err != nil {
		s.logf("wait for the container's process %d: %v", proc.Pid, err)
	}
	health.stop()
	if err := s.net.Disconnect(); err != nil {
		s.logf("disconnect the container from its networks: %v", err)
	}
	pumps.Wait()
	if err := outLog.Close(); err != nil {
		s.logf("log the container's last stdout line: %v", err)
	}
	if errLog != nil {
		if err := errLog.Close(); err != nil {
			s.logf("log the container's last stderr line: %v", err)
		}
	}
	res := runResult{exitCode: code, ranFor: time.Since(started)}
	if stats, err := s.cg.Stats(); err != nil {
		s.logf("read OOM kills after the exit: %v", err)
	} else if stats.OOMKills > oomBefore {
		res.oomKilled = true
		res.exitCode = 137
	}
	return res
}

// exitClients tells every attached client the exit code once the state
// is recorded (so a client that then inspects sees it), and gives them a
// moment to receive their last output.
func (s *shim) exitClients(code int) {
	s.mu.Lock()
	hub := s.hub
	s.mu.Unlock()
	hub.Exit(code)
	for deadline := time.Now().Add(2 * time.Second); hub.Clients() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.closeHub(hub)
}

// initConfig is what the container's init needs to build this container,
// with the device nodes containerDevices chose.
func (e *Engine) initConfig(c *record, devices []containerinit.Device) (*containerinit.Config, error) {
	hc := c.HostConfig
	caps, _ := containerinit.Capabilities(hc.CapAdd, hc.CapDrop, hc.Privileged)
	filter, err := e.seccompProgram(c, caps)
	if err != nil {
		return nil, err
	}
	mounts := []containerinit.Mount{
		{Type: "bind", Source: c.HostsPath, Target: "/etc/hosts", Options: []string{"rbind", "rprivate"}},
		{Type: "bind", Source: c.HostnamePath, Target: "/etc/hostname", Options: []string{"rbind", "rprivate"}},
		{Type: "bind", Source: c.ResolvConfPath, Target: "/etc/resolv.conf", Options: []string{"rbind", "rprivate"}},
	}
	volumeMounts, copyUp, err := e.initMounts(c)
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, volumeMounts...)
	for dst, o := range hc.Tmpfs {
		opts := []string{"nosuid", "nodev", "noexec"}
		if o != "" {
			opts = append(opts, strings.Split(o, ",")...)
		}
		mounts = append(mounts, containerinit.Mount{Type: "tmpfs", Source: "tmpfs", Target: dst, Options: opts})
	}
	cfg := &containerinit.Config{
		Rootfs:          filepath.Join(e.store.dir(c.ID), "rootfs"),
		RootMount:       c.RootMount.initMount(),
		Mounts:          mounts,
		CopyUp:          copyUp,
		Hostname:        c.Config.Hostname,
		Args:            append([]string{c.Path}, c.Args...),
		Env:             c.Config.Env,
		Cwd:             c.Config.WorkingDir,
		User:            c.Config.User,
		Terminal:        c.Config.Tty,
		ReadonlyRootfs:  hc.ReadonlyRootfs,
		Capabilities:    caps,
		NoNewPrivileges: noNewPrivileges(hc.SecurityOpt),
		Seccomp:         filter,
		Privileged:      hc.Privileged,
		Network:         hc.NetworkMode,
		Devices:         devices,
		Init:            hc.Init != nil && *hc.Init || hc.Init == nil && e.opts.Init,
		Domainname:      c.Config.Domainname,
		Shared:          sharedNamespaces(hc),
		NoShm:           hc.IpcMode == ModeNone,
	}
	shm, err := e.namespaceMounts(c)
	if err != nil {
		return nil, err
	}
	cfg.Mounts = append(cfg.Mounts, shm...)
	if cfg.Env, err = e.withLinkEnv(c, cfg.Env); err != nil {
		return nil, err
	}
	cfg.MaskedPaths, cfg.ReadonlyPaths = hiddenPaths(&hc)
	if err := processSettings(cfg, hc); err != nil {
		return nil, err
	}
	return cfg, nil
}

// cgroupResources turns docker's units into the cgroup package's.
func cgroupResources(r Resources) cgroups.Resources {
	cr := cgroups.Resources{
		Memory:     r.Memory,
		MemorySwap: r.MemorySwap,
		CPUShares:  uint64(max(r.CPUShares, 0)),
		CpusetCpus: r.CpusetCpus,
		CpusetMems: r.CpusetMems,
	}
	if r.NanoCPUs > 0 {
		cr.CPUPeriod = 100000
		cr.CPUQuota = r.NanoCPUs * 100000 / 1e9
	}
	if r.PidsLimit != nil {
		cr.PidsLimit = *r.PidsLimit
	}
	addResourceFlags(&cr, r)
	return cr
}

// update changes the record under the container's lock; nothing is saved
// when fn fails.
func (s *shim) update(fn func(c *record) error) (*record, error) {
	unlock, err := s.e.store.lock(s.id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	c, err := s.e.store.load(s.id)
	if err != nil {
		return nil, err
	}
	if err := fn(c); err != nil {
		return nil, fmt.Errorf("container %s: %w", c.DisplayName(), err)
	}
	return c, s.e.store.save(c)
}

// recordStart records the running process. stopped reports that a user
// stopped (or removed) the container while it was starting: their kill
// of its cgroup may have come before the process joined it, so the
// caller kills it now. The record's lock orders the two: a stop either
// finds the process recorded and in its cgroup, or is seen here.
func (s *shim) recordStart(pid int) (stopped bool, err error) {
	c, err := s.update(func(c *record) error {
		if err := c.State.apply(evStart, time.Now().UTC()); err != nil {
			return err
		}
		c.State.Pid = pid
		c.NetworkSettings = s.netState
		resetHealth(c)
		stopped = c.ManuallyStopped || s.stopRequested()
		return nil
	})
	if err == nil {
		var attrs map[string]string
		if s.reason != "" {
			attrs = map[string]string{events.AttrReason: s.reason}
			s.reason = ""
		}
		s.e.event(c, "start", attrs)
	}
	return stopped, err
}

// recordFailure records a start that failed: a container that never ran
// stays "created" with the error, as docker shows it; one that ran before
// is "exited". Then, as docker's daemon, a die event with the exit code:
// a list kept by the events reads the record again.
func (s *shim) recordFailure(err error) {
	code := ExitCode(err)
	c, uerr := s.update(func(c *record) error {
		if aerr := c.State.apply(evStartFailed, time.Now().UTC()); aerr != nil {
			return aerr
		}
		c.State.ExitCode = code
		c.State.Error = err.Error()
		return nil
	})
	if uerr != nil {
		s.logf("record the failed start (%v): %v", err, uerr)
		return
	}
	s.e.event(c, "die", map[string]string{"exitCode": fmt.Sprint(code)})
}

// recordExit records how the process ended and decides, by the restart
// policy, whether it runs again and after what back-off (recorded, so
// that a shim taking over after this one died goes on with it).
func (s *shim) recordExit(res runResult) (restart bool, backoff time.Duration, err error) {
	code := res.exitCode
	c, err := s.update(func(c *record) error {
		c.ManuallyStopped = c.ManuallyStopped || s.stopRequested()
		restart = shouldRestart(c.HostConfig.RestartPolicy, c.ManuallyStopped, code, c.RestartCount)
		ev := evExit
		if restart {
			ev = evRestart
			c.RestartCount++
			c.RestartDelay = nextBackoff(c.RestartDelay, res.ranFor)
			backoff = c.RestartDelay
		}
		if err := c.State.apply(ev, time.Now().UTC()); err != nil {
			return err
		}
		c.State.ExitCode = code
		c.State.OOMKilled = res.oomKilled
		c.NetworkSettings = nil
		endHealth(c)
		return nil
	})
	if err != nil {
		return false, 0, err
	}
	if res.oomKilled {
		s.e.event(c, "oom", nil)
	}
	s.e.event(c, "die", map[string]string{"exitCode": fmt.Sprint(code)})
	s.e.volumeUnmountEvents(c)
	if restart {
		s.e.event(c, "restart", map[string]string{"restartCount": fmt.Sprint(c.RestartCount)})
	}
	return restart, backoff, nil
}

// sleepBeforeRestart waits out the back-off; false means the container was
// stopped meanwhile.
func (s *shim) sleepBeforeRestart(d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return !s.stoppedByUser()
		case <-s.wake:
			s.userStop = true
			return false
		}
	}
}

// requestStop tells the shim a user stopped the container; it may be
// called from any goroutine.
func (s *shim) requestStop() {
	select {
	case s.wake <- struct{}{}:
	default: // told already
	}
}

// stopRequested reports whether a user has stopped the container since
// this shim started: requestStop was called.
func (s *shim) stopRequested() bool {
	select {
	case <-s.wake:
		s.userStop = true
	default:
	}
	return s.userStop
}

func (s *shim) stoppedByUser() bool {
	if s.stopRequested() {
		return true
	}
	c, err := s.e.store.load(s.id)
	if err != nil {
		s.logf("read the container's record before a restart, taken as stopped: %v", err)
		return true
	}
	return c.ManuallyStopped
}

// finish releases what setup made and hands the container back: no shim,
// no cgroup, no socket; removed entirely with --rm. Attached clients are
// told the exit afterwards, so `run --rm` returns with the container gone.
func (s *shim) finish() {
	// The run directory goes last, once the record says no shim looks
	// after the container (or could not be saved: its absence then tells
	// readers the shim let go, see shimDied).
	defer func() {
		if err := os.RemoveAll(s.e.runDir(s.id)); err != nil {
			s.logf("remove the run directory: %v", err)
		}
	}()
	// Release is best effort: the shim has no log of its own to report
	// to, and rm or system check finds what is left.
	if s.listener != nil {
		if err := s.listener.Close(); err != nil {
			s.logf("close the attach socket: %v", err)
		}
	}
	if s.net != nil {
		if err := s.net.Close(); err != nil {
			s.logf("release the container's network: %v", err)
		}
	}
	if s.cg != nil {
		if err := s.cg.Destroy(); err != nil {
			s.logf("remove the cgroup: %v", err)
		}
	}
	if s.log != nil {
		if err := s.log.Close(); err != nil {
			s.logf("close the container's log: %v", err)
		}
	}
	if err := s.criLog.Close(); err != nil {
		s.logf("close the container's CRI log: %v", err)
	}
	c, unlock := s.lockRecord("record the shim's end")
	if c == nil {
		return
	}
	defer unlock()
	c.ShimPID, c.ShimStart, c.ShimBoot = 0, 0, ""
	now := time.Now().UTC()
	if err := c.State.apply(evShimDone, now); err != nil {
		// Its process ran and the exit could not be recorded (the
		// record could not be saved): it is gone all the same.
		if derr := c.State.apply(evShimDied, now); derr == nil {
			c.State.ExitCode, c.State.Error = 255, "shim could not record the exit: "+err.Error()
		}
	}
	if c.HostConfig.AutoRemove {
		if err := s.e.destroy(c); err != nil {
			s.logf("--rm: %v", err)
			// Left stopped, not half-running, so that rm can finish it.
			if serr := s.e.store.save(c); serr != nil {
				s.logf("record the shim's end: %v", serr)
			}
			return
		}
		s.e.removeAnonymousVolumes(c)
		return
	}
	if err := s.e.store.save(c); err != nil {
		s.logf("record the shim's end: %v", err)
	}
}

// lockRecord takes the container's lock and loads its record for a step
// that has no one to report to: nil (and the failure logged, unless the
// container is gone) when either fails.
func (s *shim) lockRecord(step string) (*record, func()) {
	unlock, err := s.e.store.lock(s.id)
	if err != nil {
		s.logf("%s: %v", step, err)
		return nil, nil
	}
	c, err := s.e.store.load(s.id)
	if err != nil {
		unlock()
		if !errors.Is(err, ErrNotFound) {
			s.logf("%s: %v", step, err)
		}
		return nil, nil
	}
	return c, unlock
}

// closeHub disconnects the run's attach clients.
func (s *shim) closeHub(hub *ptyexec.Hub) {
	if err := hub.Close(); err != nil {
		s.logf("close the attach hub: %v", err)
	}
}
