package nsenter

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const busybox = "/bin/busybox"

// The helper a re-executed test binary runs: "target" is the process in
// new namespaces that tests enter.
const helperEnv = "BERTH_NSENTER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "target":
		os.Exit(targetHelper())
	case "exe":
		os.Exit(exeHelper())
	case "close-fds":
		os.Exit(closeFdsHelper())
	case "chdir-outside":
		os.Exit(chdirOutsideHelper())
	}
	os.Exit(m.Run())
}

// targetHelper runs as PID 1 of new namespaces: it mounts a tmpfs that
// only its mount namespace sees, writes a file there, mounts its own devpts, names its UTS
// namespace, says ready and waits to be killed.
func targetHelper() int {
	dir := os.Getenv("TARGET_DIR")
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		fmt.Printf("make / private: %v\n", err)
		return 1
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		fmt.Printf("mount tmpfs: %v\n", err)
		return 1
	}
	// Its own terminals, as a container has: /dev/ptmx now opens this
	// instance in this namespace only.
	if err := unix.Mount("devpts", "/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666"); err != nil {
		fmt.Printf("mount devpts: %v\n", err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(dir, "only-here"), []byte("inside"), 0o644); err != nil {
		fmt.Println(err)
		return 1
	}
	if err := unix.Sethostname([]byte("berth-target")); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("ready")
	for {
		time.Sleep(time.Hour)
	}
}

func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nsenter tests need root")
	}
	t.Skip("nsenter tests need root")
}

// target is a process in its own ipc, uts, net, pid and mount namespaces.
type target struct {
	pid int
	dir string // holds only-here, visible only in the target's mount namespace
}

func startTarget(t testing.TB) target {
	t.Helper()
	requireRoot(t)
	if _, err := os.Stat(busybox); err != nil {
		t.Fatalf("busybox: %v", err)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=target", "TARGET_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC |
			syscall.CLONE_NEWNET | syscall.CLONE_NEWPID,
		Pdeathsig: syscall.SIGKILL,
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killing PID 1 of the namespace kills everything entered into it.
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("target: %q %v", line, err)
	}
	return target{pid: cmd.Process.Pid, dir: dir}
}

func nsLink(t *testing.T, pid int, ns string) string {
	t.Helper()
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// runIn runs a busybox shell script entered as cfg says and returns its output.
func runIn(t *testing.T, cfg Config, script string) (string, error) {
	t.Helper()
	cfg.Args = []string{busybox, "sh", "-c", script}
	cmd := Command(cfg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestEnterJoinsNamespaces(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	file := filepath.Join(tg.dir, "only-here")
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the host sees %s: %v", file, err)
	}
	var hookNS string
	var hookPid int
	cfg := Config{
		Pid:          tg.pid,
		Env:          []string{"PATH=/bin"},
		Dir:          tg.dir,
		Capabilities: []string{"CAP_SYS_ADMIN"},
		BeforeExec: func(pid int) error {
			hookPid = pid
			hookNS = nsLink(t, pid, "pid")
			return nil
		},
	}
	script := `for n in ipc uts net pid mnt; do echo "$n $(readlink /proc/self/ns/$n)"; done
echo "file $(cat only-here)"
echo "cwd $(pwd)"
echo "hostname $(hostname)"
echo "inner-pid $$"`
	out, err := runIn(t, cfg, script)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, " ")
		got[k] = v
	}
	for _, ns := range DefaultNamespaces() {
		if want := nsLink(t, tg.pid, string(ns)); got[string(ns)] != want {
			t.Errorf("%s namespace: got %q, want the target's %q", ns, got[string(ns)], want)
		}
	}
	want := map[string]string{"file": "inside", "cwd": tg.dir, "hostname": "berth-target"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	// PID 1 is the target; the command has a small PID in its namespace.
	if p := got["inner-pid"]; p == "" || p == "1" || p == fmt.Sprint(hookPid) {
		t.Errorf("pid inside the namespace: %q (host pid %d)", p, hookPid)
	}
	if hookNS != nsLink(t, tg.pid, "pid") {
		t.Errorf("BeforeExec saw pid namespace %q, want the target's", hookNS)
	}
}

func TestEnterCredentials(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	docker := []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
		"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
		"CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP"}
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{
			name: "root with docker's capabilities",
			cfg:  Config{Capabilities: docker},
			want: []string{"Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0", "Groups:\t",
				"CapEff:\t00000000a80425fb", "CapPrm:\t00000000a80425fb", "CapBnd:\t00000000a80425fb",
				"NoNewPrivs:\t0", "cwd /"},
		},
		{
			name: "nobody with groups and no_new_privs",
			cfg: Config{UID: 65534, GID: 65534, Groups: []uint32{65534, 100}, Dir: "/tmp",
				Capabilities: []string{"CAP_KILL"}, NoNewPrivileges: true},
			want: []string{"Uid:\t65534\t65534\t65534\t65534", "Gid:\t65534\t65534\t65534\t65534",
				"Groups:\t100 65534", "CapEff:\t0000000000000000", "CapBnd:\t0000000000000020",
				"NoNewPrivs:\t1", "cwd /tmp"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Pid = tg.pid
			out, err := runIn(t, tt.cfg, `grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs):' /proc/self/status; echo "cwd $(pwd)"`)
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			lines := strings.Split(out, "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					if strings.TrimRight(l, " ") == strings.TrimRight(w, " ") {
						found = true
					}
				}
				if !found {
					t.Errorf("no line %q in:\n%s", w, out)
				}
			}
		})
	}
}

