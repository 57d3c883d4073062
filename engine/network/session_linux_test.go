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
