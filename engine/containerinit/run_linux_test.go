package containerinit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/engine/containerinit"
)

func TestCommandIsPID1(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", "echo $$; exec ps")
	out := output(t, cfg)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "1" {
		t.Errorf("echo $$ = %q, want 1", lines[0])
	}
	if len(lines) != 3 || strings.Fields(lines[2])[0] != "1" {
		t.Errorf("ps should show only itself as PID 1:\n%s", out)
	}
}

func TestHostnameEnvAndCwd(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `hostname; echo "$HOME|$PATH|$HOSTNAME|$A|$TERM"; pwd`)
	cfg.Env = []string{"A=1"}
	cfg.Cwd = "/work/dir"
	got := strings.Split(strings.TrimSpace(output(t, cfg)), "\n")
	want := []string{"box", "/root|" + containerinit.DefaultPath + "|box|1|", "/work/dir"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEnvKeepsWhatIsGiven(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `echo "$HOME|$PATH|$HOSTNAME"`)
	cfg.Env = []string{"HOME=/h", "PATH=/bin", "HOSTNAME=mine"}
	cfg.User = "nobody"
	if got := strings.TrimSpace(output(t, cfg)); got != "/h|/bin|mine" {
		t.Errorf("got %q", got)
	}
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	host, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	hostBounding := statusField(t, string(host), "CapBnd")
	tests := []struct {
		name       string
		add, drop  []string
		privileged bool
		user       string
		nnp        bool
		eff, bnd   string
	}{
		{name: "default", eff: "00000000a80425fb", bnd: "00000000a80425fb"},
		{name: "cap-add sys_admin", add: []string{"sys_admin"}, eff: "00000000a82425fb", bnd: "00000000a82425fb"},
		{name: "cap-drop chown and net_raw", drop: []string{"CAP_CHOWN", "NET_RAW"}, eff: "00000000a80405fa", bnd: "00000000a80405fa"},
		{name: "cap-drop all", drop: []string{"ALL"}, eff: "0000000000000000", bnd: "0000000000000000"},
		{name: "privileged", privileged: true, eff: hostBounding, bnd: hostBounding},
		{name: "non-root user", user: "nobody", eff: "0000000000000000", bnd: "00000000a80425fb"},
		{name: "no-new-privileges", nnp: true, eff: "00000000a80425fb", bnd: "00000000a80425fb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := newConfig(t, "cat", "/proc/self/status")
			caps, err := containerinit.Capabilities(tt.add, tt.drop, tt.privileged)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Capabilities = caps
			cfg.Privileged = tt.privileged
			cfg.User = tt.user
			cfg.NoNewPrivileges = tt.nnp
			status := output(t, cfg)
			if got := statusField(t, status, "CapEff"); got != tt.eff {
				t.Errorf("CapEff = %s, want %s", got, tt.eff)
			}
			if got := statusField(t, status, "CapBnd"); got != tt.bnd {
				t.Errorf("CapBnd = %s, want %s", got, tt.bnd)
			}
			if got := statusField(t, status, "CapInh") + statusField(t, status, "CapAmb"); got != strings.Repeat("0", 32) {
				t.Errorf("CapInh+CapAmb = %s, want none", got)
			}
			wantNNP := "0"
			if tt.nnp {
				wantNNP = "1"
			}
			if got := statusField(t, status, "NoNewPrivs"); got != wantNNP {
				t.Errorf("NoNewPrivs = %s, want %s", got, wantNNP)
			}
		})
	}
}

func TestUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user string
		want string // uid gid groups, from id -u, id -g and the Groups line (sorted by the kernel)
	}{
		// As docker: the primary group is always among the groups.
		{"", "0 0 0 10"},
		{"root", "0 0 0 10"},
		{"nobody", "65534 65534 65534"},
		{"alice", "1000 1000 29 50 1000"},
		{"1000:50", "1000 50 50"},
		{"alice:staff", "1000 50 50"},
		{"nobody:5", "65534 5 5"},
		{"4242", "4242 0 0"},
		{"4242:4343", "4242 4343 4343"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			t.Parallel()
			cfg := newConfig(t, "sh", "-c", `echo "$(id -u) $(id -g) $(grep ^Groups: /proc/self/status | cut -f2 | xargs)"`)
			cfg.User = tt.user
			if got := strings.TrimSpace(output(t, cfg)); got != tt.want {
				t.Errorf("-u %q: got %q, want %q", tt.user, got, tt.want)
			}
		})
	}
}

