package network

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
)

// get fetches url, retrying while the server starts.
func get(t *testing.T, url string) string {
	t.Helper()
	var body []byte
	eventually(t, "GET "+url, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err = io.ReadAll(resp.Body)
		return err
	})
	return string(body)
}

func TestSessionAcrossRestarts(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	id := newID()
	s, err := m.NewSession(SessionSpec{
		ContainerID: id, Name: "web", Hostname: "web", Networks: NetworksFor("bridge"),
		PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1"}}},
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "443/tcp": {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	run := func(page string) *Settings {
		www := t.TempDir()
		if err := os.WriteFile(filepath.Join(www, "index.html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		f := startFake(t, "httpd", "-f", "-p", "80", "-h", www)
		st, err := s.Connect(f.Pid)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := run("first run\n")
	b := st.Ports["80/tcp"]
	if len(b) != 1 || b[0].HostIP != "127.0.0.1" || b[0].HostPort == "" || st.IPAddress == "" || st.Networks[NameBridge].IPAddress != st.IPAddress {
		t.Fatalf("settings: %+v", st)
	}
	if p, ok := st.Ports["443/tcp"]; !ok || p != nil {
		t.Errorf("an exposed, unpublished port: %v, %v", p, ok)
	}
	url := fmt.Sprintf("http://127.0.0.1:%s/", b[0].HostPort)
	if got := get(t, url); got != "first run\n" {
		t.Errorf("first run served %q", got)
	}

	// The run ends: its address is released, the port stays ours.
	if err := s.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if a, _ := m.Attachments(id); len(a) != 0 {
		t.Errorf("attached after Disconnect: %v", a)
	}
	if l, err := net.Listen("tcp", "127.0.0.1:"+b[0].HostPort); err == nil {
		l.Close()
		t.Errorf("host port %s free between runs", b[0].HostPort)
	}
	st2 := run("second run\n")
	if got := st2.Ports["80/tcp"]; len(got) != 1 || got[0] != b[0] {
		t.Errorf("second run's ports %v, want %v", got, b)
	}
	if got := get(t, url); got != "second run\n" {
		t.Errorf("second run served %q", got)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	eventually(t, "host port free after Close", func() error {
		l, err := net.Listen("tcp", "127.0.0.1:"+b[0].HostPort)
		if err != nil {
			return err
		}
		return l.Close()
	})
	if a, _ := m.Attachments(id); len(a) != 0 {
		t.Errorf("attached after Close: %v", a)
	}
}

func TestSessionPortInUse(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	id := newID()
	s, err := m.NewSession(SessionSpec{ContainerID: id, Networks: NetworksFor(""),
		PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: port}}}})
	if err != nil {
		t.Fatal(err)
	}
	f := startFake(t)
	_, err = s.Connect(f.Pid)
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "127.0.0.1:"+port) {
		t.Fatalf("Connect with port %s taken: %v", port, err)
	}
	if a, _ := m.Attachments(id); len(a) != 0 {
		t.Errorf("attached after a failed Connect: %v", a)
	}

	if out := f.exec(t, "ip", "link"); strings.Contains(out, "eth0") {
		t.Errorf("eth0 left in the container:\n%s", out)
	}
	s.Close()
}

// TestSessionDisconnectLeavesPairs: Disconnect frees the address but
// leaves the veth pair, down, to its namespace (deleting it would keep the
// exit waiting on the kernel); the pair goes when the namespace dies, and
// Sweep deletes one whose namespace lives on, but never the next run's
// pair of the same name.
func TestSessionDisconnectLeavesPairs(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	id := newID()
	s, err := m.NewSession(SessionSpec{ContainerID: id, Name: "c", Networks: NetworksFor("bridge")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	connect := func(f *fakeContainer) (veth string, index int) {
		t.Helper()
		if _, err := s.Connect(f.Pid); err != nil {
			t.Fatal(err)
		}
		atts, err := m.Attachments(id)
		if err != nil || len(atts) != 1 {
			t.Fatalf("attachments after Connect: %v, %v", atts, err)
		}
		veth = atts[NameBridge].HostVeth
		l, err := netlink.LinkByName(veth)
		if err != nil {
			t.Fatal(err)
		}
		return veth, l.Attrs().Index
	}
	disconnect := func(veth string) {
		t.Helper()
		if err := s.Disconnect(); err != nil {
			t.Fatal(err)
		}
		if a, _ := m.Attachments(id); len(a) != 0 {
			t.Errorf("attached after Disconnect: %v", a)
		}
		l, err := netlink.LinkByName(veth)
		if err != nil {
			t.Fatalf("veth %s after Disconnect, its namespace alive: %v", veth, err)
		}
		if l.Attrs().Flags&net.FlagUp != 0 {
			t.Errorf("veth %s is up after Disconnect", veth)
		}
	}

	// A namespace that lives on (shared): its pair is down and the
	// address free for another.
	f1 := startFake(t)
	veth, _ := connect(f1)
	disconnect(veth)
	other := startFake(t)
	a, err := m.Attach(AttachRequest{ContainerID: other.ID, Name: "other", NetNS: other.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	if a.IP.String() != tn.Prefix+"2" {
		t.Errorf("the next container got %s, want the address freed, %s2", a.IP, tn.Prefix)
	}
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if hasLink(veth) {
		t.Errorf("veth %s left after Sweep", veth)
	}
	if out := f1.exec(t, "ip", "link"); strings.Contains(out, "eth0") {
		t.Errorf("eth0 left in the namespace after Sweep:\n%s", out)
	}

	// The next run takes the name of a pair not swept yet: Sweep leaves
	// the new one alone.
	f2 := startFake(t)
	veth, _ = connect(f2)
	disconnect(veth)
	f3 := startFake(t)
	_, index := connect(f3)
	if err := s.Sweep(); err != nil {
		t.Fatal(err)
	}
	if l, err := netlink.LinkByName(veth); err != nil || l.Attrs().Index != index || l.Attrs().Flags&net.FlagUp == 0 {
		t.Fatalf("the running container's veth %s after Sweep: %v, %v", veth, l, err)
	}

	// A namespace that dies takes its pair along, with no Sweep.
	disconnect(veth)
	f3.cmd.Process.Kill()
	f3.cmd.Wait()
	eventually(t, "veth gone with its namespace", func() error {
		if hasLink(veth) {
			return fmt.Errorf("veth %s still there", veth)
		}
		return nil
	})
}
