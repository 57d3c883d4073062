package engine

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
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
