package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"berth/engine/shimlog"
	"berth/internal/exepages"
	"berth/ptyexec/nsenter"
)

// A monitor is what runs as berth-shim: one process watches a group of
// up to Options.MonitorGroup containers (monitorCapacity unless the
// settings say otherwise) of one data root, each with its own
// goroutines (type shim), so that a container's monitor costs a share of
// one Go process rather than a process of its own. The trade-off: a
// monitor that dies (SIGKILL, an OOM kill, a panic outside a container's
// goroutine) takes the watch of its whole group with it; the next
// command finds those containers' shim dead and applies their restart
// policies, as it does for one shim's death.
//
// The first container of a monitor comes as a shim always came: its
// shimConfig on fd 3, its reports on fd 4. The monitor then listens on
// monitors/<pid>.sock in the run root, where a caller sends one
// monitorRequest per connection:
//
//   - "start": one more container (the reports follow on the
//     connection, as on fd 4, after "taken"); refused when the monitor
//     is full, ending, or runs another berth binary or other Options;
//   - "stop": a user stopped the container (what SIGUSR1 told a shim of
//     its own: it needs no disk, see stopByUser);
//   - "wait": answered once the monitor is done with the container
//     (what the exit of a shim of its own told).
//
// A monitor ends once it has watched nothing for monitorLinger: it stops
// listening first, so a caller either had its start taken or starts a
// monitor of its own.
const monitorCapacity = 64 // see Options.MonitorGroup

// monitorLinger is how long a monitor that watches nothing waits for a
// start to join it before it ends. A start that joins a monitor is spared
// a process start, the Go runtime's and every package's initialisation,
// and the engine's set-up: about a third of a `run --rm` (36 -> 26 ms
// here), which a script or a loop of short-lived containers pays at each
// one. What it costs is one idle process, most of whose pages were given
// back (exepages), for two seconds after the last container ended; no
// container, mount, cgroup or address is held meanwhile.
const monitorLinger = 2 * time.Second

// trimQuiet is how long a monitor's starts must have been quiet before it
// gives back the binary's pages they mapped.
const trimQuiet = 2 * time.Second

// monitorRequest is what a caller sends on a monitor's socket, one JSON
// object; the answers are shimReports.
type monitorRequest struct {
	Op     string      `json:"op"` // "start", "stop" or "wait"
	ID     string      `json:"id,omitempty"`
	Exe    string      `json:"exe,omitempty"` // start: exeIdentity of the binary the caller would start
	Config *shimConfig `json:"config,omitempty"`
}

// The states of a monitor's answers besides a shim's reports.
const (
	monitorTaken   = "taken"   // start: the monitor watches the container; its reports follow
	monitorRefused = "refused" // start: it does not; the caller tries another monitor
	monitorDone    = "done"    // stop, wait: told, or done with it
)

// monitorDir holds the sockets of the monitors of a run root.
func (e *Engine) monitorDir() string { return filepath.Join(e.opts.RunRoot, "monitors") }

func (e *Engine) monitorSocket(pid int) string {
	return filepath.Join(e.monitorDir(), strconv.Itoa(pid)+".sock")
}

// monitorLogPath is the log of what a monitor's engine warns of outside
// any one container's shim (see Options.Warn).
func (e *Engine) monitorLogPath() string { return filepath.Join(e.opts.Root, "monitor.log") }

// exeIdentity names the binary file at path by device, inode, size and
// change time: a monitor runs only containers of the binary it runs, so
// that a berth replaced on disk starts its containers in monitors of its
// own.
func exeIdentity(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", fmt.Errorf("identify berth's binary %s: %w", path, err)
	}
	return fmt.Sprintf("%d:%d:%d:%d.%d", st.Dev, st.Ino, st.Size, st.Ctim.Sec, st.Ctim.Nsec), nil
}

// monitor is the state of the berth-shim process.
type monitor struct {
	e       *Engine
	opts    []byte // the Options it was started with, as JSON: a start must bring the same
	exe     string // exeIdentity of /proc/self/exe
	pid     int
	start   uint64 // processStartTime of pid
	warnLog *shimlog.Log
	// trim gives back the binary's pages a burst of starts mapped (see
	// package exepages) and the heap they used: what a monitor runs
	// between starts is a small part of the binary, with little memory.
	trim *exepages.Trimmer

	mu       sync.Mutex
	shims    map[*shim]struct{}
	places   int  // starts taken whose shim is not made yet
	ending   bool // it watches nothing and takes nothing more
	listener net.Listener
	empty    chan struct{} // closed when ending
}