func TestRlimitsAreTheCallers(t *testing.T) {
	t.Parallel()
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	cfg := newConfig(t, "sh", "-c", "ulimit -Sn; ulimit -Hn")
	want := fmt.Sprintf("%d\n%d\n", nofile.Cur, nofile.Max)
	if got := output(t, cfg); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNonRootUserOwnsStdio(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", "echo out > /dev/stdout; echo err > /dev/stderr; echo $HOME")
	cfg.User = "alice"
	cfg.Cwd = "/home/alice"
	r := runContainer(t, cfg)
	if r.code != 0 || r.stdout != "out\n/home/alice\n" || r.stderr != "err\n" {
		t.Errorf("got %+v", r)
	}
}

func TestUnknownUserIsSetupError(t *testing.T) {
	t.Parallel()
	for _, user := range []string{"nope", "alice:nogroupnamed"} {
		cfg := newConfig(t, "true")
		cfg.User = user
		_, _, _, err := tryStart(t, cfg)
		var execErr *containerinit.ExecError
		if !errors.As(err, &execErr) || execErr.Code != 125 || !strings.Contains(execErr.Msg, "unable to find") {
			t.Errorf("-u %s: err = %v, want 125 unable to find", user, err)
		}
	}
}

func TestMaskedAndReadonlyPaths(t *testing.T) {
	t.Parallel()
	// Of the masked paths, this kernel has /proc/timer_list and /sys/firmware.
	const masks = `awk '$5 == "/sys" { split($6, o, ","); print "sys", o[1] } $5 == "/proc/timer_list" || $5 == "/sys/firmware" { print $5, "masked" }' /proc/self/mountinfo`
	script := `wc -c < /proc/timer_list
ls /sys/firmware | wc -l
echo x 2>/dev/null > /proc/sys/kernel/domainname || echo procsys-ro
touch /sys/berth 2>/dev/null || echo sys-ro
` + masks
	cfg := newConfig(t, "sh", "-c", script)
	want := "0\n0\nprocsys-ro\nsys-ro\nsys ro\n/proc/timer_list masked\n/sys/firmware masked\n"
	if got := output(t, cfg); got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	priv := newConfig(t, "sh", "-c", masks)
	priv.Privileged = true
	if got := output(t, priv); got != "sys rw\n" {
		t.Errorf("privileged: got %q, want sys rw and nothing masked", got)
	}
}

func TestReadonlyRootfs(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", `touch /x 2>/dev/null || echo root-ro; touch /dev/shm/x && echo shm-rw; touch /tmp/x && echo tmp-rw`)
	cfg.ReadonlyRootfs = true
	cfg.Mounts = []containerinit.Mount{{Type: "tmpfs", Source: "tmpfs", Target: "/tmp", Options: []string{"nosuid", "nodev", "size=1m"}}}
	if got := output(t, cfg); got != "root-ro\nshm-rw\ntmp-rw\n" {
		t.Errorf("got %q", got)
	}
}

func TestMounts(t *testing.T) {
	t.Parallel()
	roDir := t.TempDir()
	writeFile(t, filepath.Join(roDir, "in"), "from host\n", 0o644)
	sub := filepath.Join(roDir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", sub, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	// Shared on the host: the container's copy must not be.
	if err := syscall.Mount("", sub, "", syscall.MS_SHARED, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(sub, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", sub, err)
		}
	})
	rwDir := t.TempDir()
	hosts := filepath.Join(t.TempDir(), "hosts")
	writeFile(t, hosts, "127.0.0.1 localhost box\n", 0o644)
	script := `cat /data/in
touch /data/x 2>/dev/null || echo data-ro
touch /data/sub/x 2>/dev/null || echo submount-ro
echo written > /rw/out
cat /etc/hosts
awk '$5 == "/run" { print $(NF-2), $NF }' /proc/self/mountinfo
awk '$5 == "/scratch" { print $6, $(NF-2) }' /proc/self/mountinfo
stat -c %a /scratch
awk '$5 == "/rw" || $5 == "/data/sub" { print $5, ($7 ~ /^shared:/) ? "shared" : "private" }' /proc/self/mountinfo`
	cfg := newConfig(t, "sh", "-c", script)
	cfg.Mounts = []containerinit.Mount{
		{Type: "tmpfs", Source: "tmpfs", Target: "/run", Options: []string{"size=64m"}},
		{Type: "bind", Source: roDir, Target: "/data", Options: []string{"rbind", "ro"}},
		{Type: "bind", Source: rwDir, Target: "/rw", Options: []string{"rbind"}},
		{Type: "bind", Source: hosts, Target: "/etc/hosts", Options: []string{"rbind", "ro"}},
		{Type: "tmpfs", Source: "tmpfs", Target: "/scratch", Options: []string{"nosuid", "nodev", "noexec", "noatime", "mode=1777", "size=1m"}},
	}
	want := "from host\ndata-ro\nsubmount-ro\n127.0.0.1 localhost box\ntmpfs rw,size=65536k\n" +
		"rw,nosuid,nodev,noexec,noatime tmpfs\n1777\n/data/sub private\n/rw private\n"
	if got := output(t, cfg); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(rwDir, "out")); err != nil || string(b) != "written\n" {
		t.Errorf("rw bind: host sees %q, %v", b, err)
	}
}