func TestEnterExitStatus(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	out, err := runIn(t, Config{Pid: tg.pid}, "exit 3")
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Fatalf("got %v (%s), want exit status 3", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGSEGV} {
		_, err = runIn(t, Config{Pid: tg.pid}, "kill -"+strings.TrimPrefix(unix.SignalName(sig), "SIG")+" $$")
		if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != sig {
			t.Fatalf("got %v, want killed by %v", err, sig)
		}
		if exitErr.Sys().(syscall.WaitStatus).CoreDump() {
			t.Fatalf("the waiting parent dumped core")
		}
	}
}

func TestEnterForwardsSignals(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	cmd := Command(Config{Pid: tg.pid, Args: []string{busybox, "sleep", "1000"}})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if cmd.Pid() == cmd.Process.Pid || cmd.Pid() == 0 {
		t.Fatalf("command pid %d, waiting parent %d", cmd.Pid(), cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGUSR1 {
		t.Fatalf("got %v, want killed by SIGUSR1", err)
	}
}

func TestEnterErrors(t *testing.T) {
	t.Parallel()
	tg := startTarget(t)
	notExec := filepath.Join(tg.dir, "only-here") // exists only inside, mode 0644
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"not found", Config{Args: []string{"no-such-command"}}, ErrNotFound},
		{"not found by path", Config{Args: []string{"/no/such/command"}}, ErrNotFound},
		{"not executable", Config{Args: []string{notExec}}, ErrNotExecutable},
		{"directory", Config{Args: []string{"/tmp"}}, ErrNotExecutable},
		{"bad working directory", Config{Args: []string{busybox, "true"}, Dir: "/no/such/dir"}, ErrEnter},
		{"unknown capability", Config{Args: []string{busybox, "true"}, Capabilities: []string{"CAP_NOPE"}}, ErrEnter},
		{"no command", Config{}, ErrEnter},
		{"hook fails", Config{Args: []string{busybox, "true"}, BeforeExec: func(int) error { return errors.New("no cgroup") }}, ErrEnter},
		{"no cgroup tasks file", Config{Args: []string{busybox, "true"}, CgroupTasks: []string{"/no/such/tasks"}}, ErrEnter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Pid = tg.pid
			cmd := Command(tt.cfg)
			err := cmd.Start()
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if cmd.ProcessState == nil && cmd.Process != nil {
				t.Fatal("Start failed without reaping its process")
			}
		})
	}
	t.Run("no such target", func(t *testing.T) {
		err := Command(Config{Pid: 1 << 30, Args: []string{busybox, "true"}}).Start()
		if !errors.Is(err, ErrEnter) || !strings.Contains(err.Error(), "/proc/1073741824/ns/ipc") {
			t.Fatalf("got %v", err)
		}
	})
}

// BenchmarkEnter measures berth exec's own cost: entering a container and
// running busybox true, until the waiting parent exits.
func BenchmarkEnter(b *testing.B) {
	tg := startTarget(b)
	for b.Loop() {
		if err := Command(Config{Pid: tg.pid, Args: []string{busybox, "true"}}).Run(); err != nil {
			b.Fatal(err)
		}
	}
}