func runShim() int {
	// Catch (not ignore) the signals a terminal or a dying caller may send:
	// ignored signals would stay ignored through exec into the container,
	// and its shell could not be interrupted. Caught ones reset at exec.
	signal.Notify(make(chan os.Signal, 1), unix.SIGHUP, unix.SIGINT, unix.SIGPIPE, unix.SIGTTOU, unix.SIGTTIN)
	readyFile := os.NewFile(4, "shim-ready")
	cfgFile := os.NewFile(3, "shim-config")
	// The shim keeps nothing its caller had open (a terminal, a shell's
	// redirections, a test's files): it outlives the caller, and would
	// pass them on.
	// A report that cannot be written closes the pipe empty, which the
	// caller reports as the shim having failed to start.
	failed := func(err error) int {
		_ = json.NewEncoder(readyFile).Encode(shimReport{State: "failed", Code: 125, Error: err.Error()})
		return 1
	}
	if err := nsenter.CloseInheritedFds(3, 4); err != nil {
		return failed(err)
	}
	var cfg shimConfig
	err := json.NewDecoder(cfgFile).Decode(&cfg)
	_ = cfgFile.Close() // read to the end
	if err != nil {
		return failed(fmt.Errorf("read shim config: %w", err))
	}
	m, err := newMonitor(cfg.Options)
	if err != nil {
		return failed(err)
	}
	// The first container's place is kept while the monitor starts to
	// listen: a container joining meanwhile and done at once must not end
	// it. Without a socket the monitor watches its first container alone.
	m.places++
	if err := m.listen(); err != nil {
		_ = m.warnLog.Printf("take no more containers: %v", err)
	}
	// "taken" tells its caller that it listens: the caller held the
	// run root's spawn lock until then (see launchShim).
	if err := json.NewEncoder(readyFile).Encode(shimReport{State: monitorTaken}); err != nil {
		_ = m.warnLog.Printf("report to the caller that started the monitor: %v", err)
	}
	m.run(m.shimOf(&cfg, readyFile))
	<-m.empty
	return 0
}

func newMonitor(opts Options) (*monitor, error) {
	key, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("encode the monitor's options: %w", err)
	}
	exe, err := exeIdentity("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	warnLog := &shimlog.Log{}
	// What the engine would warn a user of goes to the monitor's log: no
	// user watches a monitor.
	opts.Warn = func(msg string) { _ = warnLog.Printf("%s", msg) }
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	warnLog.Path = e.monitorLogPath()
	pid := os.Getpid()
	trim := &exepages.Trimmer{Quiet: trimQuiet, FreeHeap: true, Warn: func(err error) { _ = warnLog.Printf("%v", err) }}
	return &monitor{e: e, opts: key, exe: exe, pid: pid, start: processStartTime(pid), warnLog: warnLog,
		trim: trim, shims: map[*shim]struct{}{}, empty: make(chan struct{})}, nil
}

// listen opens the monitor's socket and serves it until the monitor ends.
func (m *monitor) listen() error {
	if err := os.MkdirAll(m.e.monitorDir(), 0o700); err != nil {
		return fmt.Errorf("make the monitors' directory: %w", err)
	}
	sock := m.e.monitorSocket(m.pid)
	// Left by a monitor that had this PID before and was killed.
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove a dead monitor's socket: %w", err)
	}
	l, err := listenUnix(sock)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sock, err)
	}
	m.mu.Lock()
	if m.ending { // its first container is done already
		m.mu.Unlock()
		m.closeListener(l)
		return nil
	}
	m.listener = l
	m.mu.Unlock()
	go m.serve(l)
	return nil
}

func (m *monitor) serve(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				_ = m.warnLog.Printf("accept on the monitor's socket: %v", err)
			}
			return
		}
		go m.handle(conn)
	}
}

// requestTimeout bounds the wait for a caller's request.
const requestTimeout = 10 * time.Second

