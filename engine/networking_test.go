package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"berth/engine/network"
)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func TestBridgePublishAndReach(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	port := freePort(t)
	create(t, e, CreateOptions{Name: "web",
		Config: ContainerConfig{Cmd: []string{"sh", "-c", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www"}},
		HostConfig: HostConfig{NetworkMode: "bridge",
			PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: port}}}},
	})
	if err := e.Start(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	web, _ := e.Inspect(ctx, "web")
	if web.NetworkSettings == nil || web.NetworkSettings.IPAddress == "" {
		t.Fatalf("no network settings: %+v", web.NetworkSettings)
	}
	var body string
	waitFor(t, "the published port to serve", func() bool {
		resp, err := http.Get("http://127.0.0.1:" + port + "/")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return true
	})
	if body != "served\n" {
		t.Errorf("through 127.0.0.1:%s got %q", port, body)
	}

	c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"wget", "-qO-", "http://" + web.NetworkSettings.IPAddress + "/"}},
		HostConfig: HostConfig{NetworkMode: "bridge"}})
	var out strings.Builder
	res, err := e.Run(ctx, c.ID, AttachOptions{Stdout: &out, Stderr: &out})
	if err != nil || res.ExitCode != 0 || out.String() != "served\n" {
		t.Errorf("container to container: %v, exit %d, %q", err, res.ExitCode, out.String())
	}

	busy := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"sleep", "100"}},
		HostConfig: HostConfig{NetworkMode: "bridge",
			PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: port}}}}})
	err = e.Start(ctx, busy.ID)
	if err == nil || ExitCode(err) != 125 || !strings.Contains(err.Error(), port) {
		t.Errorf("a taken port: %v (exit %d), want exit 125 naming port %s", err, ExitCode(err), port)
	}
}

func TestUserNetworkNamesAndAliases(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	ctx := context.Background()
	n := testSeq.Add(1)
	if _, err := e.Networks().Create(network.CreateOptions{
		Name:   "mynet",
		Subnet: fmt.Sprintf("10.%d.%d.0/24", 170+os.Getpid()%10, n%250),
		Bridge: fmt.Sprintf("bu%d-%d", os.Getpid()%100000, n),
	}); err != nil {
		t.Fatal(err)
	}
	ip := fmt.Sprintf("10.%d.%d.77", 170+os.Getpid()%10, n%250)
	if _, err := e.Create(ctx, CreateOptions{Name: "api", NetworkAliases: []string{"backend"}, IP: ip,
		Config:     ContainerConfig{Image: "busybox", Cmd: []string{"sh", "-c", "mkdir -p /www && echo api > /www/index.html && exec httpd -f -p 80 -h /www"}},
		HostConfig: HostConfig{NetworkMode: "mynet"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Inspect(ctx, "api"); got.NetworkSettings == nil || got.NetworkSettings.Networks["mynet"].IPAddress != ip {
		t.Fatalf("--ip %s not applied: %+v", ip, got.NetworkSettings)
	}
	for _, host := range []string{"api", "backend"} {
		c := create(t, e, CreateOptions{Config: ContainerConfig{Cmd: []string{"wget", "-qO-", "http://" + host + "/"}},
			HostConfig: HostConfig{NetworkMode: "mynet"}})
		var out strings.Builder
		res, err := e.Run(ctx, c.ID, AttachOptions{Stdout: &out, Stderr: &out})
		if err != nil || res.ExitCode != 0 || out.String() != "api\n" {
			t.Errorf("wget http://%s/: %v, exit %d, %q", host, err, res.ExitCode, out.String())
		}
	}
}
