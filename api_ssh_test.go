package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth/api"
	"berth/internal/testenv"
)

// sshEnv is an sshd on 127.0.0.1 that the test started (on a free port,
// never 22) with a host key and an authorized key it made, in front of a
// berthEnv: on the far side `berth` and `docker` are the test's berth
// binary, with the berthEnv's roots.
type sshEnv struct {
	*berthEnv
	t    testing.TB
	port int
	// path is PATH with the client side's `ssh` first: a wrapper that
	// runs /usr/bin/ssh -F with the test's client configuration (ssh
	// reads ~/.ssh of the passwd entry's home, not $HOME).
	path string
}

// newSSHEnv starts sshd for b; the test's cleanup kills it by its PID.
func newSSHEnv(t testing.TB, b *berthEnv) *sshEnv {
	t.Helper()
	sshd := "/usr/sbin/sshd" // Debian's openssh-server; root's PATH may lack /usr/sbin
	if _, err := os.Stat(sshd); err != nil {
		sshd = testenv.Tool(t, "sshd")
	}
	testenv.Tool(t, "ssh-keygen")
	dir := t.TempDir()
	for _, key := range []string{"host_key", "id_ed25519"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "berth-test", "-f", filepath.Join(dir, key)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen %s: %v: %s", key, err, out)
		}
	}
	pub, err := os.ReadFile(filepath.Join(dir, "id_ed25519.pub"))
	if err != nil {
		t.Fatal(err)
	}
	remoteWriteFile(t, filepath.Join(dir, "authorized_keys"), string(pub), 0o600)

	// The far side: `berth` and `docker` are the test's binary (as a user
	// would symlink docker to berth), first on sshd's PATH.
	far := filepath.Join(dir, "far-bin")
	if err := os.Mkdir(far, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"berth", "docker"} {
		if err := os.Symlink(b.bin, filepath.Join(far, name)); err != nil {
			t.Fatal(err)
		}
	}
	farEnv := []string{"PATH=" + far + ":/usr/sbin:/usr/bin:/sbin:/bin"}
	for _, name := range []string{"BERTH_ROOT", "BERTH_RUN_ROOT", "BERTH_CONFIG"} {
		farEnv = append(farEnv, name+"="+envValue(b.env, name))
	}
	port := remoteFreePort(t)
	conf := filepath.Join(dir, "sshd_config")
	remoteWriteFile(t, conf, fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
AuthorizedKeysFile %s
PidFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
SetEnv %s
`, port, filepath.Join(dir, "host_key"), filepath.Join(dir, "authorized_keys"), strings.Join(farEnv, " ")), 0o600)
	// sshd refuses to start without its privilege separation directory.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", conf)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd log:\n%s", log.String())
		}
		// Stopping the service ends the sessions still streaming from
		// it; a session that was still starting may start another.
		stopOnDemandService(t, envValue(b.env, "BERTH_RUN_ROOT"))
		waitSSHSessionsEnd(t, filepath.Join(dir, "ssh_config"), envValue(b.env, "BERTH_RUN_ROOT"))
		stopOnDemandService(t, envValue(b.env, "BERTH_RUN_ROOT"))
	})
	remoteWaitTCP(t, fmt.Sprintf("127.0.0.1:%d", port), exited)

	// The near side: an `ssh` that uses the test's key and known_hosts.
	near := filepath.Join(dir, "near-bin")
	if err := os.Mkdir(near, 0o755); err != nil {
		t.Fatal(err)
	}
	clientConf := filepath.Join(dir, "ssh_config")
	remoteWriteFile(t, clientConf, fmt.Sprintf(`Host *
  IdentityFile %s
  IdentitiesOnly yes
  UserKnownHostsFile %s
  StrictHostKeyChecking accept-new
  BatchMode yes
  LogLevel ERROR
`, filepath.Join(dir, "id_ed25519"), filepath.Join(dir, "known_hosts")), 0o600)
	remoteWriteFile(t, filepath.Join(near, "ssh"), fmt.Sprintf("#!/bin/sh\nexec /usr/bin/ssh -F %s \"$@\"\n", clientConf), 0o755)
	return &sshEnv{berthEnv: b, t: t, port: port, path: near + ":" + os.Getenv("PATH")}
}

// url is the ssh:// host of the far side, with a socket path when path
// is not "".
func (s *sshEnv) url(path string) string {
	return fmt.Sprintf("ssh://root@127.0.0.1:%d%s", s.port, path)
}

// docker is Debian's docker CLI with DOCKER_HOST=host.
func (s *sshEnv) docker(host string, args ...string) *exec.Cmd {
	cmd := exec.Command(testenv.DockerCLI(s.t), args...)
	cmd.Env = append(os.Environ(), "PATH="+s.path, "DOCKER_HOST="+host, "DOCKER_CONFIG="+s.t.TempDir())
	return cmd
}

func (s *sshEnv) dockerMust(host string, args ...string) string {
	s.t.Helper()
	var stderr bytes.Buffer
	cmd := s.docker(host, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("DOCKER_HOST=%s docker %v: %v: %s", host, args, err, stderr.String())
	}
	return string(out)
}

// remoteWriteFile writes a file the test needs.
func remoteWriteFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// remoteFreePort is a TCP port on 127.0.0.1 that nothing listens on now.
func remoteFreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// remoteWaitTCP waits until addr accepts connections, or the server exits.
func remoteWaitTCP(t testing.TB, addr string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("server for %s exited: %v", addr, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answers on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The docker CLI runs `docker system dial-stdio` on the far side; with
// no service there, dial-stdio starts one (it exits when idle) and every
// connection of the CLI goes to it.
func TestAPISSHDockerServesOnDemand(t *testing.T) {
	s := newSSHEnv(t, newBerthEnv(t))
	out := s.dockerMust(s.url(""), "version", "--format", "{{.Server.APIVersion}} {{.Server.Version}}")
	if !strings.HasPrefix(out, api.MaxVersion+" ") {
		t.Fatalf("docker version over ssh = %q, want API %s", out, api.MaxVersion)
	}
	run := envValue(s.env, "BERTH_RUN_ROOT")
	if _, err := os.Stat(filepath.Join(run, "api.sock")); err != nil {
		t.Fatalf("no service socket after dial-stdio: %v", err)
	}
	if _, err := os.Stat(filepath.Join(run, "api.pid")); err != nil {
		t.Fatalf("no PID file of the service dial-stdio started: %v", err)
	}
	// The next connection finds the service already there.
	if out := s.dockerMust(s.url(""), "version", "--format", "{{.Server.APIVersion}}"); out != api.MaxVersion+"\n" {
		t.Fatalf("second docker version over ssh = %q", out)
	}
}

// stopOnDemandService stops, by the PID it recorded, the service that
// dial-stdio started in runRoot, and waits until it is gone.
func stopOnDemandService(t testing.TB, runRoot string) {
	data, err := os.ReadFile(filepath.Join(runRoot, "api.pid"))
	if err != nil {
		return // none was started
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Errorf("api.pid: %v", err)
		return
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte("service")) {
		return // already exited (and the PID maybe reused)
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := syscall.Kill(pid, 0); err != nil {
			return
		}
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(st), ") Z ") {
			return // exited, waiting for init to reap it
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("the on-demand service (PID %d) did not stop within 10s of SIGTERM", pid)
}

// With a service on the far side's default socket, dial-stdio bridges to
// it. With a socket path in the URL berth's client runs `berth
// --host=unix://PATH system dial-stdio`, as newer docker CLIs do (docker
// 20.10 refuses a path in an ssh:// host).
func TestAPISSHBridgesToService(t *testing.T) {
	a := newAPIEnv(t)
	s := newSSHEnv(t, a.berthEnv)
	t.Setenv("PATH", s.path)
	c, err := api.Dial(api.Endpoint{Host: s.url(a.sock)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if v, err := c.Ping(ctx); err != nil || v != api.MaxVersion {
		t.Fatalf("ping over ssh to %s: %q, %v", a.sock, v, err)
	}

	def := filepath.Join(envValue(s.env, "BERTH_RUN_ROOT"), "api.sock")
	svc := s.cmd("system", "service")
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- svc.Wait() }()
	t.Cleanup(func() {
		_ = svc.Process.Signal(syscall.SIGTERM)
		<-exited
	})
	remoteWaitUnix(t, def, exited)
	out := s.dockerMust(s.url(""), "version", "--format", "{{.Server.APIVersion}}")
	if out != api.MaxVersion+"\n" {
		t.Fatalf("docker version over ssh to the default socket = %q", out)
	}
}

// berth's own client reaches the far side through the system ssh (with
// the wrapper's configuration) and `berth system dial-stdio`.
func TestAPISSHBerthClient(t *testing.T) {
	s := newSSHEnv(t, newBerthEnv(t))
	t.Setenv("PATH", s.path)
	c, err := api.Dial(api.Endpoint{Host: s.url("")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := c.Ping(ctx)
	if err != nil {
		t.Fatalf("ping over ssh: %v", err)
	}
	if v != api.MaxVersion {
		t.Fatalf("ping over ssh: API %q, want %s", v, api.MaxVersion)
	}
	if _, err := c.ServerVersion(ctx); err != nil {
		t.Fatalf("version over ssh: %v", err)
	}
}

// A host the ssh client cannot reach is a clear error, not a hang.
func TestAPISSHUnreachable(t *testing.T) {
	s := newSSHEnv(t, newBerthEnv(t))
	t.Setenv("PATH", s.path)
	c, err := api.Dial(api.Endpoint{Host: fmt.Sprintf("ssh://root@127.0.0.1:%d", remoteFreePort(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err == nil {
		t.Fatal("ping of a port nothing listens on succeeded")
	}
}

// remoteWaitUnix waits until a service answers on the socket path.
func remoteWaitUnix(t testing.TB, path string, exited <-chan error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.Dial("unix", path)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("service for %s exited: %v", path, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing answers on %s: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
