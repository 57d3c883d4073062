package engine

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"berth/engine/network"
	"berth/internal/testenv"
)

// TestDataRootsSideBySide runs two data roots on one host, as a second
// install or the test suite beside the demo would: each root's default
// bridge, subnet (picked, none configured) and nftables table are its
// own, its published port reaches its own container only, and rewriting
// one root's rules never touches the other's. A third root configured
// with the first one's bridge is refused and leaves nothing.
func TestDataRootsSideBySide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eA := newTestEngineWith(t, "", network.Options{})
	eB := newTestEngineWith(t, "", network.Options{})
	bridgeA, tableA := network.RootNames(eA.opts.Root, false)
	bridgeB, tableB := network.RootNames(eB.opts.Root, false)
	web := func(e *Engine, says string) (port, ip string) {
		t.Helper()
		port = freePort(t)
		create(t, e, CreateOptions{Name: "web",
			Config: ContainerConfig{Cmd: []string{"sh", "-c", "mkdir -p /www && echo " + says + " > /www/index.html && exec httpd -f -p 80 -h /www"}},
			HostConfig: HostConfig{NetworkMode: "bridge",
				PortBindings: map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1", HostPort: port}}}},
		})
		if err := e.Start(ctx, "web"); err != nil {
			t.Fatal(err)
		}
		c, err := e.Inspect(ctx, "web")
		if err != nil || c.NetworkSettings == nil {
			t.Fatalf("inspect web: %v", err)
		}
		return port, c.NetworkSettings.IPAddress
	}
	portA, ipA := web(eA, "root-A")
	portB, ipB := web(eB, "root-B")
	if ipA == ipB {
		t.Errorf("both roots gave their container %s", ipA)
	}
	serves := func(port, want string) {
		t.Helper()
		var body string
		waitFor(t, "127.0.0.1:"+port+" to serve", func() bool {
			resp, err := http.Get("http://127.0.0.1:" + port + "/")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
			return true
		})
		if body != want+"\n" {
			t.Errorf("127.0.0.1:%s answered %q, want %q", port, body, want)
		}
	}
	serves(portA, "root-A")
	serves(portB, "root-B")

	checkNAT := func(when, table string, want ...string) {
		t.Helper()
		slices.Sort(want)
		if got := testenv.NATBridges(t, table); !slices.Equal(got, want) {
			t.Errorf("%s: table %s masquerades for %q, want %q", when, table, got, want)
		}
	}
	checkNAT("both up", tableA, bridgeA)
	checkNAT("both up", tableB, bridgeB)

	// Root A brings a network up and removes it: its table is rewritten
	// twice, B's stays as it was.
	second, err := eA.Networks().Create(network.CreateOptions{Name: "second",
		Subnet: fmt.Sprintf("10.%d.%d.0/24", 180+os.Getpid()%10, testSeq.Add(1)%250)})
	if err != nil {
		t.Fatal(err)
	}
	c := create(t, eA, CreateOptions{Config: ContainerConfig{Cmd: []string{"true"}}, HostConfig: HostConfig{NetworkMode: "second"}})
	if res, err := eA.Run(ctx, c.ID, AttachOptions{}); err != nil || res.ExitCode != 0 {
		t.Fatalf("run on the second network: %v, exit %d", err, res.ExitCode)
	}
	checkNAT("A's second network up", tableA, bridgeA, second.Bridge())
	checkNAT("A's second network up", tableB, bridgeB)
	if err := eA.Remove(ctx, c.ID, RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := eA.Networks().Remove("second"); err != nil {
		t.Fatal(err)
	}
	checkNAT("A's second network removed", tableA, bridgeA)
	checkNAT("A's second network removed", tableB, bridgeB)

	// A root configured with A's bridge is refused, and leaves nothing.
	eC := newTestEngineWith(t, "", network.Options{DefaultBridge: bridgeA})
	_, tableC := network.RootNames(eC.opts.Root, false)
	create(t, eC, CreateOptions{Name: "intruder", Config: ContainerConfig{Cmd: []string{"sleep", "100"}}})
	err = eC.Start(ctx, "intruder")
	want := fmt.Sprintf(`bridge %s belongs to the data root %s; set "bridge" and "bip" in the config`, bridgeA, eA.opts.Root)
	if err == nil || !strings.Contains(err.Error(), want) || ExitCode(err) != 125 {
		t.Fatalf("start on another root's bridge: %v (exit %d)\nwant exit 125 and an error with %q", err, ExitCode(err), want)
	}
	if c, err := eC.Inspect(ctx, "intruder"); err != nil || c.State.Running() {
		t.Errorf("the refused container: %+v, %v", c.State, err)
	}
	if testenv.NATBridges(t, tableC) != nil {
		t.Errorf("the refused root wrote its table %s", tableC)
	}
	if _, err := eC.Networks().Prune(); err != nil {
		t.Fatal(err)
	}
	if l, err := netlink.LinkByName(bridgeA); err != nil || l.Attrs().Alias != "berth:"+eA.opts.Root {
		t.Errorf("root A's bridge after the refused root's prune: %v", err)
	}
	checkNAT("after the refused root", tableA, bridgeA)
	serves(portA, "root-A")
	serves(portB, "root-B")
}
