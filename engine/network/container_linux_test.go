package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"berth/engine/containerinit"
)

// These tests run real containers with package containerinit, wired the
// way the engine's shim wires them: Attach in StartOptions.BeforeRun (the
// init is in its new network namespace and waits for its config), the
// hosts file bind-mounted at /etc/hosts, Release when it is over.

// busyboxRootfs builds a minimal rootfs: a copy of the host's static
// busybox with its applets as symlinks.
func busyboxRootfs(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "rootfs-lower")
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A copy, not a link: see containerinit's tests on "text file busy";
	// it is written before this test forks anything.
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin/busybox"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet != "busybox" {
			os.Symlink("busybox", filepath.Join(root, "bin", applet))
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/group"), []byte("root:x:0:\nnogroup:x:65534:\n"), 0o644)
	return root
}

// testContainer is one container of these tests.
type testContainer struct {
	id, name, hosts string
	cfg             *containerinit.Config
}

func newTestContainer(t *testing.T, lower, name string, mounts []containerinit.Mount, args ...string) *testContainer {
	t.Helper()
	dir := t.TempDir()
	c := &testContainer{id: newID(), name: name, hosts: filepath.Join(dir, "hosts")}
	if err := os.WriteFile(c.hosts, HostsFile(name, "", nil), 0o644); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	c.cfg = &containerinit.Config{
		Rootfs:    rootfs,
		RootMount: containerinit.Mount{Type: "bind", Source: lower, Options: []string{"rbind"}},
		Mounts: append([]containerinit.Mount{{Type: "bind", Source: c.hosts, Target: "/etc/hosts",
			Options: []string{"rbind", "rprivate"}}}, mounts...),
		Hostname:     name,
		Args:         args,
		Env:          []string{"PATH=/bin"},
		Capabilities: containerinit.DefaultCapabilities(),
		Network:      "bridge",
	}
	return c
}

// start starts c attached to network; its output goes to out.
func (c *testContainer) start(t *testing.T, m *Manager, network string, out *os.File, aliases ...string) *containerinit.Process {
	t.Helper()
	var att *Attachment
	p, err := containerinit.Start(c.cfg, containerinit.StartOptions{Stdout: out, Stderr: out,
		BeforeRun: func(pid int) error {
			var err error
			att, err = m.Attach(AttachRequest{Network: network, ContainerID: c.id, Name: c.name, Hostname: c.name,
				Aliases: aliases, NetNS: "/proc/" + strconv.Itoa(pid) + "/ns/net", HostsPath: c.hosts})
			return err
		}})
	if err != nil {
		t.Fatalf("start %s: %v", c.name, err)
	}
	t.Cleanup(func() {
		p.Signal(syscall.SIGKILL)
		p.Wait()
		m.Release(c.id)
	})
	if att == nil {
		t.Fatalf("%s started without an attachment", c.name)
	}
	return p
}

func TestContainersResolveEachOtherByName(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	if _, err := m.Create(CreateOptions{Name: "app", Subnet: tn.Spare}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove("app") })
	lower := busyboxRootfs(t)
	www := t.TempDir()
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte("served by api\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := newTestContainer(t, lower, "api",
		[]containerinit.Mount{{Type: "bind", Source: www, Target: "/www", Options: []string{"rbind", "ro"}}},
		"httpd", "-f", "-p", "80", "-h", "/www")
	api.start(t, m, "app", nil, "backend")

	// The client fetches by name and by alias, retrying until httpd listens.
	client := newTestContainer(t, lower, "client", nil, "sh", "-c",
		`for i in $(seq 50); do wget -q -O - http://api/ && wget -q -O - http://backend/ && exit 0; sleep 0.1; done; cat /etc/hosts; exit 1`)
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	p := client.start(t, m, "app", out)
	code, _, err := p.Wait()
	got, _ := os.ReadFile(out.Name())
	if err != nil || code != 0 || string(got) != "served by api\nserved by api\n" {
		t.Fatalf("client exited %d (%v):\n%s", code, err, got)
	}
	// The client is gone: Release takes it out of api's /etc/hosts.
	if err := m.Release(client.id); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(api.hosts); strings.Contains(string(b), "client") {
		t.Errorf("api's hosts still lists the client:\n%s", b)
	}
}
