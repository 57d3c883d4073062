package network

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
)

// requireRoot skips a test that needs root, except under CI=true, where a
// missing privilege is a failure.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test needs root (CI=true: not skipping)")
	}
	t.Skip("needs root")
}

// testSeq numbers the tests' private address blocks and names.
var testSeq atomic.Uint32

// testNet is one test's own corner of the host: a data root, a /22 of
// 10.x (the default subnet at its start, the user-network pool in its
// upper half), and the root's own bridge name and nftables table
// (RootNames), so that tests run in parallel, and beside other runs,
// without meeting.
type testNet struct {
	Opts   Options
	Prefix string // "10.a.b." of the default subnet
	Pool   netip.Prefix
	Spare  string // a /24 outside both, for a network of the test's own
}

func newTestNet(t testing.TB) testNet {
	n := testSeq.Add(1)
	pid := os.Getpid()
	second := 210 + pid%40
	third := int(n*4+uint32(pid/40)*4) % 256
	pool := netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/23", second, third+2))
	root := t.TempDir()
	bridge, table := RootNames(root, false)
	return testNet{
		Opts: Options{
			Dir:           filepath.Join(root, "network"),
			Root:          root,
			DefaultSubnet: fmt.Sprintf("10.%d.%d.0/24", second, third),
			DefaultBridge: bridge,
			SubnetPool:    pool.String(),
			Table:         table,
		},
		Prefix: fmt.Sprintf("10.%d.%d.", second, third),
		Pool:   pool,
		Spare:  fmt.Sprintf("10.%d.%d.0/24", second, third+1),
	}
}

// openTestManager opens a Manager on tn and, at cleanup, releases every
// container, prunes, and checks that nothing of it is left on the host
// (removing whatever is).
func openTestManager(t testing.TB, tn testNet) *Manager {
	t.Helper()
	m, err := Open(tn.Opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		recs, _ := m.loadAll()
		for _, r := range recs {
			for id := range r.Endpoints {
				m.Release(id)
			}
		}
		if _, err := m.Prune(); err != nil {
			t.Errorf("prune: %v", err)
		}
		for _, r := range recs {
			if b := r.Network.Bridge(); b != "" && hasLink(b) && !othersBridge(b, tn.Opts.Root) {
				t.Errorf("bridge %s left behind", b)
				deleteLink(b)
			}
		}
		if tableExists(t, tn.Opts.Table) {
			t.Errorf("nftables table %s left behind", tn.Opts.Table)
			syncMasquerade(tn.Opts.Table, nil)
		}
	})
	return m
}

// othersBridge says whether the bridge is marked as another data root's.
func othersBridge(name, root string) bool {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return false
	}
	_, other := otherOwner(l.Attrs().Alias, ownerMark(root))
	return other
}

func hasLink(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

func tableExists(t testing.TB, name string) bool {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTableOfFamily(name, nftables.TableFamilyIPv4)
	return err == nil
}

// tableRules counts the rules of the table's postrouting chain.
func tableRules(t testing.TB, name string) int {
	t.Helper()
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	tab := &nftables.Table{Family: nftables.TableFamilyIPv4, Name: name}
	rules, err := c.GetRules(tab, &nftables.Chain{Name: "postrouting", Table: tab})
	if err != nil {
		return 0
	}
	return len(rules)
}

// fakeContainer is a process in a network namespace of its own (with lo
// up), standing in for a container's init: busybox running args.
type fakeContainer struct {
	ID  string
	Pid int
	cmd *exec.Cmd
}

func (f *fakeContainer) NetNS() string { return fmt.Sprintf("/proc/%d/ns/net", f.Pid) }

func startFake(t testing.TB, args ...string) *fakeContainer {
	t.Helper()
	if len(args) == 0 {
		args = []string{"sleep", "3600"}
	}
	cmd := exec.Command("/bin/busybox", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fakeContainer{ID: newID(), Pid: cmd.Process.Pid, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	f.exec(t, "ip", "link", "set", "lo", "up")
	return f
}

// exec runs busybox inside the fake container's network namespace.
func (f *fakeContainer) exec(t testing.TB, args ...string) string {
	t.Helper()
	out, err := f.run(args...)
	if err != nil {
		t.Fatalf("%s in %d: %v\n%s", strings.Join(args, " "), f.Pid, err, out)
	}
	return out
}

// run is exec without failing; it gives up after ten seconds.
func (f *fakeContainer) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/busybox", append([]string{"nsenter", "-t", fmt.Sprint(f.Pid), "-n", "--", "/bin/busybox"}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// eventually retries check until it succeeds or a few seconds pass.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}
