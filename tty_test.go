package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"berth/internal/ptytest"
)

// prompt is busybox sh's prompt for root in /.
const prompt = `/ # `

// startTerminal starts `berth args…` on a new PTY of rows×cols.
func (b *berthEnv) startTerminal(t *testing.T, rows, cols uint16, args ...string) *ptytest.Terminal {
	t.Helper()
	return ptytest.Start(t, b.cmd(args...), rows, cols)
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
	for deadline := time.Now().Add(ptytest.Patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
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
	t.Fatalf("no %q in the PID namespace of process %s after %v", argv, pid1, ptytest.Patience)
}

// TestTTYRunShell is a person's session with `berth run -it`: a shell that
// computes, knows its window size and follows resizes, detaches with
// ctrl-p ctrl-q, and is found again by `berth attach`, which has the shell
// redraw its prompt before a key is pressed and exits with the shell's
// code. Each time berth leaves, the terminal is as it found it.
func TestTTYRunShell(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 31, 97, "run", "-it", "--name", "box", "--network", "none", "busybox", "sh")
	term.Expect(prompt)

	term.Send("echo $((6*7))\r")
	term.Expect(`\r\n42\r\n`)
	term.Expect(prompt)

	term.Send("stty size\r")
	term.Expect(`\r\n31 97\r\n`)
	term.Expect(prompt)

	term.Resize(43, 121)
	// SIGWINCH reaches berth while the keys are on their way: ask again
	// until the new size has arrived inside.
	for deadline := time.Now().Add(ptytest.Patience); ; {
		term.Send("stty size\r")
		if size := term.Expect(`\r\n\d+ \d+\r\n`); size == "\r\n43 121\r\n" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("stty size still shows %q after resizing to 43 121", size)
		}
		term.Expect(prompt)
		time.Sleep(20 * time.Millisecond)
	}
	term.Expect(prompt)

	// ctrl-c interrupts the container's foreground job, not berth.
	term.Send("sleep 100\r")
	waitForProcess(t, b.inspect(".State.Pid", "box"), "sleep", "100")
	term.Send("\x03")
	term.Expect(prompt)
	term.Send("echo status-$?\r")
	term.Expect(`\r\nstatus-130\r\n`)
	term.Expect(prompt)
	if !term.Running() {
		t.Fatal("ctrl-c ended berth run -it instead of the container's foreground job")
	}

	term.Send("\x10\x11")
	if code := term.Wait(); code != 0 {
		t.Fatalf("berth run -it exited %d after ctrl-p ctrl-q, want 0", code)
	}
	term.RequireRestored("detach")
	if ps := b.must("ps", "--format", "{{.Names}} {{.Status}}"); !regexp.MustCompile(`(?m)^box Up `).MatchString(ps) {
		t.Fatalf("berth ps after detach:\n%s\nwant box Up", ps)
	}

	again := b.startTerminal(t, 31, 97, "attach", "box")
	again.Expect(prompt)
	again.Send("exit 3\r")
	if code := again.Wait(); code != 3 {
		t.Fatalf("berth attach exited %d after the shell's exit 3", code)
	}
	again.RequireRestored("the container's exit")
	if code := b.inspect(".State.ExitCode", "box"); code != "3" {
		t.Fatalf("berth inspect shows ExitCode %s, want 3", code)
	}
}

