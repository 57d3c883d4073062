package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestUserNetworkNamesAndTraffic(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	n, err := m.Create(CreateOptions{Name: "mynet", Subnet: tn.Spare})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove("mynet") })
	www := t.TempDir()
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte("hello from api\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := startFake(t, "httpd", "-f", "-p", "80", "-h", www)
	client := startFake(t)
	dir := t.TempDir()
	hostsOf := func(f *fakeContainer) string { return filepath.Join(dir, f.ID[:12]+"-hosts") }
	for _, f := range []*fakeContainer{api, client} {
		if err := os.WriteFile(hostsOf(f), []byte("placeholder\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	attAPI, err := m.Attach(AttachRequest{Network: "mynet", ContainerID: api.ID, Name: "api", Hostname: "apihost",
		Aliases: []string{"backend"}, NetNS: api.NetNS(), HostsPath: hostsOf(api)})
	if err != nil {
		t.Fatal(err)
	}
	attClient, err := m.Attach(AttachRequest{Network: n.ID[:12], ContainerID: client.ID, Name: "client", Hostname: "clienthost",
		NetNS: client.NetNS(), HostsPath: hostsOf(client)})
	if err != nil {
		t.Fatal(err)
	}
	if !hasLink(n.Bridge()) {
		t.Fatalf("bridge %s of mynet not created", n.Bridge())
	}
	// Both hosts files list both containers: the first was rewritten when
	// the second joined.
	apiLine := attAPI.IP.String() + "\tapi backend apihost\n"
	clientLine := attClient.IP.String() + "\tclient clienthost\n"
	checkHosts := func(f *fakeContainer, want ...string) {
		t.Helper()
		b, err := os.ReadFile(hostsOf(f))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				t.Errorf("hosts of %s lacks %q:\n%s", f.ID[:12], w, b)
			}
		}
	}
	checkHosts(api, attAPI.IP.String()+"\tapihost api backend\n", clientLine)
	checkHosts(client, attClient.IP.String()+"\tclienthost client\n", apiLine)

	// Container to container over the bridge.
	var page string
	eventually(t, "wget from client to api", func() error {
		out, err := client.run("wget", "-q", "-O", "-", "http://"+attAPI.IP.String()+"/")
		page = out
		return err
	})
	if page != "hello from api\n" {
		t.Errorf("page: %q", page)
	}
	c, err := ContainerCounters(client.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if c.RxBytes < uint64(len(page)) || c.TxBytes == 0 || c.RxPackets == 0 {
		t.Errorf("client counters after a fetch: %+v", c)
	}

	// Inspect shows both; rm refuses while they are attached.
	got, err := m.Inspect("mynet")
	if err != nil {
		t.Fatal(err)
	}
	if ep := got.Containers[api.ID]; len(got.Containers) != 2 || ep.Name != "api" || ep.IPv4Address != attAPI.IP.String()+"/24" ||
		ep.MacAddress != attAPI.MacAddress {
		t.Errorf("inspect: %+v", got.Containers)
	}
	if err := m.Remove("mynet"); !errors.Is(err, ErrInUse) {
		t.Errorf("rm with containers attached: %v", err)
	}

	// The client leaves: api's file forgets it, the client's keeps only itself.
	if err := m.Release(client.ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(hostsOf(api)); strings.Contains(string(b), "client") {
		t.Errorf("api's hosts still names the client:\n%s", b)
	}
	if b, _ := os.ReadFile(hostsOf(client)); strings.Contains(string(b), "api") || !strings.Contains(string(b), "127.0.1.1\tclienthost") {
		t.Errorf("client's hosts after it left:\n%s", b)
	}
	if err := m.Release(api.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove("mynet"); err != nil {
		t.Fatal(err)
	}
	if hasLink(n.Bridge()) {
		t.Errorf("bridge %s left after rm", n.Bridge())
	}
}

func TestPublishToContainer(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	www := t.TempDir()
	body := bytes.Repeat([]byte("berth "), 200000)
	if err := os.WriteFile(filepath.Join(www, "big"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	web := startFake(t, "httpd", "-f", "-p", "80", "-h", www)
	att, err := m.Attach(AttachRequest{ContainerID: web.ID, Name: "web", NetNS: web.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	udp := startFakeCmd(t, exec.Command("/proc/self/exe"), helperEnv+"=udp-echo")
	attUDP, err := m.Attach(AttachRequest{ContainerID: udp.ID, Name: "udp", NetNS: udp.NetNS()})
	if err != nil {
		t.Fatal(err)
	}

	ports, err := PortMappings(map[string][]PortBinding{"80/tcp": {{HostIP: "127.0.0.1"}}}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, att.IP, ports...)
	url := fmt.Sprintf("http://127.0.0.1:%d/big", p.Published()[0].HostPort)
	var got []byte
	eventually(t, "GET "+url, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		got, err = io.ReadAll(resp.Body)
		return err
	})
	if !bytes.Equal(got, body) {
		t.Errorf("through the proxy: %d bytes, want %d", len(got), len(body))
	}

	udpPorts, err := PortMappings(map[string][]PortBinding{"9000/udp": {{HostIP: "127.0.0.1"}}}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	pu := startProxy(t, attUDP.IP, udpPorts...)
	if got := udpRoundTrip(t, "127.0.0.1:"+strconv.Itoa(pu.Published()[0].HostPort), "ping"); got != "echo:ping" {
		t.Errorf("udp through the proxy: %q", got)
	}
}

// startFakeCmd starts cmd in a network namespace of its own, with env
// added.
func startFakeCmd(t testing.TB, cmd *exec.Cmd, env ...string) *fakeContainer {
	t.Helper()
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &fakeContainer{ID: newID(), Pid: cmd.Process.Pid, cmd: cmd}
}

func TestDeadContainerIsForgotten(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	dead := startFake(t)
	att, err := m.Attach(AttachRequest{ContainerID: dead.ID, NetNS: dead.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	// The container dies without a Detach, as when its shim is killed:
	// its namespace goes, and the veth pair with it.
	dead.cmd.Process.Kill()
	dead.cmd.Wait()
	eventually(t, "veth gone with the namespace", func() error {
		if hasLink(att.HostVeth) {
			return fmt.Errorf("%s still there", att.HostVeth)
		}
		return nil
	})
	// Its address is free for the next container, whose attach finds a
	// leftover link of its veth's name (as from an attach killed half-way).
	next := startFake(t)
	br, err := m.Inspect(NameBridge)
	if err != nil {
		t.Fatal(err)
	}
	leftover := vethName(br.ID, next.ID)
	if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: leftover}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteLink(leftover) })
	att2, err := m.Attach(AttachRequest{ContainerID: next.ID, NetNS: next.NetNS()})
	if err != nil {
		t.Fatal(err)
	}
	if att2.IP != att.IP {
		t.Errorf("next container got %s, want the dead one's %s", att2.IP, att.IP)
	}
	if got, _ := m.Attachments(dead.ID); len(got) != 0 {
		t.Errorf("dead container still attached: %+v", got)
	}
	// Release of the dead one is harmless; with the other one dead too,
	// prune takes the bridge and rules down without a Release.
	if err := m.Release(dead.ID); err != nil {
		t.Fatal(err)
	}
	next.cmd.Process.Kill()
	next.cmd.Wait()
	eventually(t, "prune after the last container died", func() error {
		if _, err := m.Prune(); err != nil {
			return err
		}
		if hasLink(tn.Opts.DefaultBridge) || tableExists(t, tn.Opts.Table) {
			return fmt.Errorf("bridge or table still there")
		}
		return nil
	})
}

func TestAttachFailureLeavesNothing(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	f := startFake(t)
	_, err := m.Attach(AttachRequest{ContainerID: f.ID, NetNS: "/proc/self/ns/nonexistent"})
	if err == nil {
		t.Fatal("attach to a missing namespace succeeded")
	}
	// Wrong requests are refused before anything is made.
	if _, err := m.Create(CreateOptions{Name: "user", Subnet: tn.Spare}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Remove("user") })
	for _, req := range []AttachRequest{
		{Network: "user", IP: netip.MustParseAddr("192.0.2.200")}, // outside the subnet
		{IP: netip.MustParseAddr(tn.Prefix + "77")},               // --ip on the default bridge
		{Aliases: []string{"x"}},                                  // aliases on the default bridge
	} {
		req.ContainerID, req.NetNS = f.ID, f.NetNS()
		if _, err := m.Attach(req); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("attach %+v: %v, want ErrInvalidConfig", req, err)
		}
	}
	if _, err := m.Attach(AttachRequest{Network: NameHost, ContainerID: f.ID, NetNS: f.NetNS()}); !errors.Is(err, ErrNotBridge) {
		t.Errorf("attach to host: %v", err)
	}
	if hasLink(tn.Opts.DefaultBridge) || tableExists(t, tn.Opts.Table) {
		t.Errorf("failed attach left the bridge or the table")
	}
	if out := f.exec(t, "ip", "link"); strings.Contains(out, "eth0") {
		t.Errorf("failed attach left eth0:\n%s", out)
	}
	// A requested address is honoured.
	want, _ := netip.ParsePrefix(tn.Spare)
	a, err := m.Attach(AttachRequest{Network: "user", ContainerID: f.ID, NetNS: f.NetNS(), IP: want.Addr().Next().Next().Next()})
	if err != nil || a.IP != want.Addr().Next().Next().Next() {
		t.Fatalf("attach with --ip: %v, %v", a, err)
	}
	m.Release(f.ID)
}

func TestConcurrentAttachNeverSharesAnAddress(t *testing.T) {
	requireRoot(t)
	t.Parallel()
	tn := newTestNet(t)
	m := openTestManager(t, tn)
	const procs, perProc, inTest = 3, 4, 4
	var fakes []*fakeContainer
	request := func() AttachRequest {
		f := startFake(t)
		fakes = append(fakes, f)
		return AttachRequest{ContainerID: f.ID, Name: f.ID[:12], NetNS: f.NetNS()}
	}
	// Helper processes, each attaching from several goroutines, with
	// Managers of their own on the same store, and goroutines here.
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range procs {
		job := attachJob{Opts: tn.Opts}
		for range perProc {
			job.Requests = append(job.Requests, request())
		}
		in, _ := json.Marshal(job)
		cmd := exec.Command("/proc/self/exe")
		cmd.Env = append(os.Environ(), helperEnv+"=attach")
		cmd.Stdin = bytes.NewReader(in)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, os.Stderr
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	var local []AttachRequest
	for range inTest {
		local = append(local, request())
	}
	for _, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	localIPs, err := attachAll(m, local)
	if err != nil {
		t.Error(err)
	}
	all := localIPs
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("attach helper %d: %v", i, err)
		}
		var ips []string
		if err := json.Unmarshal(outs[i].Bytes(), &ips); err != nil {
			t.Fatalf("attach helper %d output %q: %v", i, outs[i], err)
		}
		all = append(all, ips...)
	}
	seen := map[string]bool{}
	for _, ip := range all {
		if seen[ip] {
			t.Errorf("address %s handed out twice: %v", ip, all)
		}
		seen[ip] = true
	}
	if len(seen) != procs*perProc+inTest {
		t.Errorf("%d addresses for %d containers", len(seen), procs*perProc+inTest)
	}
	// Every container really has its address.
	for _, f := range fakes[:2] {
		a, err := m.Attachments(f.ID)
		if err != nil || a[NameBridge] == nil {
			t.Fatalf("attachments of %s: %v %v", f.ID[:12], a, err)
		}
		if out := f.exec(t, "ip", "-4", "addr", "show", "eth0"); !strings.Contains(out, a[NameBridge].IP.String()+"/24") {
			t.Errorf("eth0 of %s:\n%s", f.ID[:12], out)
		}
	}
	for _, f := range fakes {
		if err := m.Release(f.ID); err != nil {
			t.Error(err)
		}
	}
	if a, err := m.Inspect(NameBridge); err != nil || len(a.Containers) != 0 {
		t.Errorf("attached after every release: %v, %v", a, err)
	}
}
