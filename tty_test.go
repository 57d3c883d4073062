package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"berth/internal/testenv"
)

// patience is how long a terminal test waits for anything berth or the
// container should print, and for berth to exit.
const patience = 10 * time.Second

// prompt is busybox sh's prompt for root in /.
const prompt = `/ # `

// terminal is the built berth running on the slave side of a PTY pair of
// its own (new session, the slave its controlling terminal), driven through
// the master as a person at a keyboard would drive it.
type terminal struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	master *os.File
	slave  *os.File
	before *unix.Termios // the slave's settings before berth started

	mu     sync.Mutex
	out    []byte        // everything read from the master
	seen   int           // out[:seen] has been matched by expect
	grew   chan struct{} // poked whenever out grows
	exited chan struct{} // closed when berth has exited
}

// startTerminal starts `berth args…` on a new PTY of size rows×cols.
func (b *berthEnv) startTerminal(t *testing.T, rows, cols uint16, args ...string) *terminal {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		master.Close()
		slave.Close()
	})
	if err := pty.Setsize(master, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	before, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	cmd := b.cmd(args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, name: "berth " + strings.Join(args, " "), cmd: cmd, master: master, slave: slave,
		before: before, grew: make(chan struct{}, 1), exited: make(chan struct{})}
	go term.read()
	go func() {
		cmd.Wait()
		close(term.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-term.exited:
		default:
			cmd.Process.Kill()
			<-term.exited
		}
	})
	return term
}