// TestTTYCustomDetachKeys detaches with --detach-keys ctrl-x,x.
func TestTTYCustomDetachKeys(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 24, 80, "run", "-it", "--rm", "--detach-keys", "ctrl-x,x", "--name", "box", "--network", "none", "busybox", "sh")
	term.Expect(prompt)
	term.Send("\x18x")
	if code := term.Wait(); code != 0 {
		t.Fatalf("berth run -it exited %d after ctrl-x x, want 0", code)
	}
	term.RequireRestored("detach")
	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Fatalf("box is %s after detaching, want running", status)
	}

	again := b.startTerminal(t, 24, 80, "attach", "box")
	again.Send("\r")
	again.Expect(prompt)
	again.Send("exit\r")
	if code := again.Wait(); code != 0 {
		t.Fatalf("berth attach exited %d after the shell's exit, want 0", code)
	}
	again.RequireRestored("the container's exit")
	for deadline := time.Now().Add(ptytest.Patience); b.must("ps", "-aq") != ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("--rm container still listed %v after its shell exited", ptytest.Patience)
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
			term.Expect(prompt)
			term.Signal(sig)
			term.Wait()
			term.RequireRestored(unix.SignalName(sig))
			if status := b.inspect(".State.Status", "box"); status != "running" {
				t.Fatalf("box is %s after berth run -it got %v, want running", status, sig)
			}
			again := b.startTerminal(t, 24, 80, "attach", "box")
			again.Send("\r")
			again.Expect(prompt)
			again.Send("exit 7\r")
			if code := again.Wait(); code != 7 {
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
	term.Expect(`Mem: .*\n`)
	term.Expect(`PID\s+PPID\s+USER`)
	term.Expect(`\s1\s+0 root .* top\s*\r`)
	term.Send("q")
	if code := term.Wait(); code != 0 {
		t.Fatalf("berth run -it top exited %d after q, want 0", code)
	}
	term.RequireRestored("the container's exit")
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
	timer := time.AfterFunc(ptytest.Patience, func() { cmd.Process.Kill() })
	err = cmd.Wait()
	if !timer.Stop() {
		t.Fatalf("berth run -i cat did not end within %v of its input's end", ptytest.Patience)
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
	term.Expect(prompt)
	term.Send("tty\r")
	term.Expect(`\r\n/dev/pts/\d+\r\n`)
	term.Expect(prompt)
	term.Send("stty size\r")
	term.Expect(`\r\n27 101\r\n`)
	term.Expect(prompt)
	term.Send("ps\r")
	term.Expect(`\n\s*1 root\s+sleep 1000\r\n`)
	term.Expect(prompt)
	term.Send("sleep 100\r")
	waitForProcess(t, b.inspect(".State.Pid", "box"), "sleep", "100")
	term.Send("\x03")
	term.Expect(prompt)
	term.Send("echo status-$?\r")
	term.Expect(`\r\nstatus-130\r\n`)
	term.Expect(prompt)
	if !term.Running() {
		t.Fatal("ctrl-c ended berth exec -it instead of the container's foreground job")
	}
	term.Send("exit\r")
	if code := term.Wait(); code != 0 {
		t.Fatalf("berth exec -it box sh exited %d after exit, want 0", code)
	}
	term.RequireRestored("exec")

	if code := b.exitCode("exec", "box", "sh", "-c", "exit 5"); code != 5 {
		t.Errorf("berth exec box sh -c 'exit 5' exited %d", code)
	}
	if code := b.exitCode("exec", "box", "nope"); code != 126 {
		t.Errorf("berth exec box nope exited %d, want 126 (docker exec's code for a command that did not start)", code)
	}
	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Errorf("box is %s after the execs, want running", status)
	}
}

// TestExecOptions runs the exec command lines through the binary:
// -u/-w/-e, a detached exec, and -it without a terminal.
func TestExecOptions(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-d", "--name", "box", "--network", "none", "busybox", "sleep", "1000")

	if out := b.must("exec", "-u", "nobody", "-w", "/tmp", "-e", "X=1", "box", "sh", "-c", "id -u; pwd; echo $X"); out != "65534\n/tmp\n1\n" {
		t.Errorf("exec -u nobody -w /tmp -e X=1 printed %q", out)
	}
	if out := b.must("exec", "-d", "box", "sleep", "100"); out != "" {
		t.Errorf("exec -d printed %q, want nothing", out)
	}
	waitForProcess(t, b.inspect(".State.Pid", "box"), "sleep", "100")

	var stderr bytes.Buffer
	cmd := b.cmd("exec", "-it", "box", "sh")
	cmd.Stderr = &stderr
	var exit *exec.ExitError
	wantCode := 125
	if b.api != nil {
		wantCode = 1 // the docker CLI's own check, and its exit code
	}
	if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != wantCode || !strings.Contains(stderr.String(), "not a TTY") {
		t.Errorf("exec -it without a terminal: %v, %q; want exit %d and that the input is not a TTY", err, stderr.String(), wantCode)
	}
}