func TestMissingBindSourceFailsBeforeStart(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "true")
	called := false
	cfg.Mounts = []containerinit.Mount{{Type: "bind", Source: filepath.Join(t.TempDir(), "nope"), Target: "/x"}}
	_, err := containerinit.Start(cfg, containerinit.StartOptions{BeforeRun: func(int) error { called = true; return nil }})
	if !errors.Is(err, containerinit.ErrBindSourceMissing) || called {
		t.Errorf("err = %v (child started: %v), want ErrBindSourceMissing before start", err, called)
	}
}

func TestDev(t *testing.T) {
	t.Parallel()
	script := `for d in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' /dev/$d; done
for l in ptmx fd stdin stdout stderr core; do echo "$l -> $(readlink /dev/$l)"; done
awk '$5 ~ "^/dev" { print $5, $(NF-2) }' /proc/self/mountinfo
stat -c '%a' /dev
echo hi > /dev/null && head -c 4 /dev/urandom | wc -c`
	cfg := newConfig(t, "sh", "-c", script)
	want := `/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
ptmx -> pts/ptmx
fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2
core -> /proc/kcore
/dev tmpfs
/dev/pts devpts
/dev/shm tmpfs
/dev/mqueue mqueue
755
4
`
	if got := output(t, cfg); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestNetwork(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/flags")
	if got := output(t, cfg); got != "lo\n0x9\n" {
		t.Errorf("network none: got %q, want only lo, up", got)
	}

	hostNet, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	host := newConfig(t, "readlink", "/proc/self/ns/net")
	host.Network = "host"
	if got := strings.TrimSpace(output(t, host)); got != hostNet {
		t.Errorf("network host: container in %s, host in %s", got, hostNet)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		mutate func(*containerinit.Config)
		code   int
		msg    string
	}{
		{name: "not found", args: []string{"nope"}, code: 127, msg: `exec: "nope": executable file not found in $PATH`},
		{name: "missing path", args: []string{"/nope"}, code: 127, msg: `exec: "/nope": stat /nope: no such file or directory`},
		{name: "directory", args: []string{"/etc"}, code: 126, msg: `exec: "/etc": is a directory`},
		{name: "not executable", args: []string{"/etc/passwd"}, code: 126, msg: `exec: "/etc/passwd": permission denied`},
		{name: "cwd is a file", args: []string{"true"}, code: 125, msg: "create cwd",
			mutate: func(c *containerinit.Config) { c.Cwd = "/etc/passwd/x" }},
		{name: "bad root mount", args: []string{"true"}, code: 125, msg: "mount rootfs: mount overlay on",
			mutate: func(c *containerinit.Config) {
				c.RootMount = containerinit.Mount{Type: "overlay", Source: "overlay", Options: []string{"lowerdir=/nonexistent"}}
			}},
		{name: "bind over a file with a directory", args: []string{"true"}, code: 125, msg: "bind mount on /etc/passwd: create mountpoint",
			mutate: func(c *containerinit.Config) {
				c.Mounts = []containerinit.Mount{{Type: "bind", Source: t.TempDir(), Target: "/etc/passwd"}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := newConfig(t, tt.args...)
			if tt.mutate != nil {
				tt.mutate(cfg)
			}
			_, _, _, err := tryStart(t, cfg)
			var execErr *containerinit.ExecError
			if !errors.As(err, &execErr) || execErr.Code != tt.code || !strings.Contains(execErr.Msg, tt.msg) {
				t.Errorf("err = %#v, want code %d and %q", err, tt.code, tt.msg)
			}
		})
	}

	t.Run("exit status", func(t *testing.T) {
		t.Parallel()
		if r := runContainer(t, newConfig(t, "sh", "-c", "exit 3")); r.code != 3 || r.signal != 0 {
			t.Errorf("got %+v, want 3", r)
		}
	})
	t.Run("killed", func(t *testing.T) {
		t.Parallel()
		p, _, _ := startContainer(t, newConfig(t, "sleep", "100"))
		if err := p.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		code, sig, err := p.Wait()
		if err != nil || code != 137 || sig != syscall.SIGKILL {
			t.Errorf("got %d %v %v, want 137 SIGKILL", code, sig, err)
		}
	})
}

func TestBeforeRunSeesTheChildBeforeSetup(t *testing.T) {
	t.Parallel()
	cfg := newConfig(t, "true")
	var mountinfo string
	p, err := containerinit.Start(cfg, containerinit.StartOptions{BeforeRun: func(pid int) error {
		// Give the child time to misbehave: it must wait for its config.
		time.Sleep(100 * time.Millisecond)
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "mountinfo"))
		mountinfo = string(b)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, err := p.Wait(); code != 0 || err != nil {
		t.Errorf("exit %d %v", code, err)
	}
	if mountinfo == "" || strings.Contains(mountinfo, cfg.Rootfs) {
		t.Errorf("the child mounted its rootfs before BeforeRun returned:\n%s", mountinfo)
	}

	failing := newConfig(t, "true")
	boom := errors.New("no cgroup")
	var pid int
	_, err = containerinit.Start(failing, containerinit.StartOptions{BeforeRun: func(p int) error { pid = p; return boom }})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want BeforeRun's", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("child %d still exists after BeforeRun failed: %v", pid, err)
	}
}

// BenchmarkStart measures one container from Start to exit: `true` on a
// bound busybox rootfs, what `berth run --rm busybox true` costs minus the
// engine and the shim.
func BenchmarkStart(b *testing.B) {
	cfg := newConfig(b, "true")
	for b.Loop() {
		p, err := containerinit.Start(cfg, containerinit.StartOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if code, _, err := p.Wait(); code != 0 || err != nil {
			b.Fatalf("exit %d %v", code, err)
		}
	}
}

// The container's init never runs the host's binary: what its
// /proc/<pid>/exe names cannot be written (CVE-2019-5736).
func TestInitRunsASealedCopy(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var exe string
	var writeErr error
	p, err := containerinit.Start(newConfig(t, "true"), containerinit.StartOptions{BeforeRun: func(pid int) error {
		link := filepath.Join("/proc", strconv.Itoa(pid), "exe")
		exe, _ = os.Readlink(link)
		var w *os.File
		if w, writeErr = os.OpenFile(link, os.O_WRONLY, 0); writeErr == nil {
			_, writeErr = w.WriteAt([]byte("overwritten"), 0)
			w.Close()
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, err := p.Wait(); code != 0 || err != nil {
		t.Errorf("exit %d %v", code, err)
	}
	if exe == "" || exe == self {
		t.Errorf("container init runs %q, the binary %s itself", exe, self)
	}
	if writeErr == nil {
		t.Errorf("wrote to the binary container init runs (%s)", exe)
	}
}

// A descriptor its starter left open (as a shell's `exec 7</etc`) does
// not reach the container, not even as its working directory.
// Not parallel: the descriptor would leak into every process the other
// tests start meanwhile.
func TestInheritedFdsStayOut(t *testing.T) {
	host := t.TempDir()
	// Not close-on-exec, as a descriptor inherited from a shell.
	fd, err := syscall.Open(host, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	cfg := newConfig(t, "sh", "-c", "ls /proc/$$/fd; true")
	if out := strings.Fields(output(t, cfg)); strings.Join(out, " ") != "0 1 2" {
		t.Errorf("the command holds fds %v, want only 0 1 2", out)
	}
	cwd := "/proc/self/fd/" + strconv.Itoa(fd)
	cfg = newConfig(t, "pwd")
	cfg.Cwd = cwd
	_, _, _, err = tryStart(t, cfg)
	var ee *containerinit.ExecError
	if !errors.As(err, &ee) || ee.Code != containerinit.ExitSetupFailed || !strings.Contains(ee.Msg, cwd) {
		t.Errorf("cwd %s: got %v, want exit 125 naming the working directory", cwd, err)
	}
}