// read copies the master into out until the master is closed.
func (term *terminal) read() {
	buf := make([]byte, 4096)
	for {
		n, err := term.master.Read(buf)
		if n > 0 {
			term.mu.Lock()
			term.out = append(term.out, buf[:n]...)
			term.mu.Unlock()
			select {
			case term.grew <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// send types s, as if at the keyboard (Enter is "\r").
func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := term.master.Write([]byte(s)); err != nil {
		term.t.Fatalf("%s: type %q: %v", term.name, s, err)
	}
}

// expect waits until the output not matched yet matches pattern and
// returns the match; what came before and the match itself count as seen.
func (term *terminal) expect(pattern string) string {
	term.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(patience)
	for {
		term.mu.Lock()
		unseen := term.out[term.seen:]
		if loc := re.FindIndex(unseen); loc != nil {
			match := string(unseen[loc[0]:loc[1]])
			term.seen += loc[1]
			term.mu.Unlock()
			return match
		}
		term.mu.Unlock()
		select {
		case <-term.grew:
		case <-deadline:
			term.t.Fatalf("%s: no %q after %v; the terminal showed:\n%q", term.name, pattern, patience, tail(unseen))
		}
	}
}

// tail is the end of a terminal's output, short enough for a failure
// message.
func tail(out []byte) []byte {
	const most = 2000
	if len(out) > most {
		return append([]byte("…"), out[len(out)-most:]...)
	}
	return out
}

// wait waits for berth to exit and returns its exit code.
func (term *terminal) wait() int {
	term.t.Helper()
	select {
	case <-term.exited:
		return term.cmd.ProcessState.ExitCode()
	case <-time.After(patience):
		term.mu.Lock()
		defer term.mu.Unlock()
		term.t.Fatalf("%s: still running after %v; the terminal showed:\n%q", term.name, patience, tail(term.out[term.seen:]))
		return 0
	}
}

// running reports whether berth has not exited yet.
func (term *terminal) running() bool {
	select {
	case <-term.exited:
		return false
	default:
		return true
	}
}

// requireRestored fails the test unless berth, having exited, left the
// terminal's settings as they were before it started.
func (term *terminal) requireRestored(after string) {
	term.t.Helper()
	now, err := unix.IoctlGetTermios(int(term.slave.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	if *now != *term.before {
		term.t.Errorf("%s: terminal settings after %s:\n%+v\nwant them as before berth ran:\n%+v", term.name, after, *now, *term.before)
	}
}

// exitCode runs berth args… without a terminal and returns its exit code.
func (b *berthEnv) exitCode(args ...string) int {
	b.t.Helper()
	err := b.cmd(args...).Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		b.t.Fatalf("berth %s: %v", strings.Join(args, " "), err)
	}
	return 0
}

// inspect is one field of `berth inspect`, by Go template.
func (b *berthEnv) inspect(field, name string) string {
	b.t.Helper()
	return strings.TrimSpace(b.must("inspect", "--format", "{{"+field+"}}", name))
}

// waitForProcess waits until a process in the PID namespace of the host
// process pid1 runs argv: a shell in the container has started that job.
func waitForProcess(t *testing.T, pid1 string, argv ...string) {
	t.Helper()
	ns, err := os.Readlink(filepath.Join("/proc", pid1, "ns", "pid"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join(argv, "\x00") + "\x00"
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, proc := range procs {
			cmdline, _ := os.ReadFile(filepath.Join(proc, "cmdline"))
			if string(cmdline) != want {
				continue
			}
			if link, _ := os.Readlink(filepath.Join(proc, "ns", "pid")); link == ns {
				return
			}
		}
	}
	t.Fatalf("no %q in the PID namespace of process %s after %v", argv, pid1, patience)
}

// TestTTYRunShell is a person's session with `berth run -it`: a shell that
// computes, knows its window size and follows resizes, detaches with
// ctrl-p ctrl-q, and is found again by `berth attach`, whose exit code is
// the shell's. Each time berth leaves, the terminal is as it found it.
func TestTTYRunShell(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 31, 97, "run", "-it", "--name", "box", "--network", "none", "busybox", "sh")
	term.expect(prompt)

	term.send("echo $((6*7))\r")
	term.expect(`\r\n42\r\n`)
	term.expect(prompt)

	term.send("stty size\r")
	term.expect(`\r\n31 97\r\n`)
	term.expect(prompt)

	if err := pty.Setsize(term.master, &pty.Winsize{Rows: 43, Cols: 121}); err != nil {
		t.Fatal(err)
	}
	// SIGWINCH reaches berth while the keys are on their way: ask again
	// until the new size has arrived inside.
	for deadline := time.Now().Add(patience); ; {
		term.send("stty size\r")
		if size := term.expect(`\r\n\d+ \d+\r\n`); size == "\r\n43 121\r\n" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("stty size still shows %q after resizing to 43 121", size)
		}
		term.expect(prompt)
		time.Sleep(20 * time.Millisecond)
	}
	term.expect(prompt)

	term.send("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Fatalf("berth run -it exited %d after ctrl-p ctrl-q, want 0", code)
	}
	term.requireRestored("detach")
	if ps := b.must("ps", "--format", "{{.Names}} {{.Status}}"); !regexp.MustCompile(`(?m)^box Up `).MatchString(ps) {
		t.Fatalf("berth ps after detach:\n%s\nwant box Up", ps)
	}

	again := b.startTerminal(t, 31, 97, "attach", "box")
	again.send("\r")
	again.expect(prompt)
	again.send("exit 3\r")
	if code := again.wait(); code != 3 {
		t.Fatalf("berth attach exited %d after the shell's exit 3", code)
	}
	again.requireRestored("the container's exit")
	if code := b.inspect(".State.ExitCode", "box"); code != "3" {
		t.Fatalf("berth inspect shows ExitCode %s, want 3", code)
	}
}

// TestTTYCustomDetachKeys detaches with --detach-keys ctrl-x,x.
func TestTTYCustomDetachKeys(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 24, 80, "run", "-it", "--rm", "--detach-keys", "ctrl-x,x", "--name", "box", "--network", "none", "busybox", "sh")
	term.expect(prompt)
	term.send("\x18x")
	if code := term.wait(); code != 0 {
		t.Fatalf("berth run -it exited %d after ctrl-x x, want 0", code)
	}
	term.requireRestored("detach")
	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Fatalf("box is %s after detaching, want running", status)
	}

	again := b.startTerminal(t, 24, 80, "attach", "box")
	again.send("\r")
	again.expect(prompt)
	again.send("exit\r")
	if code := again.wait(); code != 0 {
		t.Fatalf("berth attach exited %d after the shell's exit, want 0", code)
	}
	again.requireRestored("the container's exit")
	for deadline := time.Now().Add(patience); b.must("ps", "-aq") != ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("--rm container still listed %v after its shell exited", patience)
		}
	}
}

// TestTTYSignalToBerth signals `berth run -it` itself, as a window manager
// or a closed terminal would: berth leaves the terminal as it found it and
// the container goes on, to be attached again.
func TestTTYSignalToBerth(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(unix.SignalName(sig), func(t *testing.T) {
			t.Parallel()
			b := newBerthEnv(t)
			term := b.startTerminal(t, 24, 80, "run", "-it", "--name", "box", "--network", "none", "busybox", "sh")
			term.expect(prompt)
			if err := term.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			term.wait()
			term.requireRestored(unix.SignalName(sig))
			if status := b.inspect(".State.Status", "box"); status != "running" {
				t.Fatalf("box is %s after berth run -it got %v, want running", status, sig)
			}
			again := b.startTerminal(t, 24, 80, "attach", "box")
			again.send("\r")
			again.expect(prompt)
			again.send("exit 7\r")
			if code := again.wait(); code != 7 {
				t.Fatalf("berth attach exited %d after the shell's exit 7", code)
			}
		})
	}
}