// TestAttachClientKilled kills an attached `berth attach` with SIGKILL:
// the container does not notice, and the next attach works.
func TestAttachClientKilled(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	b.must("run", "-dit", "--name", "box", "--network", "none", "busybox", "sh")

	first := b.startTerminal(t, 24, 80, "attach", "box")
	first.Send("\r")
	first.Expect(prompt)
	first.Send("echo one-$((0+1))\r")
	first.Expect(`\r\none-1\r\n`)
	first.Signal(syscall.SIGKILL)
	first.Wait()

	if status := b.inspect(".State.Status", "box"); status != "running" {
		t.Fatalf("box is %s after its attach client was killed, want running", status)
	}
	second := b.startTerminal(t, 24, 80, "attach", "box")
	second.Send("\r")
	second.Expect(prompt)
	second.Send("echo two-$((1+1))\r")
	second.Expect(`\r\ntwo-2\r\n`)
	second.Expect(prompt)
	second.Send("exit\r")
	if code := second.Wait(); code != 0 {
		t.Fatalf("berth attach exited %d after the shell's exit, want 0", code)
	}
	second.RequireRestored("the container's exit")
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
	stopped.Send("\r")
	stopped.Expect(prompt)
	stopped.Signal(syscall.SIGSTOP)

	active := b.startTerminal(t, 24, 80, "attach", "box")
	active.Send("\r")
	active.Expect(prompt)
	// 24 MB, past the 16 MiB the hub queues for one client, over about
	// eight seconds: a client that reads keeps up even on a loaded machine
	// (it may fall 16 MiB behind before it is dropped).
	active.Send("i=0; while [ $i -lt 40 ]; do head -c 600000 /dev/zero | tr '\\000' x; echo; usleep 200000; i=$((i+1)); done; echo done-$((1+1))\r")
	active.Expect(`\r\ndone-2\r\n`)
	active.Expect(prompt)

	stopped.Signal(syscall.SIGCONT)
	stopped.Wait()
	stopped.RequireRestored("being dropped")

	active.Send("exit 4\r")
	if code := active.Wait(); code != 4 {
		t.Fatalf("berth attach exited %d after the shell's exit 4", code)
	}
}

// TestTTYDevpts: with -t the container's terminal is the first PTY of its
// own devpts, as docker's: tty(1) names /dev/pts/0, the node has group
// tty (gid 5) and mode 620, and /dev/console is that terminal too.
func TestTTYDevpts(t *testing.T) {
	t.Parallel()
	b := newBerthEnv(t)
	term := b.startTerminal(t, 24, 80, "run", "--rm", "-t", "--network", "none", "busybox", "sh", "-c",
		"tty; ls -ln /dev/pts/0; stat -c '%t:%T' /dev/console /dev/pts/0; stat -c %a /dev/pts/ptmx")
	term.Expect(`/dev/pts/0\r+\n`)
	term.Expect(`crw--w----\s+1 0\s+5\s+136,\s+0 .* /dev/pts/0\r+\n`)
	term.Expect(`88:0\r+\n88:0\r+\n666\r+\n`)
	if code := term.Wait(); code != 0 {
		t.Fatalf("run -t exited %d", code)
	}
	// Another user owns the terminal; it stays in group tty.
	term = b.startTerminal(t, 24, 80, "run", "--rm", "-t", "-u", "nobody", "--network", "none", "busybox", "ls", "-ln", "/dev/pts/0")
	term.Expect(`crw--w----\s+1 65534\s+5\s+136,\s+0 .* /dev/pts/0\r+\n`)
	if code := term.Wait(); code != 0 {
		t.Fatalf("run -t -u nobody exited %d", code)
	}
	if out := b.must("run", "--rm", "--network", "none", "busybox", "sh", "-c", "tty; ls /dev/pts"); out != "not a tty\nptmx\n" {
		t.Errorf("without -t: %q, want no terminal and an empty devpts", out)
	}
}