func (m *monitor) handle(conn net.Conn) {
	var req monitorRequest
	_ = conn.SetReadDeadline(time.Now().Add(requestTimeout))
	err := json.NewDecoder(bufio.NewReader(conn)).Decode(&req)
	if err != nil {
		_ = m.warnLog.Printf("read a request on the monitor's socket: %v", err)
		_ = conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	switch req.Op {
	case "start":
		if req.Config == nil {
			m.answer(conn, shimReport{State: monitorRefused, Error: "no container"})
			return
		}
		if why := m.refuses(&req); why != "" {
			m.answer(conn, shimReport{State: monitorRefused, Error: why})
			return
		}
		if err := json.NewEncoder(conn).Encode(shimReport{State: monitorTaken}); err != nil {
			// Its caller is gone before anything began: its start
			// never was.
			m.release()
			_ = conn.Close()
			return
		}
		// conn is the shim's from here.
		m.run(m.shimOf(req.Config, conn))
	case "stop":
		for _, s := range m.shimsOf(req.ID) {
			s.requestStop()
		}
		m.answer(conn, shimReport{State: monitorDone})
	case "wait":
		for _, s := range m.shimsOf(req.ID) {
			<-s.done
		}
		m.answer(conn, shimReport{State: monitorDone})
	default:
		m.answer(conn, shimReport{State: monitorRefused, Error: fmt.Sprintf("unknown request %q", req.Op)})
	}
}

// answer writes one answer and closes the connection; a caller gone
// needs no answer.
func (m *monitor) answer(conn net.Conn, r shimReport) {
	_ = json.NewEncoder(conn).Encode(r)
	_ = conn.Close()
}

// refuses says why the monitor does not take a start, or "" when it
// reserves a place for it (m.shimOf takes it, m.release gives it back).
func (m *monitor) refuses(req *monitorRequest) string {
	opts, err := json.Marshal(req.Config.Options)
	switch {
	case err != nil:
		return err.Error()
	case req.Exe != m.exe:
		return "another berth binary"
	case string(opts) != string(m.opts):
		return "other options"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.ending:
		return "ending"
	case len(m.shims)+m.places >= m.e.opts.MonitorGroup:
		return "full"
	}
	m.places++ // until shimOf
	return ""
}

// release gives back a place refuses reserved.
func (m *monitor) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.places--
	m.endIfEmpty()
}

// shimOf makes the shim of a container whose place is reserved.
func (m *monitor) shimOf(cfg *shimConfig, ready io.WriteCloser) (*shim, time.Duration) {
	s := &shim{e: m.e, m: m, id: cfg.ID, ready: ready, waitAttach: cfg.WaitAttach,
		wake: make(chan struct{}, 1), restart: cfg.Restart, reason: cfg.Reason,
		errLog: &shimlog.Log{Path: m.e.shimLogPath(cfg.ID)}, done: make(chan struct{})}
	m.mu.Lock()
	m.places--
	m.shims[s] = struct{}{}
	m.mu.Unlock()
	return s, cfg.Delay
}

// run watches the container in a goroutine of its own. A panic there
// ends that container's watch alone: it is logged, and the container
// handed back as a dead shim would leave it.
func (m *monitor) run(s *shim, delay time.Duration) {
	go func() {
		defer m.forget(s)
		defer func() {
			if r := recover(); r != nil {
				s.logf("panic: %v: %s", r, debug.Stack())
				s.abandon()
			}
		}()
		s.run(delay)
		s.letGo()
		// Its clients have the exit: what is left to delete keeps
		// only waiters waiting.
		if s.net != nil {
			if err := s.net.Sweep(); err != nil {
				s.logf("delete the container's veth pairs: %v", err)
			}
		}
	}()
}

// forget ends a container's watch: its waiters are answered, and the
// monitor ends when it was the last (see endIfEmpty).
func (m *monitor) forget(s *shim) {
	close(s.done)
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.shims, s)
	m.endIfEmpty()
}

// endIfEmpty ends the monitor when it watches nothing and has no place
// reserved, and still does monitorLinger later (at once when it has no
// socket, which no start can join); the caller holds m.mu.
func (m *monitor) endIfEmpty() {
	if !m.idle() {
		return
	}
	if m.listener == nil {
		m.end()
		return
	}
	time.AfterFunc(monitorLinger, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.idle() {
			m.end()
		}
	})
}

// idle reports whether the monitor watches nothing, has no place
// reserved and has not ended; the caller holds m.mu.
func (m *monitor) idle() bool { return len(m.shims)+m.places == 0 && !m.ending }

// end stops listening and lets the process exit; the caller holds m.mu.
func (m *monitor) end() {
	m.ending = true
	if m.listener != nil {
		m.closeListener(m.listener)
	}
	close(m.empty)
}

func (m *monitor) closeListener(l net.Listener) {
	if err := l.Close(); err != nil {
		_ = m.warnLog.Printf("close the monitor's socket: %v", err)
	}
	// Go's listener removes its socket file on Close; one it could not
	// is gone with the run root.
	_ = os.Remove(m.e.monitorSocket(m.pid))
}

// shimsOf are the shims watching container id: one, or while a restart
// by the user overlaps the end of the last run, two.
func (m *monitor) shimsOf(id string) []*shim {
	m.mu.Lock()
	defer m.mu.Unlock()
	var found []*shim
	for s := range m.shims {
		if s.id == id {
			found = append(found, s)
		}
	}
	return found
}