// TestTTYFullScreenProgram runs top, which draws to the window's size, and
// quits it: berth run -it --rm ends with it and removes the container.
func TestTTYFullScreenProgram(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 24, 80, "run", "-it", "--rm", "--network", "none", "busybox", "top")
	term.expect(`Mem: .*\n`)
	term.expect(`PID\s+PPID\s+USER`)
	term.expect(`\s1\s+0 root .* top\s*\r`)
	term.send("q")
	if code := term.wait(); code != 0 {
		t.Fatalf("berth run -it top exited %d after q, want 0", code)
	}
	term.requireRestored("the container's exit")
	if ps := b.must("ps", "-aq"); ps != "" {
		t.Fatalf("--rm container still listed after it exited: %s", ps)
	}
}

// TestRunStdinWithoutTTY pipes a file into `berth run -i … cat`: the
// container reads it all, and the file's end ends the container.
func TestRunStdinWithoutTTY(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	var content bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&content, "line %d of a file piped into a container\n", i)
	}
	file := filepath.Join(t.TempDir(), "input")
	if err := os.WriteFile(file, content.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var stdout, stderr bytes.Buffer
	cmd := b.cmd("run", "-i", "--network", "none", "busybox", "cat")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(patience, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	if !timer.Stop() {
		t.Fatalf("berth run -i cat did not end within %v of its input's end", patience)
	}
	if err != nil {
		t.Fatalf("berth run -i cat: %v: %s", err, stderr.String())
	}
	if !bytes.Equal(stdout.Bytes(), content.Bytes()) {
		t.Fatalf("berth run -i cat printed %d bytes, want the file's %d", stdout.Len(), content.Len())
	}
}

// TestExecTTYShell opens a second shell in a running container with
// `berth exec -it`, interrupts a job in it with ctrl-c, and checks exec's
// exit codes.
func TestExecTTYShell(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")

	term := b.startTerminal(t, 27, 101, "exec", "-it", "box", "sh")
	term.expect(prompt)
	term.send("tty\r")
	term.expect(`\r\n/dev/pts/\d+\r\n`)
	term.expect(prompt)
	term.send("stty size\r")
	term.expect(`\r\n27 101\r\n`)
	term.expect(prompt)
	term.send("ps\r")
	term.expect(`\n\s*1 root\s+sleep 1000\r\n`)
	term.expect(prompt)
	term.send("sleep 100\r")
	waitForProcess(t, b.inspect(".State.Pid", "box"), "sleep", "100")
	term.send("\x03")
	term.expect(prompt)
	term.send("echo status-$?\r")
	term.expect(`\r\nstatus-130\r\n`)
	term.expect(prompt)
	if !term.running() {
		t.Fatal("ctrl-c ended berth exec -it instead of the container's foreground job")
	}
	term.send("exit\r")
	if code := term.wait(); code != 0 {
		t.Fatalf("berth exec -it box sh exited %d after exit, want 0", code)
	}
	term.requireRestored("exec")

	if code := b.exitCode("exec", "box", "sh", "-c", "exit 5"); code != 5 {
		t.Errorf("berth exec box sh -c 'exit 5' exited %d", code)
	}
	if code := b.exitCode("exec", "box", "nope"); code != 127 {
		t.Errorf("berth exec box nope exited %d, want 127", code)
	}
	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Errorf("box is %s after the execs, want running", status)
	}
}

// TestAttachClientKilled kills an attached `berth attach` with SIGKILL:
// the container does not notice, and the next attach works.
func TestAttachClientKilled(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-dit", "--name", "box", "--network", "none", "busybox", "sh")

	first := b.startTerminal(t, 24, 80, "attach", "box")
	first.send("\r")
	first.expect(prompt)
	first.send("echo one-$((0+1))\r")
	first.expect(`\r\none-1\r\n`)
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.wait()

	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Fatalf("box is %s after its attach client was killed, want running", status)
	}
	second := b.startTerminal(t, 24, 80, "attach", "box")
	second.send("\r")
	second.expect(prompt)
	second.send("echo two-$((1+1))\r")
	second.expect(`\r\ntwo-2\r\n`)
	second.expect(prompt)
	second.send("exit\r")
	if code := second.wait(); code != 0 {
		t.Fatalf("berth attach exited %d after the shell's exit, want 0", code)
	}
	second.requireRestored("the container's exit")
}

// BenchmarkExec is the latency of `berth exec box true` into a running
// container, median of at least 20 runs (goal: at most 2× `crun exec` of
// the same, which it is compared with when crun is on PATH).
func BenchmarkExec(b *testing.B) {
	e := newBerthEnv(b)
	e.must("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")
	runs := max(b.N, 20)
	ds := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		e.must("exec", "box", "true")
		ds = append(ds, time.Since(start))
	}
	berth := median(ds)
	b.ReportMetric(ms(berth), "ms-median")
	b.Logf("berth exec box true: median %.1f ms over %d runs", ms(berth), runs)

	crun, err := crunExecMedian(b, e.parent, runs)
	if err != nil {
		b.Logf("no comparison with crun exec: %v", err)
		return
	}
	b.ReportMetric(float64(berth)/float64(crun), "x-crun")
	b.Logf("crun exec true: median %.1f ms over %d runs; berth takes %.2f× crun's time", ms(crun), runs, float64(berth)/float64(crun))
}

// crunExecMedian times `crun exec NAME true` into a crun container running
// `sleep 1000` on the busybox root filesystem, with its cgroup under parent.
func crunExecMedian(b *testing.B, parent string, runs int) (time.Duration, error) {
	crun, err := exec.LookPath("crun")
	if err != nil {
		return 0, errors.New("crun is not on PATH")
	}
	bundle, state := b.TempDir(), b.TempDir()
	rootfs := filepath.Join(bundle, "rootfs")
	tarball := filepath.Join(state, "busybox.tar")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return 0, err
	}
	if err := os.WriteFile(tarball, testenv.BusyboxTar(b), 0o644); err != nil {
		return 0, err
	}
	if out, err := exec.Command("tar", "-xf", tarball, "-C", rootfs).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("unpack busybox for crun: %v: %s", err, out)
	}
	spec := exec.Command(crun, "spec")
	spec.Dir = bundle
	if out, err := spec.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("crun spec: %v: %s", err, out)
	}
	if err := editCrunSpec(filepath.Join(bundle, "config.json"), "/"+parent+"/crun-bench"); err != nil {
		return 0, err
	}
	name := fmt.Sprintf("berth-bench-%d", os.Getpid())
	// crun hands its own stdio to the container: /dev/null for stdin and
	// stdout, and a file for stderr, so that no pipe outlives crun run.
	errFile, err := os.Create(filepath.Join(state, "crun-run.stderr"))
	if err != nil {
		return 0, err
	}
	defer errFile.Close()
	run := exec.Command(crun, "--root", state, "run", "--detach", "--bundle", bundle, name)
	run.Stderr = errFile
	if err := run.Run(); err != nil {
		msg, _ := os.ReadFile(errFile.Name())
		return 0, fmt.Errorf("crun run: %v: %s", err, msg)
	}
	b.Cleanup(func() {
		if out, err := exec.Command(crun, "--root", state, "delete", "--force", name).CombinedOutput(); err != nil {
			b.Errorf("cleanup: crun delete: %v: %s", err, out)
		}
	})
	ds := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		if out, err := exec.Command(crun, "--root", state, "exec", name, "true").CombinedOutput(); err != nil {
			return 0, fmt.Errorf("crun exec: %v: %s", err, out)
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}

// editCrunSpec turns `crun spec`'s default config into a container that
// runs `sleep 1000` without a terminal in the given cgroup.
func editCrunSpec(path, cgroup string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("read crun spec: %w", err)
	}
	process, _ := spec["process"].(map[string]any)
	linux, _ := spec["linux"].(map[string]any)
	if process == nil || linux == nil {
		return fmt.Errorf("crun spec %s has no process or linux section", path)
	}
	process["terminal"] = false
	process["args"] = []string{"sleep", "1000"}
	linux["cgroupsPath"] = cgroup
	if data, err = json.Marshal(spec); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// TestAttachStoppedClient stops one attached client (SIGSTOP, as ctrl-z
// would) while the container prints more than the shim queues for it: the
// container and a second client go on, and the stopped one, dropped
// meanwhile, ends when it is continued.
func TestAttachStoppedClient(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-dit", "--name", "box", "--network", "none", "busybox", "sh")

	stopped := b.startTerminal(t, 24, 80, "attach", "box")
	stopped.send("\r")
	stopped.expect(prompt)
	if err := stopped.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopped.cmd.Process.Signal(syscall.SIGCONT) })

	active := b.startTerminal(t, 24, 80, "attach", "box")
	active.send("\r")
	active.expect(prompt)
	// 3 MB, well past what the hub queues for one client, in pieces small
	// enough for a client that reads to keep up with.
	active.send("i=0; while [ $i -lt 40 ]; do head -c 75000 /dev/zero | tr '\\000' x; echo; usleep 30000; i=$((i+1)); done; echo done-$((1+1))\r")
	active.expect(`\r\ndone-2\r\n`)
	active.expect(prompt)

	if err := stopped.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	stopped.wait()
	stopped.requireRestored("being dropped")

	active.send("exit 4\r")
	if code := active.wait(); code != 4 {
		t.Fatalf("berth attach exited %d after the shell's exit 4", code)
	}
}