// ours reports whether a record names this monitor as its shim.
func (m *monitor) ours(c *record) bool {
	return c.ShimPID == m.pid && c.ShimStart == m.start && sameBoot(c)
}

// joinMonitor asks the monitors of the run root to take the start of
// cfg's container, lowest PID (as a rule, oldest and fullest) first, so
// that monitors fill up rather than share the containers out; nil when
// none takes it.
func (e *Engine) joinMonitor(cfg shimConfig) *shimLaunch {
	exe, err := exeIdentity(e.opts.Exe)
	if err != nil {
		return nil // a monitor of its own reports what is wrong
	}
	ents, err := os.ReadDir(e.monitorDir())
	if err != nil {
		return nil
	}
	pids := make([]int, 0, len(ents))
	for _, ent := range ents {
		name := ent.Name()
		if filepath.Ext(name) != ".sock" {
			continue
		}
		if pid, err := strconv.Atoi(name[:len(name)-len(".sock")]); err == nil {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	req := monitorRequest{Op: "start", Exe: exe, Config: &cfg}
	for _, pid := range pids {
		if l := e.askMonitor(pid, &req); l != nil {
			return l
		}
	}
	return nil
}

// askMonitor sends a start to the monitor pid: the launch when it took
// it, nil when it refused or could not be asked.
func (e *Engine) askMonitor(pid int, req *monitorRequest) *shimLaunch {
	conn, err := dialUnix(e.monitorSocket(pid))
	if err != nil {
		return nil // gone: its socket is left only by a kill
	}
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		_ = conn.Close()
		return nil
	}
	peer, err := peerPID(uc)
	if err != nil || peer != pid {
		_ = conn.Close()
		return nil
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		_ = conn.Close()
		return nil
	}
	l := &shimLaunch{pid: pid, ready: conn, dec: json.NewDecoder(conn)}
	rep, err := l.next()
	if err != nil || rep.State != monitorTaken {
		_ = conn.Close()
		return nil
	}
	return l
}

// peerPID is the process at the other end of a Unix socket.
func peerPID(conn *net.UnixConn) (int, error) {
	raw, err := conn.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if credErr != nil {
		return 0, credErr
	}
	return int(cred.Pid), nil
}

// tellMonitor sends a stop or a wait for container id to the monitor pid
// and returns once it answered, it is gone, or ctx ends. false means it
// could not be asked: it runs without a socket.
func (e *Engine) tellMonitor(ctx context.Context, pid int, op, id string) (bool, error) {
	conn, err := dialUnix(e.monitorSocket(pid))
	if err != nil {
		return false, nil
	}
	defer func() { _ = conn.Close() }() // a request answered: nothing to flush
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := json.NewEncoder(conn).Encode(monitorRequest{Op: op, ID: id}); err != nil {
		return true, ctx.Err() // gone meanwhile: it is done with id
	}
	var r shimReport
	_ = json.NewDecoder(conn).Decode(&r) // an answer, or the monitor's end: either way done
	return true, ctx.Err()
}

// waitShimDone returns once the shim the record names is done with the
// container (or gone), or ctx ends.
func (e *Engine) waitShimDone(ctx context.Context, c *record) error {
	if c.ShimPID <= 0 {
		return nil
	}
	asked, err := e.tellMonitor(ctx, c.ShimPID, "wait", c.ID)
	if asked || err != nil {
		return err
	}
	// A monitor without a socket watches this container alone: its
	// exit is the answer.
	return waitProcessExit(ctx, c.ShimPID, c.ShimStart)
}

// abandon hands back a container whose watch ended in a panic, as
// letGo does.
func (s *shim) abandon() {
	s.report(shimReport{State: "failed", Code: 125, Error: "its shim failed: see its log"})
	if s.listener != nil {
		_ = s.listener.Close() // its goroutine ends; the run directory goes below
	}
	s.letGo()
}

// letGo hands back a container its shim is done with but whose record
// still names the monitor (the shim could not record its end, or
// panicked), as a dead shim's is handed back (markShimDead): what runs
// of it is killed, its cgroup, run directory and network released, the
// shim's death recorded. A monitor that lives on would otherwise keep
// the container "running" for good.
func (s *shim) letGo() {
	c, unlock := s.lockRecord("hand back the container")
	if c == nil {
		return
	}
	defer unlock()
	if !s.m.ours(c) || len(s.m.shimsOf(s.id)) > 1 {
		return // finished, never claimed, or a new start by the user has it
	}
	if err := s.e.markShimDead(c); err != nil {
		s.logf("hand back the container: %v", err)
	}
}
